//! The users function's routes and handlers: profiles, and the push contract's users.

use serde_json::json;
use users_shared::auth::tokens::TokenVerifier;
use users_shared::config::{Config, ConfigError};
use users_shared::contracts::{accounts as accounts_api, campaign, careers, chat, push};
use users_shared::domain::UserId;
use users_shared::http::response::json;
use users_shared::http::routing::{match_route, Matched, Method, PathParams, Route};
use users_shared::http::{bearer_token, body, drf, query_pairs, Failure, HttpResponse, Request};
use users_shared::service::{
    apps, chat as chat_service, directory, profiles, push as push_service, reference, sessions,
    ServiceError,
};
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
    CareersList,
    CareersProfile,
    CareersMyStats,
    CareersStats,
    CareersUpdateMe,
    AccountsGet,
    AccountsUpdate,
    ChatUserProfile,
    ChatUserList,
    CampaignUpdateProfile,
    PushCreateUser,
    PushGetUser,
    PushDeleteUser,
    PushCreateUsers,
    PushListUsers,
}

/// This function's routes; `template.yaml` declares exactly these (a test checks it).
pub const ROUTES: &[Route<Endpoint>] = &[
    Route::new(Method::Get, "/careers/users/me", Endpoint::CareersMe),
    Route::new(Method::Get, "/careers/users", Endpoint::CareersList),
    Route::new(
        Method::Get,
        "/careers/users/{username}",
        Endpoint::CareersProfile,
    ),
    Route::new(
        Method::Get,
        "/careers/users/me/stats",
        Endpoint::CareersMyStats,
    ),
    Route::new(
        Method::Get,
        "/careers/users/{username}/stats",
        Endpoint::CareersStats,
    ),
    Route::new(
        Method::Patch,
        "/careers/users/me/update",
        Endpoint::CareersUpdateMe,
    ),
    Route::new(
        Method::Get,
        "/api/v1/accounts/users/{pk}",
        Endpoint::AccountsGet,
    ),
    Route::new(
        Method::Patch,
        "/api/v1/accounts/users/{pk}",
        Endpoint::AccountsUpdate,
    ),
    Route::new(
        Method::Get,
        "/api/v2.1/rest/user_profile",
        Endpoint::ChatUserProfile,
    ),
    Route::new(
        Method::Get,
        "/api/v2.1/rest/get_user_list",
        Endpoint::ChatUserList,
    ),
    Route::new(
        Method::Post,
        "/api/update/profile",
        Endpoint::CampaignUpdateProfile,
    ),
    Route::new(Method::Post, "/user", Endpoint::PushCreateUser),
    Route::new(Method::Get, "/user/{id}", Endpoint::PushGetUser),
    Route::new(Method::Delete, "/user/{id}", Endpoint::PushDeleteUser),
    Route::new(Method::Post, "/users", Endpoint::PushCreateUsers),
    Route::new(Method::Get, "/users", Endpoint::PushListUsers),
];

fn renderer(endpoint: Endpoint) -> fn(&Failure) -> HttpResponse {
    use Endpoint::*;
    match endpoint {
        CareersMe | CareersList | CareersProfile | CareersMyStats | CareersStats
        | CareersUpdateMe => drf::render,
        PushCreateUser | PushGetUser | PushDeleteUser | PushCreateUsers | PushListUsers => {
            push::render
        }
        AccountsGet | AccountsUpdate => accounts_api::render,
        ChatUserProfile | ChatUserList => chat::render,
        CampaignUpdateProfile => campaign::render,
    }
}

