//! Answers that carry a user's private data are never kept by a cache: `Cache-Control:
//! no-store`, as the answers that carry tokens already are. Public documents keep their own.

use crate::support::{text, user_id, TestApp, CHAT_LOGIN_OR_REGISTER};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn every_answer_with_a_users_private_data_says_no_store() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let (token, id) = (text(&alice, "access"), user_id(&alice));
    let chat = app.chat_client("chat").await;
    let johnny = json!({"user_id": "johnny@example.com", "username": "Johnny"});
    let push = app.push_client("push").await;

    let answers = [
        (
            "careers me",
            app.get("/careers/users/me/", Some(&token)).await,
        ),
        (
            "careers stats",
            app.get("/careers/users/me/stats/", Some(&token)).await,
        ),
        (
            "accounts by id",
            app.get(&format!("/api/v1/accounts/users/{id}/"), Some(&token))
                .await,
        ),
        (
            "chat login",
            chat.post_json(CHAT_LOGIN_OR_REGISTER, &johnny).await,
        ),
        (
            "chat profile",
            chat.get("/api/v2.1/rest/user_profile?user_id=johnny%40example.com")
                .await,
        ),
        ("push user", push.get(&format!("/user/{id}")).await),
        ("push users", push.get("/users").await),
    ];

    for (what, reply) in answers {
        assert_eq!(reply.status, StatusCode::OK, "{what}: {}", reply.body);
        assert_eq!(
            reply
                .headers
                .get("cache-control")
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{what}"
        );
    }
}

#[tokio::test]
async fn the_public_key_document_stays_cacheable() {
    let app = TestApp::spawn().await;

    let jwks = app.get("/.well-known/jwks.json", None).await;

    assert_eq!(jwks.headers["cache-control"], "public, max-age=300");
}
