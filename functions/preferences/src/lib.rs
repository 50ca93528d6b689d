//! The `preferences` function: the campaign app's settings (preference categories and
//! networks, language, privacy, the seven notification codes). The notification codes are
//! push themes, so a setting changed here is what the push contract shows. It only verifies
//! tokens; it holds no signing key.
//!
//! [`ROUTES`] is the function's route table: one row per route, naming the contract whose
//! error shapes it speaks and its handler, which lives in that contract's module.

mod campaign;

use users_shared::http::Route;
use users_shared::route;

/// What the function builds once per cold start: the table and the public key (no signing key).
pub type PreferencesState = users_shared::lambda::Sessions;

/// This function's routes; `template.yaml` declares exactly these (a test checks it).
pub const ROUTES: &[Route<PreferencesState>] = &[
    route!(Post "/api/get/preferences", Campaign, campaign::get_preferences),
    route!(Post "/api/update/preferences", Campaign, campaign::update_preferences),
    route!(Post "/api/update/language", Campaign, campaign::update_language),
    route!(Post "/api/get/notifications", Campaign, campaign::get_notifications),
    route!(Post "/api/update/notifications", Campaign, campaign::update_notifications),
];
