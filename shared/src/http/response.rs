//! JSON responses.

use super::HttpResponse;
use lambda_http::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use lambda_http::http::{HeaderName, HeaderValue, StatusCode};
use lambda_http::Body;

/// A JSON response under construction.
pub struct Json {
    status: StatusCode,
    body: String,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl Json {
    /// A body serialised from any `Serialize` value (a contract's typed body).
    pub fn new<T: serde::Serialize + ?Sized>(status: u16, value: &T) -> Self {
        match serde_json::to_string(value) {
            Ok(body) => Self::raw(status, body),
            Err(error) => {
                tracing::error!(%error, "a response body could not be serialised");
                Self::raw(500, String::from("{}"))
            }
        }
    }

    /// A body that is already serialised JSON.
    pub fn raw(status: u16, body: String) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body,
            headers: Vec::new(),
        }
    }

    pub fn header(mut self, name: HeaderName, value: &'static str) -> Self {
        self.headers.push((name, HeaderValue::from_static(value)));
        self
    }

    /// A header holding `text`, with anything a header may not carry (or that not every
    /// client reads: controls, non-ASCII) replaced by `?`.
    pub fn header_text(mut self, name: HeaderName, text: &str) -> Self {
        let visible: String = text
            .chars()
            .map(|c| {
                if c == ' ' || c.is_ascii_graphic() {
                    c
                } else {
                    '?'
                }
            })
            .collect();
        if let Ok(value) = HeaderValue::from_str(&visible) {
            self.headers.push((name, value));
        }
        self
    }

    /// `Retry-After` for a refusal that ends after `seconds`.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.headers.push((
            lambda_http::http::header::RETRY_AFTER,
            HeaderValue::from(seconds),
        ));
        self
    }

    /// For responses that carry credentials: no cache may keep them.
    pub fn no_store(self) -> Self {
        self.header(CACHE_CONTROL, "no-store")
    }

    pub fn build(self) -> HttpResponse {
        let mut response = HttpResponse::new(Body::Text(self.body));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        for (name, value) in self.headers {
            headers.insert(name, value);
        }
        response
    }
}

/// The common case: a status and a JSON body.
pub fn json<T: serde::Serialize + ?Sized>(status: u16, value: &T) -> HttpResponse {
    Json::new(status, value).build()
}

/// An error and all its causes on one line, for the log.
pub fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
