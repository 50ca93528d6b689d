//! The push contract (`/user...`, `/users`, seed 004), called by other servers with app
//! credentials in `X-App-Id` / `X-App-Auth`. Slim PHP style: `{"result": ...}` on success,
//! `{"error": "..."}` on failure.

use crate::domain::{Device, Email, UserSummary};
use crate::http::body::{BodyError, Fields};
use crate::http::response::Json;
use crate::http::{header, Failure, HttpResponse, Request};
use crate::service::push::{DEFAULT_LIMIT, MAX_BULK, MAX_LIMIT};
use crate::service::{FieldErrors, ServiceError};
use serde_json::{json, Map, Value};

pub const APP_ID_HEADERS: &[&str] = &["x-app-id"];
pub const SECRET_HEADERS: &[&str] = &["x-app-auth"];
/// Where the app credentials are.
pub const APP_HEADERS: crate::http::AppHeaders = crate::http::AppHeaders {
    id: APP_ID_HEADERS,
    secret: SECRET_HEADERS,
};

pub fn app_credentials(request: &Request) -> (Option<&str>, Option<&str>) {
    (
        header(request, APP_ID_HEADERS),
        header(request, SECRET_HEADERS),
    )
}

pub fn ok(result: Value) -> HttpResponse {
    Json::new(200, &json!({ "result": result })).build()
}

fn error(status: u16, message: &str) -> Json {
    Json::new(status, &json!({ "error": message }))
}

pub fn render(failure: &Failure) -> HttpResponse {
    match failure {
        Failure::Body(BodyError::TooLarge { limit }) => {
            error(413, &format!("Request body is larger than {limit} bytes")).build()
        }
        Failure::Body(BodyError::UnsupportedMediaType(media)) => {
            error(415, &format!("Unsupported media type {media}")).build()
        }
        Failure::Body(other) => error(400, &format!("Malformed request body: {other}")).build(),
        Failure::Service(service) => match service {
            ServiceError::Invalid(errors) => {
                let message = errors
                    .iter()
                    .next()
                    .map(|(field, messages)| {
                        format!("{field}: {}", messages.first().cloned().unwrap_or_default())
                    })
                    .unwrap_or_default();
                error(400, &message).build()
            }
            ServiceError::NotAuthenticated => error(401, "Missing app credentials").build(),
            ServiceError::InvalidCredentials
            | ServiceError::InvalidToken
            | ServiceError::InvalidRefreshToken => error(401, "Invalid app credentials").build(),
            ServiceError::PermissionDenied => error(403, "Forbidden").build(),
            ServiceError::NotFound | ServiceError::InvalidPage => {
                error(404, "User not found").build()
            }
            ServiceError::RateLimited { retry_after } => error(429, "Too many requests")
                .retry_after(*retry_after)
                .build(),
            ServiceError::Unexpected(cause) => {
                tracing::error!(error = %crate::http::response::chain(cause.as_ref()), "request failed");
                error(500, "Internal server error").build()
            }
        },
    }
}

/// A user's devices of one kind: `{"<device id>": "<reference>"}`, or `[]` when there are none
/// (as PHP renders an empty array).
fn devices_of(devices: &[Device], kind: &str) -> Value {
    let map: Map<String, Value> = devices
        .iter()
        .filter(|d| d.kind == kind)
        .map(|d| (d.id.to_string(), Value::String(d.reference.clone())))
        .collect();
    if map.is_empty() {
        json!([])
    } else {
        Value::Object(map)
    }
}

pub fn user(user: &UserSummary) -> Value {
    json!({
        "id": user.id.get(),
        "email": devices_of(&user.devices, "email"),
        "android": devices_of(&user.devices, "android"),
        "ios": devices_of(&user.devices, "ios"),
    })
}

/// `POST /user`: `email`.
pub fn new_user_email(fields: &Fields) -> Result<Email, ServiceError> {
    let mut errors = FieldErrors::default();
    fields.refuse_protected(&mut errors);
    let email = fields
        .required_text("email", true, &mut errors)
        .and_then(|v| errors.check("email", Email::parse(&v)));
    email
        .filter(|_| errors.is_empty())
        .ok_or(ServiceError::Invalid(errors))
}

/// `POST /users`: `emails`, a JSON array of strings (in a JSON body, as a form value holding
/// JSON, or as a repeated form key).
pub fn bulk_emails(fields: &Fields) -> Result<Vec<String>, ServiceError> {
    let value = match fields.get("emails") {
        None => return Err(ServiceError::invalid("emails", "This field is required.")),
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(parsed @ Value::Array(_)) => parsed,
            _ => Value::Array(vec![Value::String(text.clone())]),
        },
        Some(other) => other.clone(),
    };
    let Value::Array(items) = value else {
        return Err(ServiceError::invalid(
            "emails",
            "Expected a JSON array of e-mails.",
        ));
    };
    if items.len() > MAX_BULK {
        return Err(ServiceError::invalid(
            "emails",
            &format!("At most {MAX_BULK} e-mails per request."),
        ));
    }
    items
        .into_iter()
        .map(|item| match item {
            Value::String(text) => Ok(text),
            _ => Err(ServiceError::invalid(
                "emails",
                "Expected a JSON array of e-mails.",
            )),
        })
        .collect()
}

/// `GET /users`: `page` (from 1, default 1) and `limit` (default 10, at most 100).
pub fn page_and_limit(query: &[(String, String)]) -> Result<(usize, usize), ServiceError> {
    let number = |name: &str, default: usize| -> Result<usize, ServiceError> {
        match query.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()) {
            None | Some("") => Ok(default),
            Some(text) => text
                .parse::<usize>()
                .ok()
                .filter(|v| *v > 0)
                .ok_or_else(|| ServiceError::invalid(name, "A positive integer is required.")),
        }
    };
    Ok((
        number("page", 1)?,
        number("limit", DEFAULT_LIMIT)?.min(MAX_LIMIT),
    ))
}

// --- bodies built by the handlers (typed in the contracts rework) --------------------------

pub fn user_list(users: &[UserSummary], page: usize, limit: usize) -> Value {
    let rendered: Vec<Value> = users.iter().map(user).collect();
    json!({ "users": rendered, "limit": limit, "page": page, "totalInPage": rendered.len() })
}

pub fn bulk_created(outcome: &crate::service::push::BulkCreated) -> Value {
    let created: Vec<Value> = outcome.created.iter().map(|u| user(&u.summary())).collect();
    let rejected: Vec<Value> = outcome
        .rejected
        .iter()
        .map(|r| json!({ "email": r.email, "error": r.reason }))
        .collect();
    json!({ "result": created, "rejected": rejected })
}

pub fn deleted() -> Value {
    json!(true)
}