pub async fn handle(state: &UsersState, request: Request) -> HttpResponse {
    let method = request.method().as_str().to_owned();
    let (endpoint, params) = match match_route(ROUTES, &method, request.uri().path()) {
        Matched::Found { endpoint, params } => (endpoint, params),
        Matched::MethodNotAllowed { allowed } => return drf::method_not_allowed(&method, &allowed),
        Matched::NotFound => return drf::not_found(),
    };
    let request = &request;
    let result = match endpoint {
        Endpoint::CareersMe => careers_me(state, request).await,
        Endpoint::CareersList => careers_list(state, request).await,
        Endpoint::CareersProfile => careers_profile(state, &params).await,
        Endpoint::CareersMyStats => careers_my_stats(state, request).await,
        Endpoint::CareersStats => careers_stats(state, &params).await,
        Endpoint::CareersUpdateMe => careers_update_me(state, request).await,
        Endpoint::AccountsGet => accounts_get(state, request, &params).await,
        Endpoint::AccountsUpdate => accounts_update(state, request, &params).await,
        Endpoint::ChatUserProfile => chat_user_profile(state, request).await,
        Endpoint::ChatUserList => chat_user_list(state, request).await,
        Endpoint::CampaignUpdateProfile => campaign_update_profile(state, request).await,
        Endpoint::PushCreateUser => push_create_user(state, request).await,
        Endpoint::PushGetUser => push_get_user(state, request, &params).await,
        Endpoint::PushDeleteUser => push_delete_user(state, request, &params).await,
        Endpoint::PushCreateUsers => push_create_users(state, request).await,
        Endpoint::PushListUsers => push_list_users(state, request).await,
    };
    result.unwrap_or_else(|failure| renderer(endpoint)(&failure))
}

async fn careers_me(state: &UsersState, request: &Request) -> Result<HttpResponse, Failure> {
    let caller =
        sessions::authenticate(&state.store, &state.verifier, bearer_token(request)).await?;
    Ok(json(200, &careers::me(&caller.user)))
}

/// The caller if the request carries a bearer token (which must then be valid).
fn username(params: &PathParams) -> Result<&str, Failure> {
    params
        .get("username")
        .ok_or(Failure::Service(ServiceError::NotFound))
}

async fn careers_list(state: &UsersState, request: &Request) -> Result<HttpResponse, Failure> {
    let caller =
        sessions::caller_if_token(&state.store, &state.verifier, bearer_token(request)).await?;
    let (query, batch_size, batch_number) = careers::list_query(&query_pairs(request))?;
    let listing = directory::list(&state.store, caller, &query).await?;
    Ok(json(
        200,
        &careers::listing(&listing, batch_size, batch_number),
    ))
}

async fn careers_profile(state: &UsersState, params: &PathParams) -> Result<HttpResponse, Failure> {
    let user = profiles::by_username(&state.store, username(params)?).await?;
    Ok(json(200, &careers::public_profile(&user)))
}

async fn careers_my_stats(state: &UsersState, request: &Request) -> Result<HttpResponse, Failure> {
    let caller =
        sessions::authenticate(&state.store, &state.verifier, bearer_token(request)).await?;
    Ok(json(200, &careers::stats(&caller.user)))
}

async fn careers_stats(state: &UsersState, params: &PathParams) -> Result<HttpResponse, Failure> {
    let user = profiles::by_username(&state.store, username(params)?).await?;
    Ok(json(200, &careers::stats(&user)))
}

async fn careers_update_me(state: &UsersState, request: &Request) -> Result<HttpResponse, Failure> {
    let caller =
        sessions::authenticate(&state.store, &state.verifier, bearer_token(request)).await?;
    let changes = careers::profile_changes(&body::parse(request)?)?;
    let user = profiles::update(&state.store, caller.user.id, &changes).await?;
    Ok(json(200, &careers::updated(&user)))
}

// --- accounts ------------------------------------------------------------------------------

/// The `<pk>` of an accounts path; one that is not a number names no user.
fn pk(params: &PathParams) -> Result<UserId, Failure> {
    params
        .get("pk")
        .and_then(|id| UserId::parse(id).ok())
        .ok_or(Failure::Service(ServiceError::NotFound))
}

async fn accounts_get(
    state: &UsersState,
    request: &Request,
    params: &PathParams,
) -> Result<HttpResponse, Failure> {
    let caller =
        sessions::authenticate(&state.store, &state.verifier, bearer_token(request)).await?;
    let user = profiles::get_for(&state.store, &caller.user, pk(params)?).await?;
    Ok(json(200, &accounts_api::detail(&user)))
}

async fn accounts_update(
    state: &UsersState,
    request: &Request,
    params: &PathParams,
) -> Result<HttpResponse, Failure> {
    let caller =
        sessions::authenticate(&state.store, &state.verifier, bearer_token(request)).await?;
    let target = pk(params)?;
    // Permission before the body: a stranger learns nothing from field errors.
    if caller.user.id != target && !caller.user.is_staff {
        return Err(ServiceError::PermissionDenied.into());
    }
    let changes = accounts_api::changes(&body::parse(request)?)?;
    let user = profiles::update_for(&state.store, &caller.user, target, &changes).await?;
    Ok(json(200, &accounts_api::created(&user)))
}

