//! Regression tests of what probing the running API found: an app credential taking over an
//! account, a lockout that told which accounts exist or let anyone lock anyone out, sign-up
//! and resend-code as unlimited existence checks, app credentials reaching staff accounts, and
//! a lost race answered with an internal error. The limits are stated in `docs/security.md`.

use crate::support::{text, TestApp, CHAT_LOGIN_OR_REGISTER, PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn chat_user(id: &str, name: &str, password: Option<&str>) -> Value {
    let mut body = json!({ "user_id": id, "username": name });
    if let Some(password) = password {
        body["password"] = json!(password);
    }
    body
}

#[tokio::test]
async fn an_app_cannot_change_the_password_of_an_account_it_only_linked() {
    let app = TestApp::spawn().await;
    let chat = app.chat_client("chat").await;
    let alice = app.register("alice").await;
    let link = chat_user("alice@example.com", "Alice", Some(PASSWORD));
    assert_eq!(
        chat.post_json(CHAT_LOGIN_OR_REGISTER, &link).await.status,
        StatusCode::OK
    );

    let takeover = chat_user("alice@example.com", "Mallory", Some("attackerpass"));
    let reply = chat.post_json(CHAT_LOGIN_OR_REGISTER, &takeover).await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_eq!(
        app.login_as("alice", "attackerpass").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.login_as("alice", PASSWORD).await.status, StatusCode::OK);
    let me = app
        .get("/careers/users/me/", Some(&text(&alice, "access")))
        .await;
    assert_eq!(me.status, StatusCode::OK, "the owner stays signed in");
}

#[tokio::test]
async fn an_app_cannot_change_the_password_of_a_user_another_app_created() {
    let app = TestApp::spawn().await;
    let first = app.chat_client("first").await;
    let second = app.chat_client("second").await;
    let johnny = chat_user("johnny@example.com", "Johnny", Some("firstpassword"));
    assert_eq!(
        first
            .post_json(CHAT_LOGIN_OR_REGISTER, &johnny)
            .await
            .status,
        StatusCode::OK
    );

    let other = chat_user("johnny@example.com", "Johnny", Some("otherpassword"));
    let reply = second.post_json(CHAT_LOGIN_OR_REGISTER, &other).await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    let login = json!({"email": "johnny@example.com", "password": "firstpassword"});
    assert_eq!(app.login(&login).await.status, StatusCode::OK);
}

#[tokio::test]
async fn linking_by_password_counts_towards_the_accounts_lock_and_is_refused_while_locked() {
    let app = TestApp::spawn().await;
    let chat = app.chat_client("chat").await;
    app.register("alice").await;

    for attempt in 0..5 {
        let guess = chat_user(
            "alice@example.com",
            "Mallory",
            Some(&format!("guess{attempt}xx")),
        );
        let reply = chat.post_json(CHAT_LOGIN_OR_REGISTER, &guess).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "attempt {attempt}");
    }
    let right = chat_user("alice@example.com", "Mallory", Some(PASSWORD));
    let locked = chat.post_json(CHAT_LOGIN_OR_REGISTER, &right).await;

    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    assert!(
        app.items_of("CHAT_ID_GUARD").await.is_empty(),
        "nothing was linked"
    );
}

#[tokio::test]
async fn six_wrong_passwords_answer_the_same_for_an_existing_and_an_unknown_account() {
    let app = TestApp::spawn().await;
    app.register("alice").await;

    let mut answers = Vec::new();
    for name in ["alice", "nobody"] {
        let mut statuses = Vec::new();
        for _ in 0..6 {
            statuses.push(app.login_as(name, "wrongpass").await.status.as_u16());
        }
        answers.push(statuses);
    }

    assert_eq!(answers[0], [401, 401, 401, 401, 401, 429]);
    assert_eq!(answers[1], answers[0]);
}

#[tokio::test]
async fn a_lock_from_one_address_does_not_keep_the_owner_out_from_another() {
    let app = TestApp::spawn().await;
    app.register("alice").await;
    let attacker = app.at_address("127.0.0.2");
    for _ in 0..6 {
        attacker.login_as("alice", "wrongpass").await;
    }
    assert_eq!(
        attacker.login_as("alice", PASSWORD).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );

    let owner = app
        .at_address("127.0.0.3")
        .login_as("alice", PASSWORD)
        .await;

    assert_eq!(owner.status, StatusCode::OK, "{}", owner.body);
}

