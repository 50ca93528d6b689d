//! The chat server's REST API (`/api/v2.1/rest/...`, seed 003), called by other servers with
//! app credentials in `QISCUS_SDK_APP_ID` / `QISCUS_SDK_SECRET` (hyphenated names accepted).
//! Replies `{"results": ..., "status": 200}`; errors `{"error": {"message": ...}, "status": N}`.

use crate::clock::Timestamp;
use crate::domain::{HttpUrl, Password, User, UserSummary};
use crate::http::body::Fields;
use crate::http::dialect::{app_sentence, Case, Reason};
use crate::http::response::{json, Json};
use crate::http::{AppHeaders, HttpResponse, Query};
use crate::service::chat::LoginOrRegister;
use crate::service::notifications::Window;
use crate::service::{FieldErrors, ServiceError};
use crate::store::DirectoryOrder;
use serde::Serialize;

/// Where the app credentials are (header names match case-insensitively).
pub const APP_HEADERS: AppHeaders = AppHeaders {
    id: &["qiscus_sdk_app_id", "qiscus-sdk-app-id"],
    secret: &["qiscus_sdk_secret", "qiscus-sdk-secret"],
    daily_token: false,
};

/// The chat server's envelope: `{"results": ..., "status": 200}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Envelope<T> {
    #[schema(inline)]
    pub results: T,
    pub status: u16,
}

/// A 200 with `results` in the envelope.
pub fn ok<T: Serialize>(results: T) -> HttpResponse {
    json(
        200,
        &Envelope {
            results,
            status: 200,
        },
    )
}

/// `{"error": {"message": ..., "errors": ...}, "status": N}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Error<'a> {
    pub error: ErrorDetail<'a>,
    pub status: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail<'a> {
    pub message: &'a str,
    /// Every field problem, on validation errors only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<&'a FieldErrors>,
}

/// Every reason a chat request was not served, in the chat server's error envelope.
pub(crate) fn shape(reason: &Reason) -> Json {
    let status = reason.status();
    let errors = match reason {
        Reason::Fields(fields) => Some(fields.as_ref()),
        _ => None,
    };
    let text = app_sentence(reason, Case::Lower);
    let body = Error {
        error: ErrorDetail {
            message: &text,
            errors,
        },
        status,
    };
    Json::new(status, &body)
}

/// A required text field of at most `max` characters.
fn required_at_most(
    fields: &Fields,
    name: &str,
    max: usize,
    errors: &mut FieldErrors,
) -> Option<String> {
    let text = fields.required_text(name, true, errors)?;
    if text.chars().count() <= max {
        Some(text)
    } else {
        errors.add(
            name,
            format!("Ensure this field has no more than {max} characters."),
        );
        None
    }
}

/// `POST login_or_register`: `user_id`, `username`, and optional `password`, `avatar_url`.
pub fn login_or_register(fields: &Fields) -> Result<LoginOrRegister, ServiceError> {
    let mut errors = FieldErrors::default();
    fields.refuse_protected(&mut errors);
    let chat_user_id = required_at_most(fields, "user_id", 255, &mut errors);
    let display_name = required_at_most(fields, "username", 100, &mut errors);
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
        Some(url) if HttpUrl::parse(&url).is_ok() => Some(Some(url)),
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

/// The chat server's `extras` of a user: free-form data its SDKs decode; none is kept, so
/// always `{}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Extras {}

/// A user as `login_or_register` and `user_profile` show one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChatUser<'a> {
    pub user_id: Option<&'a str>,
    pub username: &'a str,
    pub avatar_url: &'a str,
    pub active: bool,
    pub extras: Extras,
}

/// The `results` of `login_or_register` and `user_profile`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UserResults<'a> {
    pub user: ChatUser<'a>,
}

/// The name the chat server shows: the display name, else the username.
fn shown_name<'a>(display_name: Option<&'a str>, username: &'a str) -> &'a str {
    display_name.unwrap_or(username)
}

