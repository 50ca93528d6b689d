//! The campaign app and its backend (`/api/...`, seed 000): form or JSON bodies, replies
//! `{"status": "success", "message": ...}`, errors `{"error": code, "message": ..., "field": ...}`.

use crate::domain::{Email, Password, PersonName, User, Username};
use crate::http::body::{BodyError, Fields};
use crate::http::response::Json;
use crate::http::{Failure, HttpResponse};
use crate::service::accounts::NewAccount;
use crate::service::sessions::LoginName;
use crate::service::{FieldErrors, ServiceError};
use serde_json::{json, Value};

fn error(status: u16, code: &str, message: &str) -> Json {
    Json::new(status, &json!({ "error": code, "message": message }))
}

/// Every reason a campaign request was not served, in the campaign shape.
pub fn render(failure: &Failure) -> HttpResponse {
    match failure {
        Failure::Body(BodyError::TooLarge { limit }) => error(
            413,
            "payload_too_large",
            &format!("Request body is larger than {limit} bytes"),
        )
        .build(),
        Failure::Body(BodyError::UnsupportedMediaType(media)) => error(
            415,
            "unsupported_media_type",
            &format!("Unsupported media type \"{media}\""),
        )
        .build(),
        Failure::Body(other) => error(
            400,
            "validation_error",
            &format!("Malformed request body: {other}"),
        )
        .build(),
        Failure::Service(error) => service_error(error),
    }
}

fn service_error(failure: &ServiceError) -> HttpResponse {
    match failure {
        ServiceError::Invalid(errors) => {
            let (field, message) = errors
                .iter()
                .next()
                .map(|(field, messages)| {
                    (
                        field.to_owned(),
                        messages.first().cloned().unwrap_or_default(),
                    )
                })
                .unwrap_or_default();
            Json::new(
                400,
                &json!({ "error": "validation_error", "message": message, "field": field, "errors": errors.to_json() }),
            )
            .build()
        }
        ServiceError::NotAuthenticated
        | ServiceError::InvalidToken
        | ServiceError::InvalidRefreshToken => error(
            401,
            "authentication_required",
            "Authentication is required for this endpoint",
        )
        .build(),
        ServiceError::InvalidCredentials => {
            error(401, "invalid_credentials", "Invalid username or password").build()
        }
        ServiceError::PermissionDenied => error(
            403,
            "permission_denied",
            "You don't have permission to perform this action",
        )
        .build(),
        ServiceError::NotFound => error(404, "user_not_found", "User not found").build(),
        ServiceError::RateLimited { retry_after } => Json::new(
            429,
            &json!({
                "error": "rate_limited",
                "message": format!("Too many requests. Try again in {retry_after} seconds."),
                "retry_after": retry_after,
            }),
        )
        .retry_after(*retry_after)
        .build(),
        ServiceError::Unexpected(cause) => {
            tracing::error!(error = %crate::http::response::chain(cause.as_ref()), "request failed");
            error(500, "server_error", "An unexpected error occurred").build()
        }
    }
}

/// `{"status": "success", "message": ...}` with more keys if given.
pub fn success(status: u16, message: &str, extra: Value) -> HttpResponse {
    let mut body = json!({ "status": "success", "message": message });
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    Json::new(status, &body).build()
}

/// `POST /api/action/register/`.
pub fn new_account(fields: &Fields) -> Result<NewAccount, ServiceError> {
    let mut errors = FieldErrors::default();
    fields.refuse_protected(&mut errors);
    let username = fields
        .required_text("username", true, &mut errors)
        .and_then(|v| errors.check("username", Username::parse(&v)));
    let email = fields
        .required_text("email", true, &mut errors)
        .and_then(|v| match Email::parse(&v) {
            Ok(email) => Some(email),
            Err(_) => {
                errors.add("email", "Invalid email format");
                None
            }
        });
    let password = fields
        .required_text("password", false, &mut errors)
        .and_then(|v| match Password::parse_new(&v) {
            Ok(password) => Some(password),
            Err(_) if v.chars().count() < Password::MIN_LEN => {
                errors.add("password", "Password must be at least 8 characters long");
                None
            }
            Err(invalid) => {
                errors.add("password", invalid.0);
                None
            }
        });
    let first_name = fields
        .optional_text("first_name", &mut errors)
        .and_then(|v| errors.check("first_name", PersonName::parse(&v)));
    let last_name = fields
        .optional_text("last_name", &mut errors)
        .and_then(|v| errors.check("last_name", PersonName::parse(&v)));
    let country_id = fields.optional_id("country", &mut errors);
    let city_id = fields.optional_id("city", &mut errors);
    match (
        username, email, password, first_name, last_name, country_id, city_id,
    ) {
        (
            Some(username),
            Some(email),
            Some(password),
            Some(first_name),
            Some(last_name),
            Some(country_id),
            Some(city_id),
        ) if errors.is_empty() => Ok(NewAccount {
            username: Some(username),
            email: Some(email),
            password: Some(password),
            first_name,
            last_name,
            country_id,
            city_id,
            ..NewAccount::new("")
        }),
        _ => Err(ServiceError::Invalid(errors)),
    }
}

