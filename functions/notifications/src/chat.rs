//! The chat server's unread views (app credentials), answered from the inbox.

use crate::NotificationsState;
use users_shared::contracts::chat;
use users_shared::http::{Call, Outcome};
use users_shared::service::notifications;

pub async fn unread_users(state: &NotificationsState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &chat::APP_HEADERS).await?;
    let (page, limit, window) = chat::unread_users_params(&call.query())?;
    let user_ids = notifications::chat_unread_users(&state.store, window, page, limit).await?;
    Ok(chat::ok(chat::UnreadUsers { user_ids }))
}

pub async fn unread_count(state: &NotificationsState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &chat::APP_HEADERS).await?;
    let (names, window) = chat::unread_count_params(&call.query())?;
    let counts = notifications::chat_unread_counts(&state.store, &names, window).await?;
    Ok(chat::ok(chat::unread_counts(counts)))
}
