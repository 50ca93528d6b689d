//! The campaign app and its backend (`/api/...`, seed 000): form or JSON bodies, replies
//! `{"status": "success", "message": ...}`, errors `{"error": code, "message": ..., "field": ...}`.
//!
//! The campaign and careers backends change the counters they own on a user through
//! `POST /api/user/counters/`, with app credentials in [`COUNTER_APP_HEADERS`].

use crate::clock::Timestamp;
use crate::domain::{
    Counter, CounterChange, Counters, Distribution, Email, Password, PersonName, Phone, RequestId,
    User, UserId, Username,
};
use crate::domain::{MAX_CHOICES, MAX_KIND, MAX_MESSAGE, MAX_TITLE, NOTIFICATION_CODES};
use crate::http::body::{BodyError, Fields};
use crate::http::dialect::Reason;
use crate::http::response::Json;
use crate::http::AppHeaders;
use crate::service::accounts::{EmailCheck, NewAccount};
use crate::service::notifications::{InboxPage, Marking, StaffNotification};
use crate::service::profiles::ProfileChanges;
use crate::service::sessions::LoginName;
use crate::service::settings::{
    CampaignSettings, NotificationSetting, PreferencesUpdate, PrivacyChange,
};
use crate::service::staff::{self, BanOrder, Standing};
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Error<'a> {
    pub error: &'a str,
    pub message: &'a str,
}

/// A validation failure: the first problem, and all of them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ValidationError<'a> {
    #[serde(flatten)]
    pub error: Error<'a>,
    pub field: &'a str,
    pub errors: &'a FieldErrors,
}

/// A refusal for too many requests, with the seconds to wait.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
        Reason::Unavailable { .. } => (
            "service_unavailable",
            "Service temporarily unavailable, try again later",
        ),
        Reason::Unexpected => ("server_error", "An unexpected error occurred"),
    };
    Json::new(status, &Error { error, message })
}

