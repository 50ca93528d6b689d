//! Request bodies: JSON objects and `application/x-www-form-urlencoded` forms, read into one
//! shape so handlers need not care which one a client sent. A repeated form key is a list.

use super::Request;
use crate::domain::{Email, Invalid, Password};
use crate::service::FieldErrors;
use lambda_http::Body;
use serde_json::{Map, Value};

/// How a field's text becomes a domain value: a `parse` of the domain type.
pub type Parse<T> = fn(&str) -> Result<T, Invalid>;

/// The largest body any route accepts.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Fields no client may set on any route; they are refused, not ignored.
pub const PROTECTED_FIELDS: &[&str] = &[
    "id",
    "pk",
    "is_staff",
    "is_superuser",
    "is_active",
    "token_version",
    "password_hash",
    "created_at",
    "updated_at",
    "date_joined",
    "last_login",
    "posts_count",
    "followers_count",
    "following_count",
    "likes_received",
    "comments_received",
];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("request body is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("JSON parse error - {0}")]
    MalformedJson(String),
    #[error("the form body is not valid UTF-8")]
    MalformedForm,
    #[error("expected a JSON object")]
    NotAnObject,
    #[error("unsupported media type \"{0}\"")]
    UnsupportedMediaType(String),
}

/// The fields of a request body.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields(Map<String, Value>);

/// Why a field's value is not a string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotText {
    Null,
    WrongType,
}

impl NotText {
    pub fn message(self) -> &'static str {
        match self {
            NotText::Null => "This field may not be null.",
            NotText::WrongType => "Not a valid string.",
        }
    }
}

