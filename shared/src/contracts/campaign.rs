//! The campaign app and its backend (`/api/...`, seed 000): form or JSON bodies, replies
//! `{"status": "success", "message": ...}`, errors `{"error": code, "message": ..., "field": ...}`.
//!
//! The campaign and careers backends change the counters they own on a user through
//! `POST /api/user/counters/`, with app credentials in [`COUNTER_APP_HEADERS`].

use crate::domain::{
    Counter, CounterChange, Counters, Email, Password, PersonName, Phone, RequestId, User, UserId,
    Username,
};
use crate::http::body::{BodyError, Fields};
use crate::http::dialect::Reason;
use crate::http::response::Json;
use crate::http::AppHeaders;
use crate::service::accounts::{EmailCheck, NewAccount};
use crate::service::profiles::ProfileChanges;
use crate::service::sessions::LoginName;
use crate::service::{FieldErrors, ServiceError};
use crate::store::CountersChanged;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Where the backends put their app credentials on the counters route (any letter case).
pub const COUNTER_APP_HEADERS: AppHeaders = AppHeaders {
    id: &["x-app-id"],
    secret: &["x-app-secret"],
    daily_token: false,
};

/// `{"error": code, "message": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Error<'a> {
    pub error: &'a str,
    pub message: &'a str,
}

/// A validation failure: the first problem, and all of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidationError<'a> {
    #[serde(flatten)]
    pub error: Error<'a>,
    pub field: &'a str,
    pub errors: &'a FieldErrors,
}

/// A refusal for too many requests, with the seconds to wait.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Throttled<'a> {
    #[serde(flatten)]
    pub error: Error<'a>,
    pub retry_after: u64,
}

/// Every reason a campaign request was not served, in the campaign shape.
pub(crate) fn shape(reason: &Reason) -> Json {
    let status = reason.status();
    let text: String;
    let (error, message) = match reason {
        Reason::Fields(errors) | Reason::Taken(errors) => {
            let (field, message) = errors.first().unwrap_or_default();
            let body = ValidationError {
                error: Error {
                    error: "validation_error",
                    message,
                },
                field,
                errors,
            };
            return Json::new(status, &body);
        }
        Reason::RateLimited { retry_after } => {
            text = format!("Too many requests. Try again in {retry_after} seconds.");
            let body = Throttled {
                error: Error {
                    error: "rate_limited",
                    message: &text,
                },
                retry_after: *retry_after,
            };
            return Json::new(status, &body);
        }
        Reason::Body(BodyError::TooLarge { limit }) => {
            text = format!("Request body is larger than {limit} bytes");
            ("payload_too_large", text.as_str())
        }
        Reason::Body(BodyError::UnsupportedMediaType(media)) => {
            text = format!("Unsupported media type \"{media}\"");
            ("unsupported_media_type", text.as_str())
        }
        Reason::Body(other) => {
            text = format!("Malformed request body: {other}");
            ("validation_error", text.as_str())
        }
        Reason::Refused(sentence) => ("refused", sentence.as_ref()),
        Reason::NotAuthenticated | Reason::InvalidToken | Reason::InvalidRefreshToken => (
            "authentication_required",
            "Authentication is required for this endpoint",
        ),
        Reason::InvalidCredentials => ("invalid_credentials", "Invalid username or password"),
        Reason::PermissionDenied => (
            "permission_denied",
            "You don't have permission to perform this action",
        ),
        Reason::NotFound | Reason::Missing(_) => ("user_not_found", "User not found"),
        Reason::InvalidPage => ("not_found", "Invalid page."),
        Reason::Unexpected => ("server_error", "An unexpected error occurred"),
    };
    Json::new(status, &Error { error, message })
}

/// `{"status": "success", "message": ...}`, with the new user's id after a sign-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Success {
    pub status: &'static str,
    pub message: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<u64>,
}

fn success_of(message: &'static str) -> Success {
    Success {
        status: "success",
        message,
        user_id: None,
    }
}

/// The 201 body of `POST /api/action/register/`.
pub fn registered(user_id: UserId) -> Success {
    Success {
        user_id: Some(user_id.get()),
        ..success_of("Account created successfully")
    }
}

