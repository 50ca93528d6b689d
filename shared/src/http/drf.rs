//! The Django REST framework error shapes, used by the careers and accounts contracts:
//! `{"field": ["message"]}` for validation, `{"detail": "..."}` for everything else.
//! Every mapping from an error to a DRF response lives here.

use super::body::BodyError;
use super::response::Json;
use super::{Failure, HttpResponse};
use crate::service::ServiceError;
use lambda_http::http::header::{ALLOW, WWW_AUTHENTICATE};
use serde_json::json;

pub fn detail(status: u16, message: &str) -> HttpResponse {
    Json::new(status, &json!({ "detail": message })).build()
}

fn unauthorized(body: serde_json::Value) -> HttpResponse {
    Json::new(401, &body)
        .header(WWW_AUTHENTICATE, "Bearer realm=\"api\"")
        .build()
}

/// A bad request body.
pub fn body_error(error: &BodyError) -> HttpResponse {
    match error {
        BodyError::TooLarge { limit } => {
            detail(413, &format!("Request body is larger than {limit} bytes."))
        }
        BodyError::MalformedJson(why) => detail(400, &format!("JSON parse error - {why}")),
        BodyError::MalformedForm => detail(400, "Form parse error - the body is not valid UTF-8."),
        BodyError::NotAnObject => Json::new(
            400,
            &json!({ "non_field_errors": ["Invalid data. Expected a dictionary, but got list."] }),
        )
        .build(),
        BodyError::UnsupportedMediaType(media) => detail(
            415,
            &format!("Unsupported media type \"{media}\" in request."),
        ),
    }
}

/// Any reason a request was not served.
pub fn render(failure: &Failure) -> HttpResponse {
    match failure {
        Failure::Body(error) => body_error(error),
        Failure::Service(error) => service_error(error),
    }
}

/// Any service failure.
pub fn service_error(error: &ServiceError) -> HttpResponse {
    match error {
        ServiceError::Invalid(errors) => Json::new(400, &errors.to_json()).build(),
        ServiceError::NotAuthenticated => {
            unauthorized(json!({ "detail": "Authentication credentials were not provided." }))
        }
        ServiceError::InvalidToken => unauthorized(json!({
            "detail": "Given token not valid for any token type",
            "code": "token_not_valid",
        })),
        ServiceError::InvalidRefreshToken => unauthorized(
            json!({ "detail": "Token is invalid or expired", "code": "token_not_valid" }),
        ),
        ServiceError::InvalidCredentials => {
            unauthorized(json!({ "detail": "No active account found with the given credentials" }))
        }
        ServiceError::PermissionDenied => {
            detail(403, "You do not have permission to perform this action.")
        }
        ServiceError::NotFound => detail(404, "Not found."),
        ServiceError::InvalidPage => detail(404, "Invalid page."),
        ServiceError::RateLimited { retry_after } => Json::new(
            429,
            &json!({ "detail": format!("Request was throttled. Expected available in {retry_after} seconds.") }),
        )
        .retry_after(*retry_after)
        .build(),
        ServiceError::Unexpected(cause) => {
            tracing::error!(error = %crate::http::response::chain(cause.as_ref()), "request failed");
            detail(500, "A server error occurred.")
        }
    }
}

pub fn not_found() -> HttpResponse {
    detail(404, "Not found.")
}

pub fn method_not_allowed(method: &str, allowed: &[super::routing::Method]) -> HttpResponse {
    let allow = allowed
        .iter()
        .map(|m| m.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut response = detail(405, &format!("Method \"{method}\" not allowed."));
    if let Ok(value) = allow.parse() {
        response.headers_mut().insert(ALLOW, value);
    }
    response
}
