//! The users function's routes and handlers.

use users_shared::auth::tokens::TokenVerifier;
use users_shared::config::{Config, ConfigError};
use users_shared::contracts::careers;
use users_shared::http::response::json;
use users_shared::http::routing::{match_route, Matched, Method, Route};
use users_shared::http::{bearer_token, drf, Failure, HttpResponse, Request};
use users_shared::service::sessions;
use users_shared::store::Store;

/// What the function builds once per cold start. No signing key: it only verifies.
#[derive(Debug)]
pub struct UsersState {
    pub store: Store,
    pub verifier: TokenVerifier,
}

impl UsersState {
    pub fn new(config: &Config, sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            store: config.store(sdk),
            verifier: config.verifier()?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    CareersMe,
}

/// This function's routes; `template.yaml` declares exactly these (a test checks it).
pub const ROUTES: &[Route<Endpoint>] = &[Route::new(
    Method::Get,
    "/careers/users/me",
    Endpoint::CareersMe,
)];

pub async fn handle(state: &UsersState, request: Request) -> HttpResponse {
    let method = request.method().as_str().to_owned();
    let endpoint = match match_route(ROUTES, &method, request.uri().path()) {
        Matched::Found { endpoint, .. } => endpoint,
        Matched::MethodNotAllowed { allowed } => return drf::method_not_allowed(&method, &allowed),
        Matched::NotFound => return drf::not_found(),
    };
    let result = match endpoint {
        Endpoint::CareersMe => careers_me(state, &request).await,
    };
    result.unwrap_or_else(|failure| drf::render(&failure))
}

async fn careers_me(state: &UsersState, request: &Request) -> Result<HttpResponse, Failure> {
    let caller =
        sessions::authenticate(&state.store, &state.verifier, bearer_token(request)).await?;
    Ok(json(200, &careers::me(&caller.user)))
}