/// `POST /api/action/logout/`.
pub fn logged_out() -> Success {
    success_of("Logged out successfully")
}

/// `POST /api/update/profile/`.
pub fn profile_updated() -> Success {
    success_of("Profile updated successfully")
}

/// A required e-mail address; a malformed one is worded as the campaign app words it.
fn required_email(fields: &Fields, errors: &mut FieldErrors) -> Option<Email> {
    let text = fields.required_text("email", true, errors)?;
    let email = Email::parse(&text).ok();
    if email.is_none() {
        errors.add("email", "Invalid email format");
    }
    email
}

/// `POST /api/action/register/`.
pub fn new_account(fields: &Fields) -> Result<NewAccount, ServiceError> {
    let mut errors = FieldErrors::default();
    fields.refuse_protected(&mut errors);
    let username = fields.required_value("username", &mut errors, Username::parse);
    let email = required_email(fields, &mut errors);
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
    let first_name = fields.optional_value("first_name", &mut errors, PersonName::parse);
    let last_name = fields.optional_value("last_name", &mut errors, PersonName::parse);
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
    let password = fields.required_password("password", &mut errors, Password::parse_attempt);
    match (name, password) {
        (Some(name), Some(password)) if errors.is_empty() => Ok(Some((name, password))),
        _ => Err(ServiceError::Invalid(errors)),
    }
}

/// `POST /api/check/email/`: the address to look up.
pub fn email_to_check(fields: &Fields) -> Result<Email, ServiceError> {
    let mut errors = FieldErrors::default();
    let email = required_email(fields, &mut errors);
    errors.finish(email)
}

/// `POST /api/check/auth/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthState<'a> {
    pub is_authenticated: bool,
    pub user_id: Option<u64>,
    pub username: Option<&'a str>,
}

/// Whether there is a user, and their id: what every check answers first.
fn presence(user: Option<&User>) -> (bool, Option<u64>) {
    (user.is_some(), user.map(|u| u.id.get()))
}

pub fn auth_state(user: Option<&User>) -> AuthState<'_> {
    let (is_authenticated, user_id) = presence(user);
    let username = user.map(|u| u.username.as_str());
    AuthState {
        is_authenticated,
        user_id,
        username,
    }
}

/// `POST /api/check/validate/`: with credentials, whether they are right; without, whether the
/// caller is signed in. Either way the user's id, if there is a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ValidateAnswer {
    Validation {
        is_valid: bool,
        user_id: Option<u64>,
    },
    LoginState {
        is_logged: bool,
        user_id: Option<u64>,
    },
}

/// Without credentials: the signed-in caller, if any.
pub fn login_state(user: Option<&User>) -> ValidateAnswer {
    let (is_logged, user_id) = presence(user);
    ValidateAnswer::LoginState { is_logged, user_id }
}

/// With credentials: the user they belong to, if they are right.
pub fn validation(user: Option<&User>) -> ValidateAnswer {
    let (is_valid, user_id) = presence(user);
    ValidateAnswer::Validation { is_valid, user_id }
}

/// `POST /api/check/email/`: staff learn who holds the address, anyone else only whether it is
/// free.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum EmailCheckBody {
    ForStaff { exists: bool, user_id: Option<u64> },
    ForAnyone { exists: bool, available: bool },
}

pub fn email_check(check: EmailCheck) -> EmailCheckBody {
    match check {
        EmailCheck::ForStaff { owner } => EmailCheckBody::ForStaff {
            exists: owner.is_some(),
            user_id: owner.map(UserId::get),
        },
        EmailCheck::ForAnyone { exists } => EmailCheckBody::ForAnyone {
            exists,
            available: !exists,
        },
    }
}

/// `POST /api/check/login/` (backend).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BackendLoginState {
    pub is_logged: bool,
    pub user_id: Option<u64>,
    pub is_staff: bool,
    pub is_superuser: bool,
}

pub fn backend_login_state(user: Option<&User>) -> BackendLoginState {
    let (is_logged, user_id) = presence(user);
    BackendLoginState {
        is_logged,
        user_id,
        is_staff: user.is_some_and(|u| u.is_staff),
        is_superuser: user.is_some_and(|u| u.is_superuser),
    }
}

