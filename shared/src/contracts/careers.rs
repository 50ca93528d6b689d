//! The careers contract (`/careers/users/...`): Django REST framework with simplejwt.

use crate::domain::UserSummary;
use crate::domain::{Avatar, Bio, Email, NewUser, Password, PersonName, User, Username};
use crate::http::body::Fields;
use crate::service::directory::{ListQuery, Listing, DEFAULT_BATCH, MAX_BATCH};
use crate::service::profiles::ProfileChanges;
use crate::service::sessions::{LoginName, Tokens};
use crate::service::{FieldErrors, ServiceError};
use crate::store::{DirectoryOrder, FollowEdge};
use serde_json::{json, Value};

/// `POST /careers/users/register/`: every field checked, every problem reported at once.
pub fn new_user(fields: &Fields) -> Result<NewUser, ServiceError> {
    let mut errors = FieldErrors::default();
    fields.refuse_protected(&mut errors);
    let username = fields
        .required_text("username", true, &mut errors)
        .and_then(|v| errors.check("username", Username::parse(&v)));
    let email = fields
        .required_text("email", true, &mut errors)
        .and_then(|v| errors.check("email", Email::parse(&v)));
    let password_text = fields.required_text("password", false, &mut errors);
    let confirm_text = fields.required_text("password_confirm", false, &mut errors);
    let password = password_text
        .as_deref()
        .and_then(|v| errors.check("password", Password::parse_new(v)));
    if let (Some(p), Some(c)) = (&password_text, &confirm_text) {
        if p != c {
            errors.add("password_confirm", "Password fields didn't match.");
        }
    }
    let first_name = fields
        .optional_text("first_name", &mut errors)
        .and_then(|v| errors.check("first_name", PersonName::parse(&v)));
    let last_name = fields
        .optional_text("last_name", &mut errors)
        .and_then(|v| errors.check("last_name", PersonName::parse(&v)));
    let bio = fields
        .optional_text("bio", &mut errors)
        .and_then(|v| errors.check("bio", Bio::parse(&v)));

    match (username, email, password, first_name, last_name, bio) {
        (
            Some(username),
            Some(email),
            Some(password),
            Some(first_name),
            Some(last_name),
            Some(bio),
        ) if errors.is_empty() => Ok(NewUser {
            username,
            email,
            password,
            first_name,
            last_name,
            bio,
        }),
        _ => Err(ServiceError::Invalid(errors)),
    }
}

/// `POST /careers/users/login/`: `username` (or `email`) and `password`.
pub fn login(fields: &Fields) -> Result<(LoginName, Password), ServiceError> {
    let mut errors = FieldErrors::default();
    let name = if fields.contains("username") || !fields.contains("email") {
        fields
            .required_text("username", true, &mut errors)
            .map(LoginName::Username)
    } else {
        fields
            .required_text("email", true, &mut errors)
            .map(LoginName::Email)
    };
    let password = fields
        .required_text("password", false, &mut errors)
        .and_then(|v| errors.check("password", Password::parse_attempt(&v)));
    match (name, password) {
        (Some(name), Some(password)) if errors.is_empty() => Ok((name, password)),
        _ => Err(ServiceError::Invalid(errors)),
    }
}

/// `refresh` of the token refresh body: required.
pub fn refresh_token(fields: &Fields) -> Result<String, ServiceError> {
    let mut errors = FieldErrors::default();
    fields
        .required_text("refresh", true, &mut errors)
        .ok_or(ServiceError::Invalid(errors))
}

/// `refresh` of the logout body: optional, but not blank or of the wrong type if given.
pub fn optional_refresh_token(fields: &Fields) -> Result<Option<String>, ServiceError> {
    if fields.contains("refresh") {
        refresh_token(fields).map(Some)
    } else {
        Ok(None)
    }
}

/// The 201 body of a sign-up.
pub fn registered(user: &User, tokens: &Tokens) -> Value {
    json!({
        "user": {
            "id": user.id.get(),
            "username": user.username,
            "email": user.email_text(),
            "first_name": user.first_name,
            "last_name": user.last_name,
            "bio": user.bio,
            "created_at": user.created_at.to_rfc3339(),
        },
        "access": tokens.access,
        "refresh": tokens.refresh.expose(),
    })
}

/// The 200 body of a sign-in.
pub fn logged_in(user: &User, tokens: &Tokens) -> Value {
    json!({
        "user": {
            "id": user.id.get(),
            "username": user.username,
            "email": user.email_text(),
            "first_name": user.first_name,
            "last_name": user.last_name,
        },
        "access": tokens.access,
        "refresh": tokens.refresh.expose(),
    })
}

