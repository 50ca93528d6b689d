//! Bodies a client can get wrong, and routes that do not exist: every one is a clear 4xx.

use crate::support::{sign_up, Reply, TestApp, CAREERS_REGISTER as REGISTER};
use reqwest::StatusCode;
use serde_json::json;

/// A careers sign-up with `body` as it stands and the given content type (`None`: no header).
async fn register_raw(app: &TestApp, content_type: Option<&str>, body: &str) -> Reply {
    app.post_raw(REGISTER, content_type, body, None).await
}

#[tokio::test]
async fn malformed_json_is_400_with_a_parse_error() {
    let app = TestApp::spawn().await;

    let reply = register_raw(&app, Some("application/json"), "{\"username\": ").await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(
        reply.body["detail"]
            .as_str()
            .unwrap()
            .starts_with("JSON parse error"),
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn a_json_array_is_400() {
    let app = TestApp::spawn().await;

    let reply = register_raw(&app, Some("application/json"), "[1, 2]").await;

    reply.assert_answer(
        StatusCode::BAD_REQUEST,
        json!({"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}),
    );
}

#[tokio::test]
async fn an_unsupported_media_type_is_415() {
    let app = TestApp::spawn().await;

    let reply = register_raw(&app, Some("text/plain"), "username=alice").await;

    reply.assert_answer(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        json!({"detail": "Unsupported media type \"text/plain\" in request."}),
    );
}

#[tokio::test]
async fn a_body_over_64_kib_is_413() {
    let app = TestApp::spawn().await;
    let big = json!({"username": "a".repeat(70 * 1024)}).to_string();

    let reply = register_raw(&app, Some("application/json"), &big).await;

    assert_eq!(reply.status, StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn a_repeated_form_key_for_a_single_value_is_a_field_error() {
    let app = TestApp::spawn().await;

    let reply = app
        .post_form(
            REGISTER,
            "username=a1&username=a2&email=a%40example.com&password=password123&password_confirm=password123",
        )
        .await;

    reply.assert_answer(
        StatusCode::BAD_REQUEST,
        json!({"username": ["Not a valid string."]}),
    );
}

#[tokio::test]
async fn a_body_without_content_type_is_still_understood() {
    let app = TestApp::spawn().await;
    let body = sign_up("nocontenttype").to_string();

    let reply = register_raw(&app, None, &body).await;

    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
}

#[tokio::test]
async fn an_empty_body_reports_the_required_fields() {
    let app = TestApp::spawn().await;

    let reply = register_raw(&app, Some("application/json"), "").await;

    reply.assert_field_error("username", "This field is required.");
}

#[tokio::test]
async fn routes_not_in_the_template_get_the_gateways_404() {
    let app = TestApp::spawn().await;

    for (method, path) in [
        ("GET", "/api/check/auth/"),
        ("GET", "/nowhere"),
        ("POST", "/careers/users/me/"),
    ] {
        let reply = match method {
            "GET" => app.get(path, None).await,
            _ => app.post_json(path, &json!({}), None).await,
        };
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method} {path}");
        assert_eq!(
            reply.body,
            json!({"message": "Not Found"}),
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn paths_match_with_or_without_the_trailing_slash() {
    let app = TestApp::spawn().await;

    let with = app
        .post_json("/careers/users/register/", &sign_up("slash"), None)
        .await;
    let without = app
        .post_json("/careers/users/register", &sign_up("noslash"), None)
        .await;

    assert_eq!(with.status, StatusCode::CREATED);
    assert_eq!(without.status, StatusCode::CREATED);
}

#[tokio::test]
async fn the_jwks_document_is_served() {
    let app = TestApp::spawn().await;

    let reply = app.get("/.well-known/jwks.json", None).await;

    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.body["keys"][0]["kty"], "OKP");
    assert_eq!(reply.body["keys"][0]["alg"], "EdDSA");
    assert!(
        reply.body["keys"][0].get("d").is_none(),
        "no private part is published"
    );
}
