//! Storage faults: with DynamoDB unreachable, or throttling, every request is answered 503 in
//! its contract's shape with `Retry-After`, within seconds (no 500, no hang), and the same
//! function state serves normally once DynamoDB is back. The functions reach DynamoDB Local
//! through a proxy of this test's own, which forwards, refuses connections, or answers every
//! call with DynamoDB's throttling error.

use crate::support::{user_id, TestApp, PASSWORD};
use lambda_http::http::Method;
use lambda_http::Body;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use users_shared::http::{dispatch, HttpResponse};

use crate::proxy::{request, sessions_behind, Proxy, FORWARD, REFUSE, THROTTLE};

fn json_of(response: &HttpResponse) -> Value {
    match response.body() {
        Body::Text(text) => serde_json::from_str(text).unwrap(),
        Body::Binary(bytes) => serde_json::from_slice(bytes).unwrap(),
        _ => Value::Null,
    }
}

fn retry_after(response: &HttpResponse) -> Option<&str> {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn with_dynamodb_unreachable_every_contract_answers_503_with_retry_after_then_recovers() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let alice_id = user_id(&alice).to_string();
    let token = format!("Bearer {}", alice["access"].as_str().unwrap());
    let (app_id, secret) = app.app_credential("faults").await;
    let proxy = Proxy::to_dynamodb().await;
    let state = sessions_behind(&app, &proxy).await;
    let routes = users_function::ROUTES;
    let me = || {
        request(
            Method::GET,
            "/careers/users/me/",
            &[("authorization", &token)],
            None,
        )
    };

    assert_eq!(dispatch(routes, &state, me()).await.status(), 200);

    proxy.set(REFUSE);
    let cases = [
        (
            request(
                Method::GET,
                "/careers/users/me/",
                &[("authorization", &token)],
                None,
            ),
            json!({"detail": "Service temporarily unavailable, try again later."}),
        ),
        (
            request(
                Method::POST,
                "/api/update/profile/",
                &[
                    ("authorization", &token),
                    ("content-type", "application/json"),
                ],
                Some(r#"{"first_name": "A"}"#),
            ),
            json!({"error": "service_unavailable", "message": "Service temporarily unavailable, try again later"}),
        ),
        (
            request(
                Method::GET,
                "/api/v2.1/rest/user_profile?user_id=nobody",
                &[
                    ("qiscus_sdk_app_id", &app_id),
                    ("qiscus_sdk_secret", &secret),
                ],
                None,
            ),
            json!({"error": {"message": "service temporarily unavailable, try again later"}, "status": 503}),
        ),
        (
            request(
                Method::GET,
                &format!("/user/{alice_id}"),
                &[("x-app-id", &app_id), ("x-app-auth", &secret)],
                None,
            ),
            json!({"error": "Service temporarily unavailable, try again later"}),
        ),
    ];
    for (request, body) in cases {
        let path = request.uri().path().to_owned();
        let started = Instant::now();
        let response = dispatch(routes, &state, request).await;
        assert!(
            started.elapsed() < Duration::from_secs(7),
            "{path} took {:?}",
            started.elapsed()
        );
        assert_eq!(response.status(), 503, "{path}: {}", json_of(&response));
        assert_eq!(retry_after(&response), Some("2"), "{path}");
        assert_eq!(json_of(&response), body, "{path}");
    }

    // Back: the same state serves at once, no restart.
    proxy.set(FORWARD);
    let back = dispatch(routes, &state, me()).await;
    assert_eq!(back.status(), 200, "{}", json_of(&back));
    assert_eq!(json_of(&back)["username"], "alice");
    assert_eq!(app.login_as("alice", PASSWORD).await.status.as_u16(), 200);
}

#[tokio::test]
async fn throttling_is_retried_with_back_off_then_answered_503() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let token = format!("Bearer {}", alice["access"].as_str().unwrap());
    let proxy = Proxy::to_dynamodb().await;
    let state = sessions_behind(&app, &proxy).await;
    proxy.set(THROTTLE);

    let started = Instant::now();
    let response = dispatch(
        users_function::ROUTES,
        &state,
        request(
            Method::GET,
            "/careers/users/me/",
            &[("authorization", &token)],
            None,
        ),
    )
    .await;

    let took = started.elapsed();
    assert_eq!(response.status(), 503, "{}", json_of(&response));
    assert_eq!(retry_after(&response), Some("2"));
    assert!(took < Duration::from_secs(7), "took {took:?}");
    let attempts = proxy.requests.load(Ordering::SeqCst);
    assert!(
        attempts >= 2,
        "throttled calls are tried again ({attempts} attempt)"
    );
    proxy.set(FORWARD);
    let back = dispatch(
        users_function::ROUTES,
        &state,
        request(
            Method::GET,
            "/careers/users/me/",
            &[("authorization", &token)],
            None,
        ),
    )
    .await;
    assert_eq!(back.status(), 200);
}
