//! The campaign app's profile update, with countries and cities as reference data.

use crate::support::{s, text, Reply, TestApp, CAMPAIGN_REGISTER};
use reqwest::StatusCode;
use serde_json::json;

const UPDATE: &str = "/api/update/profile/";

/// A profile update with a form body and no `Content-Type` header.
async fn update(app: &TestApp, form: &str, token: Option<&str>) -> Reply {
    app.post_raw(UPDATE, None, form, token).await
}

async fn signed_in(app: &TestApp) -> String {
    text(&app.register("alice").await, "access")
}

#[tokio::test]
async fn the_profile_is_updated_from_a_form() {
    let app = TestApp::spawn().await;
    let token = signed_in(&app).await;

    let reply = app
        .post_raw(
            UPDATE,
            Some("application/x-www-form-urlencoded"),
            "first_name=John&last_name=Doe&email=john.doe%40example.com&phone=%2B1234567890&country=1&city=1",
            Some(&token),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        reply.body,
        json!({"status": "success", "message": "Profile updated successfully"})
    );
    let user = &app.items_of("USER").await[0];
    assert_eq!(s(user, "first_name"), "John");
    assert_eq!(s(user, "email"), "john.doe@example.com");
    assert_eq!(user["country_id"].as_n().unwrap(), "1");
    assert_eq!(user["city_id"].as_n().unwrap(), "1");
}

#[tokio::test]
async fn unknown_and_mismatched_places_are_refused() {
    let app = TestApp::spawn().await;
    let token = signed_in(&app).await;

    let unknown = update(&app, "country=999", Some(&token)).await;
    let mismatch = update(&app, "country=1&city=4", Some(&token)).await;
    let register = app
        .post_form(
            CAMPAIGN_REGISTER,
            "username=bob&email=bob%40example.com&password=password123&country=2&city=1",
        )
        .await;

    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.body["field"], "country");
    assert_eq!(
        unknown.body["message"],
        "Invalid pk \"999\" - object does not exist."
    );
    assert_eq!(mismatch.body["field"], "city");
    assert_eq!(
        mismatch.body["message"],
        "This city is not in the given country."
    );
    assert_eq!(
        register.status,
        StatusCode::BAD_REQUEST,
        "register checks places too"
    );
    assert_eq!(register.body["field"], "city");
}

#[tokio::test]
async fn bad_values_and_missing_tokens_are_refused_in_the_campaign_shape() {
    let app = TestApp::spawn().await;
    let token = signed_in(&app).await;
    app.register("bob").await;

    let email = update(&app, "email=nope", Some(&token)).await;
    let taken = update(&app, "email=bob%40example.com", Some(&token)).await;
    let protected = update(&app, "is_staff=true", Some(&token)).await;
    let anonymous = update(&app, "first_name=X", None).await;

    assert_eq!(
        (email.status, email.body["message"].clone()),
        (StatusCode::BAD_REQUEST, json!("Invalid email format"))
    );
    assert_eq!(
        taken.body["message"],
        "A user with that email already exists."
    );
    assert_eq!(protected.body["field"], "is_staff");
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.body["error"], "authentication_required");
}

#[tokio::test]
async fn more_reference_data_can_be_loaded() {
    let app = TestApp::spawn().await;
    let token = signed_in(&app).await;
    let file = std::env::temp_dir().join(format!("reference-{}.json", std::process::id()));
    std::fs::write(
        &file,
        json!({"countries": [{"id": 100, "code": "NZ", "name": "New Zealand"}], "cities": [{"id": 1000, "name": "Auckland", "country_id": 100}]}).to_string(),
    )
    .unwrap();

    let out = app
        .admin(&["reference", "load", file.to_str().unwrap()], "")
        .await
        .unwrap();
    let reply = update(&app, "country=100&city=1000", Some(&token)).await;

    assert!(out.contains("loaded 1 countries, 1 cities"), "{out}");
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let _ = std::fs::remove_file(file);
}
