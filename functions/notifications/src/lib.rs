//! The `notifications` function: the campaign app's inbox (history, marking read) and staff
//! sends, the chat server's unread views, and the push contract's `/send`. Sends are stored
//! (inbox, counts and outbox in one transaction); the delivery worker publishes them. It only
//! verifies tokens; it holds no signing key.
//!
//! [`ROUTES`] is the function's route table: one row per route, naming the contract whose
//! error shapes it speaks and its handler, which lives in that contract's module.

mod campaign;
mod chat;
mod push;

use users_shared::http::Route;
use users_shared::route;

/// What the function builds once per cold start: the table and the public key (no signing key).
pub type NotificationsState = users_shared::lambda::Sessions;

/// This function's routes; `template.yaml` declares exactly these (a test checks it).
pub const ROUTES: &[Route<NotificationsState>] = &[
    route!(Post "/api/get/notifications/history", Campaign, campaign::history),
    route!(Post "/api/update/notifications/read", Campaign, campaign::mark_read),
    route!(Post "/api/user/notification", Campaign, campaign::send),
    route!(Get "/api/v2.1/rest/get_unread_users", Chat, chat::unread_users),
    route!(Get "/api/v2.1/rest/get_user_unread_count", Chat, chat::unread_count),
    route!(Post "/send", Push, push::send),
];
