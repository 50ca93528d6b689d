//! Accounts: reading and changing a user by id, for that user or staff only.

use crate::support::{text, user_id, Reply, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn account(id: u64) -> String {
    format!("/api/v1/accounts/users/{id}/")
}

async fn get(app: &TestApp, id: u64, token: &str) -> Reply {
    app.get(&account(id), Some(token)).await
}

async fn patch(app: &TestApp, id: u64, token: &str, body: Value) -> (StatusCode, Value) {
    let reply = app.patch_json(&account(id), &body, Some(token)).await;
    (reply.status, reply.body)
}

#[tokio::test]
async fn a_user_reads_their_own_details_with_has_initial_profile() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let (id, token) = (user_id(&alice), &text(&alice, "access"));

    let before = get(&app, id, token).await;
    let (status, patched) = patch(
        &app,
        id,
        token,
        json!({"phone": "+1234567890", "gender": "F", "country": "us", "birthday": "1990-01-01", "photo": "https://example.com/p.jpg", "address": "1 Main St"}),
    )
    .await;
    let after = get(&app, id, token).await;

    assert_eq!(before.status, StatusCode::OK);
    assert_eq!(before.body["has_initial_profile"], false);
    assert_eq!(before.body["email"], "alice@example.com");
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["country"], "US");
    assert_eq!(after.body["has_initial_profile"], true);
    assert_eq!(after.body["birthday"], "1990-01-01");
    assert_eq!(after.body["photo"], "https://example.com/p.jpg");
    assert_eq!(after.body["address"], "1 Main St");
}

#[tokio::test]
async fn another_user_can_neither_read_nor_change_them() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let bob_token = &text(&bob, "access");
    let alice_id = user_id(&alice);

    let read = get(&app, alice_id, bob_token).await;
    let (status, _) = patch(&app, alice_id, bob_token, json!({"first_name": "Hacked"})).await;
    let missing = get(&app, 999_999, bob_token).await;
    let anonymous = app.get(&account(alice_id), None).await;

    let (bad_body, _) = patch(&app, alice_id, bob_token, json!({"phone": "nope"})).await;
    assert_eq!(
        bad_body,
        StatusCode::FORBIDDEN,
        "permission is checked before the body"
    );
    read.assert_answer(
        StatusCode::FORBIDDEN,
        json!({"detail": "You do not have permission to perform this action."}),
    );
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(
        missing.status,
        StatusCode::FORBIDDEN,
        "a stranger does not learn whether an id exists"
    );
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let own = get(&app, alice_id, &text(&alice, "access")).await;
    assert_eq!(own.body["first_name"], "First");
}

#[tokio::test]
async fn staff_can_read_and_change_anyone_and_get_404_for_no_one() {
    let app = TestApp::spawn().await;
    let alice_id = user_id(&app.register("alice").await);
    app.create_staff("boss", false).await;
    let staff = &app.access_token("boss").await;

    let (status, body) = patch(&app, alice_id, staff, json!({"last_name": "Changed"})).await;
    let missing = get(&app, 999_999, staff).await;

    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["last_name"], "Changed");
    missing.assert_answer(StatusCode::NOT_FOUND, json!({"error": "User not found"}));
}

#[tokio::test]
async fn bad_values_are_field_errors_and_change_nothing() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    app.register("bob").await;
    let (id, token) = (user_id(&alice), &text(&alice, "access"));
    let cases = [
        ("phone", json!("555-1234")),
        ("gender", json!("Q")),
        ("country", json!("XX")),
        ("birthday", json!("1990-13-01")),
        ("birthday", json!("2999-01-01")),
        ("photo", json!("ftp://x")),
        ("address", json!("x".repeat(256))),
        ("email", json!("bob@example.com")),
        ("is_staff", json!(true)),
        ("id", json!(1)),
    ];
    for (field, value) in cases {
        let (status, body) = patch(&app, id, token, json!({ field: value })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{field}={value}");
        assert!(body[field].is_array(), "{field}: {body}");
    }
    let unchanged = get(&app, id, token).await;
    assert_eq!(unchanged.body["email"], "alice@example.com");
    assert_eq!(unchanged.body["phone"], Value::Null);
}
