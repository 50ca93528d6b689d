//! The careers contract (`/careers/users/...`): Django REST framework with simplejwt.

use crate::domain::{Bio, Email, NewUser, Password, PersonName, User, Username};
use crate::http::body::Fields;
use crate::service::sessions::{LoginName, Tokens};
use crate::service::{FieldErrors, ServiceError};
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
            "email": user.email,
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
            "email": user.email,
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
        "email": user.email,
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
