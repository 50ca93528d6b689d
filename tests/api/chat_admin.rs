//! The chat server's user administration as its official Go SDK (qiscus-go) calls it:
//! `get_user_token`, `reset_user_token`, `deactivate_users`, `reactivate_users`.

use crate::support::{text, AppClient, TestApp, CHAT_LOGIN_OR_REGISTER, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const JOHNNY: &str = "johnny@example.com";

/// Johnny, created by the chat server with [`PASSWORD`]; returns the chat client.
async fn with_johnny(app: &TestApp) -> AppClient<'_> {
    let chat = app.chat_client("chat").await;
    let body = json!({"user_id": JOHNNY, "username": "Johnny", "password": PASSWORD});
    let created = chat.post_json(CHAT_LOGIN_OR_REGISTER, &body).await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    chat
}

async fn user_token(chat: &AppClient<'_>) -> String {
    let reply = chat
        .get("/api/v2.1/rest/get_user_token?user_id=johnny%40example.com")
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["status"], 200);
    text(&reply.body["results"], "token")
}

async fn set_active(chat: &AppClient<'_>, method: Method, path: &str, ids: Value) -> Value {
    let request = chat.request(method, path).json(&json!({ "user_ids": ids }));
    let reply = chat.send(request).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

async fn me_status(app: &TestApp, token: &str) -> StatusCode {
    app.get("/careers/users/me/", Some(token)).await.status
}

#[tokio::test]
async fn get_user_token_answers_a_token_that_signs_the_user_in() {
    let app = TestApp::spawn().await;
    let chat = with_johnny(&app).await;

    let token = user_token(&chat).await;

    let me = app.get("/careers/users/me/", Some(&token)).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.body["email"], JOHNNY);
    let unknown = chat
        .get("/api/v2.1/rest/get_user_token?user_id=nobody")
        .await;
    assert_eq!(
        (unknown.status, &unknown.body["status"]),
        (StatusCode::NOT_FOUND, &json!(404))
    );
    let missing = chat.get("/api/v2.1/rest/get_user_token").await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn reset_user_token_ends_every_earlier_token_and_answers_a_new_one() {
    let app = TestApp::spawn().await;
    let chat = with_johnny(&app).await;
    let earlier = user_token(&chat).await;

    let reply = chat
        .post_json(
            "/api/v2.1/rest/reset_user_token",
            &json!({ "user_id": JOHNNY }),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let fresh = text(&reply.body["results"], "token");
    assert_eq!(me_status(&app, &earlier).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me_status(&app, &fresh).await, StatusCode::OK);
}

#[tokio::test]
async fn a_deactivated_user_is_cut_off_everywhere_until_reactivated() {
    let app = TestApp::spawn().await;
    let chat = with_johnny(&app).await;
    let token = user_token(&chat).await;
    let login = json!({"email": JOHNNY, "password": PASSWORD});

    let deactivated = set_active(
        &chat,
        Method::DELETE,
        "/api/v2.1/rest/deactivate_users",
        json!([JOHNNY, "nobody"]),
    )
    .await;

    assert_eq!(deactivated["results"]["message"], "1 users deactivated");
    assert_eq!(me_status(&app, &token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login(&login).await.status, StatusCode::UNAUTHORIZED);
    let profile = chat
        .get("/api/v2.1/rest/user_profile?user_id=johnny%40example.com")
        .await;
    assert_eq!(profile.body["results"]["user"]["active"], false);
    let again = json!({"user_id": JOHNNY, "username": "Johnny", "password": PASSWORD});
    assert_eq!(
        chat.post_json(CHAT_LOGIN_OR_REGISTER, &again).await.status,
        StatusCode::FORBIDDEN
    );

    let reactivated = set_active(
        &chat,
        Method::POST,
        "/api/v2.1/rest/reactivate_users",
        json!([JOHNNY]),
    )
    .await;

    assert_eq!(reactivated["results"]["message"], "1 users reactivated");
    assert_eq!(app.login(&login).await.status, StatusCode::OK);
    assert_eq!(
        me_status(&app, &token).await,
        StatusCode::UNAUTHORIZED,
        "tokens from before the deactivation stay dead"
    );
}

#[tokio::test]
async fn a_staff_account_is_out_of_reach_and_over_long_or_malformed_lists_are_refused() {
    let app = TestApp::spawn().await;
    let chat = with_johnny(&app).await;
    app.create_staff("boss", false).await;
    let staff_chat = json!({"user_ids": [JOHNNY, "boss@example.com"]});

    let staff = chat
        .send(
            chat.request(Method::DELETE, "/api/v2.1/rest/deactivate_users")
                .json(&staff_chat),
        )
        .await;
    let ids: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
    let too_many = chat
        .send(
            chat.request(Method::DELETE, "/api/v2.1/rest/deactivate_users")
                .json(&json!({ "user_ids": ids })),
        )
        .await;
    let not_a_list = chat
        .send(
            chat.request(Method::DELETE, "/api/v2.1/rest/deactivate_users")
                .json(&json!({ "user_ids": JOHNNY })),
        )
        .await;

    // Staff never get a chat id (linking refuses them), so no chat id names one: skipped.
    assert_eq!(staff.status, StatusCode::OK, "{}", staff.body);
    assert_eq!(staff.body["results"]["message"], "1 users deactivated");
    assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
    assert_eq!(not_a_list.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.login_as("boss", PASSWORD).await.status, StatusCode::OK);
}
