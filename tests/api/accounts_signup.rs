//! The accounts contract: sign-up with an e-mailed one-time code, verification and resend.

use crate::support::{epoch_seconds as now, s, user_pk, Reply, TestApp};
use aws_sdk_dynamodb::types::AttributeValue;
use reqwest::StatusCode;
use serde_json::{json, Value};
use users_shared::store::keys;

const CREATE: &str = "/api/v1/accounts/users/";
const VERIFY: &str = "/api/v1/accounts/users/verify/";
const RESEND: &str = "/api/v1/accounts/users/resend-code/";

fn sign_up_body(email: &str) -> Value {
    json!({
        "email": email,
        "password": "securepassword123",
        "confirm_password": "securepassword123",
        "first_name": "John",
        "last_name": "Doe",
        "phone": "+1234567890",
        "gender": "M",
        "country": "US"
    })
}

/// The code of the one verification message published since the last look.
async fn code_sent(app: &TestApp) -> String {
    let messages = app.published().await;
    assert_eq!(messages.len(), 1, "{messages:?}");
    let message = &messages[0];
    assert_eq!(message["MessageAttributes"]["channel"]["Value"], "email");
    assert_eq!(
        message["MessageAttributes"]["type"]["Value"],
        "email_verification"
    );
    message["Message"]["code"]
        .as_str()
        .expect("code in the message")
        .to_owned()
}

async fn set_code_attribute(app: &TestApp, user_id: u64, name: &str, value: i64) {
    app.set_attribute(
        user_pk(user_id),
        keys::EMAIL_CODE_SK,
        name,
        AttributeValue::N(value.to_string()),
    )
    .await;
}

async fn login(app: &TestApp, email: &str) -> StatusCode {
    app.login(&json!({"email": email, "password": "securepassword123"}))
        .await
        .status
}

/// The answer to a code that is not (or no longer) valid.
fn assert_code_refused(reply: &Reply) {
    reply.assert_answer(
        StatusCode::BAD_REQUEST,
        json!({"code": ["Invalid or expired code."]}),
    );
}

async fn create(app: &TestApp, email: &str) -> Reply {
    app.post_json(CREATE, &sign_up_body(email), None).await
}

async fn verify(app: &TestApp, email: &str, code: &str) -> Reply {
    app.post_json(VERIFY, &json!({"email": email, "code": code}), None)
        .await
}

#[tokio::test]
async fn sign_up_creates_an_unverified_user_and_publishes_a_code_to_the_email_channel() {
    let app = TestApp::spawn().await;

    let reply = create(&app, "john@example.com").await;

    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["msg"], "Email sent successfully!");
    let data = &reply.body["data"];
    assert_eq!(data["email"], "john@example.com");
    assert_eq!(data["phone"], "+1234567890");
    assert_eq!(data["gender"], "M");
    assert_eq!(data["country"], "US");
    let messages = app.published().await;
    assert_eq!(messages.len(), 1);
    assert_eq!(
        messages[0]["MessageAttributes"]["user_id"]["Value"],
        data["id"].to_string()
    );
    assert_eq!(messages[0]["Message"]["to"], "john@example.com");
    let code = messages[0]["Message"]["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 6);
    let stored = format!("{:?}", app.all_items().await);
    assert!(!stored.contains(&code), "the code is stored only hashed");
}

#[tokio::test]
async fn an_unverified_user_cannot_sign_in_until_the_code_is_confirmed() {
    let app = TestApp::spawn().await;
    create(&app, "john@example.com").await;
    let code = code_sent(&app).await;

    assert_eq!(
        login(&app, "john@example.com").await,
        StatusCode::UNAUTHORIZED
    );
    let verified = verify(&app, "JOHN@example.com", &code).await;

    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    assert_eq!(
        verified.body,
        json!({"msg": "Email verified successfully!"})
    );
    assert_eq!(login(&app, "john@example.com").await, StatusCode::OK);
}

#[tokio::test]
async fn a_used_code_is_refused() {
    let app = TestApp::spawn().await;
    create(&app, "john@example.com").await;
    let code = code_sent(&app).await;
    let first = verify(&app, "john@example.com", &code).await;
    assert_eq!(first.status, StatusCode::OK);

    let reused = verify(&app, "john@example.com", &code).await;

    assert_code_refused(&reused);
}

