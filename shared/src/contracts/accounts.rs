//! The accounts contract (`/api/v1/accounts/users/...`, seed 002): Django REST framework.
//! Sign-up creates an unverified user and e-mails a one-time code.

use crate::domain::{
    Address, Birthday, CountryCode, Email, Gender, HttpUrl, Password, PersonName, Phone, User,
};
use crate::http::body::Fields;
use crate::service::accounts::NewAccount;
use crate::service::profiles::ProfileChanges;
use crate::service::{FieldErrors, ServiceError};
use serde_json::{json, Value};

pub const CODE_SENT: &str = "Email sent successfully!";
pub const CODE_NOT_SENT: &str =
    "Account created, but the email could not be sent; request a new code.";
pub const VERIFIED: &str = "Email verified successfully!";

fn optional<T>(
    fields: &Fields,
    name: &str,
    errors: &mut FieldErrors,
    parse: impl Fn(&str) -> Result<T, crate::domain::Invalid>,
) -> Option<Option<T>> {
    let text = fields.optional_text(name, errors)?;
    if text.is_empty() {
        return Some(None);
    }
    errors.check(name, parse(&text)).map(Some)
}

/// `POST /api/v1/accounts/users/`.
pub fn new_account(fields: &Fields) -> Result<NewAccount, ServiceError> {
    let mut errors = FieldErrors::default();
    fields.refuse_protected(&mut errors);
    let email = fields
        .required_text("email", true, &mut errors)
        .and_then(|v| errors.check("email", Email::parse(&v)));
    let password_text = fields.required_text("password", false, &mut errors);
    let confirm_text = fields.required_text("confirm_password", false, &mut errors);
    let password = password_text
        .as_deref()
        .and_then(|v| errors.check("password", Password::parse_new(v)));
    if let (Some(p), Some(c)) = (&password_text, &confirm_text) {
        if p != c {
            errors.add("confirm_password", "Password fields didn't match.");
        }
    }
    let first_name = optional(fields, "first_name", &mut errors, PersonName::parse);
    let last_name = optional(fields, "last_name", &mut errors, PersonName::parse);
    let phone = optional(fields, "phone", &mut errors, Phone::parse);
    let gender = optional(fields, "gender", &mut errors, Gender::parse);
    let country = optional(fields, "country", &mut errors, CountryCode::parse);
    match (
        email, password, first_name, last_name, phone, gender, country,
    ) {
        (
            Some(email),
            Some(password),
            Some(first_name),
            Some(last_name),
            Some(phone),
            Some(gender),
            Some(country),
        ) if errors.is_empty() => Ok(NewAccount {
            username_seed: email.as_str().to_owned(),
            email: Some(email),
            password: Some(password),
            first_name: first_name.unwrap_or_default(),
            last_name: last_name.unwrap_or_default(),
            phone,
            gender,
            country,
            email_verified: false,
            ..NewAccount::new("")
        }),
        _ => Err(ServiceError::Invalid(errors)),
    }
}

/// The `email` field of the verify and resend bodies.
pub fn email(fields: &Fields) -> Result<Email, ServiceError> {
    let mut errors = FieldErrors::default();
    let email = fields
        .required_text("email", true, &mut errors)
        .and_then(|v| errors.check("email", Email::parse(&v)));
    email
        .filter(|_| errors.is_empty())
        .ok_or(ServiceError::Invalid(errors))
}

/// The verify body: `email` and `code`.
pub fn verification(fields: &Fields) -> Result<(Email, String), ServiceError> {
    let mut errors = FieldErrors::default();
    let email = fields
        .required_text("email", true, &mut errors)
        .and_then(|v| errors.check("email", Email::parse(&v)));
    let code = fields.required_text("code", true, &mut errors);
    match (email, code) {
        (Some(email), Some(code)) if errors.is_empty() => Ok((email, code)),
        _ => Err(ServiceError::Invalid(errors)),
    }
}

/// The `data` of a sign-up reply.
pub fn created(user: &User) -> Value {
    json!({
        "id": user.id.get(),
        "email": user.email_text(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "gender": user.gender,
        "country": user.country,
        "created_at": user.created_at.to_rfc3339(),
        "updated_at": user.updated_at.to_rfc3339(),
    })
}

/// `GET /api/v1/accounts/users/<pk>/`.
pub fn detail(user: &User) -> Value {
    json!({
        "id": user.id.get(),
        "email": user.email_text(),
        "first_name": user.first_name,
        "last_name": user.last_name,
        "phone": user.phone,
        "photo": user.photo,
        "address": user.address,
        "gender": user.gender,
        "country": user.country,
        "birthday": user.birthday,
        "has_initial_profile": has_initial_profile(user),
        "created_at": user.created_at.to_rfc3339(),
        "updated_at": user.updated_at.to_rfc3339(),
    })
}

/// Whether the user has filled in what the accounts app asks for on first use.
pub fn has_initial_profile(user: &User) -> bool {
    !user.first_name.is_empty()
        && !user.last_name.is_empty()
        && [
            user.phone.as_deref(),
            user.gender.as_deref(),
            user.country.as_deref(),
            user.birthday.as_deref(),
        ]
        .iter()
        .all(|v| v.is_some_and(|v| !v.is_empty()))
}

/// `PATCH /api/v1/accounts/users/<pk>/`: any subset; an empty optional field clears it.
pub fn changes(fields: &Fields) -> Result<ProfileChanges, ServiceError> {
    let mut errors = FieldErrors::default();
    fields.refuse_protected(&mut errors);
    let mut changes = ProfileChanges::default();
    if fields.contains("email") {
        changes.email = fields
            .required_text("email", true, &mut errors)
            .and_then(|v| errors.check("email", Email::parse(&v)));
    }
    if fields.contains("first_name") {
        changes.first_name = optional(fields, "first_name", &mut errors, PersonName::parse)
            .map(Option::unwrap_or_default);
    }
    if fields.contains("last_name") {
        changes.last_name = optional(fields, "last_name", &mut errors, PersonName::parse)
            .map(Option::unwrap_or_default);
    }
    // A field given empty clears it; a field not given stays as it is.
    macro_rules! clearable {
        ($name:literal, $parse:path) => {
            if fields.contains($name) {
                optional(fields, $name, &mut errors, $parse)
            } else {
                None
            }
        };
    }
    changes.phone = clearable!("phone", Phone::parse);
    changes.gender = clearable!("gender", Gender::parse);
    changes.country = clearable!("country", CountryCode::parse);
    changes.photo = clearable!("photo", HttpUrl::parse);
    changes.address = clearable!("address", Address::parse);
    changes.birthday = clearable!("birthday", Birthday::parse);
    if errors.is_empty() {
        Ok(changes)
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

/// DRF shapes, but the contract's own `{"error": "User not found"}` for a missing user.
pub fn render(failure: &crate::http::Failure) -> crate::http::HttpResponse {
    match failure {
        crate::http::Failure::Service(ServiceError::NotFound) => {
            crate::http::response::json(404, &json!({ "error": "User not found" }))
        }
        other => crate::http::drf::render(other),
    }
}