/// The 200 body of a token refresh: the new access token and the rotated refresh token.
pub fn refreshed(tokens: &Tokens) -> Value {
    json!({ "access": tokens.access, "refresh": tokens.refresh.expose() })
}

/// `GET /careers/users/me/`: the caller's own profile, e-mail included.
pub fn me(user: &User) -> Value {
    json!({
        "id": user.id.get(),
        "username": user.username,
        "email": user.email_text(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "bio": user.bio,
        "avatar": user.avatar,
        "created_at": user.created_at.to_rfc3339(),
        "updated_at": user.updated_at.to_rfc3339(),
        "posts_count": user.posts_count,
        "followers_count": user.followers_count,
        "following_count": user.following_count,
    })
}

// --- directory, profiles, follows ---------------------------------------------------------

fn number(
    query: &[(String, String)],
    name: &str,
    default: usize,
    errors: &mut FieldErrors,
) -> usize {
    match query.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim()) {
        None | Some("") => default,
        Some(text) => text.parse().unwrap_or_else(|_| {
            errors.add(name, "A valid integer is required.");
            default
        }),
    }
}

fn text_param(query: &[(String, String)], name: &str) -> Option<String> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

/// `GET /careers/users/?search=&first_name=&last_name=&ordering=&batch_size=&batch_number=`.
pub fn list_query(query: &[(String, String)]) -> Result<(ListQuery, usize, usize), ServiceError> {
    let mut errors = FieldErrors::default();
    let batch_size = number(query, "batch_size", DEFAULT_BATCH, &mut errors);
    if !(1..=MAX_BATCH).contains(&batch_size) {
        errors.add(
            "batch_size",
            format!("Ensure this value is between 1 and {MAX_BATCH}."),
        );
    }
    let batch_number = number(query, "batch_number", 0, &mut errors);
    let ordering = text_param(query, "ordering").unwrap_or_default();
    let (descending, field) = match ordering.trim().strip_prefix('-') {
        Some(field) => (true, field.to_owned()),
        None => (false, ordering.trim().to_owned()),
    };
    let order = match field.as_str() {
        "" | "created_at" => DirectoryOrder::SignUp,
        "username" => DirectoryOrder::Username,
        "first_name" => DirectoryOrder::FirstName,
        "last_name" => DirectoryOrder::LastName,
        other => {
            errors.add("ordering", format!("\"{other}\" is not an allowed ordering: username, created_at, first_name, last_name."));
            DirectoryOrder::SignUp
        }
    };
    if !errors.is_empty() {
        return Err(ServiceError::Invalid(errors));
    }
    let list = ListQuery {
        search: text_param(query, "search"),
        first_name: text_param(query, "first_name"),
        last_name: text_param(query, "last_name"),
        order,
        descending,
        skip: batch_number.saturating_mul(batch_size),
        take: batch_size,
    };
    Ok((list, batch_size, batch_number))
}

pub fn person(user: &UserSummary, is_following: bool) -> Value {
    json!({
        "id": user.id.get(),
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "avatar": user.avatar,
        "is_following": is_following,
    })
}

pub fn listing(listing: &Listing, batch_size: usize, batch_number: usize) -> Value {
    let users: Vec<Value> = listing
        .users
        .iter()
        .map(|(u, follows)| person(u, *follows))
        .collect();
    json!({
        "message": "Users retrieved successfully",
        "batch_info": {
            "current_batch": batch_number,
            "batch_size": batch_size,
            "total_users": listing.total,
            "total_batches": listing.total.div_ceil(batch_size as u64),
            "users_in_current_batch": users.len(),
        },
        "users": users,
    })
}

/// `GET /careers/users/{username}/`: public, no e-mail.
pub fn public_profile(user: &User) -> Value {
    json!({
        "id": user.id.get(),
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "bio": user.bio,
        "avatar": user.avatar,
        "created_at": user.created_at.to_rfc3339(),
        "posts_count": user.posts_count,
        "followers_count": user.followers_count,
        "following_count": user.following_count,
    })
}

pub fn stats(user: &User) -> Value {
    json!({
        "posts_count": user.posts_count,
        "followers_count": user.followers_count,
        "following_count": user.following_count,
        "likes_received": user.likes_received,
        "comments_received": user.comments_received,
    })
}

