//! Every user with an e-mail shows it as an `email` device in the push views, whichever
//! contract created them, and the device follows a change of the e-mail.

use crate::support::{s, text, user_id, TestApp, CHAT_LOGIN_OR_REGISTER};
use reqwest::StatusCode;
use serde_json::{json, Value};
use users_shared::store::keys;

async fn push_user(app: &TestApp, id: u64) -> Value {
    let reply = app
        .push_client("push")
        .await
        .get(&format!("/user/{id}"))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["result"].clone()
}

fn email_devices(user: &Value) -> Vec<String> {
    match &user["email"] {
        Value::Object(map) => map
            .values()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect(),
        _ => Vec::new(),
    }
}

async fn device_guards(app: &TestApp) -> Vec<String> {
    let mut guards: Vec<String> = app
        .items_of("DEVICE_GUARD")
        .await
        .iter()
        .map(|item| s(item, keys::PK).to_owned())
        .collect();
    guards.sort();
    guards
}

#[tokio::test]
async fn a_careers_sign_up_has_its_e_mail_as_a_device_with_its_guard() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;

    let user = push_user(&app, user_id(&alice)).await;

    assert_eq!(email_devices(&user), ["alice@example.com"]);
    assert_eq!(user["android"], json!([]));
    assert_eq!(
        device_guards(&app).await,
        [keys::device_guard_pk("email", "alice@example.com")]
    );
}

#[tokio::test]
async fn an_e_mail_change_moves_the_device_and_its_guard() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;

    let reply = app
        .patch_json(
            "/careers/users/me/update/",
            &json!({"email": "Alice.New@example.com"}),
            Some(&text(&alice, "access")),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let user = push_user(&app, user_id(&alice)).await;
    assert_eq!(email_devices(&user), ["Alice.New@example.com"]);
    assert_eq!(
        device_guards(&app).await,
        [keys::device_guard_pk("email", "alice.new@example.com")]
    );
}

#[tokio::test]
async fn a_chat_user_without_an_e_mail_has_no_email_device() {
    let app = TestApp::spawn().await;
    let chat = app.chat_client("chat").await;

    let reply = chat
        .post_json(
            CHAT_LOGIN_OR_REGISTER,
            &json!({"user_id": "chatter-1", "username": "Chatter"}),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(device_guards(&app).await.is_empty());
}