pub fn user(user: &User) -> UserResults<'_> {
    UserResults {
        user: ChatUser {
            user_id: user.chat_user_id.as_deref(),
            username: shown_name(user.display_name.as_deref(), user.username.as_str()),
            avatar_url: user.avatar.as_str(),
            active: user.is_active,
            extras: Extras {},
        },
    }
}

/// The `user_id` query parameter of `user_profile`.
pub fn user_id_param(query: &Query) -> Result<String, ServiceError> {
    query
        .non_blank("user_id")
        .map(str::to_owned)
        .ok_or_else(|| ServiceError::invalid("user_id", "This field is required."))
}

/// `page` (from 1) and `limit` (1–100; anything else becomes 100) of `get_user_list`.
fn page_and_limit(query: &Query) -> Result<(usize, usize), ServiceError> {
    let page = match query.number::<usize>("page") {
        Ok(None) => 1,
        Ok(Some(page)) if page > 0 => page,
        _ => {
            return Err(ServiceError::invalid(
                "page",
                "A positive integer is required.",
            ))
        }
    };
    let limit = query
        .number::<usize>("limit")
        .ok()
        .flatten()
        .filter(|l| (1..=100).contains(l))
        .unwrap_or(100);
    Ok((page, limit))
}

/// `start_time` and `end_time` of the unread routes (`YYYY-MM-DD hh:mm:ss`, UTC; RFC 3339 is
/// taken too); either may be absent.
pub fn unread_window(query: &Query) -> Result<Window, ServiceError> {
    let mut errors = FieldErrors::default();
    let mut time = |name: &str| match query.non_blank(name) {
        None => None,
        Some(text) => {
            let parsed =
                Timestamp::parse_date_time(text).or_else(|| Timestamp::parse_rfc3339(text));
            if parsed.is_none() {
                errors.add(name, "Use the format YYYY-MM-DD hh:mm:ss.");
            }
            parsed
        }
    };
    let (from, to) = (time("start_time"), time("end_time"));
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    Window::of(from, to)
}

/// `get_unread_users`: `page`, `limit` (1–100, else 100) and the window.
pub fn unread_users_params(query: &Query) -> Result<(usize, usize, Window), ServiceError> {
    let (page, limit) = page_and_limit(query)?;
    Ok((page, limit, unread_window(query)?))
}

/// Most users one `get_user_unread_count` names.
pub const MAX_UNREAD_USERS: usize = 100;

/// `get_user_unread_count`: `user_ids` (repeated, or `user_ids[]` as the Go SDK sends them),
/// required, and the window.
pub fn unread_count_params(query: &Query) -> Result<(Vec<String>, Window), ServiceError> {
    let mut ids: Vec<String> = Vec::new();
    for id in query.all("user_ids").chain(query.all("user_ids[]")) {
        for part in id.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if !ids.iter().any(|known| known == part) {
                ids.push(part.to_owned());
            }
        }
    }
    if ids.is_empty() {
        return Err(ServiceError::invalid("user_ids", "This field is required."));
    }
    if ids.len() > MAX_UNREAD_USERS {
        return Err(ServiceError::invalid(
            "user_ids",
            &format!("at most {MAX_UNREAD_USERS} user ids"),
        ));
    }
    Ok((ids, unread_window(query)?))
}

/// `{"user_ids": [...]}` of `get_unread_users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UnreadUsers {
    pub user_ids: Vec<String>,
}

/// `{"user_unread_count": [{"unread_count", "user_id"}]}` of `get_user_unread_count`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UnreadCounts {
    pub user_unread_count: Vec<UnreadCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UnreadCount {
    pub unread_count: u64,
    pub user_id: String,
}

