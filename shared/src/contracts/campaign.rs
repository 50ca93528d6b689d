//! The campaign app and its backend (`/api/...`, seed 000): form or JSON bodies, replies
//! `{"status": "success", "message": ...}`, errors `{"error": code, "message": ..., "field": ...}`.

use crate::clock::Timestamp;
use crate::domain::{Distribution, Email, Password, PersonName, Phone, User, UserId, Username};
use crate::http::body::{BodyError, Fields};
use crate::http::dialect::Reason;
use crate::http::response::Json;
use crate::service::accounts::{EmailCheck, NewAccount};
use crate::service::profiles::ProfileChanges;
use crate::service::sessions::LoginName;
use crate::service::staff::{self, BanOrder, Standing};
use crate::service::{FieldErrors, ServiceError};
use serde::Serialize;

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
        Reason::Banned { .. } => {
            text = crate::http::dialect::banned_sentence(reason);
            ("account_banned", text.as_str())
        }
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

/// The user a staff route acts on: `user_id`, required.
pub fn target_user(fields: &Fields) -> Result<UserId, ServiceError> {
    let mut errors = FieldErrors::default();
    let id = required_user_id(fields, &mut errors);
    errors.finish(id)
}

fn required_user_id(fields: &Fields, errors: &mut FieldErrors) -> Option<UserId> {
    if !fields.contains("user_id") {
        errors.add("user_id", "This field is required.");
        return None;
    }
    fields
        .optional_id("user_id", errors)?
        .map(UserId::new)
        .or_else(|| {
            errors.add("user_id", "This field is required.");
            None
        })
}

/// An optional reason of at most [`staff::MAX_REASON`] characters.
fn reason(fields: &Fields, errors: &mut FieldErrors) -> String {
    let text = fields.optional_text("reason", errors).unwrap_or_default();
    if text.chars().count() > staff::MAX_REASON {
        errors.add(
            "reason",
            format!(
                "Ensure this field has no more than {} characters.",
                staff::MAX_REASON
            ),
        );
    }
    text
}

/// `POST /api/user/status/ban/`: `user_id`, `banned`, `reason`, and an optional `until`
/// (RFC 3339) after which the ban lifts by itself.
pub fn ban_order(fields: &Fields) -> Result<BanOrder, ServiceError> {
    let mut errors = FieldErrors::default();
    let user_id = required_user_id(fields, &mut errors);
    let banned = fields.required_bool("banned", &mut errors);
    let reason = reason(fields, &mut errors);
    let until = match fields.optional_text("until", &mut errors).as_deref() {
        None | Some("") => None,
        Some(text) => {
            let until = Timestamp::parse_rfc3339(text);
            if until.is_none() {
                errors.add(
                    "until",
                    "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm:ssZ.",
                );
            }
            until
        }
    };
    let order = match (user_id, banned) {
        (Some(user_id), Some(banned)) => Some(BanOrder {
            user_id,
            banned,
            reason,
            until,
        }),
        _ => None,
    };
    errors.finish(order)
}

/// `POST /api/user/force-logout/`: `user_id` and an optional `reason`.
pub fn force_logout_order(fields: &Fields) -> Result<(UserId, String), ServiceError> {
    let mut errors = FieldErrors::default();
    let user_id = required_user_id(fields, &mut errors);
    let reason = reason(fields, &mut errors);
    errors.finish(user_id.map(|id| (id, reason)))
}

/// `POST /api/user/status/ban/`.
pub fn ban_updated() -> Success {
    success_of("User ban status updated")
}

/// `POST /api/user/force-logout/`.
pub fn logged_out_everywhere() -> Success {
    success_of("User logged out from all sessions")
}

/// `POST /api/user/status/`: `active`, `banned` or `inactive`, the day the user joined, the
/// last sign-in (RFC 3339, `null` if never) and the campaign counters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusBody {
    pub status: &'static str,
    pub joined_date: String,
    pub last_login: Option<String>,
    pub total_campaigns: u64,
    pub total_earnings: u64,
}

pub fn status(standing: &Standing) -> StatusBody {
    StatusBody {
        status: standing.state.as_str(),
        joined_date: standing.joined.to_rfc3339()[..10].to_owned(),
        last_login: standing.last_login.map(Timestamp::to_rfc3339),
        total_campaigns: standing.total_campaigns,
        total_earnings: standing.total_earnings,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::keys;

    fn form(pairs: &[(&str, &str)]) -> Fields {
        Fields::from_map(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String((*v).to_owned())))
                .collect(),
        )
    }

    #[test]
    fn a_ban_order_reads_the_documented_form_and_an_optional_expiry() {
        let order = ban_order(&form(&[
            ("user_id", "123"),
            ("banned", "true"),
            ("reason", "Violation of terms of service"),
        ]))
        .unwrap();
        assert_eq!(order.user_id, UserId::new(123));
        assert!(order.banned);
        assert_eq!(order.until, None);
        let order = ban_order(&form(&[
            ("user_id", "5"),
            ("banned", "False"),
            ("until", "2030-01-01T00:00:00Z"),
        ]))
        .unwrap();
        assert!(!order.banned);
        assert!(order.until.is_some());
    }

    #[test]
    fn a_ban_order_reports_every_bad_field() {
        let Err(ServiceError::Invalid(errors)) =
            ban_order(&form(&[("banned", "maybe"), ("until", "tomorrow")]))
        else {
            panic!("expected field errors");
        };
        let mut fields: Vec<&str> = errors.iter().map(|(field, _)| field).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["banned", "until", "user_id"]);
    }

    #[test]
    fn status_has_the_documented_keys() {
        let standing = Standing {
            state: staff::AccountState::Banned,
            joined: Timestamp::from_unix(1_704_067_200),
            last_login: None,
            total_campaigns: 10,
            total_earnings: 500,
        };
        let body = status(&standing);
        assert_eq!(
            keys(&body),
            [
                "joined_date",
                "last_login",
                "status",
                "total_campaigns",
                "total_earnings"
            ]
        );
        assert_eq!(body.joined_date, "2024-01-01");
        assert_eq!(body.status, "banned");
    }

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
}

/// `POST /api/users/stats/{sex,age,preferences}/`: each key's whole percentage, in the order
/// the distribution shows them (`{"male": 60, "female": 40, "other": 0, "unknown": 0}`).
#[derive(Debug, Clone, Copy)]
pub struct StatsAnswer<'a>(pub &'a Distribution);

impl Serialize for StatsAnswer<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.shares.len()))?;
        for share in &self.0.shares {
            map.serialize_entry(&share.key, &share.percent)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod stats_tests {
    use super::*;
    use crate::domain::Share;

    #[test]
    fn a_stats_answer_is_each_key_and_its_percentage_in_order() {
        let share = |key: &str, count, percent| Share {
            key: key.to_owned(),
            count,
            percent,
        };
        let distribution = Distribution {
            shares: vec![
                share("male", 3, 60),
                share("female", 2, 40),
                share("other", 0, 0),
            ],
        };
        let text = serde_json::to_string(&StatsAnswer(&distribution)).unwrap();
        assert_eq!(text, r#"{"male":60,"female":40,"other":0}"#);
    }
}