/// `POST /api/update/profile/`: any of first_name, last_name, email, phone, country, city.
pub fn profile_changes(fields: &Fields) -> Result<ProfileChanges, ServiceError> {
    let mut errors = FieldErrors::default();
    fields.refuse_protected(&mut errors);
    let mut changes = ProfileChanges {
        phone: fields.clearable("phone", &mut errors, Phone::parse),
        ..super::name_changes(fields, &mut errors)
    };
    if fields.contains("email") {
        changes.email = required_email(fields, &mut errors);
    }
    if fields.contains("country") {
        changes.country_id = fields.optional_id("country", &mut errors);
    }
    if fields.contains("city") {
        changes.city_id = fields.optional_id("city", &mut errors);
    }
    errors.finish(Some(changes))
}

/// `POST /api/user/counters/`: `{"request_id": "...", "user_id": 123, "changes": {"posts_count":
/// 1, ...}}`. Every counter named must be one of [`Counter`], each amount a whole number.
pub fn counter_change(fields: &Fields) -> Result<CounterChange, ServiceError> {
    let mut errors = FieldErrors::default();
    let request_id = fields.required_value("request_id", &mut errors, RequestId::parse);
    let user_id = fields.required_value("user_id", &mut errors, |text| {
        UserId::parse(text).map_err(|_| crate::domain::Invalid::new("A valid user id is required."))
    });
    let deltas = counter_deltas(fields.get("changes"), &mut errors);
    match (request_id, user_id, deltas) {
        (Some(request_id), Some(user_id), Some(deltas)) if errors.is_empty() => Ok(CounterChange {
            request_id,
            user_id,
            deltas,
        }),
        _ => Err(ServiceError::Invalid(errors)),
    }
}

/// The `changes` object: counter name to a whole amount, at least one.
fn counter_deltas(
    changes: Option<&Value>,
    errors: &mut FieldErrors,
) -> Option<BTreeMap<Counter, i64>> {
    let changes = match changes {
        None => {
            errors.add("changes", "This field is required.");
            return None;
        }
        Some(Value::Object(changes)) if !changes.is_empty() => changes,
        Some(_) => {
            errors.add(
                "changes",
                "Give an object of at least one counter and the amount to add to it.",
            );
            return None;
        }
    };
    let mut deltas = BTreeMap::new();
    for (name, amount) in changes {
        let Some(counter) = errors.check("changes", Counter::parse(name)) else {
            continue;
        };
        let field = format!("changes.{name}");
        match amount.as_i64() {
            Some(delta) => {
                if let Some(delta) = errors.check(&field, CounterChange::check_delta(delta)) {
                    deltas.insert(counter, delta);
                }
            }
            None => errors.add(&field, "A whole number is required."),
        }
    }
    Some(deltas)
}

/// A user's counters, by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CounterValues {
    pub posts_count: u64,
    pub likes_received: u64,
    pub comments_received: u64,
    pub total_campaigns: u64,
    pub total_earnings: u64,
}

impl From<Counters> for CounterValues {
    fn from(counters: Counters) -> Self {
        Self {
            posts_count: counters.posts_count,
            likes_received: counters.likes_received,
            comments_received: counters.comments_received,
            total_campaigns: counters.total_campaigns,
            total_earnings: counters.total_earnings,
        }
    }
}

/// The 200 body of `POST /api/user/counters/`: the counters right after the change, and
/// whether the request id was seen before (`replayed`: nothing changed this time, and the
/// counters are those the first request answered).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CountersUpdated {
    pub status: &'static str,
    pub message: &'static str,
    pub user_id: u64,
    pub counters: CounterValues,
    pub replayed: bool,
}

