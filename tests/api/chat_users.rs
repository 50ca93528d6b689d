//! The chat server's user profile and user list.

use crate::support::{column, AppClient, TestApp, CHAT_LOGIN_OR_REGISTER};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn get(chat: &AppClient<'_>, path: &str) -> (StatusCode, Value) {
    let reply = chat.get(path).await;
    (reply.status, reply.body)
}

async fn chat_user(chat: &AppClient<'_>, id: &str, name: &str) {
    let reply = chat
        .post_json(
            CHAT_LOGIN_OR_REGISTER,
            &json!({"user_id": id, "username": name, "avatar_url": "https://example.com/a.png"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn user_profile_finds_a_user_by_chat_id() {
    let app = TestApp::spawn().await;
    let chat = app.chat_client("chat").await;
    chat_user(&chat, "johnny@example.com", "Johnny Cage").await;

    let (status, body) = get(
        &chat,
        "/api/v2.1/rest/user_profile?user_id=johnny%40example.com",
    )
    .await;
    let (missing, missing_body) = get(&chat, "/api/v2.1/rest/user_profile?user_id=nobody").await;
    let (no_param, _) = get(&chat, "/api/v2.1/rest/user_profile").await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"results": {"user": {"user_id": "johnny@example.com", "username": "Johnny Cage", "avatar_url": "https://example.com/a.png", "active": true, "extras": {}}}, "status": 200})
    );
    assert_eq!(missing, StatusCode::NOT_FOUND);
    assert_eq!(missing_body["status"], 404);
    assert_eq!(no_param, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_user_list_pages_with_exact_meta_in_the_asked_order() {
    let app = TestApp::spawn().await;
    let chat = app.chat_client("chat").await;
    for (id, name) in [("c1", "Carol"), ("a1", "Alice"), ("b1", "Bob")] {
        chat_user(&chat, id, name).await;
    }
    app.register("zed").await;

    let (status, first) = get(&chat, "/api/v2.1/rest/get_user_list?page=1&limit=2").await;
    let (_, second) = get(&chat, "/api/v2.1/rest/get_user_list?page=2&limit=2").await;
    let (_, newest) = get(
        &chat,
        "/api/v2.1/rest/get_user_list?limit=1&order_query=created_at%20desc%20nulls%20last",
    )
    .await;
    let (_, clamped) = get(&chat, "/api/v2.1/rest/get_user_list?limit=500").await;
    let (bad, _) = get(
        &chat,
        "/api/v2.1/rest/get_user_list?order_query=password%20desc",
    )
    .await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        first["results"]["meta"],
        json!({"total_data": 4, "total_page": 2})
    );
    let names = |body: &Value| column(&body["results"]["users"], "name");
    assert_eq!(names(&first), ["Carol", "Alice"]);
    assert_eq!(names(&second), ["Bob", "zed"]);
    assert_eq!(names(&newest), ["zed"]);
    assert_eq!(
        clamped["results"]["meta"]["total_page"], 1,
        "a limit over 100 becomes 100"
    );
    assert_eq!(bad, StatusCode::BAD_REQUEST);
    let entry = &first["results"]["users"][0];
    for key in [
        "active",
        "avatar_url",
        "created_at",
        "extras",
        "email",
        "id",
        "name",
        "updated_at",
        "username",
    ] {
        assert!(entry.get(key).is_some(), "{key}");
    }
}

#[tokio::test]
async fn the_chat_reads_need_app_credentials() {
    let app = TestApp::spawn().await;

    let profile = app.get("/api/v2.1/rest/user_profile?user_id=x", None).await;
    let list = app.get("/api/v2.1/rest/get_user_list", None).await;

    for reply in [profile, list] {
        reply.assert_answer(
            StatusCode::UNAUTHORIZED,
            json!({"error": {"message": "missing app credentials"}, "status": 401}),
        );
    }
}
