//! The `admin` function: the campaign backend's staff routes (bans, forced sign-outs, a
//! user's standing, the user statistics the stats job counts). Staff rights are read from
//! the stored caller on every call. It only verifies tokens; it holds no signing key.
//!
//! [`ROUTES`] is the function's route table: one row per route, naming the contract whose
//! error shapes it speaks and its handler, which lives in that contract's module.

mod campaign;

use users_shared::http::Route;
use users_shared::route;

/// What the function builds once per cold start: the table and the public key (no signing key).
pub type AdminState = users_shared::lambda::Sessions;

/// This function's routes; `template.yaml` declares exactly these (a test checks it).
pub const ROUTES: &[Route<AdminState>] = &[
    route!(Post "/api/user/status/ban", Campaign, campaign::ban),
    route!(Post "/api/user/status", Campaign, campaign::status),
    route!(Post "/api/user/force-logout", Campaign, campaign::force_logout),
    route!(Post "/api/users/stats/sex", Campaign, campaign::stats_by_sex),
    route!(Post "/api/users/stats/age", Campaign, campaign::stats_by_age),
    route!(Post "/api/users/stats/preferences", Campaign, campaign::stats_by_preferences),
];
