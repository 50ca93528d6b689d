//! The `docs` function: the OpenAPI 3.1 document of every route of every function, built at a
//! cold start from their route tables, and Swagger UI showing it, its files served from the
//! binary (no internet access needed).

use lambda_http::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use lambda_http::Body;
use std::sync::Arc;
use users_shared::config::{Config, ConfigError};
use users_shared::http::routing::{Call, Outcome, Route};
use users_shared::http::HttpResponse;
use users_shared::lambda::FunctionState;
use users_shared::openapi::{self, Row};
use users_shared::route;

/// This function's routes; `template.yaml` declares exactly these (a test checks it).
pub const ROUTES: &[Route<DocsState>] = &[
    route!(Get "/openapi.json", Drf, document),
    route!(Get "/docs", Drf, page),
    route!(Get "/docs/{file}", Drf, file),
];

/// Where the page finds the document.
pub const DOCUMENT_PATH: &str = "/openapi.json";

/// The rows of every function's route table, this one's included.
pub fn rows() -> Vec<Row> {
    fn of<S>(routes: &[Route<S>]) -> impl Iterator<Item = Row> + '_ {
        routes.iter().map(|r| Row {
            method: r.method,
            path: r.path,
            dialect: r.dialect,
        })
    }
    of(auth_function::ROUTES)
        .chain(of(users_function::ROUTES))
        .chain(of(social_function::ROUTES))
        .chain(of(admin_function::ROUTES))
        .chain(of(preferences_function::ROUTES))
        .chain(of(notifications_function::ROUTES))
        .chain(of(ROUTES))
        .collect()
}

/// The document of every route, or what is missing from it.
pub fn openapi() -> Result<utoipa::openapi::OpenApi, Vec<String>> {
    openapi::document(&rows())
}

/// What the function builds once per cold start: the document, rendered.
pub struct DocsState {
    document: String,
    swagger: Arc<utoipa_swagger_ui::Config<'static>>,
}

impl std::fmt::Debug for DocsState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DocsState").finish_non_exhaustive()
    }
}

impl DocsState {
    pub fn build() -> Result<Self, ConfigError> {
        let document = openapi()
            .map_err(|problems| ConfigError::Document(problems.join("; ")))?
            .to_json()
            .map_err(|e| ConfigError::Document(e.to_string()))?;
        let swagger = utoipa_swagger_ui::Config::new([DOCUMENT_PATH])
            .try_it_out_enabled(true)
            .display_operation_id(true);
        Ok(Self {
            document,
            swagger: Arc::new(swagger),
        })
    }
}

impl FunctionState for DocsState {
    fn new(_: &Config, _: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        Self::build()
    }
}

fn answer(media: &str, body: Body) -> HttpResponse {
    let mut response = HttpResponse::new(body);
    let headers = response.headers_mut();
    if let Ok(value) = media.parse() {
        headers.insert(CONTENT_TYPE, value);
    }
    headers.insert(
        CACHE_CONTROL,
        "public, max-age=300".parse().expect("a header value"),
    );
    response
}

async fn document(state: &DocsState, _: Call<'_>) -> Outcome {
    Ok(answer(
        "application/json",
        Body::Text(state.document.clone()),
    ))
}

/// The page: Swagger UI's own files, loaded from under `/docs/`.
const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Users service API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="stylesheet" href="/docs/index.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js" charset="UTF-8"></script>
  <script src="/docs/swagger-ui-standalone-preset.js" charset="UTF-8"></script>
  <script src="/docs/swagger-initializer.js" charset="UTF-8"></script>
</body>
</html>
"#;

async fn page(_: &DocsState, _: Call<'_>) -> Outcome {
    Ok(answer(
        "text/html; charset=utf-8",
        Body::Text(PAGE.to_owned()),
    ))
}

/// The files the page loads; the rest of Swagger UI's folder is not served.
const FILES: [&str; 7] = [
    "swagger-ui.css",
    "index.css",
    "swagger-ui-bundle.js",
    "swagger-ui-standalone-preset.js",
    "swagger-initializer.js",
    "favicon-32x32.png",
    "favicon-16x16.png",
];

