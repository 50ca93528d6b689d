//! Route tables: each function lists its routes once, and the same list is checked against
//! `template.yaml`. Paths match as API Gateway matches them: one trailing slash is ignored,
//! `{name}` matches one non-empty segment.

pub use super::call::Call;
use super::{Dialect, Failure, HttpResponse, Request};
use lambda_http::http::header::CACHE_CONTROL;
use lambda_http::http::HeaderValue;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            _ => return None,
        })
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a handler returns: its contract's success response, or why the request was not served
/// (rendered by the route's [`Dialect`]).
pub type Outcome = Result<HttpResponse, Failure>;

/// The future a handler returns, boxed so that every route of a function fits one table.
pub type Pending<'a> = Pin<Box<dyn Future<Output = Outcome> + Send + 'a>>;

/// A handler of function state `S`: see [`route!`](crate::route).
pub type Handler<S> = for<'a> fn(&'a S, Call<'a>) -> Pending<'a>;

/// One row of a function's route table: method, path pattern (no trailing slash), the contract
/// whose error shapes the route speaks, and the handler. The dispatcher, the error rendering and
/// the check against `template.yaml` all read these rows.
pub struct Route<S: 'static> {
    pub method: Method,
    pub path: &'static str,
    pub dialect: Dialect,
    pub handler: Handler<S>,
}

impl<S> fmt::Debug for Route<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ({:?})", self.method, self.path, self.dialect)
    }
}

/// A route row: `route!(Post "/careers/users/register", Drf, careers::register)`, where the
/// handler is an `async fn(&State, Call<'_>) -> Outcome`.
#[macro_export]
macro_rules! route {
    ($method:ident $path:literal, $dialect:ident, $handler:path) => {
        $crate::http::routing::Route {
            method: $crate::http::routing::Method::$method,
            path: $path,
            dialect: $crate::http::Dialect::$dialect,
            handler: |state, call| ::std::boxed::Box::pin($handler(state, call)),
        }
    };
}

/// Serves `request` with the route of `routes` it matches; a request no route matches gets
/// DRF's 404 or 405, as API Gateway would never pass it on.
pub async fn dispatch<S>(routes: &[Route<S>], state: &S, request: Request) -> HttpResponse {
    let method = request.method().as_str().to_owned();
    match match_route(routes, &method, request.uri().path()) {
        Matched::Found { route, params } => {
            let call = Call {
                request: &request,
                params: &params,
            };
            let mut response = (route.handler)(state, call)
                .await
                .unwrap_or_else(|failure| route.dialect.render(&failure));
            // Answers carry users' private data unless a handler says otherwise (the JWKS
            // document is public): no cache may keep them.
            response
                .headers_mut()
                .entry(CACHE_CONTROL)
                .or_insert(HeaderValue::from_static("no-store"));
            response
        }
        Matched::MethodNotAllowed { allowed } => super::drf::method_not_allowed(&method, &allowed),
        Matched::NotFound => super::drf::not_found(),
    }
}

/// Values of the `{name}` segments of a matched path, percent-decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathParams(Vec<(String, String)>);

impl PathParams {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub enum Matched<'r, S: 'static> {
    Found {
        route: &'r Route<S>,
        params: PathParams,
    },
    MethodNotAllowed {
        allowed: Vec<Method>,
    },
    NotFound,
}

/// Whether `path` (as requested) matches `pattern` (as declared), and with which parameters.
pub fn match_path(pattern: &str, path: &str) -> Option<PathParams> {
    let path = match path.strip_suffix('/') {
        Some(stripped) if !stripped.is_empty() => stripped,
        _ => path,
    };
    let mut params = Vec::new();
    let mut wanted = pattern.split('/');
    let mut given = path.split('/');
    loop {
        match (wanted.next(), given.next()) {
            (None, None) => return Some(PathParams(params)),
            (Some(w), Some(g)) => {
                if let Some(name) = w.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
                    let value = percent_encoding::percent_decode_str(g).decode_utf8().ok()?;
                    if value.is_empty() {
                        return None;
                    }
                    params.push((name.to_owned(), value.into_owned()));
                } else if w != g {
                    return None;
                }
            }
            _ => return None,
        }
    }
}