/// `{"status": "success", "message": ...}`, with the new user's id after a sign-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum ValidateAnswer {
    Validation {
        is_valid: bool,
        #[schema(required = true)]
        user_id: Option<u64>,
    },
    LoginState {
        is_logged: bool,
        #[schema(required = true)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum EmailCheckBody {
    ForStaff {
        exists: bool,
        #[schema(required = true)]
        user_id: Option<u64>,
    },
    ForAnyone {
        exists: bool,
        available: bool,
    },
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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

/// A list of reference codes under `name` (or PHP's `name[]`): a JSON list, repeated form
/// keys, or one text of comma-separated codes. Codes are trimmed and lower-cased, repeats
/// dropped; `None` when absent.
fn code_list(fields: &Fields, name: &str, errors: &mut FieldErrors) -> Option<Vec<String>> {
    let bracketed = format!("{name}[]");
    let value = fields.get(name).or_else(|| fields.get(&bracketed))?;
    let texts: Vec<&str> = match value {
        Value::Array(items) => {
            let texts: Option<Vec<&str>> = items.iter().map(Value::as_str).collect();
            let Some(texts) = texts else {
                errors.add(
                    name,
                    "Expected a list of items but got a list with a non-text item.",
                );
                return None;
            };
            texts
        }
        Value::String(text) => text.split(',').collect(),
        other => {
            errors.add(
                name,
                format!(
                    "Expected a list of items but got type \"{}\".",
                    json_type(other)
                ),
            );
            return None;
        }
    };
    let mut codes: Vec<String> = Vec::new();
    for code in texts
        .iter()
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
    {
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    if codes.len() > MAX_CHOICES {
        errors.add(
            name,
            format!("Ensure this field has no more than {MAX_CHOICES} elements."),
        );
        return None;
    }
    Some(codes)
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// A language code, trimmed and lower-cased.
fn language(fields: &Fields, required: bool, errors: &mut FieldErrors) -> Option<String> {
    if !required && !fields.contains("language") {
        return None;
    }
    fields
        .required_text("language", true, errors)
        .map(|text| text.to_lowercase())
}

/// `privacy_settings`: an object (or, in a form, its JSON text) of any of `profile_public`,
/// `show_earnings`, `show_campaigns`, each a boolean.
fn privacy_change(fields: &Fields, errors: &mut FieldErrors) -> PrivacyChange {
    const FIELD: &str = "privacy_settings";
    let parsed;
    let object = match fields.get(FIELD) {
        None => return PrivacyChange::default(),
        Some(Value::Object(object)) => object,
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(object)) => {
                parsed = object;
                &parsed
            }
            _ => {
                errors.add(FIELD, "Expected a dictionary of items.");
                return PrivacyChange::default();
            }
        },
        Some(_) => {
            errors.add(FIELD, "Expected a dictionary of items.");
            return PrivacyChange::default();
        }
    };
    let settings = Fields::from_map(object.clone());
    let mut change = PrivacyChange::default();
    for name in settings.names() {
        let slot = match name {
            "profile_public" => &mut change.profile_public,
            "show_earnings" => &mut change.show_earnings,
            "show_campaigns" => &mut change.show_campaigns,
            other => {
                errors.add(FIELD, format!("\"{other}\" is not a privacy setting."));
                continue;
            }
        };
        let mut inner = FieldErrors::default();
        *slot = settings.required_bool(name, &mut inner);
        if !inner.is_empty() {
            errors.add(FIELD, format!("{name}: Must be a valid boolean."));
        }
    }
    change
}

/// `POST /api/update/preferences/`: any of `categories`, `networks`, `language`,
/// `privacy_settings`.
pub fn preferences_update(fields: &Fields) -> Result<PreferencesUpdate, ServiceError> {
    let mut errors = FieldErrors::default();
    let update = PreferencesUpdate {
        categories: code_list(fields, "categories", &mut errors),
        networks: code_list(fields, "networks", &mut errors),
        language: language(fields, false, &mut errors),
        privacy: privacy_change(fields, &mut errors),
    };
    errors.finish(Some(update))
}

/// `POST /api/update/language/`: `language`, required.
pub fn language_update(fields: &Fields) -> Result<String, ServiceError> {
    let mut errors = FieldErrors::default();
    let language = language(fields, true, &mut errors);
    errors.finish(language)
}

/// `POST /api/update/notifications/`: any of the seven codes, each `true` or `false` (text
/// or JSON); at least one.
pub fn notification_changes(fields: &Fields) -> Result<Vec<(&'static str, bool)>, ServiceError> {
    let mut errors = FieldErrors::default();
    let mut changes = Vec::new();
    for (code, _) in NOTIFICATION_CODES {
        if fields.contains(code) {
            if let Some(on) = fields.required_bool(code, &mut errors) {
                changes.push((code, on));
            }
        }
    }
    if changes.is_empty() && errors.is_empty() {
        let codes: Vec<&str> = NOTIFICATION_CODES.iter().map(|(code, _)| *code).collect();
        errors.add(
            "notifications",
            format!("Give at least one of {}.", codes.join(", ")),
        );
    }
    errors.finish(Some(changes))
}

/// `POST /api/get/preferences/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PreferencesBody {
    pub user_id: u64,
    pub preferences: PreferencesDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PreferencesDetail {
    pub language: String,
    pub notifications: BTreeMap<&'static str, bool>,
    pub categories: Vec<String>,
    pub networks: Vec<String>,
    pub privacy_settings: PrivacyBody,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PrivacyBody {
    pub profile_public: bool,
    pub show_earnings: bool,
    pub show_campaigns: bool,
}

pub fn preferences(settings: CampaignSettings) -> PreferencesBody {
    PreferencesBody {
        user_id: settings.user_id.get(),
        preferences: PreferencesDetail {
            language: settings.language,
            notifications: settings
                .notifications
                .iter()
                .map(|n| (n.code, n.on))
                .collect(),
            categories: settings.categories,
            networks: settings.networks,
            privacy_settings: PrivacyBody {
                profile_public: settings.privacy.profile_public,
                show_earnings: settings.privacy.show_earnings,
                show_campaigns: settings.privacy.show_campaigns,
            },
        },
    }
}

/// `POST /api/get/notifications/`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NotificationsBody {
    pub user_id: u64,
    pub user_notifications: Vec<NotificationEntry>,
    pub not_found_message: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NotificationEntry {
    pub name: &'static str,
    pub code: &'static str,
    pub status: bool,
}

pub fn notification_settings(user: UserId, settings: &[NotificationSetting]) -> NotificationsBody {
    NotificationsBody {
        user_id: user.get(),
        user_notifications: settings
            .iter()
            .map(|s| NotificationEntry {
                name: s.name,
                code: s.code,
                status: s.on,
            })
            .collect(),
        not_found_message: "No notifications to display",
    }
}

/// `POST /api/update/preferences/`.
pub fn preferences_updated() -> Success {
    success_of("Preferences updated successfully")
}

/// `POST /api/update/language/`.
pub fn language_updated() -> Success {
    success_of("Language updated successfully")
}

/// `POST /api/update/notifications/`.
pub fn notifications_updated() -> Success {
    success_of("Notification settings updated")
}

/// `POST /api/get/notifications/history/`: `page` (from 1, default 1) and `limit` (1–100,
/// default 20).
pub fn history_params(fields: &Fields) -> Result<(usize, usize), ServiceError> {
    let mut errors = FieldErrors::default();
    let page = fields
        .optional_id("page", &mut errors)
        .map(|p| p.unwrap_or(1));
    let limit = fields
        .optional_id("limit", &mut errors)
        .map(|l| l.unwrap_or(20));
    if let Some(limit) = limit.filter(|l| *l > 100) {
        errors.add(
            "limit",
            format!("Ensure this value is less than or equal to 100 (got {limit})."),
        );
    }
    let both = page.zip(limit).map(|(p, l)| (p as usize, l as usize));
    errors.finish(both)
}

/// The campaign document's notification: `id`, `user_id`, `title`, `message`, `type`,
/// `read`, `created_at`, `data`.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct NotificationBody<'a> {
    pub id: u64,
    pub user_id: u64,
    pub title: &'a str,
    pub message: &'a str,
    #[serde(rename = "type")]
    pub kind: &'a str,
    pub read: bool,
    pub created_at: String,
    pub data: &'a Option<Value>,
}

/// `POST /api/get/notifications/history/`: newest first, with the exact counts.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct HistoryBody<'a> {
    pub user_id: u64,
    pub page: usize,
    pub limit: usize,
    pub total: u64,
    pub unread: u64,
    pub notifications: Vec<NotificationBody<'a>>,
}