pub fn unread_counts(counts: Vec<(String, u64)>) -> UnreadCounts {
    UnreadCounts {
        user_unread_count: counts
            .into_iter()
            .map(|(user_id, unread_count)| UnreadCount {
                unread_count,
                user_id,
            })
            .collect(),
    }
}

/// `get_user_list`: `page`, `limit` and `order_query` (`created_at` or `username`, `asc` or
/// `desc`, `nulls first|last` accepted).
pub fn list_params(query: &Query) -> Result<(usize, usize, DirectoryOrder, bool), ServiceError> {
    let (page, limit) = page_and_limit(query)?;
    let order_query = query
        .get("order_query")
        .unwrap_or_default()
        .trim()
        .to_lowercase();
    let bad_order = || {
        ServiceError::invalid(
            "order_query",
            "Allowed: created_at or username, asc or desc.",
        )
    };
    let words: Vec<&str> = order_query.split_whitespace().collect();
    let (field, rest) = words
        .split_first()
        .map(|(f, r)| (*f, r))
        .unwrap_or(("created_at", &[]));
    let order = match field {
        "created_at" | "id" => DirectoryOrder::SignUp,
        "username" | "name" => DirectoryOrder::Username,
        _ => return Err(bad_order()),
    };
    let descending = match rest {
        [] | ["asc", ..] | ["nulls", ..] => false,
        ["desc", ..] => true,
        _ => return Err(bad_order()),
    };
    let tail_ok = matches!(
        rest,
        [] | [_] | [_, "nulls", "first" | "last"] | ["nulls", "first" | "last"]
    );
    if !tail_ok {
        return Err(bad_order());
    }
    Ok((page, limit, order, descending))
}

/// One entry of `get_user_list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ListEntry<'a> {
    pub avatar_url: &'a str,
    pub created_at: String,
    pub email: &'a str,
    pub id: u64,
    pub name: &'a str,
    pub updated_at: String,
    pub username: &'a str,
    /// A listed user is active: the directory lists no one else.
    pub active: bool,
    pub extras: Extras,
}

pub fn list_entry(user: &UserSummary) -> ListEntry<'_> {
    let name = shown_name(user.display_name.as_deref(), user.username.as_str());
    ListEntry {
        avatar_url: user.avatar.as_str(),
        created_at: user.created_at.to_rfc3339(),
        email: user.email_text(),
        id: user.id.get(),
        name,
        updated_at: user.updated_at.to_rfc3339(),
        username: name,
        active: true,
        extras: Extras {},
    }
}

/// The `results` of `get_user_list`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct UserList<'a> {
    pub meta: ListMeta,
    pub users: Vec<ListEntry<'a>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ListMeta {
    pub total_data: u64,
    pub total_page: u64,
}

/// `limit` is what [`list_params`] returned (at least 1).
pub fn user_list(users: &[UserSummary], total: u64, limit: usize) -> UserList<'_> {
    UserList {
        meta: ListMeta {
            total_data: total,
            total_page: crate::service::paging::page_count(total, limit),
        },
        users: users.iter().map(list_entry).collect(),
    }
}

// --- user administration, as the chat server's Go SDK calls it -------------------------------

/// `{"user_id": ...}` of `reset_user_token`.
pub fn user_id_field(fields: &Fields) -> Result<String, ServiceError> {
    let mut errors = FieldErrors::default();
    let user_id = fields.required_text("user_id", true, &mut errors);
    errors.finish(user_id)
}

/// `{"user_ids": [...]}` of `deactivate_users` and `reactivate_users`: a JSON list of chat ids.
pub fn user_ids(fields: &Fields) -> Result<Vec<String>, ServiceError> {
    let refused = || ServiceError::invalid("user_ids", "Expected a list of user ids.");
    let Some(serde_json::Value::Array(items)) = fields.get("user_ids") else {
        return Err(match fields.get("user_ids") {
            None => ServiceError::invalid("user_ids", "This field is required."),
            Some(_) => refused(),
        });
    };
    items
        .iter()
        .map(|item| match item {
            serde_json::Value::String(id) if !id.trim().is_empty() => Ok(id.trim().to_owned()),
            _ => Err(refused()),
        })
        .collect()
}

