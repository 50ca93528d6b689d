//! The error dialects: each contract words and shapes every [`Failure`] its own way. A route
//! names its dialect once, in its route row; the dispatcher renders through
//! [`Dialect::render`], the one place that logs a 5xx (with its whole cause chain) and sets the
//! headers every dialect shares (`Retry-After`).

use super::body::BodyError;
use super::response::chain;
use super::{Failure, HttpResponse};
use crate::contracts::{accounts, campaign, chat, push};
use crate::service::social::FollowTarget;
use crate::service::{FieldErrors, FollowRefusal, ServiceError, UniqueField};
use std::borrow::Cow;

/// The contract whose error shapes a route speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// Django REST framework (careers): `{"field": [..]}`, `{"detail": ..}`.
    Drf,
    /// Django REST framework with the accounts document's own `{"error": "User not found"}`.
    Accounts,
    /// The campaign app and backend: `{"error": code, "message": ..}`.
    Campaign,
    /// The chat server: `{"error": {"message": ..}, "status": N}`.
    Chat,
    /// Push (Slim PHP): `{"error": ".."}`.
    Push,
}

impl Dialect {
    /// The response a client of this contract gets for `failure`. A 5xx is logged here, once,
    /// with its cause chain; the client sees no detail.
    pub fn render(self, failure: &Failure) -> HttpResponse {
        match failure {
            Failure::Service(ServiceError::Unexpected(cause)) => {
                tracing::error!(error = %chain(cause.as_ref()), "request failed");
            }
            Failure::Service(ServiceError::Unavailable { cause, .. }) => {
                tracing::warn!(error = %chain(cause), "storage unavailable; answered 503");
            }
            _ => {}
        }
        let reason = Reason::of(failure);
        let response = match self {
            Dialect::Drf => super::drf::shape(&reason),
            Dialect::Accounts => accounts::shape(&reason),
            Dialect::Campaign => campaign::shape(&reason),
            Dialect::Chat => chat::shape(&reason),
            Dialect::Push => push::shape(&reason),
        };
        match reason {
            Reason::RateLimited { retry_after } | Reason::Unavailable { retry_after } => {
                response.retry_after(retry_after)
            }
            _ => response,
        }
        .build()
    }
}