pub fn history(user: UserId, page: usize, limit: usize, inbox: &InboxPage) -> HistoryBody<'_> {
    HistoryBody {
        user_id: user.get(),
        page,
        limit,
        total: inbox.total,
        unread: inbox.unread,
        notifications: inbox
            .notifications
            .iter()
            .map(|n| NotificationBody {
                id: n.id,
                user_id: n.user_id.get(),
                title: &n.title,
                message: &n.message,
                kind: &n.kind,
                read: n.read,
                created_at: n.created_at.to_rfc3339(),
                data: &n.data,
            })
            .collect(),
    }
}

/// `POST /api/update/notifications/read/`: `ids` (a JSON list, repeated keys, `ids[]`, or one
/// comma-separated text) or `all` true; one of them.
pub fn marking(fields: &Fields) -> Result<Marking, ServiceError> {
    let mut errors = FieldErrors::default();
    if fields.contains("all") {
        let all = fields.required_bool("all", &mut errors);
        return match all {
            Some(true) => Ok(Marking::All),
            Some(false) => Ok(Marking::Ids(Vec::new())),
            None => Err(ServiceError::Invalid(errors)),
        };
    }
    // A JSON list of numbers is taken as it is.
    if let Some(Value::Array(items)) = fields.get("ids") {
        if items.iter().all(Value::is_u64) {
            return Ok(Marking::Ids(
                items.iter().filter_map(Value::as_u64).collect(),
            ));
        }
    }
    let Some(texts) = code_list(fields, "ids", &mut errors) else {
        if errors.is_empty() {
            errors.add("ids", "Give the ids to mark read, or all=true.");
        }
        return Err(ServiceError::Invalid(errors));
    };
    let ids: Vec<u64> = texts.iter().filter_map(|t| t.parse().ok()).collect();
    if ids.len() != texts.len() {
        errors.add("ids", "Each id must be a positive integer.");
    }
    errors.finish(Some(Marking::Ids(ids)))
}

/// The answer of a marking: how many were marked, and how many are still unread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Marked {
    pub status: &'static str,
    pub message: &'static str,
    pub marked: u64,
    pub unread: u64,
}

pub fn marked(marked: u64, unread: u64) -> Marked {
    Marked {
        status: "success",
        message: "Notifications marked as read",
        marked,
        unread,
    }
}

/// `POST /api/user/notification/`: `user_id`, `title`, `message`, `type` required; `data`
/// optional (an object, or its JSON text in a form).
pub fn staff_notification(fields: &Fields) -> Result<StaffNotification, ServiceError> {
    let mut errors = FieldErrors::default();
    let user_id = required_user_id(fields, &mut errors);
    let mut bounded = |name: &str, max: usize| {
        let text = fields.required_text(name, true, &mut errors)?;
        if text.chars().count() > max {
            errors.add(
                name,
                format!("Ensure this field has no more than {max} characters."),
            );
            return None;
        }
        Some(text)
    };
    let title = bounded("title", MAX_TITLE);
    let message = bounded("message", MAX_MESSAGE);
    let kind = bounded("type", MAX_KIND);
    let data = match fields.get("data") {
        None | Some(Value::Null) => None,
        Some(Value::Object(object)) => Some(Value::Object(object.clone())),
        Some(Value::String(text)) if text.trim().is_empty() => None,
        Some(Value::String(text)) => match serde_json::from_str::<Value>(text) {
            Ok(value @ Value::Object(_)) => Some(value),
            _ => {
                errors.add("data", "Expected a dictionary of items.");
                None
            }
        },
        Some(_) => {
            errors.add("data", "Expected a dictionary of items.");
            None
        }
    };
    let order = match (user_id, title, message, kind) {
        (Some(user_id), Some(title), Some(message), Some(kind)) => Some(StaffNotification {
            user_id,
            title,
            message,
            kind,
            data,
        }),
        _ => None,
    };
    errors.finish(order)
}

/// `POST /api/user/notification/`.
pub fn notification_sent() -> Success {
    success_of("Notification sent successfully")
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
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
