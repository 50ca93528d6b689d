//! The Django REST framework error shapes, used by the careers and accounts contracts:
//! `{"field": ["message"]}` for validation, `{"detail": "..."}` for everything else.
//! Every wording of a reason in DRF's words lives here.

use super::body::BodyError;
use super::dialect::Reason;
use super::response::Json;
use super::HttpResponse;
use lambda_http::http::header::{ALLOW, WWW_AUTHENTICATE};
use serde::Serialize;

/// `{"detail": ...}`, with simplejwt's `code` on token errors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Detail<'a> {
    pub detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'a str>,
}

impl<'a> Detail<'a> {
    pub fn new(detail: &'a str) -> Self {
        Self { detail, code: None }
    }
}

/// A body that is not a JSON object: DRF's `{"non_field_errors": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct NonFieldErrors<'a> {
    pub non_field_errors: [&'a str; 1],
}

pub fn detail(status: u16, message: &str) -> HttpResponse {
    Json::new(status, &Detail::new(message)).build()
}

/// A refusal told in one sentence, as the careers original answers an unfollow it refuses.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Refusal<'a> {
    pub error: &'a str,
}

/// A DRF response for `reason` (headers that every dialect shares are added by
/// [`Dialect::render`]).
pub(crate) fn shape(reason: &Reason) -> Json {
    let status = reason.status();
    let text: String;
    let body = match reason {
        Reason::Fields(errors) | Reason::Taken(errors) => {
            return Json::new(status, errors.as_ref())
        }
        Reason::Refused(sentence) => return Json::new(status, &Refusal { error: sentence }),
        Reason::Body(BodyError::NotAnObject) => {
            return Json::new(
                status,
                &NonFieldErrors {
                    non_field_errors: ["Invalid data. Expected a dictionary, but got list."],
                },
            )
        }
        Reason::Body(error) => {
            text = body_message(error);
            Detail::new(&text)
        }
        Reason::NotAuthenticated => Detail::new("Authentication credentials were not provided."),
        Reason::InvalidToken => Detail {
            detail: "Given token not valid for any token type",
            code: Some("token_not_valid"),
        },
        Reason::InvalidRefreshToken => Detail {
            detail: "Token is invalid or expired",
            code: Some("token_not_valid"),
        },
        Reason::InvalidCredentials => {
            Detail::new("No active account found with the given credentials")
        }
        Reason::PermissionDenied => {
            Detail::new("You do not have permission to perform this action.")
        }
        Reason::Banned { .. } => {
            text = super::dialect::banned_sentence(reason);
            Detail {
                detail: &text,
                code: Some("user_banned"),
            }
        }
        Reason::NotFound | Reason::Missing(_) => Detail::new("Not found."),
        Reason::InvalidPage => Detail::new("Invalid page."),
        Reason::RateLimited { retry_after } => {
            text = format!("Request was throttled. Expected available in {retry_after} seconds.");
            Detail::new(&text)
        }
        Reason::Unavailable { .. } => {
            Detail::new("Service temporarily unavailable, try again later.")
        }
        Reason::Unexpected => Detail::new("A server error occurred."),
    };
    let json = Json::new(status, &body);
    if status == 401 {
        json.header(WWW_AUTHENTICATE, "Bearer realm=\"api\"")
    } else {
        json
    }
}

fn body_message(error: &BodyError) -> String {
    match error {
        BodyError::TooLarge { limit } => format!("Request body is larger than {limit} bytes."),
        BodyError::MalformedJson(why) => format!("JSON parse error - {why}"),
        BodyError::MalformedForm => "Form parse error - the body is not valid UTF-8.".to_owned(),
        BodyError::NotAnObject => "Invalid data. Expected a dictionary, but got list.".to_owned(),
        BodyError::UnsupportedMediaType(media) => {
            format!("Unsupported media type \"{media}\" in request.")
        }
    }
}

pub fn not_found() -> HttpResponse {
    detail(404, "Not found.")
}

pub fn method_not_allowed(method: &str, allowed: &[super::routing::Method]) -> HttpResponse {
    let allow = allowed
        .iter()
        .map(|m| m.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut response = detail(405, &format!("Method \"{method}\" not allowed."));
    if let Ok(value) = allow.parse() {
        response.headers_mut().insert(ALLOW, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contracts::keys;
    use crate::http::{Dialect, Failure};
    use crate::service::ServiceError;

    #[test]
    fn a_detail_has_only_detail_unless_it_has_a_code() {
        assert_eq!(keys(&Detail::new("x")), ["detail"]);
        let token = Detail {
            detail: "x",
            code: Some("token_not_valid"),
        };
        assert_eq!(keys(&token), ["code", "detail"]);
    }

    #[test]
    fn a_list_body_is_a_non_field_error() {
        let response = Dialect::Drf.render(&Failure::Body(BodyError::NotAnObject));
        assert_eq!(response.status().as_u16(), 400);
        let body: serde_json::Value = match response.body() {
            lambda_http::Body::Text(text) => serde_json::from_str(text).unwrap(),
            _ => panic!("not text"),
        };
        assert_eq!(keys(&body), ["non_field_errors"]);
    }

    #[test]
    fn a_401_names_the_bearer_scheme() {
        let response = Dialect::Drf.render(&Failure::Service(ServiceError::InvalidToken));
        assert_eq!(response.status().as_u16(), 401);
        assert_eq!(response.headers()[WWW_AUTHENTICATE], "Bearer realm=\"api\"");
    }
}