impl Fields {
    pub fn from_map(map: Map<String, Value>) -> Self {
        Self(map)
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// A field as text: strings as they are, numbers in decimal (as forms send them).
    pub fn text(&self, name: &str) -> Result<Option<String>, NotText> {
        match self.0.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Null) => Err(NotText::Null),
            Some(_) => Err(NotText::WrongType),
        }
    }

    /// A required text field, with DRF's messages for each way it can be missing. Leading
    /// and trailing white space is removed unless `trim` is false (passwords).
    pub fn required_text(
        &self,
        name: &str,
        trim: bool,
        errors: &mut FieldErrors,
    ) -> Option<String> {
        match self.text(name) {
            Ok(Some(value)) => {
                let value = if trim { value.trim().to_owned() } else { value };
                if value.is_empty() {
                    errors.add(name, "This field may not be blank.");
                    None
                } else {
                    Some(value)
                }
            }
            Ok(None) => {
                errors.add(name, "This field is required.");
                None
            }
            Err(why) => {
                errors.add(name, why.message());
                None
            }
        }
    }

    /// An optional text field; absent or empty is `Some("")`, a wrong type is an error.
    pub fn optional_text(&self, name: &str, errors: &mut FieldErrors) -> Option<String> {
        match self.text(name) {
            Ok(value) => Some(value.map(|v| v.trim().to_owned()).unwrap_or_default()),
            Err(why) => {
                errors.add(name, why.message());
                None
            }
        }
    }

    /// A required field parsed by `parse`, white space around it removed first.
    pub fn required_value<T>(
        &self,
        name: &str,
        errors: &mut FieldErrors,
        parse: Parse<T>,
    ) -> Option<T> {
        let text = self.required_text(name, true, errors)?;
        errors.check(name, parse(&text))
    }

    /// A required e-mail address, with DRF's messages when it is missing or not an address.
    pub fn required_email(&self, name: &str, errors: &mut FieldErrors) -> Option<Email> {
        self.required_value(name, errors, Email::parse)
    }

    /// A required password as typed (white space is part of it), parsed by `parse`:
    /// `Password::parse_new` or `Password::parse_attempt`.
    pub fn required_password(
        &self,
        name: &str,
        errors: &mut FieldErrors,
        parse: Parse<Password>,
    ) -> Option<Password> {
        let text = self.required_text(name, false, errors)?;
        errors.check(name, parse(&text))
    }

    /// A new password under `name` and the same again under `confirm`, as DRF sign-ups take
    /// them: both required, and equal.
    pub fn new_password(
        &self,
        name: &str,
        confirm: &str,
        errors: &mut FieldErrors,
    ) -> Option<Password> {
        let text = self.required_text(name, false, errors);
        let confirmation = self.required_text(confirm, false, errors);
        if let (Some(text), Some(confirmation)) = (&text, &confirmation) {
            if text != confirmation {
                errors.add(confirm, "Password fields didn't match.");
            }
        }
        errors.check(name, Password::parse_new(&text?))
    }

    /// The text of a field the body sets, for partial updates: `None` when absent (leave it as
    /// it is) or of the wrong type (an error is recorded); `Some("")` when set empty.
    pub fn given_text(&self, name: &str, errors: &mut FieldErrors) -> Option<String> {
        if self.contains(name) {
            self.optional_text(name, errors)
        } else {
            None
        }
    }

    /// An optional field parsed by `parse`, absent counting as empty; `None` when it is
    /// refused (the reason is recorded).
    pub fn optional_value<T>(
        &self,
        name: &str,
        errors: &mut FieldErrors,
        parse: Parse<T>,
    ) -> Option<T> {
        let text = self.optional_text(name, errors)?;
        errors.check(name, parse(&text))
    }

    /// A field the body sets, parsed, for partial updates: `None` when absent (leave it as
    /// it is) or refused (the reason is recorded).
    pub fn given_value<T>(
        &self,
        name: &str,
        errors: &mut FieldErrors,
        parse: Parse<T>,
    ) -> Option<T> {
        let text = self.given_text(name, errors)?;
        errors.check(name, parse(&text))
    }

    /// An optional field that may be empty: `Some(None)` when absent or empty, `None` when
    /// refused (the reason is recorded).
    pub fn maybe_empty<T>(
        &self,
        name: &str,
        errors: &mut FieldErrors,
        parse: Parse<T>,
    ) -> Option<Option<T>> {
        let text = self.optional_text(name, errors)?;
        if text.is_empty() {
            return Some(None);
        }
        errors.check(name, parse(&text)).map(Some)
    }

    /// A field a partial update may clear: `None` when absent (leave it as it is) or refused,
    /// `Some(None)` when set empty (clear it), else the parsed value.
    pub fn clearable<T>(
        &self,
        name: &str,
        errors: &mut FieldErrors,
        parse: Parse<T>,
    ) -> Option<Option<T>> {
        if self.contains(name) {
            self.maybe_empty(name, errors, parse)
        } else {
            None
        }
    }

    /// A required boolean: JSON `true`/`false`, or the words DRF's `BooleanField` takes in a
    /// form (`true`, `false`, `1`, `0`, `yes`, `no`, `on`, `off`, any case).
    pub fn required_bool(&self, name: &str, errors: &mut FieldErrors) -> Option<bool> {
        let parsed = match self.get(name) {
            None => {
                errors.add(name, "This field is required.");
                return None;
            }
            Some(Value::Bool(value)) => Some(*value),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(1) => Some(true),
                Some(0) => Some(false),
                _ => None,
            },
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" | "on" | "y" | "t" => Some(true),
                "false" | "0" | "no" | "off" | "n" | "f" => Some(false),
                _ => None,
            },
            Some(_) => None,
        };
        if parsed.is_none() {
            errors.add(name, "Must be a valid boolean.");
        }
        parsed
    }

    /// An optional positive integer (JSON number or decimal text); blank counts as absent.
    pub fn optional_id(&self, name: &str, errors: &mut FieldErrors) -> Option<Option<u64>> {
        let parsed = match self.get(name) {
            None | Some(Value::Null) => return Some(None),
            Some(Value::Number(n)) => n.as_u64().filter(|v| *v > 0),
            Some(Value::String(s)) if s.trim().is_empty() => return Some(None),
            Some(Value::String(s)) => s.trim().parse::<u64>().ok().filter(|v| *v > 0),
            Some(_) => None,
        };
        match parsed {
            Some(value) => Some(Some(value)),
            None => {
                errors.add(name, "A valid integer is required.");
                None
            }
        }
    }

    /// Adds an error for every protected field the body tries to set.
    pub fn refuse_protected(&self, errors: &mut FieldErrors) {
        for name in PROTECTED_FIELDS {
            if self.contains(name) {
                errors.add(name, "This field cannot be set.");
            }
        }
    }
}

fn media_type(request: &Request) -> Option<String> {
    let value = request
        .headers()
        .get(lambda_http::http::header::CONTENT_TYPE)?
        .to_str()
        .ok()?;
    Some(
        value
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase(),
    )
}

/// Reads the body of `request` by its `Content-Type`. An empty body is no fields; a body
/// without a content type is read as JSON if it looks like JSON, else as a form.
pub fn parse(request: &Request) -> Result<Fields, BodyError> {
    let bytes: &[u8] = match request.body() {
        Body::Empty => &[],
        Body::Text(text) => text.as_bytes(),
        Body::Binary(bytes) => bytes,
        _ => &[],
    };
    if bytes.len() > MAX_BODY_BYTES {
        return Err(BodyError::TooLarge {
            limit: MAX_BODY_BYTES,
        });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Fields::default());
    }
    match media_type(request).as_deref() {
        Some("application/json") => parse_json(bytes),
        Some(t) if t.ends_with("+json") => parse_json(bytes),
        Some("application/x-www-form-urlencoded") => parse_form(bytes),
        Some(other) if !other.is_empty() => Err(BodyError::UnsupportedMediaType(other.to_owned())),
        _ => {
            let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
            if matches!(first, Some(b'{') | Some(b'[')) {
                parse_json(bytes)
            } else {
                parse_form(bytes)
            }
        }
    }
}

