//! Route tables: each function lists its routes once, and the same list is checked against
//! `template.yaml`. Paths match as API Gateway matches them: one trailing slash is ignored,
//! `{name}` matches one non-empty segment.

use std::fmt;

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

/// One route of a function: method, path pattern (no trailing slash) and what serves it.
#[derive(Debug, Clone, Copy)]
pub struct Route<E> {
    pub method: Method,
    pub path: &'static str,
    pub endpoint: E,
}

impl<E> Route<E> {
    pub const fn new(method: Method, path: &'static str, endpoint: E) -> Self {
        Self {
            method,
            path,
            endpoint,
        }
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

pub enum Matched<E> {
    Found { endpoint: E, params: PathParams },
    MethodNotAllowed { allowed: Vec<Method> },
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
pub fn match_route<E: Copy>(routes: &[Route<E>], method: &str, path: &str) -> Matched<E> {
    let mut allowed = Vec::new();
    let mut best: Option<(usize, E, PathParams)> = None;
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
                best = Some((specificity, route.endpoint, params));
            }
        }
    }
    match best {
        Some((_, endpoint, params)) => Matched::Found { endpoint, params },
        None if allowed.is_empty() => Matched::NotFound,
        None => Matched::MethodNotAllowed { allowed },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            Route::new(Method::Get, "/careers/users/{username}", 1),
            Route::new(Method::Get, "/careers/users/following", 2),
        ];
        assert!(matches!(
            match_route(&routes, "GET", "/careers/users/following/"),
            Matched::Found { endpoint: 2, .. }
        ));
        assert!(matches!(
            match_route(&routes, "GET", "/careers/users/alice/"),
            Matched::Found { endpoint: 1, .. }
        ));
    }

    #[test]
    fn method_mismatch_is_told_apart_from_no_route() {
        let routes = [Route::new(Method::Post, "/a", 1)];
        assert!(matches!(
            match_route(&routes, "POST", "/a/"),
            Matched::Found { endpoint: 1, .. }
        ));
        assert!(matches!(
            match_route(&routes, "GET", "/a"),
            Matched::MethodNotAllowed { .. }
        ));
        assert!(matches!(
            match_route(&routes, "POST", "/b"),
            Matched::NotFound
        ));
    }
}
