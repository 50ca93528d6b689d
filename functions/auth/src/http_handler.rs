//! The auth function's routes and handlers. Each handler parses the request with its
//! contract's module, calls one service function and renders the result; failures are
//! rendered in the contract's shape in one place.

use lambda_http::http::header::CACHE_CONTROL;
use users_shared::auth::tokens::{TokenSigner, TokenVerifier};
use users_shared::config::{Config, ConfigError};
use users_shared::contracts::careers;
use users_shared::http::response::Json;
use users_shared::http::routing::{match_route, Matched, Method, Route};
use users_shared::http::{bearer_token, body, drf, Failure, HttpResponse, Request};
use users_shared::service::sessions;
use users_shared::store::Store;

/// What the function builds once per cold start and lends to every request.
#[derive(Debug)]
pub struct AuthState {
    pub store: Store,
    pub verifier: TokenVerifier,
    pub signer: TokenSigner,
}

impl AuthState {
    pub fn new(config: &Config, sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        let verifier = config.verifier()?;
        let signer = config.signer(&verifier)?;
        Ok(Self {
            store: config.store(sdk),
            verifier,
            signer,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    CareersRegister,
    CareersLogin,
    CareersTokenRefresh,
    CareersLogout,
    Jwks,
}

/// This function's routes; `template.yaml` declares exactly these (a test checks it).
pub const ROUTES: &[Route<Endpoint>] = &[
    Route::new(
        Method::Post,
        "/careers/users/register",
        Endpoint::CareersRegister,
    ),
    Route::new(Method::Post, "/careers/users/login", Endpoint::CareersLogin),
    Route::new(
        Method::Post,
        "/careers/users/token/refresh",
        Endpoint::CareersTokenRefresh,
    ),
    Route::new(
        Method::Post,
        "/careers/users/logout",
        Endpoint::CareersLogout,
    ),
    Route::new(Method::Get, "/.well-known/jwks.json", Endpoint::Jwks),
];

pub async fn handle(state: &AuthState, request: Request) -> HttpResponse {
    let method = request.method().as_str().to_owned();
    let endpoint = match match_route(ROUTES, &method, request.uri().path()) {
        Matched::Found { endpoint, .. } => endpoint,
        Matched::MethodNotAllowed { allowed } => return drf::method_not_allowed(&method, &allowed),
        Matched::NotFound => return drf::not_found(),
    };
    let result = match endpoint {
        Endpoint::CareersRegister => careers_register(state, &request).await,
        Endpoint::CareersLogin => careers_login(state, &request).await,
        Endpoint::CareersTokenRefresh => careers_token_refresh(state, &request).await,
        Endpoint::CareersLogout => careers_logout(state, &request).await,
        Endpoint::Jwks => Ok(jwks(state)),
    };
    result.unwrap_or_else(|failure| drf::render(&failure))
}

async fn careers_register(state: &AuthState, request: &Request) -> Result<HttpResponse, Failure> {
    let new_user = careers::new_user(&body::parse(request)?)?;
    let (user, tokens) = sessions::register(&state.store, &state.signer, new_user).await?;
    Ok(Json::new(201, &careers::registered(&user, &tokens))
        .no_store()
        .build())
}

async fn careers_login(state: &AuthState, request: &Request) -> Result<HttpResponse, Failure> {
    let (name, password) = careers::login(&body::parse(request)?)?;
    let (user, tokens) = sessions::login(&state.store, &state.signer, name, password).await?;
    Ok(Json::new(200, &careers::logged_in(&user, &tokens))
        .no_store()
        .build())
}

async fn careers_token_refresh(
    state: &AuthState,
    request: &Request,
) -> Result<HttpResponse, Failure> {
    let presented = careers::refresh_token(&body::parse(request)?)?;
    let tokens = sessions::refresh(&state.store, &state.signer, &presented).await?;
    Ok(Json::new(200, &careers::refreshed(&tokens))
        .no_store()
        .build())
}

async fn careers_logout(state: &AuthState, request: &Request) -> Result<HttpResponse, Failure> {
    let caller =
        sessions::authenticate(&state.store, &state.verifier, bearer_token(request)).await?;
    let refresh = careers::optional_refresh_token(&body::parse(request)?)?;
    sessions::logout(&state.store, &caller, refresh.as_deref()).await?;
    Ok(drf::detail(200, "Successfully logged out."))
}

fn jwks(state: &AuthState) -> HttpResponse {
    Json::raw(200, state.verifier.jwks_json().to_owned())
        .header(CACHE_CONTROL, "public, max-age=300")
        .build()
}