// --- campaign app --------------------------------------------------------------------------

async fn campaign_update_profile(
    state: &UsersState,
    request: &Request,
) -> Result<HttpResponse, Failure> {
    let caller =
        sessions::authenticate(&state.store, &state.verifier, bearer_token(request)).await?;
    let changes = campaign::profile_changes(&body::parse(request)?)?;
    // The country and city that will hold after the change must exist and agree.
    let country = changes.country_id.unwrap_or(caller.user.country_id);
    let city = changes.city_id.unwrap_or(caller.user.city_id);
    reference::check(&state.store, country, city).await?;
    profiles::update(&state.store, caller.user.id, &changes).await?;
    Ok(campaign::success(
        200,
        "Profile updated successfully",
        json!({}),
    ))
}

// --- chat server ---------------------------------------------------------------------------

async fn chat_app(state: &UsersState, request: &Request) -> Result<(), Failure> {
    let (app_id, secret) = chat::app_credentials(request);
    apps::authenticate(&state.store, app_id, secret).await?;
    Ok(())
}

async fn chat_user_profile(state: &UsersState, request: &Request) -> Result<HttpResponse, Failure> {
    chat_app(state, request).await?;
    let chat_user_id = chat::user_id_param(&query_pairs(request))?;
    let user = chat_service::profile(&state.store, &chat_user_id).await?;
    Ok(chat::ok(chat::user(&user)))
}

async fn chat_user_list(state: &UsersState, request: &Request) -> Result<HttpResponse, Failure> {
    chat_app(state, request).await?;
    let (page, limit, order, descending) = chat::list_params(&query_pairs(request))?;
    let (users, total) = chat_service::list(&state.store, page, limit, order, descending).await?;
    let entries: Vec<_> = users.iter().map(chat::list_entry).collect();
    let meta = json!({ "total_data": total, "total_page": total.div_ceil(limit as u64) });
    Ok(chat::ok(json!({ "meta": meta, "users": entries })))
}

// --- push ----------------------------------------------------------------------------------

async fn push_app(state: &UsersState, request: &Request) -> Result<(), Failure> {
    let (app_id, secret) = push::app_credentials(request);
    apps::authenticate(&state.store, app_id, secret).await?;
    Ok(())
}

/// The `{id}` of the path; an id that is not a number names no user.
fn user_id(params: &PathParams) -> Result<UserId, Failure> {
    params
        .get("id")
        .and_then(|id| UserId::parse(id).ok())
        .ok_or(Failure::Service(ServiceError::NotFound))
}

async fn push_create_user(state: &UsersState, request: &Request) -> Result<HttpResponse, Failure> {
    push_app(state, request).await?;
    let email = push::new_user_email(&body::parse(request)?)?;
    let user = push_service::create_user(&state.store, email).await?;
    Ok(push::ok(push::user(&user.summary())))
}

async fn push_get_user(
    state: &UsersState,
    request: &Request,
    params: &PathParams,
) -> Result<HttpResponse, Failure> {
    push_app(state, request).await?;
    let user = push_service::get_user(&state.store, user_id(params)?).await?;
    Ok(push::ok(push::user(&user.summary())))
}

async fn push_delete_user(
    state: &UsersState,
    request: &Request,
    params: &PathParams,
) -> Result<HttpResponse, Failure> {
    push_app(state, request).await?;
    push_service::delete_user(&state.store, user_id(params)?).await?;
    Ok(push::ok(json!(true)))
}

async fn push_create_users(state: &UsersState, request: &Request) -> Result<HttpResponse, Failure> {
    push_app(state, request).await?;
    let emails = push::bulk_emails(&body::parse(request)?)?;
    let outcome = push_service::create_users(&state.store, emails).await?;
    Ok(json(200, &push::bulk_created(&outcome)))
}

async fn push_list_users(state: &UsersState, request: &Request) -> Result<HttpResponse, Failure> {
    push_app(state, request).await?;
    let (page, limit) = push::page_and_limit(&query_pairs(request))?;
    let users = push_service::list_users(&state.store, page, limit).await?;
    let rendered: Vec<_> = users.iter().map(push::user).collect();
    Ok(push::ok(
        json!({ "users": rendered, "limit": limit, "page": page, "totalInPage": rendered.len() }),
    ))
}
