//! HTTP plumbing shared by every function: request bodies, routing, JSON responses and the
//! error shapes of each contract.

pub mod body;
pub mod call;
pub mod dialect;
pub mod drf;
pub mod query;
pub mod response;
pub mod routing;

pub use call::{AppHeaders, Call};
pub use dialect::Dialect;
pub use query::Query;
pub use routing::{dispatch, Outcome, Route};

pub use lambda_http::{Body, Request, Response};

/// What every handler returns.
pub type HttpResponse = Response<Body>;

/// Why a request was not served: its body could not be read, or the service said no.
/// Each contract renders a `Failure` in its own shape, through one entry: [`Dialect::render`].
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error(transparent)]
    Body(#[from] body::BodyError),
    #[error(transparent)]
    Service(#[from] crate::service::ServiceError),
}

/// The token of an `Authorization: Bearer <token>` header, if there is one.
pub fn bearer_token(request: &Request) -> Option<&str> {
    let value = request
        .headers()
        .get(lambda_http::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The client's address as API Gateway saw it (`requestContext.http.sourceIp`); rate limits
/// count per address.
pub fn client_address(request: &Request) -> String {
    use lambda_http::request::RequestContext;
    use lambda_http::RequestExt;
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.clone(),
        _ => None,
    }
    .unwrap_or_else(|| "unknown".to_owned())
}

/// The first of `names` the request has as a header, as text.
pub fn header<'a>(request: &'a Request, names: &[&str]) -> Option<&'a str> {
    names
        .iter()
        .find_map(|name| request.headers().get(*name))
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}
