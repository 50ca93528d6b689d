//! Lockout after failed sign-ins and rate limits per client address and per account; every
//! refusal is 429 with `Retry-After`.

use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::json;

const LOGIN: &str = "/careers/users/login/";

fn retry_after(reply: &crate::support::Reply) -> u64 {
    reply.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn the_sixth_sign_in_after_five_wrong_passwords_is_refused_even_with_the_right_one() {
    let app = TestApp::spawn().await;
    app.register("alice").await;

    for attempt in 0..5 {
        let reply = app
            .post_json(
                LOGIN,
                &json!({"username": "alice", "password": "wrongpass"}),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let locked = app
        .post_json(
            LOGIN,
            &json!({"username": "alice", "password": "password123"}),
            None,
        )
        .await;

    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.body["detail"]
        .as_str()
        .unwrap()
        .starts_with("Request was throttled."));
    assert!((1..=60).contains(&retry_after(&locked)));
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
        app.post_json(
            LOGIN,
            &json!({"username": "alice", "password": "wrongpass"}),
            None,
        )
        .await;
    }
    assert_eq!(
        app.post_json(
            LOGIN,
            &json!({"username": "alice", "password": "password123"}),
            None
        )
        .await
        .status,
        StatusCode::OK
    );

    for _ in 0..4 {
        let reply = app
            .post_json(
                LOGIN,
                &json!({"username": "alice", "password": "wrongpass"}),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(
        app.post_json(
            LOGIN,
            &json!({"username": "alice", "password": "password123"}),
            None
        )
        .await
        .status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn sign_ins_naming_one_account_are_rate_limited() {
    let app = TestApp::spawn().await;

    for attempt in 0..10 {
        let reply = app
            .post_json(
                LOGIN,
                &json!({"username": "nobody", "password": "whatever1"}),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let refused = app
        .post_json(
            LOGIN,
            &json!({"username": "NOBODY", "password": "whatever1"}),
            None,
        )
        .await;

    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&refused) >= 1);
}

#[tokio::test]
async fn sign_ins_from_one_address_are_rate_limited() {
    let app = TestApp::spawn().await;

    for attempt in 0..30 {
        let reply = app
            .post_json(
                LOGIN,
                &json!({"username": format!("user{attempt}"), "password": "whatever1"}),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    let refused = app
        .post_json(
            LOGIN,
            &json!({"username": "someone-else", "password": "whatever1"}),
            None,
        )
        .await;

    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&refused) >= 1);
}

#[tokio::test]
async fn code_requests_from_one_address_are_rate_limited() {
    let app = TestApp::spawn().await;

    for attempt in 0..10 {
        let reply = app
            .post_json(
                "/api/v1/accounts/users/resend-code/",
                &json!({"email": format!("u{attempt}@example.com")}),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "attempt {attempt}");
    }
    let refused = app
        .post_json(
            "/api/v1/accounts/users/resend-code/",
            &json!({"email": "last@example.com"}),
            None,
        )
        .await;

    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&refused) >= 1);
}

#[tokio::test]
async fn limits_are_kept_in_the_table_with_a_ttl() {
    let app = TestApp::spawn().await;

    app.post_json(
        LOGIN,
        &json!({"username": "nobody", "password": "whatever1"}),
        None,
    )
    .await;

    let windows = app.items_of("RATE_WINDOW").await;
    assert_eq!(windows.len(), 2, "one per address, one per account");
    for window in windows {
        assert!(window.contains_key("expires_at"));
        assert!(
            !format!("{window:?}").contains("nobody"),
            "subjects are stored hashed"
        );
    }
}