pub fn counters_updated(user_id: UserId, changed: CountersChanged) -> CountersUpdated {
    CountersUpdated {
        status: "success",
        message: "Counters updated",
        user_id: user_id.get(),
        counters: changed.counters.into(),
        replayed: changed.replayed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::keys;

    #[test]
    fn registered_has_status_message_and_user_id() {
        let body = registered(UserId::new(7));
        assert_eq!(keys(&body), ["message", "status", "user_id"]);
        assert_eq!(body.message, "Account created successfully");
    }

    #[test]
    fn logged_out_and_profile_updated_have_status_and_message() {
        assert_eq!(keys(&logged_out()), ["message", "status"]);
        assert_eq!(logged_out().message, "Logged out successfully");
        assert_eq!(keys(&profile_updated()), ["message", "status"]);
        assert_eq!(profile_updated().message, "Profile updated successfully");
    }

    #[test]
    fn check_bodies_have_their_documented_keys() {
        assert_eq!(
            keys(&auth_state(None)),
            ["is_authenticated", "user_id", "username"]
        );
        assert_eq!(keys(&login_state(None)), ["is_logged", "user_id"]);
        assert_eq!(keys(&validation(None)), ["is_valid", "user_id"]);
        assert_eq!(
            keys(&backend_login_state(None)),
            ["is_logged", "is_staff", "is_superuser", "user_id"]
        );
    }

    #[test]
    fn staff_learn_the_owner_of_an_address_and_others_whether_it_is_free() {
        let staff = email_check(EmailCheck::ForStaff {
            owner: Some(UserId::new(3)),
        });
        assert_eq!(keys(&staff), ["exists", "user_id"]);
        let anyone = email_check(EmailCheck::ForAnyone { exists: true });
        assert_eq!(keys(&anyone), ["available", "exists"]);
        assert_eq!(
            anyone,
            EmailCheckBody::ForAnyone {
                exists: true,
                available: false
            }
        );
    }

    #[test]
    fn error_bodies_have_their_keys() {
        let errors = FieldErrors::default();
        let invalid = ValidationError {
            error: Error {
                error: "validation_error",
                message: "m",
            },
            field: "f",
            errors: &errors,
        };
        assert_eq!(keys(&invalid), ["error", "errors", "field", "message"]);
        let error = Error {
            error: "user_not_found",
            message: "User not found",
        };
        assert_eq!(keys(&error), ["error", "message"]);
        let throttled = Throttled {
            error: Error {
                error: "rate_limited",
                message: "m",
            },
            retry_after: 3,
        };
        assert_eq!(keys(&throttled), ["error", "message", "retry_after"]);
    }

    fn change_of(body: Value) -> Result<CounterChange, ServiceError> {
        let Value::Object(map) = body else {
            panic!("an object")
        };
        counter_change(&Fields::from_map(map))
    }

    fn invalid_fields(result: Result<CounterChange, ServiceError>) -> Vec<String> {
        match result {
            Err(ServiceError::Invalid(errors)) => {
                errors.iter().map(|(f, _)| f.to_owned()).collect()
            }
            other => panic!("expected invalid input, got {other:?}"),
        }
    }

    #[test]
    fn a_counter_change_reads_request_id_user_and_amounts() {
        let change = change_of(serde_json::json!({
            "request_id": "r-1", "user_id": 9, "changes": {"posts_count": 1, "total_earnings": -250}
        }))
        .unwrap();
        assert_eq!(change.request_id.as_str(), "r-1");
        assert_eq!(change.user_id, UserId::new(9));
        assert_eq!(
            change.deltas,
            BTreeMap::from([(Counter::PostsCount, 1), (Counter::TotalEarnings, -250)])
        );
    }

    #[test]
    fn unknown_counters_fractions_and_a_missing_request_id_are_refused() {
        let fields = invalid_fields(change_of(serde_json::json!({
            "user_id": 9, "changes": {"followers_count": 1, "posts_count": 1.5, "likes_received": "2"}
        })));
        assert_eq!(
            fields,
            [
                "changes",
                "changes.likes_received",
                "changes.posts_count",
                "request_id"
            ]
        );
        let fields = invalid_fields(change_of(
            serde_json::json!({"request_id": "r", "user_id": 9, "changes": {}}),
        ));
        assert_eq!(fields, ["changes"]);
    }

    #[test]
    fn counters_updated_has_its_keys() {
        let changed = CountersChanged {
            counters: Counters::default(),
            replayed: false,
        };
        let body = counters_updated(UserId::new(3), changed);
        assert_eq!(
            keys(&body),
            ["counters", "message", "replayed", "status", "user_id"]
        );
        assert_eq!(
            keys(&body.counters),
            [
                "comments_received",
                "likes_received",
                "posts_count",
                "total_campaigns",
                "total_earnings"
            ]
        );
    }
}