/// How many `{name}` segments a pattern has: of several matching patterns, API Gateway takes
/// the one with the most literal segments.
pub fn parameter_count(pattern: &str) -> usize {
    pattern
        .split('/')
        .filter(|segment| segment.starts_with('{'))
        .count()
}

/// The route that serves `method path`, or why there is none. `/a/b` wins over `/a/{x}`.
pub fn match_route<'r, S>(routes: &'r [Route<S>], method: &str, path: &str) -> Matched<'r, S> {
    let mut allowed = Vec::new();
    let mut best: Option<(usize, &'r Route<S>, PathParams)> = None;
    for route in routes {
        if let Some(params) = match_path(route.path, path) {
            if route.method.as_str() != method {
                allowed.push(route.method);
                continue;
            }
            let specificity = parameter_count(route.path);
            if best
                .as_ref()
                .is_none_or(|(count, _, _)| specificity < *count)
            {
                best = Some((specificity, route, params));
            }
        }
    }
    match best {
        Some((_, route, params)) => Matched::Found { route, params },
        None if allowed.is_empty() => Matched::NotFound,
        None => Matched::MethodNotAllowed { allowed },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::response::json;

    async fn one(_: &(), _: Call<'_>) -> Outcome {
        Ok(json(200, &1))
    }

    async fn two(_: &(), _: Call<'_>) -> Outcome {
        Ok(json(200, &2))
    }

    fn found<'r>(routes: &'r [Route<()>], method: &str, path: &str) -> Option<&'r str> {
        match match_route(routes, method, path) {
            Matched::Found { route, .. } => Some(route.path),
            _ => None,
        }
    }

    #[test]
    fn a_trailing_slash_is_ignored() {
        assert!(match_path("/careers/users/register", "/careers/users/register/").is_some());
        assert!(match_path("/careers/users/register", "/careers/users/register").is_some());
        assert!(match_path("/careers/users/register", "/careers/users/register//").is_none());
    }

    #[test]
    fn parameters_match_one_decoded_segment() {
        let params = match_path("/careers/users/{username}", "/careers/users/al%40ice/").unwrap();
        assert_eq!(params.get("username"), Some("al@ice"));
        assert!(match_path("/careers/users/{username}", "/careers/users//").is_none());
        assert!(match_path("/careers/users/{username}", "/careers/users/a/b").is_none());
    }

    #[test]
    fn a_literal_segment_wins_over_a_parameter() {
        let routes = [
            crate::route!(Get "/careers/users/{username}", Drf, one),
            crate::route!(Get "/careers/users/following", Drf, two),
        ];
        assert_eq!(
            found(&routes, "GET", "/careers/users/following/"),
            Some("/careers/users/following")
        );
        assert_eq!(
            found(&routes, "GET", "/careers/users/alice/"),
            Some("/careers/users/{username}")
        );
    }

    #[test]
    fn method_mismatch_is_told_apart_from_no_route() {
        let routes = [crate::route!(Post "/a", Drf, one)];
        assert_eq!(found(&routes, "POST", "/a/"), Some("/a"));
        assert!(matches!(
            match_route(&routes, "GET", "/a"),
            Matched::MethodNotAllowed { .. }
        ));
        assert!(matches!(
            match_route(&routes, "POST", "/b"),
            Matched::NotFound
        ));
    }

    #[tokio::test]
    async fn dispatch_runs_the_matched_handler_and_refuses_the_rest() {
        let routes = [
            crate::route!(Get "/one", Drf, one),
            crate::route!(Get "/two", Drf, two),
        ];
        let request = |method: &str, path: &str| {
            lambda_http::http::Request::builder()
                .method(method)
                .uri(path)
                .body(lambda_http::Body::Empty)
                .unwrap()
        };
        let body = |response: HttpResponse| match response.body() {
            lambda_http::Body::Text(text) => text.clone(),
            _ => String::new(),
        };
        let response = dispatch(&routes, &(), request("GET", "/two/")).await;
        assert_eq!(
            (response.status().as_u16(), body(response)),
            (200, "2".into())
        );
        let response = dispatch(&routes, &(), request("POST", "/one")).await;
        assert_eq!(response.status().as_u16(), 405);
        assert_eq!(response.headers()["allow"], "GET");
        let response = dispatch(&routes, &(), request("GET", "/three")).await;
        assert_eq!(response.status().as_u16(), 404);
    }
}
