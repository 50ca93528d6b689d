//! The chat server's `login_or_register`, behind app credentials.

use crate::support::{s, TestApp, CHAT_LOGIN_OR_REGISTER as PATH, PASSWORD};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn creates_a_user_with_a_random_password_and_answers_in_the_chat_envelope() {
    let app = TestApp::spawn().await;
    let chat = app.chat_client("chat").await;

    let reply = chat.post_json(PATH, &json!({"user_id": "johnny@example.com", "username": "Johnny Cage", "avatar_url": "https://example.com/j.jpg"}),
    )
    .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.body,
        json!({"results": {"user": {"user_id": "johnny@example.com", "username": "Johnny Cage", "avatar_url": "https://example.com/j.jpg", "active": true, "extras": {}}}, "status": 200})
    );
    assert_eq!(app.items_of("CHAT_ID_GUARD").await.len(), 1);
    let users = app.items_of("USER").await;
    assert_eq!(s(&users[0], "email"), "johnny@example.com");
}

#[tokio::test]
async fn an_existing_user_needs_a_password_which_then_replaces_the_old_one() {
    let app = TestApp::spawn().await;
    let chat = app.chat_client("chat").await;
    let first =
        json!({"user_id": "johnny@example.com", "username": "Johnny", "password": "firstpassword"});
    assert_eq!(chat.post_json(PATH, &first).await.status, StatusCode::OK);
    let login = app
        .login(&json!({"email": "johnny@example.com", "password": "firstpassword"}))
        .await;
    let old_token = login.body["access"].as_str().unwrap().to_owned();

    let without = chat
        .post_json(
            PATH,
            &json!({"user_id": "johnny@example.com", "username": "Johnny Cage"}),
        )
        .await;
    assert_eq!(without.status, StatusCode::BAD_REQUEST);
    assert_eq!(without.body["status"], 400);
    assert_eq!(
        without.body["error"]["message"],
        "password: password is required for an existing user"
    );

    let with = chat.post_json(PATH, &json!({"user_id": "johnny@example.com", "username": "Johnny Cage", "password": "secondpassword"}),
    )
    .await;
    assert_eq!(with.status, StatusCode::OK);
    assert_eq!(with.body["results"]["user"]["username"], "Johnny Cage");

    let old = app
        .login(&json!({"email": "johnny@example.com", "password": "firstpassword"}))
        .await;
    let new = app
        .login(&json!({"email": "johnny@example.com", "password": "secondpassword"}))
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    assert_eq!(new.status, StatusCode::OK);
    assert_eq!(
        app.get("/careers/users/me/", Some(&old_token)).await.status,
        StatusCode::UNAUTHORIZED,
        "a password change ends old tokens"
    );
    assert_eq!(app.items_of("USER").await.len(), 1);
}

#[tokio::test]
async fn a_chat_id_that_is_a_careers_users_email_links_to_that_user_with_their_own_password() {
    let app = TestApp::spawn().await;
    let chat = app.chat_client("chat").await;
    let alice = app.register("alice").await;

    let reply = chat.post_json(PATH, &json!({"user_id": "alice@example.com", "username": "Alice S", "password": "password123"}),
    )
    .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(app.items_of("USER").await.len(), 1);
    assert_eq!(app.items_of("CHAT_ID_GUARD").await.len(), 1);
    let login = app.login_as("alice", PASSWORD).await;
    assert_eq!(login.body["user"]["id"], alice["user"]["id"]);
    assert_eq!(
        app.get("/careers/users/me/", alice["access"].as_str())
            .await
            .status,
        StatusCode::OK,
        "linking ends no session"
    );
}

#[tokio::test]
async fn an_app_cannot_take_over_an_account_by_naming_its_email() {
    let app = TestApp::spawn().await;
    let chat = app.chat_client("chat").await;
    app.register("alice").await;
    app.create_staff("boss", false).await;

    let guessed = chat.post_json(PATH, &json!({"user_id": "alice@example.com", "username": "Mallory", "password": "attackerpass"}),
    )
    .await;
    let staff = chat.post_json(PATH, &json!({"user_id": "boss@example.com", "username": "Mallory", "password": "password123"}),
    )
    .await;

    assert_eq!(guessed.status, StatusCode::BAD_REQUEST);
    assert!(
        guessed.body["error"]["errors"]["password"].is_array(),
        "{}",
        guessed.body
    );
    assert_eq!(
        staff.status,
        StatusCode::BAD_REQUEST,
        "staff accounts are never reached by app credentials"
    );
    for (name, password) in [("alice", "password123"), ("boss", "password123")] {
        let login = app.login_as(name, password).await;
        assert_eq!(login.status, StatusCode::OK, "{name} keeps their password");
    }
    assert!(app.items_of("CHAT_ID_GUARD").await.is_empty());
}

#[tokio::test]
async fn missing_wrong_and_revoked_credentials_get_401_in_the_chat_envelope() {
    let app = TestApp::spawn().await;
    let chat = app.chat_client("chat").await;
    let body = json!({"user_id": "x@example.com", "username": "X"});

    let missing = app.post_json(PATH, &body, None).await;
    let wrong = chat
        .with_secret("not-the-secret")
        .post_json(PATH, &body)
        .await;
    let unknown = chat.with_id("app_unknown").post_json(PATH, &body).await;
    app.admin(&["app", "revoke", &chat.id], "").await.unwrap();
    let revoked = chat.post_json(PATH, &body).await;

    missing.assert_answer(
        StatusCode::UNAUTHORIZED,
        json!({"error": {"message": "missing app credentials"}, "status": 401}),
    );
    for reply in [wrong, unknown, revoked] {
        reply.assert_answer(
            StatusCode::UNAUTHORIZED,
            json!({"error": {"message": "invalid app credentials"}, "status": 401}),
        );
    }
    assert!(app.items_of("USER").await.is_empty());
}

#[tokio::test]
async fn hyphenated_header_names_are_accepted() {
    let app = TestApp::spawn().await;
    let (id, secret) = app.app_credential("chat").await;

    let reply = app
        .post_with_headers(
            PATH,
            &[("QISCUS-SDK-APP-ID", &id), ("QISCUS-SDK-SECRET", &secret)],
            &json!({"user_id": "u1", "username": "U One"}),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["results"]["user"]["user_id"], "u1");
}

#[tokio::test]
async fn bad_input_gets_400_in_the_chat_envelope() {
    let app = TestApp::spawn().await;
    let chat = app.chat_client("chat").await;
    let cases = [
        (json!({"username": "X"}), "user_id"),
        (json!({"user_id": "u1"}), "username"),
        (
            json!({"user_id": "u1", "username": "X", "avatar_url": "javascript:alert(1)"}),
            "avatar_url",
        ),
        (
            json!({"user_id": "u1", "username": "X", "password": "short"}),
            "password",
        ),
        (json!({"user_id": ["u1"], "username": "X"}), "user_id"),
    ];
    for (body, field) in cases {
        let reply = chat.post_json(PATH, &body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.body["status"], 400);
        assert!(
            reply.body["error"]["errors"][field].is_array(),
            "{body}: {}",
            reply.body
        );
    }
}
