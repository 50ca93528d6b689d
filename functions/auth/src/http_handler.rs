//! The auth function's routes and handlers: sign-up, sign-in, checks and sign-out for every
//! contract, and the JWKS document. Each handler parses the request with its contract's
//! module, calls the service and renders the result; each contract renders its failures in
//! its own shape, in one place.

use lambda_http::http::header::CACHE_CONTROL;
use serde_json::json;
use users_shared::auth::tokens::{TokenSigner, TokenVerifier};
use users_shared::config::{Config, ConfigError};
use users_shared::contracts::{accounts as accounts_api, campaign, careers, chat};
use users_shared::http::response::Json;
use users_shared::http::routing::{match_route, Matched, Method, Route};
use users_shared::http::{bearer_token, body, client_address, drf, Failure, HttpResponse, Request};
use users_shared::notify::Notifier;
use users_shared::service::verification::{self, Sent};
use users_shared::service::{accounts, apps, chat as chat_service, limits, sessions};
use users_shared::store::Store;

/// What the function builds once per cold start and lends to every request.
#[derive(Debug)]
pub struct AuthState {
    pub store: Store,
    pub verifier: TokenVerifier,
    pub signer: TokenSigner,
    pub notifier: Notifier,
}

impl AuthState {
    pub fn new(config: &Config, sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        let verifier = config.verifier()?;
        let signer = config.signer(&verifier)?;
        Ok(Self {
            store: config.store(sdk),
            verifier,
            signer,
            notifier: config.notifier(sdk)?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    CareersRegister,
    CareersLogin,
    CareersTokenRefresh,
    CareersLogout,
    CampaignRegister,
    CampaignLogout,
    CampaignCheckAuth,
    CampaignCheckValidate,
    CampaignCheckEmail,
    CampaignCheckLogin,
    AccountsCreate,
    AccountsVerify,
    AccountsResendCode,
    ChatLoginOrRegister,
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
    Route::new(
        Method::Post,
        "/api/action/register",
        Endpoint::CampaignRegister,
    ),
    Route::new(Method::Post, "/api/action/logout", Endpoint::CampaignLogout),
    Route::new(Method::Post, "/api/check/auth", Endpoint::CampaignCheckAuth),
    Route::new(
        Method::Post,
        "/api/check/validate",
        Endpoint::CampaignCheckValidate,
    ),
    Route::new(
        Method::Post,
        "/api/check/email",
        Endpoint::CampaignCheckEmail,
    ),
    Route::new(
        Method::Post,
        "/api/check/login",
        Endpoint::CampaignCheckLogin,
    ),
    Route::new(
        Method::Post,
        "/api/v1/accounts/users",
        Endpoint::AccountsCreate,
    ),
    Route::new(
        Method::Post,
        "/api/v1/accounts/users/verify",
        Endpoint::AccountsVerify,
    ),
    Route::new(
        Method::Post,
        "/api/v1/accounts/users/resend-code",
        Endpoint::AccountsResendCode,
    ),
    Route::new(
        Method::Post,
        "/api/v2.1/rest/login_or_register",
        Endpoint::ChatLoginOrRegister,
    ),
    Route::new(Method::Get, "/.well-known/jwks.json", Endpoint::Jwks),
];

/// The contract whose error shape a failure is rendered in.
fn renderer(endpoint: Endpoint) -> fn(&Failure) -> HttpResponse {
    use Endpoint::*;
    match endpoint {
        CareersRegister | CareersLogin | CareersTokenRefresh | CareersLogout | AccountsCreate
        | AccountsVerify | AccountsResendCode | Jwks => drf::render,
        CampaignRegister
        | CampaignLogout
        | CampaignCheckAuth
        | CampaignCheckValidate
        | CampaignCheckEmail
        | CampaignCheckLogin => campaign::render,
        ChatLoginOrRegister => chat::render,
    }
}

pub async fn handle(state: &AuthState, request: Request) -> HttpResponse {
    let method = request.method().as_str().to_owned();
    let endpoint = match match_route(ROUTES, &method, request.uri().path()) {
        Matched::Found { endpoint, .. } => endpoint,
        Matched::MethodNotAllowed { allowed } => return drf::method_not_allowed(&method, &allowed),
        Matched::NotFound => return drf::not_found(),
    };
    let request = &request;
    let result = match endpoint {
        Endpoint::CareersRegister => careers_register(state, request).await,
        Endpoint::CareersLogin => careers_login(state, request).await,
        Endpoint::CareersTokenRefresh => careers_token_refresh(state, request).await,
        Endpoint::CareersLogout => careers_logout(state, request).await,
        Endpoint::CampaignRegister => campaign_register(state, request).await,
        Endpoint::CampaignLogout => campaign_logout(state, request).await,
        Endpoint::CampaignCheckAuth => campaign_check_auth(state, request).await,
        Endpoint::CampaignCheckValidate => campaign_check_validate(state, request).await,
        Endpoint::CampaignCheckEmail => campaign_check_email(state, request).await,
        Endpoint::CampaignCheckLogin => campaign_check_login(state, request).await,
        Endpoint::AccountsCreate => accounts_create(state, request).await,
        Endpoint::AccountsVerify => accounts_verify(state, request).await,
        Endpoint::AccountsResendCode => accounts_resend_code(state, request).await,
        Endpoint::ChatLoginOrRegister => chat_login_or_register(state, request).await,
        Endpoint::Jwks => Ok(jwks(state)),
    };
    result.unwrap_or_else(|failure| renderer(endpoint)(&failure))
}

// --- careers -------------------------------------------------------------------------------

async fn careers_register(state: &AuthState, request: &Request) -> Result<HttpResponse, Failure> {
    let new_user = careers::new_user(&body::parse(request)?)?;
    let (user, tokens) = sessions::register(&state.store, &state.signer, new_user.into()).await?;
    Ok(Json::new(201, &careers::registered(&user, &tokens))
        .no_store()
        .build())
}

async fn careers_login(state: &AuthState, request: &Request) -> Result<HttpResponse, Failure> {
    let (name, password) = careers::login(&body::parse(request)?)?;
    let client = client_address(request);
    let (user, tokens) =
        sessions::login(&state.store, &state.signer, name, password, &client).await?;
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

// --- campaign app and backend --------------------------------------------------------------

async fn campaign_register(state: &AuthState, request: &Request) -> Result<HttpResponse, Failure> {
    let account = campaign::new_account(&body::parse(request)?)?;
    users_shared::service::reference::check(&state.store, account.country_id, account.city_id)
        .await?;
    let (user, _) = accounts::create(&state.store, account, false).await?;
    Ok(campaign::success(
        201,
        "Account created successfully",
        json!({ "user_id": user.id.get() }),
    ))
}

async fn campaign_logout(state: &AuthState, request: &Request) -> Result<HttpResponse, Failure> {
    let caller =
        sessions::authenticate(&state.store, &state.verifier, bearer_token(request)).await?;
    sessions::logout(&state.store, &caller, None).await?;
    Ok(campaign::success(200, "Logged out successfully", json!({})))
}

async fn caller(state: &AuthState, request: &Request) -> Result<Option<sessions::Caller>, Failure> {
    Ok(sessions::optional_caller(&state.store, &state.verifier, bearer_token(request)).await?)
}

async fn campaign_check_auth(
    state: &AuthState,
    request: &Request,
) -> Result<HttpResponse, Failure> {
    let caller = caller(state, request).await?;
    Ok(Json::new(200, &campaign::auth_state(caller.as_ref().map(|c| &c.user))).build())
}

async fn campaign_check_validate(
    state: &AuthState,
    request: &Request,
) -> Result<HttpResponse, Failure> {
    match campaign::credentials(&body::parse(request)?)? {
        Some((name, password)) => {
            let client = client_address(request);
            let valid =
                match sessions::check_credentials(&state.store, name, password, &client).await {
                    Ok(user) => Some(user),
                    Err(users_shared::service::ServiceError::InvalidCredentials) => None,
                    Err(other) => return Err(other.into()),
                };
            let body = json!({ "is_valid": valid.is_some(), "user_id": valid.map(|u| u.id.get()) });
            Ok(Json::new(200, &body).build())
        }
        None => {
            let caller = caller(state, request).await?;
            Ok(Json::new(
                200,
                &campaign::login_state(caller.as_ref().map(|c| &c.user)),
            )
            .build())
        }
    }
}

async fn campaign_check_email(
    state: &AuthState,
    request: &Request,
) -> Result<HttpResponse, Failure> {
    let email = campaign::email_to_check(&body::parse(request)?)?;
    let staff = caller(state, request).await?.filter(|c| c.user.is_staff);
    if staff.is_none() {
        let now = users_shared::clock::Timestamp::now();
        limits::check(
            &state.store,
            limits::EMAIL_CHECK_PER_ADDRESS,
            &client_address(request),
            now,
        )
        .await?;
        let checked = email.canonical();
        limits::check(&state.store, limits::EMAIL_CHECK_PER_ACCOUNT, &checked, now).await?;
    }
    let owner = accounts::email_owner(&state.store, &email).await?;
    let body = match staff {
        Some(_) => json!({ "exists": owner.is_some(), "user_id": owner.map(|id| id.get()) }),
        None => json!({ "exists": owner.is_some(), "available": owner.is_none() }),
    };
    Ok(Json::new(200, &body).build())
}

async fn campaign_check_login(
    state: &AuthState,
    request: &Request,
) -> Result<HttpResponse, Failure> {
    let caller = caller(state, request).await?;
    Ok(Json::new(
        200,
        &campaign::backend_login_state(caller.as_ref().map(|c| &c.user)),
    )
    .build())
}

// --- accounts ------------------------------------------------------------------------------

async fn accounts_create(state: &AuthState, request: &Request) -> Result<HttpResponse, Failure> {
    let account = accounts_api::new_account(&body::parse(request)?)?;
    let now = users_shared::clock::Timestamp::now();
    limits::check(
        &state.store,
        limits::CODE_PER_ADDRESS,
        &client_address(request),
        now,
    )
    .await?;
    let (user, _) = accounts::create(&state.store, account, false).await?;
    let message = match verification::send_code(&state.store, &state.notifier, &user).await? {
        Sent::Published => accounts_api::CODE_SENT,
        Sent::NotPublished => accounts_api::CODE_NOT_SENT,
    };
    Ok(Json::new(
        201,
        &json!({ "msg": message, "data": accounts_api::created(&user) }),
    )
    .build())
}

async fn accounts_verify(state: &AuthState, request: &Request) -> Result<HttpResponse, Failure> {
    let (email, code) = accounts_api::verification(&body::parse(request)?)?;
    verification::verify(&state.store, &email, &code).await?;
    Ok(Json::new(200, &json!({ "msg": accounts_api::VERIFIED })).build())
}

async fn accounts_resend_code(
    state: &AuthState,
    request: &Request,
) -> Result<HttpResponse, Failure> {
    let email = accounts_api::email(&body::parse(request)?)?;
    verification::resend(
        &state.store,
        &state.notifier,
        &email,
        &client_address(request),
    )
    .await?;
    Ok(Json::new(200, &json!({ "msg": accounts_api::CODE_SENT })).build())
}

// --- chat server ---------------------------------------------------------------------------

async fn chat_login_or_register(
    state: &AuthState,
    request: &Request,
) -> Result<HttpResponse, Failure> {
    let (app_id, secret) = chat::app_credentials(request);
    apps::authenticate(&state.store, app_id, secret).await?;
    let wanted = chat::login_or_register(&body::parse(request)?)?;
    let user = chat_service::login_or_register(&state.store, wanted).await?;
    Ok(chat::ok(chat::user(&user)))
}

fn jwks(state: &AuthState) -> HttpResponse {
    Json::raw(200, state.verifier.jwks_json().to_owned())
        .header(CACHE_CONTROL, "public, max-age=300")
        .build()
}