/// `POST /api/check/validate/`: the credentials, if the body carries any.
pub fn credentials(fields: &Fields) -> Result<Option<(LoginName, Password)>, ServiceError> {
    if !fields.contains("username") && !fields.contains("password") {
        return Ok(None);
    }
    let mut errors = FieldErrors::default();
    let name = fields
        .required_text("username", true, &mut errors)
        .map(LoginName::Username);
    let password = fields
        .required_text("password", false, &mut errors)
        .and_then(|v| errors.check("password", Password::parse_attempt(&v)));
    match (name, password) {
        (Some(name), Some(password)) if errors.is_empty() => Ok(Some((name, password))),
        _ => Err(ServiceError::Invalid(errors)),
    }
}

/// `POST /api/check/email/`: the address to look up.
pub fn email_to_check(fields: &Fields) -> Result<Email, ServiceError> {
    let mut errors = FieldErrors::default();
    let text = fields
        .required_text("email", true, &mut errors)
        .ok_or(ServiceError::Invalid(errors))?;
    Email::parse(&text).map_err(|_| ServiceError::invalid("email", "Invalid email format"))
}

/// `POST /api/check/auth/`.
pub fn auth_state(user: Option<&User>) -> Value {
    json!({
        "is_authenticated": user.is_some(),
        "user_id": user.map(|u| u.id.get()),
        "username": user.map(|u| u.username.clone()),
    })
}

/// `POST /api/check/validate/` without credentials.
pub fn login_state(user: Option<&User>) -> Value {
    json!({ "is_logged": user.is_some(), "user_id": user.map(|u| u.id.get()) })
}

/// `POST /api/check/login/` (backend).
pub fn backend_login_state(user: Option<&User>) -> Value {
    json!({
        "is_logged": user.is_some(),
        "user_id": user.map(|u| u.id.get()),
        "is_staff": user.is_some_and(|u| u.is_staff),
        "is_superuser": user.is_some_and(|u| u.is_superuser),
    })
}

/// `POST /api/update/profile/`: any of first_name, last_name, email, phone, country, city.
pub fn profile_changes(
    fields: &Fields,
) -> Result<crate::service::profiles::ProfileChanges, ServiceError> {
    let mut errors = FieldErrors::default();
    fields.refuse_protected(&mut errors);
    let mut changes = crate::service::profiles::ProfileChanges::default();
    if let Some(v) = fields.given_text("first_name", &mut errors) {
        changes.first_name = errors.check("first_name", PersonName::parse(&v));
    }
    if let Some(v) = fields.given_text("last_name", &mut errors) {
        changes.last_name = errors.check("last_name", PersonName::parse(&v));
    }
    if fields.contains("email") {
        changes.email = fields
            .required_text("email", true, &mut errors)
            .and_then(|v| match Email::parse(&v) {
                Ok(email) => Some(email),
                Err(_) => {
                    errors.add("email", "Invalid email format");
                    None
                }
            });
    }
    if let Some(v) = fields.given_text("phone", &mut errors) {
        changes.phone = if v.is_empty() {
            Some(None)
        } else {
            errors
                .check("phone", crate::domain::Phone::parse(&v))
                .map(Some)
        };
    }
    if fields.contains("country") {
        changes.country_id = fields.optional_id("country", &mut errors);
    }
    if fields.contains("city") {
        changes.city_id = fields.optional_id("city", &mut errors);
    }
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(ServiceError::Invalid(errors))
    }
}
