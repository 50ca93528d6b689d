//! The `auth` function: sign-up, sign-in, checks, token refresh and sign-out for every
//! contract, and the JWKS document. The only function that holds the token signing key.
//!
//! [`ROUTES`] is the function's route table: one row per route, naming the contract whose
//! error shapes it speaks and its handler, which lives in that contract's module.

mod accounts;
mod campaign;
mod careers;
mod chat;

use users_shared::auth::tokens::TokenSigner;
use users_shared::config::{Config, ConfigError};
use users_shared::http::{Call, Outcome, Route};
use users_shared::lambda::{FunctionState, Sessions};
use users_shared::notify::Notifier;
use users_shared::route;

/// What the function builds once per cold start and lends to every request: what every
/// function has (the table, the public key), and the signing key and the topic.
#[derive(Debug)]
pub struct AuthState {
    pub sessions: Sessions,
    pub signer: TokenSigner,
    pub notifier: Notifier,
}

impl FunctionState for AuthState {
    fn new(config: &Config, sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        let sessions = Sessions::new(config, sdk)?;
        Ok(Self {
            signer: config.signer(&sessions.verifier)?,
            notifier: config.notifier(sdk)?,
            sessions,
        })
    }
}

impl std::ops::Deref for AuthState {
    type Target = Sessions;
    fn deref(&self) -> &Sessions {
        &self.sessions
    }
}

/// This function's routes; `template.yaml` declares exactly these (a test checks it).
pub const ROUTES: &[Route<AuthState>] = &[
    route!(Post "/careers/users/register", Drf, careers::register),
    route!(Post "/careers/users/login", Drf, careers::login),
    route!(Post "/careers/users/token/refresh", Drf, careers::token_refresh),
    route!(Post "/careers/users/logout", Drf, careers::logout),
    route!(Post "/api/action/register", Campaign, campaign::register),
    route!(Post "/api/action/logout", Campaign, campaign::logout),
    route!(Post "/api/check/auth", Campaign, campaign::check_auth),
    route!(Post "/api/check/validate", Campaign, campaign::check_validate),
    route!(Post "/api/check/email", Campaign, campaign::check_email),
    route!(Post "/api/check/login", Campaign, campaign::check_login),
    route!(Post "/api/v1/accounts/users", Accounts, accounts::create),
    route!(Post "/api/v1/accounts/users/verify", Accounts, accounts::verify),
    route!(Post "/api/v1/accounts/users/resend-code", Accounts, accounts::resend_code),
    route!(Post "/api/v2.1/rest/login_or_register", Chat, chat::login_or_register),
    route!(Get "/api/v2.1/rest/get_user_token", Chat, chat::get_user_token),
    route!(Post "/api/v2.1/rest/reset_user_token", Chat, chat::reset_user_token),
    route!(Get "/.well-known/jwks.json", Drf, jwks),
];

/// `GET /.well-known/jwks.json`: the public key every other function verifies tokens with.
async fn jwks(state: &AuthState, _: Call<'_>) -> Outcome {
    use users_shared::http::response::Json;
    Ok(Json::raw(200, state.verifier.jwks_json().to_owned())
        .header(
            lambda_http::http::header::CACHE_CONTROL,
            "public, max-age=300",
        )
        .build())
}
