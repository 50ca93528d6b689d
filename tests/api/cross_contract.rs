//! One user, every contract: a user registered through careers is found and signs in
//! everywhere a contract offers it.

use crate::support::{TestApp, CAMPAIGN_REGISTER, CHAT_LOGIN_OR_REGISTER, PASSWORD};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_careers_user_is_found_by_check_email_and_signs_in_through_every_contract() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let id = alice["user"]["id"].clone();

    let exists = app
        .post_json(
            "/api/check/email/",
            &json!({"email": "alice@example.com"}),
            None,
        )
        .await;
    assert_eq!(exists.body, json!({"exists": true, "available": false}));

    let careers = app.login_as("alice", PASSWORD).await;
    assert_eq!(careers.status, StatusCode::OK);
    assert_eq!(careers.body["user"]["id"], id);

    let campaign = app
        .post_form(
            "/api/check/validate/",
            "username=alice&password=password123",
        )
        .await;
    assert_eq!(campaign.body, json!({"is_valid": true, "user_id": id}));

    let token = careers.body["access"].as_str().unwrap();
    let backend = app.post_empty("/api/check/login/", Some(token)).await;
    assert_eq!(backend.body["user_id"], id);

    let chat = app
        .chat_client("chat")
        .await
        .post_json(
            CHAT_LOGIN_OR_REGISTER,
            &json!({"user_id": "alice@example.com", "username": "Alice", "password": PASSWORD}),
        )
        .await;
    assert_eq!(chat.status, StatusCode::OK);
    assert_eq!(app.items_of("USER").await.len(), 1, "still one user");
}

#[tokio::test]
async fn a_campaign_user_signs_in_through_careers() {
    let app = TestApp::spawn().await;
    let created = app
        .post_form(
            CAMPAIGN_REGISTER,
            "username=bob&email=bob%40example.com&password=password123",
        )
        .await;

    let login = app
        .post_form("/careers/users/login/", "username=bob&password=password123")
        .await;

    assert_eq!(login.status, StatusCode::OK);
    assert_eq!(login.body["user"]["id"], created.body["user_id"]);
}
