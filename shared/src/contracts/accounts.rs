//! The accounts contract (`/api/v1/accounts/users/...`, seed 002): Django REST framework.
//! Sign-up creates an unverified user and e-mails a one-time code.

use crate::domain::{
    Address, Birthday, CountryCode, Email, Gender, HttpUrl, PersonName, Phone, User,
};
use crate::http::body::Fields;
use crate::http::dialect::Reason;
use crate::http::response::Json;
use crate::service::accounts::NewAccount;
use crate::service::profiles::ProfileChanges;
use crate::service::verification::Sent;
use crate::service::{FieldErrors, ServiceError};
use serde::Serialize;

pub const CODE_SENT: &str = "Email sent successfully!";
pub const CODE_NOT_SENT: &str =
    "Account created, but the email could not be sent; request a new code.";
pub const VERIFIED: &str = "Email verified successfully!";

/// `POST /api/v1/accounts/users/`.
pub fn new_account(fields: &Fields) -> Result<NewAccount, ServiceError> {
    let mut errors = FieldErrors::default();
    fields.refuse_protected(&mut errors);
    let email = fields.required_email("email", &mut errors);
    let password = fields.new_password("password", "confirm_password", &mut errors);
    let first_name = fields.maybe_empty("first_name", &mut errors, PersonName::parse);
    let last_name = fields.maybe_empty("last_name", &mut errors, PersonName::parse);
    let phone = fields.maybe_empty("phone", &mut errors, Phone::parse);
    let gender = fields.maybe_empty("gender", &mut errors, Gender::parse);
    let country = fields.maybe_empty("country", &mut errors, CountryCode::parse);
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
    let email = fields.required_email("email", &mut errors);
    errors.finish(email)
}

/// The verify body: `email` and `code`.
pub fn verification(fields: &Fields) -> Result<(Email, String), ServiceError> {
    let mut errors = FieldErrors::default();
    let email = fields.required_email("email", &mut errors);
    let code = fields.required_text("code", true, &mut errors);
    errors.finish(email.zip(code))
}

/// A user as the accounts contract shows one: the `data` of a sign-up and the body of an
/// update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Created<'a> {
    pub id: u64,
    pub email: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub phone: Option<&'a str>,
    pub gender: Option<&'a str>,
    pub country: Option<&'a str>,
    pub created_at: String,
    pub updated_at: String,
}

pub fn created(user: &User) -> Created<'_> {
    Created {
        id: user.id.get(),
        email: user.email_text(),
        first_name: user.first_name.as_str(),
        last_name: user.last_name.as_str(),
        phone: user.phone.as_deref(),
        gender: user.gender.as_deref(),
        country: user.country.as_deref(),
        created_at: user.created_at.to_rfc3339(),
        updated_at: user.updated_at.to_rfc3339(),
    }
}

/// `GET /api/v1/accounts/users/<pk>/`: everything of [`Created`], and the rest of the profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Detail<'a> {
    #[serde(flatten)]
    pub created: Created<'a>,
    pub photo: Option<&'a str>,
    pub address: Option<&'a str>,
    pub birthday: Option<&'a str>,
    pub has_initial_profile: bool,
}

pub fn detail(user: &User) -> Detail<'_> {
    Detail {
        created: created(user),
        photo: user.photo.as_deref(),
        address: user.address.as_deref(),
        birthday: user.birthday.as_deref(),
        has_initial_profile: has_initial_profile(user),
    }
}

/// Whether the user has filled in what the accounts app asks for on first use.
pub fn has_initial_profile(user: &User) -> bool {
    [
        Some(user.first_name.as_str()),
        Some(user.last_name.as_str()),
        user.phone.as_deref(),
        user.gender.as_deref(),
        user.country.as_deref(),
        user.birthday.as_deref(),
    ]
    .iter()
    .all(|v| v.is_some_and(|v| !v.is_empty()))
}

/// `{"msg": ...}`, and the new user after a sign-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Msg<'a> {
    pub msg: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Created<'a>>,
}