fn parse_json(bytes: &[u8]) -> Result<Fields, BodyError> {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(Fields(map)),
        Ok(_) => Err(BodyError::NotAnObject),
        Err(e) => Err(BodyError::MalformedJson(e.to_string())),
    }
}

fn parse_form(bytes: &[u8]) -> Result<Fields, BodyError> {
    if std::str::from_utf8(bytes).is_err() {
        return Err(BodyError::MalformedForm);
    }
    let mut map = Map::new();
    for (key, value) in form_urlencoded::parse(bytes) {
        let value = Value::String(value.into_owned());
        match map.get_mut(key.as_ref()) {
            None => {
                map.insert(key.into_owned(), value);
            }
            Some(Value::Array(list)) => list.push(value),
            Some(existing) => {
                let first = existing.take();
                *existing = Value::Array(vec![first, value]);
            }
        }
    }
    Ok(Fields(map))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(content_type: Option<&str>, body: &str) -> Request {
        let mut builder = lambda_http::http::Request::builder()
            .method("POST")
            .uri("/x");
        if let Some(ct) = content_type {
            builder = builder.header("content-type", ct);
        }
        builder.body(Body::Text(body.to_owned())).unwrap()
    }

    #[test]
    fn json_objects_are_read() {
        let fields = parse(&request(
            Some("application/json; charset=utf-8"),
            r#"{"a":"b","n":3}"#,
        ))
        .unwrap();
        assert_eq!(fields.text("a"), Ok(Some("b".into())));
        assert_eq!(fields.text("n"), Ok(Some("3".into())));
    }

    #[test]
    fn forms_are_read_and_repeated_keys_are_lists() {
        let fields = parse(&request(
            Some("application/x-www-form-urlencoded"),
            "categories=fashion&categories=beauty&name=J%C3%BCrgen+K",
        ))
        .unwrap();
        assert_eq!(
            fields.get("categories"),
            Some(&json!(["fashion", "beauty"]))
        );
        assert_eq!(fields.text("name"), Ok(Some("Jürgen K".into())));
        assert_eq!(fields.text("categories"), Err(NotText::WrongType));
    }

    #[test]
    fn malformed_json_is_an_error_not_an_empty_body() {
        assert!(matches!(
            parse(&request(Some("application/json"), "{\"a\":")),
            Err(BodyError::MalformedJson(_))
        ));
        assert_eq!(
            parse(&request(Some("application/json"), "[1]")),
            Err(BodyError::NotAnObject)
        );
    }

    #[test]
    fn other_media_types_are_refused() {
        assert_eq!(
            parse(&request(Some("text/plain"), "hello")),
            Err(BodyError::UnsupportedMediaType("text/plain".into()))
        );
    }

    #[test]
    fn a_missing_content_type_is_sniffed() {
        assert_eq!(
            parse(&request(None, r#"{"a":"b"}"#)).unwrap().text("a"),
            Ok(Some("b".into()))
        );
        assert_eq!(
            parse(&request(None, "a=b")).unwrap().text("a"),
            Ok(Some("b".into()))
        );
    }

    #[test]
    fn bodies_over_the_limit_are_refused() {
        let big = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_BODY_BYTES));
        assert_eq!(
            parse(&request(Some("application/json"), &big)),
            Err(BodyError::TooLarge {
                limit: MAX_BODY_BYTES
            })
        );
    }

    #[test]
    fn required_text_reports_missing_blank_null_and_wrong_type() {
        let fields = Fields::from_map(
            json!({"blank": "  ", "null": null, "list": ["a"]})
                .as_object()
                .unwrap()
                .clone(),
        );
        let mut errors = FieldErrors::default();
        for name in ["missing", "blank", "null", "list"] {
            assert_eq!(fields.required_text(name, true, &mut errors), None);
        }
        let rendered = errors.to_json();
        assert_eq!(rendered["missing"], json!(["This field is required."]));
        assert_eq!(rendered["blank"], json!(["This field may not be blank."]));
        assert_eq!(rendered["null"], json!(["This field may not be null."]));
        assert_eq!(rendered["list"], json!(["Not a valid string."]));
    }
}
