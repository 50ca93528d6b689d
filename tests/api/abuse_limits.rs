//! Lockout after failed sign-ins and rate limits per client address and per account; every
//! refusal is 429 with `Retry-After`.

use crate::support::{TestApp, PASSWORD};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_sixth_sign_in_after_five_wrong_passwords_is_refused_even_with_the_right_one() {
    let app = TestApp::spawn().await;
    app.register("alice").await;

    for attempt in 0..5 {
        let reply = app.login_as("alice", "wrongpass").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let locked = app.login_as("alice", PASSWORD).await;

    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.body["detail"]
        .as_str()
        .unwrap()
        .starts_with("Request was throttled."));
    assert!((1..=60).contains(&locked.retry_after()));
    let campaign = app
        .post_form(
            "/api/check/validate/",
            "username=alice&password=password123",
        )
        .await;
    assert_eq!(
        campaign.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the lock holds in every contract"
    );
    assert_eq!(campaign.body["error"], "rate_limited");
}

#[tokio::test]
async fn a_successful_sign_in_clears_earlier_failures() {
    let app = TestApp::spawn().await;
    app.register("alice").await;
    for _ in 0..4 {
        app.login_as("alice", "wrongpass").await;
    }
    assert_eq!(app.login_as("alice", PASSWORD).await.status, StatusCode::OK);

    for _ in 0..4 {
        let reply = app.login_as("alice", "wrongpass").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(app.login_as("alice", PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn an_unknown_name_is_locked_after_five_failures_as_an_account_is() {
    let app = TestApp::spawn().await;

    for attempt in 0..5 {
        let reply = app.login_as("nobody", "whatever1").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let refused = app.login_as("NOBODY", "whatever1").await;
    let elsewhere = app
        .at_address("127.0.0.9")
        .login_as("nobody", "whatever1")
        .await;

    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.retry_after() >= 1);
    assert_eq!(
        elsewhere.status,
        StatusCode::UNAUTHORIZED,
        "the lock is per client address"
    );
}

#[tokio::test]
async fn sign_ins_from_one_address_are_rate_limited() {
    let app = TestApp::spawn().await;

    for attempt in 0..30 {
        let reply = app.login_as(&format!("user{attempt}"), "whatever1").await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let refused = app.login_as("someone-else", "whatever1").await;

    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.retry_after() >= 1);
}

#[tokio::test]
async fn code_requests_from_one_address_are_rate_limited() {
    let app = TestApp::spawn().await;
    let resend = |email: String| {
        let app = &app;
        async move {
            app.post_json(
                "/api/v1/accounts/users/resend-code/",
                &json!({ "email": email }),
                None,
            )
            .await
        }
    };

    for attempt in 0..10 {
        let reply = resend(format!("u{attempt}@example.com")).await;
        assert_eq!(reply.status, StatusCode::OK, "attempt {attempt}");
    }
    let refused = resend("last@example.com".to_owned()).await;

    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.retry_after() >= 1);
}

#[tokio::test]
async fn limits_are_kept_in_the_table_with_a_ttl() {
    let app = TestApp::spawn().await;

    app.login_as("nobody", "whatever1").await;

    let windows = app.items_of("RATE_WINDOW").await;
    assert_eq!(windows.len(), 1, "one per address");
    let failures = app.items_of("LOGIN_FAILURES").await;
    assert_eq!(failures.len(), 1, "one per name and address");
    for window in windows.into_iter().chain(failures) {
        assert!(window.contains_key("expires_at"));
        assert!(
            !format!("{window:?}").contains("nobody"),
            "subjects are stored hashed"
        );
    }
}