#[tokio::test]
async fn sign_ups_from_one_address_are_limited_so_they_cannot_test_thousands_of_addresses() {
    let app = TestApp::spawn().await.at_address("127.0.0.4");
    for attempt in 0..100 {
        let body = json!({"username": "alice", "email": "alice@example.com",
                          "password": PASSWORD, "password_confirm": PASSWORD});
        let reply = app.post_json("/careers/users/register/", &body, None).await;
        let expected = if attempt == 0 { 201 } else { 400 };
        assert_eq!(
            reply.status.as_u16(),
            expected,
            "attempt {attempt}: {}",
            reply.body
        );
    }

    let careers = app
        .post_json(
            "/careers/users/register/",
            &crate::support::sign_up("bob"),
            None,
        )
        .await;
    let campaign = app
        .post_form(
            "/api/action/register/",
            "username=carol&email=carol%40example.com&password=password123",
        )
        .await;
    let accounts = app
        .post_json(
            "/api/v1/accounts/users/",
            &json!({"email": "dave@example.com", "password": PASSWORD, "confirm_password": PASSWORD}),
            None,
        )
        .await;

    for reply in [&careers, &campaign, &accounts] {
        assert_eq!(
            reply.status,
            StatusCode::TOO_MANY_REQUESTS,
            "{}",
            reply.body
        );
        assert!(reply.retry_after() >= 1);
    }
    let fresh = app.at_address("127.0.0.5");
    let other = fresh
        .post_json(
            "/careers/users/register/",
            &crate::support::sign_up("erin"),
            None,
        )
        .await;
    assert_eq!(
        other.status,
        StatusCode::CREATED,
        "another address is not limited"
    );
}

#[tokio::test]
async fn resend_code_answers_the_same_for_unknown_verified_and_unverified_addresses() {
    let app = TestApp::spawn().await;
    app.register("alice").await;
    let signup =
        json!({"email": "carol@example.com", "password": PASSWORD, "confirm_password": PASSWORD});
    assert_eq!(
        app.post_json("/api/v1/accounts/users/", &signup, None)
            .await
            .status,
        StatusCode::CREATED
    );

    let mut answers = Vec::new();
    for email in [
        "nobody@example.com",
        "alice@example.com",
        "carol@example.com",
    ] {
        let reply = app
            .post_json(
                "/api/v1/accounts/users/resend-code/",
                &json!({ "email": email }),
                None,
            )
            .await;
        answers.push((reply.status, reply.body));
    }

    let expected = (StatusCode::OK, json!({"msg": "Email sent successfully!"}));
    assert_eq!(answers, [expected.clone(), expected.clone(), expected]);
}

#[tokio::test]
async fn an_app_credential_cannot_delete_a_staff_or_superuser_account() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    app.create_staff("boss", false).await;
    app.create_staff("root", true).await;

    for name in ["boss", "root"] {
        let id = app.profile(name).await["id"].clone();
        let reply = push.delete(&format!("/user/{id}")).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{}", reply.body);
        assert_eq!(reply.body, json!({"error": "Forbidden"}));
    }
    assert_eq!(app.login_as("boss", PASSWORD).await.status, StatusCode::OK);
    assert_eq!(app.login_as("root", PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn parallel_first_calls_for_one_chat_user_create_one_user_and_answer_every_caller_normally() {
    let app = TestApp::spawn().await;
    let chat = app.chat_client("chat").await;
    let body = chat_user("race@example.com", "Racer", Some("racerpassword"));

    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let request = chat
            .request(reqwest::Method::POST, CHAT_LOGIN_OR_REGISTER)
            .json(&body);
        calls.spawn(TestApp::send(request));
    }

    while let Some(reply) = calls.join_next().await {
        let reply = reply.expect("a call");
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(reply.body["results"]["user"]["user_id"], "race@example.com");
    }
    assert_eq!(app.items_of("USER").await.len(), 1);
}
