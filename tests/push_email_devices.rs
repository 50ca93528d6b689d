//! Every user with an e-mail shows it as an `email` device in the push views, whichever
//! contract created them, and the device follows a change of the e-mail.

use api_tests::{s, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn push_user(app: &TestApp, id: u64) -> Value {
    let (app_id, secret) = app.app_credential("push").await;
    let response = app
        .http
        .get(format!("{}/user/{id}", app.base_url))
        .header("X-App-Id", app_id)
        .header("X-App-Auth", secret)
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status(), StatusCode::OK);
    response.json::<Value>().await.expect("JSON")["result"].clone()
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
        .map(|item| s(item, "PK").to_owned())
        .collect();
    guards.sort();
    guards
}

#[tokio::test]
async fn a_careers_sign_up_has_its_e_mail_as_a_device_with_its_guard() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let id = alice["user"]["id"].as_u64().unwrap();

    let user = push_user(&app, id).await;

    assert_eq!(email_devices(&user), ["alice@example.com"]);
    assert_eq!(user["android"], json!([]));
    assert_eq!(
        device_guards(&app).await,
        ["DEVICEREF#email#alice@example.com"]
    );
}

#[tokio::test]
async fn an_e_mail_change_moves_the_device_and_its_guard() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let id = alice["user"]["id"].as_u64().unwrap();
    let token = alice["access"].as_str().unwrap();

    let reply = app
        .http
        .patch(format!("{}/careers/users/me/update/", app.base_url))
        .bearer_auth(token)
        .json(&json!({"email": "Alice.New@example.com"}))
        .send()
        .await
        .expect("sent");

    assert_eq!(reply.status(), StatusCode::OK);
    let user = push_user(&app, id).await;
    assert_eq!(email_devices(&user), ["Alice.New@example.com"]);
    assert_eq!(
        device_guards(&app).await,
        ["DEVICEREF#email#alice.new@example.com"]
    );
}

#[tokio::test]
async fn a_chat_user_without_an_e_mail_has_no_email_device() {
    let app = TestApp::spawn().await;
    let (app_id, secret) = app.app_credential("chat").await;
    let reply = app
        .http
        .post(format!("{}/api/v2.1/rest/login_or_register", app.base_url))
        .header("QISCUS_SDK_APP_ID", app_id)
        .header("QISCUS_SDK_SECRET", secret)
        .json(&json!({"user_id": "chatter-1", "username": "Chatter"}))
        .send()
        .await
        .expect("sent");
    assert_eq!(reply.status(), StatusCode::OK);

    assert!(device_guards(&app).await.is_empty());
}
