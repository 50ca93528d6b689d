//! The chat server's REST API (`/api/v2.1/rest/...`, seed 003), called by other servers with
//! app credentials in `QISCUS_SDK_APP_ID` / `QISCUS_SDK_SECRET` (hyphenated names accepted).
//! Replies `{"results": ..., "status": 200}`; errors `{"error": {"message": ...}, "status": N}`.

use crate::domain::{Password, User, UserSummary};
use crate::http::body::{BodyError, Fields};
use crate::http::response::Json;
use crate::http::{header, Failure, HttpResponse, Request};
use crate::service::chat::LoginOrRegister;
use crate::service::{FieldErrors, ServiceError};
use crate::store::DirectoryOrder;
use serde_json::{json, Value};

pub const APP_ID_HEADERS: &[&str] = &["qiscus_sdk_app_id", "qiscus-sdk-app-id"];
pub const SECRET_HEADERS: &[&str] = &["qiscus_sdk_secret", "qiscus-sdk-secret"];

/// The app id and secret the request carries.
pub fn app_credentials(request: &Request) -> (Option<&str>, Option<&str>) {
    (
        header(request, APP_ID_HEADERS),
        header(request, SECRET_HEADERS),
    )
}

pub fn ok(results: Value) -> HttpResponse {
    Json::new(200, &json!({ "results": results, "status": 200 })).build()
}

fn error(status: u16, message: &str, errors: Option<Value>) -> Json {
    let mut error = json!({ "message": message });
    if let (Some(errors), Some(object)) = (errors, error.as_object_mut()) {
        object.insert("errors".to_owned(), errors);
    }
    Json::new(status, &json!({ "error": error, "status": status }))
}

pub fn render(failure: &Failure) -> HttpResponse {
    match failure {
        Failure::Body(BodyError::TooLarge { limit }) => error(
            413,
            &format!("request body is larger than {limit} bytes"),
            None,
        )
        .build(),
        Failure::Body(BodyError::UnsupportedMediaType(media)) => {
            error(415, &format!("unsupported media type {media}"), None).build()
        }
        Failure::Body(other) => {
            error(400, &format!("malformed request body: {other}"), None).build()
        }
        Failure::Service(service) => match service {
            ServiceError::Invalid(errors) => {
                let message = errors
                    .iter()
                    .next()
                    .map(|(field, messages)| {
                        format!("{field}: {}", messages.first().cloned().unwrap_or_default())
                    })
                    .unwrap_or_default();
                error(400, &message, Some(errors.to_json())).build()
            }
            ServiceError::NotAuthenticated => error(401, "missing app credentials", None).build(),
            ServiceError::InvalidCredentials
            | ServiceError::InvalidToken
            | ServiceError::InvalidRefreshToken => {
                error(401, "invalid app credentials", None).build()
            }
            ServiceError::PermissionDenied => error(403, "forbidden", None).build(),
            ServiceError::NotFound => error(404, "user not found", None).build(),
            ServiceError::RateLimited { retry_after } => error(429, "too many requests", None)
                .retry_after(*retry_after)
                .build(),
            ServiceError::Unexpected(cause) => {
                tracing::error!(error = %crate::http::response::chain(cause.as_ref()), "request failed");
                error(500, "internal server error", None).build()
            }
        },
    }
}

fn is_http_url(text: &str) -> bool {
    let rest = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"));
    rest.is_some_and(|r| {
        !r.is_empty() && !r.starts_with('/') && !r.chars().any(char::is_whitespace)
    })
}

