//! The push client's own authentication: `X-App-Auth = md5(app name + "YYYY-MM-DD" + secret)`
//! for the UTC date or a day either side, beside the plain secret; the secret is kept sealed.

use crate::support::*;
use reqwest::StatusCode;
use users_shared::clock::Timestamp;
use users_shared::service::apps::{daily_token, utc_date};

/// The token the PHP client computes on a clock `days` away from today (UTC).
fn token(push: &AppClient<'_>, days: i64) -> String {
    let date = utc_date(Timestamp::now().unix() + days * 86_400);
    daily_token("push", &date, &push.secret)
}

#[tokio::test]
async fn todays_and_yesterdays_tokens_and_the_plain_secret_are_accepted() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;

    for (what, secret) in [
        ("today", token(&push, 0)),
        ("yesterday", token(&push, -1)),
        ("tomorrow", token(&push, 1)),
        ("plain secret", push.secret.clone()),
    ] {
        let reply = push.with_secret(&secret).get("/users").await;
        assert_eq!(reply.status, StatusCode::OK, "{what}: {}", reply.body);
    }
}

#[tokio::test]
async fn an_old_or_foreign_token_is_refused_with_its_reason() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let other = app.push_client("other").await;

    let three_days_ago = push.with_secret(&token(&push, -3)).get("/users").await;
    let other_apps_token = push.with_secret(&token(&other, 0)).get("/users").await;
    let with_another_id = other.with_secret(&token(&push, 0)).get("/users").await;

    for reply in [three_days_ago, other_apps_token, with_another_id] {
        reply.assert_push_error(StatusCode::UNAUTHORIZED, "Invalid app credentials");
    }
}

#[tokio::test]
async fn nothing_stored_equals_the_secret() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;

    let items = app.items_of("APP_CREDENTIAL").await;
    assert_eq!(items.len(), 1);
    for (name, value) in &items[0] {
        let shown = format!("{value:?}");
        assert!(!shown.contains(&push.secret), "{name} holds the secret");
    }
    assert!(items[0].contains_key("secret_sealed"));
}

#[tokio::test]
async fn a_credential_stored_with_only_its_hash_keeps_working_with_the_plain_secret() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    app.dynamodb
        .update_item()
        .table_name(&app.table)
        .key(
            "PK",
            aws_sdk_dynamodb::types::AttributeValue::S("APPS".into()),
        )
        .key(
            "SK",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("APP#{}", push.id)),
        )
        .update_expression("REMOVE secret_sealed")
        .send()
        .await
        .expect("made an old-style credential");

    assert_eq!(push.get("/users").await.status, StatusCode::OK);
    push.with_secret(&token(&push, 0))
        .get("/users")
        .await
        .assert_push_error(StatusCode::UNAUTHORIZED, "Invalid app credentials");
}

#[tokio::test]
async fn the_chat_contract_takes_the_plain_secret_only() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let chat = AppClient::chat(&app, &push.id, &push.secret);

    let plain = chat.get("/api/v2.1/rest/get_user_list").await;
    let daily = chat
        .with_secret(&token(&push, 0))
        .get("/api/v2.1/rest/get_user_list")
        .await;

    assert_eq!(plain.status, StatusCode::OK, "{}", plain.body);
    assert_eq!(daily.status, StatusCode::UNAUTHORIZED, "{}", daily.body);
}
