//! The `social` function: the careers contract's follow graph. It only verifies tokens.
//!
//! [`ROUTES`] is the function's route table: one row per route, naming the contract whose
//! error shapes it speaks and its handler, which lives in that contract's module.

mod careers;

use users_shared::http::Route;
use users_shared::route;

/// What the function builds once per cold start: the table and the public key (no signing key).
pub type SocialState = users_shared::lambda::Sessions;

/// This function's routes; `template.yaml` declares exactly these (a test checks it).
pub const ROUTES: &[Route<SocialState>] = &[
    route!(Post "/careers/users/follow", Drf, careers::follow),
    route!(Delete "/careers/users/{username}/unfollow", Drf, careers::unfollow),
    route!(Get "/careers/users/following", Drf, careers::my_following),
    route!(Get "/careers/users/{username}/followers", Drf, careers::followers),
    route!(Get "/careers/users/{username}/following", Drf, careers::following),
];