/// `POST login_or_register`: `user_id`, `username`, and optional `password`, `avatar_url`.
pub fn login_or_register(fields: &Fields) -> Result<LoginOrRegister, ServiceError> {
    let mut errors = FieldErrors::default();
    fields.refuse_protected(&mut errors);
    let chat_user_id = fields
        .required_text("user_id", true, &mut errors)
        .filter(|v| {
            let fits = v.chars().count() <= 255;
            if !fits {
                errors.add(
                    "user_id",
                    "Ensure this field has no more than 255 characters.",
                );
            }
            fits
        });
    let display_name = fields
        .required_text("username", true, &mut errors)
        .filter(|v| {
            let fits = v.chars().count() <= 100;
            if !fits {
                errors.add(
                    "username",
                    "Ensure this field has no more than 100 characters.",
                );
            }
            fits
        });
    let password = match fields.optional_text("password", &mut errors) {
        Some(text) if text.is_empty() => Some(None),
        Some(_) => {
            let raw = fields.text("password").ok().flatten().unwrap_or_default();
            errors
                .check("password", Password::parse_new(&raw))
                .map(Some)
        }
        None => None,
    };
    let avatar_url = match fields.optional_text("avatar_url", &mut errors) {
        Some(url) if url.is_empty() => Some(None),
        Some(url) if is_http_url(&url) && url.len() <= 2048 => Some(Some(url)),
        Some(_) => {
            errors.add("avatar_url", "Enter a valid URL.");
            None
        }
        None => None,
    };
    match (chat_user_id, display_name, password, avatar_url) {
        (Some(chat_user_id), Some(display_name), Some(password), Some(avatar_url))
            if errors.is_empty() =>
        {
            Ok(LoginOrRegister {
                chat_user_id,
                display_name,
                password,
                avatar_url,
            })
        }
        _ => Err(ServiceError::Invalid(errors)),
    }
}

/// The `results` of `login_or_register`.
pub fn user(user: &User) -> Value {
    json!({
        "user": {
            "user_id": user.chat_user_id,
            "username": user.chat_name(),
            "avatar_url": user.avatar,
        }
    })
}

/// The `user_id` query parameter of `user_profile`.
pub fn user_id_param(query: &[(String, String)]) -> Result<String, ServiceError> {
    query
        .iter()
        .find(|(k, _)| k == "user_id")
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ServiceError::invalid("user_id", "This field is required."))
}

/// `get_user_list`: `page` (from 1), `limit` (1–100; anything else becomes 100) and
/// `order_query` (`created_at` or `username`, `asc` or `desc`, `nulls first|last` accepted).
pub fn list_params(
    query: &[(String, String)],
) -> Result<(usize, usize, DirectoryOrder, bool), ServiceError> {
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_owned())
    };
    let page = match param("page").as_deref() {
        None | Some("") => 1,
        Some(text) => text
            .parse::<usize>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| ServiceError::invalid("page", "A positive integer is required."))?,
    };
    let limit = param("limit")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|l| (1..=100).contains(l))
        .unwrap_or(100);
    let order_query = param("order_query").unwrap_or_default().to_lowercase();
    let words: Vec<&str> = order_query.split_whitespace().collect();
    let (field, rest) = words
        .split_first()
        .map(|(f, r)| (*f, r))
        .unwrap_or(("created_at", &[]));
    let order = match field {
        "created_at" | "id" => DirectoryOrder::SignUp,
        "username" | "name" => DirectoryOrder::Username,
        _ => {
            return Err(ServiceError::invalid(
                "order_query",
                "Allowed: created_at or username, asc or desc.",
            ))
        }
    };
    let descending = match rest {
        [] | ["asc", ..] => false,
        ["desc", ..] => true,
        ["nulls", ..] => false,
        _ => {
            return Err(ServiceError::invalid(
                "order_query",
                "Allowed: created_at or username, asc or desc.",
            ))
        }
    };
    let tail_ok = matches!(
        rest,
        [] | [_] | [_, "nulls", "first" | "last"] | ["nulls", "first" | "last"]
    );
    if !tail_ok {
        return Err(ServiceError::invalid(
            "order_query",
            "Allowed: created_at or username, asc or desc.",
        ));
    }
    Ok((page, limit, order, descending))
}

/// One entry of `get_user_list`.
pub fn list_entry(user: &UserSummary) -> Value {
    let name = user.display_name.as_deref().unwrap_or(&user.username);
    json!({
        "avatar_url": user.avatar,
        "created_at": user.created_at.to_rfc3339(),
        "email": user.email_text(),
        "id": user.id.get(),
        "name": name,
        "updated_at": user.updated_at.to_rfc3339(),
        "username": name,
    })
}
