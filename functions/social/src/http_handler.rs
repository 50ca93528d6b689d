//! The social function's routes and handlers (careers contract).

use serde_json::json;
use users_shared::auth::tokens::TokenVerifier;
use users_shared::config::{Config, ConfigError};
use users_shared::contracts::careers;
use users_shared::http::response::json;
use users_shared::http::routing::{match_route, Matched, Method, PathParams, Route};
use users_shared::http::{bearer_token, body, drf, query_pairs, Failure, HttpResponse, Request};
use users_shared::service::social::{self, Side};
use users_shared::service::{sessions, ServiceError};
use users_shared::store::Store;

/// What the function builds once per cold start. No signing key: it only verifies.
#[derive(Debug)]
pub struct SocialState {
    pub store: Store,
    pub verifier: TokenVerifier,
}

impl SocialState {
    pub fn new(config: &Config, sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            store: config.store(sdk),
            verifier: config.verifier()?,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Follow,
    Unfollow,
    MyFollowing,
    Followers,
    Following,
}

/// This function's routes; `template.yaml` declares exactly these (a test checks it).
pub const ROUTES: &[Route<Endpoint>] = &[
    Route::new(Method::Post, "/careers/users/follow", Endpoint::Follow),
    Route::new(
        Method::Delete,
        "/careers/users/{username}/unfollow",
        Endpoint::Unfollow,
    ),
    Route::new(
        Method::Get,
        "/careers/users/following",
        Endpoint::MyFollowing,
    ),
    Route::new(
        Method::Get,
        "/careers/users/{username}/followers",
        Endpoint::Followers,
    ),
    Route::new(
        Method::Get,
        "/careers/users/{username}/following",
        Endpoint::Following,
    ),
];

pub async fn handle(state: &SocialState, request: Request) -> HttpResponse {
    let method = request.method().as_str().to_owned();
    let (endpoint, params) = match match_route(ROUTES, &method, request.uri().path()) {
        Matched::Found { endpoint, params } => (endpoint, params),
        Matched::MethodNotAllowed { allowed } => return drf::method_not_allowed(&method, &allowed),
        Matched::NotFound => return drf::not_found(),
    };
    let request = &request;
    let result = match endpoint {
        Endpoint::Follow => follow(state, request).await,
        Endpoint::Unfollow => unfollow(state, request, &params).await,
        Endpoint::MyFollowing => my_following(state, request).await,
        Endpoint::Followers => people(state, request, &params, Side::Followers).await,
        Endpoint::Following => people(state, request, &params, Side::Following).await,
    };
    result.unwrap_or_else(|failure| drf::render(&failure))
}

fn username(params: &PathParams) -> Result<&str, Failure> {
    params
        .get("username")
        .ok_or(Failure::Service(ServiceError::NotFound))
}

async fn follow(state: &SocialState, request: &Request) -> Result<HttpResponse, Failure> {
    let caller =
        sessions::authenticate(&state.store, &state.verifier, bearer_token(request)).await?;
    let target = careers::follow_target(&body::parse(request)?)?;
    let edge = social::follow(&state.store, &caller.user, &target).await?;
    Ok(json(201, &careers::follow_edge(&edge)))
}

async fn unfollow(
    state: &SocialState,
    request: &Request,
    params: &PathParams,
) -> Result<HttpResponse, Failure> {
    let caller =
        sessions::authenticate(&state.store, &state.verifier, bearer_token(request)).await?;
    social::unfollow(&state.store, &caller.user, username(params)?).await?;
    Ok(drf::detail(200, "Successfully unfollowed."))
}

async fn my_following(state: &SocialState, request: &Request) -> Result<HttpResponse, Failure> {
    let caller =
        sessions::authenticate(&state.store, &state.verifier, bearer_token(request)).await?;
    let page = careers::page(&query_pairs(request))?;
    let (edges, count) = social::follows_of(&state.store, &caller.user, page).await?;
    if page > 1 && edges.is_empty() {
        return Ok(careers::invalid_page());
    }
    let results: Vec<_> = edges.iter().map(careers::follow_edge).collect();
    Ok(json(200, &json!({ "count": count, "results": results })))
}

async fn people(
    state: &SocialState,
    request: &Request,
    params: &PathParams,
    side: Side,
) -> Result<HttpResponse, Failure> {
    let caller =
        sessions::caller_if_token(&state.store, &state.verifier, bearer_token(request)).await?;
    let page = careers::page(&query_pairs(request))?;
    let (people, count) =
        social::people(&state.store, username(params)?, side, caller, page).await?;
    if page > 1 && people.is_empty() {
        return Ok(careers::invalid_page());
    }
    let results: Vec<_> = people
        .iter()
        .map(|(user, follows)| careers::person(user, *follows))
        .collect();
    Ok(json(200, &json!({ "count": count, "results": results })))
}