/// The `results` of `get_user_token` and `reset_user_token`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TokenResults<'a> {
    pub token: &'a str,
}

pub fn token(token: &str) -> TokenResults<'_> {
    TokenResults { token }
}

/// The `results` of `deactivate_users` and `reactivate_users`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MessageResults {
    pub message: String,
}

pub fn access_changed(active: bool, changed: usize) -> MessageResults {
    let done = if active { "reactivated" } else { "deactivated" };
    MessageResults {
        message: format!("{changed} users {done}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::keys;

    fn request_with(headers: &[(&str, &str)]) -> crate::http::Request {
        let mut builder = lambda_http::http::Request::builder().uri("/api/v2.1/rest/x");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        builder.body(lambda_http::Body::Empty).unwrap()
    }

    fn ann() -> User {
        crate::contracts::sample_user(1)
    }

    #[test]
    fn credentials_are_read_from_the_go_sdk_header_spelling() {
        let request = request_with(&[("Qiscus_sdk_app_id", "app"), ("Qiscus_sdk_secret", "s")]);
        assert_eq!(APP_HEADERS.read(&request), (Some("app"), Some("s")));
    }

    #[test]
    fn credentials_are_read_from_hyphenated_and_upper_case_names() {
        let request = request_with(&[("QISCUS-SDK-APP-ID", "app"), ("Qiscus-Sdk-Secret", "s")]);
        assert_eq!(APP_HEADERS.read(&request), (Some("app"), Some("s")));
        let request = request_with(&[("QISCUS_SDK_APP_ID", "app"), ("QISCUS_SDK_SECRET", "s")]);
        assert_eq!(APP_HEADERS.read(&request), (Some("app"), Some("s")));
    }

    #[test]
    fn a_user_carries_active_and_empty_extras() {
        let body = serde_json::to_value(user(&ann())).unwrap();
        assert_eq!(
            keys(&body["user"]),
            ["active", "avatar_url", "extras", "user_id", "username"]
        );
        assert_eq!(body["user"]["active"], true);
        assert_eq!(body["user"]["extras"], serde_json::json!({}));
    }

    #[test]
    fn a_list_has_meta_and_users_with_active_and_extras() {
        let users = [ann().summary()];
        let body = user_list(&users, 3, 2);
        assert_eq!(keys(&body), ["meta", "users"]);
        assert_eq!(keys(&body.meta), ["total_data", "total_page"]);
        assert_eq!(body.meta.total_page, 2);
        assert_eq!(
            keys(&body.users[0]),
            [
                "active",
                "avatar_url",
                "created_at",
                "email",
                "extras",
                "id",
                "name",
                "updated_at",
                "username"
            ]
        );
    }

    #[test]
    fn the_envelope_and_error_have_their_keys() {
        assert_eq!(
            keys(&Envelope {
                results: 1,
                status: 200
            }),
            ["results", "status"]
        );
        let error = Error {
            error: ErrorDetail {
                message: "x",
                errors: None,
            },
            status: 404,
        };
        assert_eq!(keys(&error), ["error", "status"]);
        assert_eq!(keys(&error.error), ["message"]);
    }

    #[test]
    fn list_params_default_clamp_and_refuse() {
        let parsed = list_params(&Query::parse("")).unwrap();
        assert_eq!(parsed, (1, 100, DirectoryOrder::SignUp, false));
        let parsed =
            list_params(&Query::parse("page=2&limit=500&order_query=username+desc")).unwrap();
        assert_eq!(parsed, (2, 100, DirectoryOrder::Username, true));
        assert!(list_params(&Query::parse("page=0")).is_err());
        assert!(list_params(&Query::parse("order_query=email")).is_err());
    }
}