pub fn follow_edge(edge: &FollowEdge) -> Value {
    json!({
        "id": edge.follow_id,
        "follower": edge.follower,
        "following": edge.following,
        "follower_username": edge.follower_username,
        "following_username": edge.following_username,
        "created_at": edge.created_at.to_rfc3339(),
    })
}

/// `POST /careers/users/follow/`: `username`.
pub fn follow_target(fields: &Fields) -> Result<String, ServiceError> {
    let mut errors = FieldErrors::default();
    fields
        .required_text("username", true, &mut errors)
        .ok_or(ServiceError::Invalid(errors))
}

/// `PATCH /careers/users/me/update/`: any subset of first_name, last_name, bio, avatar, email.
pub fn profile_changes(fields: &Fields) -> Result<ProfileChanges, ServiceError> {
    let mut errors = FieldErrors::default();
    fields.refuse_protected(&mut errors);
    if fields.contains("username") {
        errors.add("username", "This field cannot be changed.");
    }
    let mut changes = ProfileChanges::default();
    if let Some(v) = fields.given_text("first_name", &mut errors) {
        changes.first_name = errors.check("first_name", PersonName::parse(&v));
    }
    if let Some(v) = fields.given_text("last_name", &mut errors) {
        changes.last_name = errors.check("last_name", PersonName::parse(&v));
    }
    if let Some(v) = fields.given_text("bio", &mut errors) {
        changes.bio = errors.check("bio", Bio::parse(&v));
    }
    if let Some(v) = fields.given_text("avatar", &mut errors) {
        changes.avatar = errors.check("avatar", Avatar::parse(&v));
    }
    if fields.contains("email") {
        changes.email = fields
            .required_text("email", true, &mut errors)
            .and_then(|v| errors.check("email", Email::parse(&v)));
    }
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

/// The 200 body of a profile update.
pub fn updated(user: &User) -> Value {
    json!({
        "id": user.id.get(),
        "username": user.username,
        "email": user.email_text(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "bio": user.bio,
        "avatar": user.avatar,
        "updated_at": user.updated_at.to_rfc3339(),
    })
}

/// `?page=` of the follow lists, from 1; `None` for a page DRF's pagination would refuse
/// (not a positive number).
pub fn page(query: &[(String, String)]) -> Option<usize> {
    match query
        .iter()
        .find(|(k, _)| k == "page")
        .map(|(_, v)| v.trim())
    {
        None | Some("") => Some(1),
        Some(text) => text.parse::<usize>().ok().filter(|p| *p > 0),
    }
}

/// DRF's answer to a page that does not exist.
pub fn invalid_page() -> crate::http::HttpResponse {
    crate::http::drf::detail(404, "Invalid page.")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(value: Value) -> Fields {
        Fields::from_map(value.as_object().unwrap().clone())
    }

    fn errors_of(result: Result<NewUser, ServiceError>) -> Value {
        match result {
            Err(ServiceError::Invalid(errors)) => errors.to_json(),
            other => panic!("expected field errors, got {other:?}"),
        }
    }

    #[test]
    fn a_complete_sign_up_parses() {
        let parsed = new_user(&fields(json!({
            "username": "alice", "email": "alice@example.com",
            "password": "password123", "password_confirm": "password123",
            "first_name": "Alice", "last_name": "Smith", "bio": "Hi"
        })))
        .unwrap();
        assert_eq!(parsed.username.as_str(), "alice");
        assert_eq!(parsed.first_name.as_str(), "Alice");
    }

    #[test]
    fn every_missing_field_is_reported_at_once() {
        let errors = errors_of(new_user(&fields(json!({}))));
        for field in ["username", "email", "password", "password_confirm"] {
            assert_eq!(errors[field], json!(["This field is required."]), "{field}");
        }
    }

    #[test]
    fn mismatched_confirmation_is_reported_on_password_confirm() {
        let errors = errors_of(new_user(&fields(json!({
            "username": "alice", "email": "alice@example.com",
            "password": "password123", "password_confirm": "password124"
        }))));
        assert_eq!(
            errors["password_confirm"],
            json!(["Password fields didn't match."])
        );
    }

    #[test]
    fn protected_fields_are_refused() {
        let errors = errors_of(new_user(&fields(json!({
            "username": "alice", "email": "alice@example.com",
            "password": "password123", "password_confirm": "password123",
            "is_staff": true, "id": 1
        }))));
        assert_eq!(errors["is_staff"], json!(["This field cannot be set."]));
        assert_eq!(errors["id"], json!(["This field cannot be set."]));
    }
}