/// The 201 body of `POST /api/v1/accounts/users/`: whether the code went out, and the user.
pub fn signed_up(user: &User, sent: Sent) -> Msg<'_> {
    let msg = match sent {
        Sent::Published => CODE_SENT,
        Sent::NotPublished => CODE_NOT_SENT,
    };
    Msg {
        msg,
        data: Some(created(user)),
    }
}

/// `POST /api/v1/accounts/users/verify/`.
pub fn verified() -> Msg<'static> {
    Msg {
        msg: VERIFIED,
        data: None,
    }
}

/// `POST /api/v1/accounts/users/resend-code/`.
pub fn code_sent() -> Msg<'static> {
    Msg {
        msg: CODE_SENT,
        data: None,
    }
}

/// `PATCH /api/v1/accounts/users/<pk>/`: any subset; an empty optional field clears it.
pub fn changes(fields: &Fields) -> Result<ProfileChanges, ServiceError> {
    let mut errors = FieldErrors::default();
    fields.refuse_protected(&mut errors);
    let mut changes = ProfileChanges::default();
    if fields.contains("email") {
        changes.email = fields.required_email("email", &mut errors);
    }
    changes.first_name = fields
        .clearable("first_name", &mut errors, PersonName::parse)
        .map(Option::unwrap_or_default);
    changes.last_name = fields
        .clearable("last_name", &mut errors, PersonName::parse)
        .map(Option::unwrap_or_default);
    // A field given empty clears it; a field not given stays as it is.
    changes.phone = fields.clearable("phone", &mut errors, Phone::parse);
    changes.gender = fields.clearable("gender", &mut errors, Gender::parse);
    changes.country = fields.clearable("country", &mut errors, CountryCode::parse);
    changes.photo = fields.clearable("photo", &mut errors, HttpUrl::parse);
    changes.address = fields.clearable("address", &mut errors, Address::parse);
    changes.birthday = fields.clearable("birthday", &mut errors, Birthday::parse);
    errors.finish(Some(changes))
}

/// The accounts document's own body for a missing user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Error<'a> {
    pub error: &'a str,
}

/// DRF shapes, but the contract's own `{"error": "User not found"}` for a missing user.
pub(crate) fn shape(reason: &Reason) -> Json {
    match reason {
        Reason::NotFound | Reason::Missing(_) => Json::new(
            reason.status(),
            &Error {
                error: "User not found",
            },
        ),
        other => crate::http::drf::shape(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::keys;
    use crate::http::{Dialect, Failure};

    fn ann() -> User {
        crate::contracts::sample_user(1)
    }

    const CREATED_KEYS: [&str; 9] = [
        "country",
        "created_at",
        "email",
        "first_name",
        "gender",
        "id",
        "last_name",
        "phone",
        "updated_at",
    ];

    #[test]
    fn created_has_the_sign_up_keys() {
        assert_eq!(keys(&created(&ann())), CREATED_KEYS);
    }

    #[test]
    fn detail_adds_the_rest_of_the_profile() {
        let mut expected: Vec<&str> = CREATED_KEYS.to_vec();
        expected.extend(["address", "birthday", "has_initial_profile", "photo"]);
        expected.sort_unstable();
        assert_eq!(keys(&detail(&ann())), expected);
    }

    #[test]
    fn a_sign_up_says_whether_the_code_went_out() {
        let user = ann();
        let body = signed_up(&user, Sent::NotPublished);
        assert_eq!(keys(&body), ["data", "msg"]);
        assert_eq!(body.msg, CODE_NOT_SENT);
        assert_eq!(signed_up(&user, Sent::Published).msg, CODE_SENT);
    }

    #[test]
    fn verified_and_code_sent_are_one_message() {
        assert_eq!(keys(&verified()), ["msg"]);
        assert_eq!(verified().msg, VERIFIED);
        assert_eq!(keys(&code_sent()), ["msg"]);
        assert_eq!(code_sent().msg, CODE_SENT);
    }

    #[test]
    fn a_missing_user_is_the_documents_error_body() {
        let response = Dialect::Accounts.render(&Failure::Service(ServiceError::NotFound));
        assert_eq!(response.status().as_u16(), 404);
        let lambda_http::Body::Text(text) = response.body() else {
            panic!("not text")
        };
        assert_eq!(text, r#"{"error":"User not found"}"#);
    }
}