async fn file(state: &DocsState, call: Call<'_>) -> Outcome {
    let name = call.param("file")?;
    if !FILES.contains(&name) {
        Err(users_shared::service::ServiceError::NotFound)?;
    }
    match utoipa_swagger_ui::serve(name, state.swagger.clone()) {
        Ok(Some(found)) => {
            let body = match String::from_utf8(found.bytes.into_owned()) {
                Ok(text) => Body::Text(text),
                Err(bytes) => Body::Binary(bytes.into_bytes()),
            };
            Ok(answer(&found.content_type, body))
        }
        _ => Err(users_shared::service::ServiceError::NotFound)?,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn document() -> serde_json::Value {
        let state = DocsState::build().unwrap_or_else(|e| panic!("{e}"));
        serde_json::from_str(&state.document).expect("the document is JSON")
    }

    #[test]
    fn the_document_lists_exactly_the_operations_of_the_route_tables() {
        let document = document();
        let mut listed = BTreeSet::new();
        for (path, item) in document["paths"].as_object().expect("paths") {
            for method in item.as_object().expect("a path item").keys() {
                listed.insert((method.to_ascii_uppercase(), path.clone()));
            }
        }
        let served: BTreeSet<(String, String)> = rows()
            .iter()
            .map(|r| (r.method.as_str().to_owned(), r.path.to_owned()))
            .collect();
        assert_eq!(listed, served);
        assert_eq!(served.len(), rows().len(), "no route is served twice");
    }

    #[test]
    fn every_schema_the_document_refers_to_is_in_it() {
        let document = document();
        let text = document.to_string();
        let schemas = document["components"]["schemas"]
            .as_object()
            .expect("schemas");
        let prefix = "\"#/components/schemas/";
        let missing: BTreeSet<&str> = text
            .match_indices(prefix)
            .filter_map(|(at, _)| text[at + prefix.len()..].split('"').next())
            .filter(|name| !schemas.contains_key(*name))
            .collect();
        assert!(missing.is_empty(), "missing schemas: {missing:?}");
    }

    /// An untagged answer (`oneOf`) is told apart by its keys: each branch requires every key
    /// it has, so a body matches exactly one branch (`{"exists": false, "available": true}`
    /// once matched both e-mail check branches).
    #[test]
    fn each_branch_of_a_one_of_requires_all_its_keys() {
        fn walk(value: &serde_json::Value, found: &mut Vec<String>) {
            match value {
                serde_json::Value::Object(map) => {
                    if let Some(branches) = map.get("oneOf").and_then(|b| b.as_array()) {
                        for branch in branches {
                            let keys: BTreeSet<&str> = branch["properties"]
                                .as_object()
                                .map(|p| p.keys().map(String::as_str).collect())
                                .unwrap_or_default();
                            let required: BTreeSet<&str> = branch["required"]
                                .as_array()
                                .map(|r| r.iter().filter_map(|k| k.as_str()).collect())
                                .unwrap_or_default();
                            if !keys.is_empty() && keys != required {
                                found.push(format!("{keys:?} requires only {required:?}"));
                            }
                        }
                    }
                    map.values().for_each(|v| walk(v, found));
                }
                serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, found)),
                _ => {}
            }
        }
        let mut found = Vec::new();
        walk(&document(), &mut found);
        assert!(found.is_empty(), "{found:#?}");
    }

    #[test]
    fn the_document_is_openapi_3_1_with_one_tag_per_contract() {
        let document = document();
        assert_eq!(document["openapi"], "3.1.0");
        let tags: Vec<&str> = document["tags"]
            .as_array()
            .expect("tags")
            .iter()
            .filter_map(|t| t["name"].as_str())
            .collect();
        assert_eq!(
            tags,
            ["careers", "accounts", "campaign", "chat", "push", "service"]
        );
        for (path, item) in document["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("a path item") {
                let tag = operation["tags"][0].as_str().expect("a tag");
                assert!(tags.contains(&tag), "{method} {path} has tag {tag}");
                assert!(
                    operation["responses"]
                        .as_object()
                        .is_some_and(|r| !r.is_empty()),
                    "{method} {path} documents its answers"
                );
            }
        }
    }
}