#[tokio::test]
async fn a_wrong_code_is_refused_and_five_attempts_use_the_code_up() {
    let app = TestApp::spawn().await;
    create(&app, "john@example.com").await;
    let code = code_sent(&app).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };

    for _ in 0..5 {
        let reply = verify(&app, "john@example.com", wrong).await;
        assert_code_refused(&reply);
    }
    let right_too_late = verify(&app, "john@example.com", &code).await;

    assert_code_refused(&right_too_late);
    assert_eq!(
        login(&app, "john@example.com").await,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let app = TestApp::spawn().await;
    let created = create(&app, "john@example.com").await;
    let code = code_sent(&app).await;
    set_code_attribute(
        &app,
        created.body["data"]["id"].as_u64().unwrap(),
        "expires_at",
        now() - 1,
    )
    .await;

    let reply = verify(&app, "john@example.com", &code).await;

    assert_code_refused(&reply);
}

#[tokio::test]
async fn a_new_code_waits_sixty_seconds_and_replaces_the_old_one() {
    let app = TestApp::spawn().await;
    let created = create(&app, "john@example.com").await;
    let old_code = code_sent(&app).await;
    let id = created.body["data"]["id"].as_u64().unwrap();

    let too_soon = app
        .post_json(RESEND, &json!({"email": "john@example.com"}), None)
        .await;
    // The resend interval applies silently: the answer says nothing about the address.
    too_soon.assert_answer(StatusCode::OK, json!({"msg": "Email sent successfully!"}));
    assert!(
        app.published().await.is_empty(),
        "no second code within 60 s"
    );

    set_code_attribute(&app, id, "sent_at", now() - 61).await;
    let resent = app
        .post_json(RESEND, &json!({"email": "john@example.com"}), None)
        .await;
    assert_eq!(resent.status, StatusCode::OK);
    let new_code = code_sent(&app).await;

    if new_code != old_code {
        let stale = verify(&app, "john@example.com", &old_code).await;
        assert_code_refused(&stale);
    }
    let fresh = verify(&app, "john@example.com", &new_code).await;
    assert_eq!(fresh.status, StatusCode::OK);
}

#[tokio::test]
async fn resend_says_the_same_for_unknown_and_verified_addresses_and_sends_nothing() {
    let app = TestApp::spawn().await;
    app.register("alice").await;

    for email in ["nobody@example.com", "alice@example.com"] {
        let reply = app.post_json(RESEND, &json!({"email": email}), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{email}");
        assert_eq!(reply.body, json!({"msg": "Email sent successfully!"}));
    }
    assert!(app.published().await.is_empty());
}

#[tokio::test]
async fn sign_up_fields_are_validated() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            "phone",
            json!("12345"),
            "Enter a valid phone number in international format, e.g. +1234567890.",
        ),
        ("gender", json!("X"), "\"X\" is not a valid choice."),
        ("country", json!("ZZ"), "\"ZZ\" is not a valid choice."),
        (
            "confirm_password",
            json!("different123"),
            "Password fields didn't match.",
        ),
        (
            "email",
            json!("not-an-email"),
            "Enter a valid email address.",
        ),
        ("id", json!(5), "This field cannot be set."),
    ];
    for (field, value, message) in cases {
        let mut body = sign_up_body("val@example.com");
        body[field] = value;
        let reply = app.post_json(CREATE, &body, None).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{field}");
        assert_eq!(reply.body[field], json!([message]), "{field}");
    }
    let empty = app.post_json(CREATE, &json!({}), None).await;
    assert_eq!(empty.body["email"], json!(["This field is required."]));
    assert!(app.items_of("USER").await.is_empty());
    assert!(app.published().await.is_empty());
}

#[tokio::test]
async fn an_email_taken_in_another_contract_is_taken_here() {
    let app = TestApp::spawn().await;
    app.register("alice").await;

    let reply = create(&app, "Alice@Example.com").await;

    reply.assert_answer(
        StatusCode::BAD_REQUEST,
        json!({"email": ["A user with that email already exists."]}),
    );
}

#[tokio::test]
async fn a_verified_accounts_user_is_the_same_user_in_careers() {
    let app = TestApp::spawn().await;
    let created = create(&app, "john.doe@example.com").await;
    let code = code_sent(&app).await;
    verify(&app, "john.doe@example.com", &code).await;

    let login = app
        .login(&json!({"email": "john.doe@example.com", "password": "securepassword123"}))
        .await;

    assert_eq!(login.status, StatusCode::OK);
    assert_eq!(login.body["user"]["id"], created.body["data"]["id"]);
    assert_eq!(
        login.body["user"]["username"], "john.doe",
        "a username is derived from the e-mail"
    );
}

#[tokio::test]
async fn an_email_whose_name_is_a_route_word_gets_a_usable_username() {
    let app = TestApp::spawn().await;

    let reply = create(&app, "login@example.com").await;

    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let users = app.items_of("USER").await;
    assert_eq!(s(&users[0], "username"), "userlogin");
}