/// Why a request was not served, as every dialect sees it: a body problem, or a service reason
/// with the field-level reasons (validation, taken values, refused follows) gathered into one
/// set of field messages.
#[derive(Debug)]
pub enum Reason<'a> {
    Body(&'a BodyError),
    Fields(Cow<'a, FieldErrors>),
    /// Values another user holds, reported field by field (400, except where a contract says
    /// otherwise: push answers 409).
    Taken(Cow<'a, FieldErrors>),
    /// A request refused for a reason told in one sentence (400).
    Refused(Cow<'a, str>),
    NotAuthenticated,
    InvalidToken,
    InvalidRefreshToken,
    InvalidCredentials,
    PermissionDenied,
    /// The account is banned, until this time or until lifted (403).
    Banned {
        until: Option<crate::clock::Timestamp>,
    },
    NotFound,
    /// Something other than the user is not there (`"Device"`): 404.
    Missing(&'static str),
    InvalidPage,
    RateLimited {
        retry_after: u64,
    },
    /// Storage unreachable or throttled for now (503, with `Retry-After`).
    Unavailable {
        retry_after: u64,
    },
    Unexpected,
}

impl<'a> Reason<'a> {
    pub fn of(failure: &'a Failure) -> Self {
        let error = match failure {
            Failure::Body(error) => return Reason::Body(error),
            Failure::Service(error) => error,
        };
        match error {
            ServiceError::Invalid(errors) => Reason::Fields(Cow::Borrowed(errors)),
            ServiceError::Taken(fields) => {
                let mut errors = FieldErrors::default();
                for field in fields {
                    let (name, message) = taken(*field);
                    errors.add(name, message);
                }
                Reason::Taken(Cow::Owned(errors))
            }
            ServiceError::FollowRefused(FollowRefusal::NotFollowing(username)) => {
                Reason::Refused(Cow::Owned(format!("not following {username}")))
            }
            ServiceError::FollowRefused(refusal) => {
                let mut errors = FieldErrors::default();
                errors.add("following", follow_refused(refusal));
                Reason::Fields(Cow::Owned(errors))
            }
            ServiceError::NotAuthenticated => Reason::NotAuthenticated,
            ServiceError::InvalidToken => Reason::InvalidToken,
            ServiceError::InvalidRefreshToken => Reason::InvalidRefreshToken,
            ServiceError::InvalidCredentials => Reason::InvalidCredentials,
            ServiceError::PermissionDenied => Reason::PermissionDenied,
            ServiceError::Banned { until } => Reason::Banned { until: *until },
            ServiceError::NotFound => Reason::NotFound,
            ServiceError::Missing(what) => Reason::Missing(what),
            ServiceError::InvalidPage => Reason::InvalidPage,
            ServiceError::RateLimited { retry_after } => Reason::RateLimited {
                retry_after: *retry_after,
            },
            ServiceError::Unavailable { retry_after, .. } => Reason::Unavailable {
                retry_after: *retry_after,
            },
            ServiceError::Unexpected(_) => Reason::Unexpected,
        }
    }

    /// The status every contract answers this reason with.
    pub fn status(&self) -> u16 {
        match self {
            Reason::Body(BodyError::TooLarge { .. }) => 413,
            Reason::Body(BodyError::UnsupportedMediaType(_)) => 415,
            Reason::Body(_) | Reason::Fields(_) | Reason::Taken(_) | Reason::Refused(_) => 400,
            Reason::NotAuthenticated
            | Reason::InvalidToken
            | Reason::InvalidRefreshToken
            | Reason::InvalidCredentials => 401,
            Reason::PermissionDenied | Reason::Banned { .. } => 403,
            Reason::NotFound | Reason::Missing(_) | Reason::InvalidPage => 404,
            Reason::RateLimited { .. } => 429,
            Reason::Unavailable { .. } => 503,
            Reason::Unexpected => 500,
        }
    }
}

/// Whether an app contract's fixed sentences start with a capital letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    /// The chat server: `user not found`.
    Lower,
    /// Push: `User not found`.
    Capitalised,
}

/// The one sentence the app (server-to-server) contracts, chat and push, answer a reason with.
/// Field problems and refusals are worded as they come; the fixed sentences in `case`.
pub(crate) fn app_sentence(reason: &Reason, case: Case) -> String {
    let sentence = match reason {
        Reason::Fields(errors) | Reason::Taken(errors) => return errors.first_line(),
        Reason::Refused(sentence) => return sentence.to_string(),
        Reason::Body(BodyError::TooLarge { limit }) => {
            format!("request body is larger than {limit} bytes")
        }
        Reason::Body(BodyError::UnsupportedMediaType(media)) => {
            format!("unsupported media type {media}")
        }
        Reason::Body(other) => format!("malformed request body: {other}"),
        Reason::NotAuthenticated => "missing app credentials".to_owned(),
        Reason::InvalidCredentials | Reason::InvalidToken | Reason::InvalidRefreshToken => {
            "invalid app credentials".to_owned()
        }
        Reason::PermissionDenied => "forbidden".to_owned(),
        Reason::Banned { .. } => banned_sentence(reason),
        Reason::NotFound => "user not found".to_owned(),
        Reason::Missing(what) => format!("{} not found", what.to_lowercase()),
        Reason::InvalidPage => "invalid page".to_owned(),
        Reason::RateLimited { .. } => "too many requests".to_owned(),
        Reason::Unavailable { .. } => "service temporarily unavailable, try again later".to_owned(),
        Reason::Unexpected => "internal server error".to_owned(),
    };
    match case {
        Case::Lower => sentence,
        Case::Capitalised => {
            let mut chars = sentence.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        }
    }
}

/// How every contract tells a banned user so: `This account is banned[ until <time>].`
pub fn banned_sentence(reason: &Reason) -> String {
    match reason {
        Reason::Banned { until: Some(until) } => {
            format!("This account is banned until {}.", until.to_rfc3339())
        }
        _ => "This account is banned.".to_owned(),
    }
}

/// The field and message that report a taken value. Every contract shows Django's words
/// under the field its clients send.
pub fn taken(field: UniqueField) -> (&'static str, &'static str) {
    match field {
        UniqueField::Username => ("username", "A user with that username already exists."),
        UniqueField::Email => ("email", "A user with that email already exists."),
        UniqueField::ChatUserId => ("user_id", "A user with that user_id already exists."),
        UniqueField::Device => ("reference", "A device with that reference already exists."),
        UniqueField::ChannelName => ("name", "A channel with that name already exists."),
        UniqueField::ThemeName => ("name", "A theme with that name already exists."),
        UniqueField::Preference => ("theme", "A preference for that theme already exists."),
    }
}

/// The careers original's words (its follow serializer validates `following`, a user id).
fn follow_refused(refusal: &FollowRefusal) -> String {
    match refusal {
        FollowRefusal::Yourself => "cannot follow yourself".to_owned(),
        FollowRefusal::AlreadyFollowing => "already following this user".to_owned(),
        FollowRefusal::NoSuchUser(FollowTarget::Id(id)) => {
            format!("Invalid pk \"{id}\" - object does not exist.")
        }
        FollowRefusal::NoSuchUser(FollowTarget::Username(name)) => {
            format!("Object with username={name} does not exist.")
        }
        FollowRefusal::NotFollowing(username) => format!("not following {username}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn rendered(dialect: Dialect, error: ServiceError) -> (u16, Value) {
        let response = dialect.render(&Failure::Service(error));
        let status = response.status().as_u16();
        let body = match response.body() {
            lambda_http::Body::Text(text) => serde_json::from_str(text).unwrap(),
            other => panic!("not a text body: {other:?}"),
        };
        (status, body)
    }

    #[test]
    fn chat_and_push_word_fixed_sentences_alike_but_for_the_first_letter() {
        assert_eq!(
            app_sentence(&Reason::NotFound, Case::Lower),
            "user not found"
        );
        assert_eq!(
            app_sentence(&Reason::NotFound, Case::Capitalised),
            "User not found"
        );
    }

    #[test]
    fn taken_values_are_reported_under_their_fields_in_drf_words() {
        let (status, body) = rendered(
            Dialect::Drf,
            ServiceError::Taken(vec![UniqueField::Username, UniqueField::Email]),
        );
        assert_eq!(status, 400);
        assert_eq!(
            body,
            json!({
                "username": ["A user with that username already exists."],
                "email": ["A user with that email already exists."],
            })
        );
    }

    #[test]
    fn a_taken_chat_id_is_reported_on_user_id_in_the_chat_envelope() {
        let (status, body) = rendered(Dialect::Chat, ServiceError::taken(UniqueField::ChatUserId));
        assert_eq!(status, 400);
        assert_eq!(
            body["error"]["message"],
            "user_id: A user with that user_id already exists."
        );
        assert_eq!(body["status"], 400);
    }

    #[test]
    fn a_taken_email_is_one_campaign_validation_error() {
        let (status, body) = rendered(Dialect::Campaign, ServiceError::taken(UniqueField::Email));
        assert_eq!(status, 400);
        assert_eq!(body["error"], "validation_error");
        assert_eq!(body["field"], "email");
        assert_eq!(body["message"], "A user with that email already exists.");
    }

    #[test]
    fn a_taken_email_is_one_push_error_line_and_409() {
        let (status, body) = rendered(Dialect::Push, ServiceError::taken(UniqueField::Email));
        assert_eq!(status, 409);
        assert_eq!(
            body,
            json!({ "error": "email: A user with that email already exists." })
        );
    }

    #[test]
    fn every_push_failure_carries_its_reason_in_x_status_reason() {
        for (error, status) in [
            (ServiceError::NotFound, 404),
            (ServiceError::InvalidCredentials, 401),
            (ServiceError::NotAuthenticated, 401),
            (ServiceError::PermissionDenied, 403),
            (ServiceError::taken(UniqueField::Device), 409),
            (
                ServiceError::invalid("email", "Enter a valid email address."),
                400,
            ),
            (ServiceError::Unexpected("boom".into()), 500),
        ] {
            let response = Dialect::Push.render(&Failure::Service(error));
            assert_eq!(response.status().as_u16(), status);
            let lambda_http::Body::Text(text) = response.body() else {
                panic!("not text")
            };
            let body: Value = serde_json::from_str(text).unwrap();
            assert_eq!(
                response.headers()["x-status-reason"].to_str().unwrap(),
                body["error"].as_str().unwrap()
            );
        }
    }

    #[test]
    fn other_dialects_carry_no_x_status_reason_and_keep_400_for_taken_values() {
        let response = Dialect::Drf.render(&Failure::Service(ServiceError::NotFound));
        assert!(response.headers().get("x-status-reason").is_none());
        let (status, _) = rendered(Dialect::Accounts, ServiceError::taken(UniqueField::Email));
        assert_eq!(status, 400);
    }

    #[test]
    fn a_refused_follow_is_a_drf_field_error_on_following() {
        let (status, body) = rendered(
            Dialect::Drf,
            ServiceError::FollowRefused(FollowRefusal::Yourself),
        );
        assert_eq!(status, 400);
        assert_eq!(body, json!({ "following": ["cannot follow yourself"] }));
    }

    #[test]
    fn a_refused_unfollow_is_the_originals_error_sentence() {
        let (status, body) = rendered(
            Dialect::Drf,
            ServiceError::FollowRefused(FollowRefusal::NotFollowing("bob".into())),
        );
        assert_eq!(status, 400);
        assert_eq!(body, json!({ "error": "not following bob" }));
    }

    #[test]
    fn an_invalid_page_is_drf_404_invalid_page() {
        let (status, body) = rendered(Dialect::Drf, ServiceError::InvalidPage);
        assert_eq!(status, 404);
        assert_eq!(body, json!({ "detail": "Invalid page." }));
    }

    #[test]
    fn an_unexpected_failure_tells_the_client_nothing_in_any_dialect() {
        for dialect in [
            Dialect::Drf,
            Dialect::Accounts,
            Dialect::Campaign,
            Dialect::Chat,
            Dialect::Push,
        ] {
            let (status, body) = rendered(
                dialect,
                ServiceError::Unexpected("table users-secret-name is missing".into()),
            );
            assert_eq!(status, 500, "{dialect:?}");
            assert!(!body.to_string().contains("secret"), "{dialect:?}: {body}");
        }
    }

    #[test]
    fn a_too_large_body_is_413_in_each_dialects_shape() {
        let failure = Failure::Body(BodyError::TooLarge { limit: 10 });
        let expected = [
            (
                Dialect::Drf,
                json!({ "detail": "Request body is larger than 10 bytes." }),
            ),
            (
                Dialect::Campaign,
                json!({ "error": "payload_too_large", "message": "Request body is larger than 10 bytes" }),
            ),
            (
                Dialect::Chat,
                json!({ "error": { "message": "request body is larger than 10 bytes" }, "status": 413 }),
            ),
            (
                Dialect::Push,
                json!({ "error": "Request body is larger than 10 bytes" }),
            ),
        ];
        for (dialect, body) in expected {
            let response = dialect.render(&failure);
            assert_eq!(response.status().as_u16(), 413, "{dialect:?}");
            let lambda_http::Body::Text(text) = response.body() else {
                panic!("not text")
            };
            assert_eq!(
                serde_json::from_str::<Value>(text).unwrap(),
                body,
                "{dialect:?}"
            );
        }
    }

    #[test]
    fn a_rate_limit_carries_retry_after_in_every_dialect() {
        for dialect in [
            Dialect::Drf,
            Dialect::Campaign,
            Dialect::Chat,
            Dialect::Push,
        ] {
            let response = dialect.render(&Failure::Service(ServiceError::RateLimited {
                retry_after: 30,
            }));
            assert_eq!(response.status().as_u16(), 429, "{dialect:?}");
            assert_eq!(response.headers()["retry-after"], "30", "{dialect:?}");
        }
    }
}
