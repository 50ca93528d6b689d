//! The campaign app and backend (`/api/...`): register, logout and the checks.

use crate::support::{s, sign_up, TestApp, CAMPAIGN_REGISTER as REGISTER, PASSWORD};
use reqwest::StatusCode;
use serde_json::json;

/// Bob, signed up through the campaign app and signed in: his id and access token.
async fn bob_signed_in(app: &TestApp) -> (u64, String) {
    let id = app.campaign_register("bob").await;
    (id, app.access_token("bob").await)
}

#[tokio::test]
async fn register_with_a_form_creates_the_user_in_the_campaign_shape() {
    let app = TestApp::spawn().await;

    let reply = app
        .post_form(REGISTER, "username=newuser&email=newuser%40example.com&password=securepassword&first_name=John&last_name=Doe&country=1&city=1")
        .await;

    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.body["status"], "success");
    assert_eq!(reply.body["message"], "Account created successfully");
    assert!(reply.body["user_id"].is_u64());
    let users = app.items_of("USER").await;
    assert_eq!(s(&users[0], "username"), "newuser");
    assert_eq!(users[0]["country_id"].as_n().unwrap(), "1");
}

#[tokio::test]
async fn register_errors_come_in_the_campaign_shape() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            "email=a%40example.com&password=password123",
            "username",
            "This field is required.",
        ),
        (
            "username=abc&email=nope&password=password123",
            "email",
            "Invalid email format",
        ),
        (
            "username=abc&email=a%40example.com&password=short",
            "password",
            "Password must be at least 8 characters long",
        ),
        (
            "username=abc&email=a%40example.com&password=password123&country=x",
            "country",
            "A valid integer is required.",
        ),
        (
            "username=abc&email=a%40example.com&password=password123&is_staff=true",
            "is_staff",
            "This field cannot be set.",
        ),
    ];
    for (body, field, message) in cases {
        let reply = app.post_form(REGISTER, body).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(reply.body["error"], "validation_error", "{body}");
        assert_eq!(reply.body["field"], field, "{body}");
        assert_eq!(reply.body["message"], message, "{body}");
    }
    let malformed = app
        .post_raw(REGISTER, Some("application/json"), "{oops", None)
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.body["error"], "validation_error");
    assert!(app.items_of("USER").await.is_empty());
}

#[tokio::test]
async fn a_username_taken_through_careers_is_taken_here_in_any_case() {
    let app = TestApp::spawn().await;
    app.register("alice").await;

    let reply = app
        .post_form(
            REGISTER,
            "username=ALICE&email=other%40example.com&password=password123",
        )
        .await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(reply.body["field"], "username");
    assert_eq!(
        reply.body["message"],
        "A user with that username already exists."
    );
}

#[tokio::test]
async fn check_auth_reports_the_callers_state() {
    let app = TestApp::spawn().await;
    let (id, token) = bob_signed_in(&app).await;

    let signed_in = app.post_empty("/api/check/auth/", Some(&token)).await;
    let anonymous = app.post_empty("/api/check/auth/", None).await;
    let bad_token = app.post_empty("/api/check/auth/", Some("garbage")).await;

    assert_eq!(
        signed_in.body,
        json!({"is_authenticated": true, "user_id": id, "username": "bob"})
    );
    for reply in [anonymous, bad_token] {
        reply.assert_answer(
            StatusCode::OK,
            json!({"is_authenticated": false, "user_id": null, "username": null}),
        );
    }
}

#[tokio::test]
async fn check_validate_with_credentials_checks_them() {
    let app = TestApp::spawn().await;
    let id = app.campaign_register("bob").await;

    let valid = app
        .post_form("/api/check/validate/", "username=bob&password=password123")
        .await;
    let invalid = app
        .post_form(
            "/api/check/validate/",
            "username=bob&password=wrongpassword",
        )
        .await;
    let unknown = app
        .post_form(
            "/api/check/validate/",
            "username=nobody&password=password123",
        )
        .await;
    let half = app.post_form("/api/check/validate/", "username=bob").await;

    assert_eq!(valid.body, json!({"is_valid": true, "user_id": id}));
    assert_eq!(invalid.body, json!({"is_valid": false, "user_id": null}));
    assert_eq!(unknown.body, json!({"is_valid": false, "user_id": null}));
    assert_eq!(half.status, StatusCode::BAD_REQUEST);
    assert_eq!(half.body["field"], "password");
    assert!(
        app.items_of("SESSION").await.is_empty(),
        "checking credentials starts no session"
    );
}

#[tokio::test]
async fn check_validate_without_credentials_reports_the_login_state() {
    let app = TestApp::spawn().await;
    let (id, token) = bob_signed_in(&app).await;

    let logged = app.post_empty("/api/check/validate/", Some(&token)).await;
    let anonymous = app.post_empty("/api/check/validate/", None).await;

    assert_eq!(logged.body, json!({"is_logged": true, "user_id": id}));
    assert_eq!(anonymous.body, json!({"is_logged": false, "user_id": null}));
}

#[tokio::test]
async fn check_email_tells_others_only_whether_an_address_is_available() {
    let app = TestApp::spawn().await;
    app.register("alice").await;

    let taken = app
        .post_json(
            "/api/check/email/",
            &json!({"email": "ALICE@example.com"}),
            None,
        )
        .await;
    let free = app
        .post_form("/api/check/email/", "email=free%40example.com")
        .await;
    let invalid = app.post_form("/api/check/email/", "email=nope").await;

    assert_eq!(taken.body, json!({"exists": true, "available": false}));
    assert_eq!(free.body, json!({"exists": false, "available": true}));
    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert_eq!(invalid.body["message"], "Invalid email format");
}

#[tokio::test]
async fn check_email_gives_staff_the_user_id() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    app.create_staff("boss", false).await;
    let staff_token = app.access_token("boss").await;
    let user_token = alice["access"].as_str().unwrap();

    let as_staff = app
        .post_json(
            "/api/check/email/",
            &json!({"email": "alice@example.com"}),
            Some(&staff_token),
        )
        .await;
    let as_user = app
        .post_json(
            "/api/check/email/",
            &json!({"email": "alice@example.com"}),
            Some(user_token),
        )
        .await;

    assert_eq!(
        as_staff.body,
        json!({"exists": true, "user_id": alice["user"]["id"]})
    );
    assert_eq!(as_user.body, json!({"exists": true, "available": false}));
}

#[tokio::test]
async fn check_email_is_rate_limited_per_address_for_non_staff() {
    let app = TestApp::spawn().await;

    for i in 0..10 {
        let reply = app
            .post_form(
                "/api/check/email/",
                &format!("email=probe{i}%40example.com"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "request {i}");
    }
    let refused = app
        .post_form("/api/check/email/", "email=probe%40example.com")
        .await;

    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(refused.body["error"], "rate_limited");
    let retry = refused.retry_after();
    assert!((1..=60).contains(&retry), "{retry}");
}

#[tokio::test]
async fn check_email_is_rate_limited_per_checked_address() {
    let app = TestApp::spawn().await;

    for i in 0..5 {
        let reply = app
            .post_form("/api/check/email/", "email=target%40example.com")
            .await;
        assert_eq!(reply.status, StatusCode::OK, "request {i}");
    }
    let refused = app
        .post_form("/api/check/email/", "email=TARGET%40example.com")
        .await;

    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(refused.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn check_login_reports_staff_rights_from_the_stored_user() {
    let app = TestApp::spawn().await;
    app.create_staff("root", true).await;
    let (id, user) = bob_signed_in(&app).await;
    let staff = app.access_token("root").await;

    let as_staff = app.post_empty("/api/check/login/", Some(&staff)).await;
    let as_user = app.post_empty("/api/check/login/", Some(&user)).await;
    let anonymous = app.post_empty("/api/check/login/", None).await;

    assert_eq!(as_staff.body["is_staff"], true);
    assert_eq!(as_staff.body["is_superuser"], true);
    assert_eq!(
        as_user.body,
        json!({"is_logged": true, "user_id": id, "is_staff": false, "is_superuser": false})
    );
    assert_eq!(
        anonymous.body,
        json!({"is_logged": false, "user_id": null, "is_staff": false, "is_superuser": false})
    );
}

#[tokio::test]
async fn logout_ends_the_session_and_needs_a_token() {
    let app = TestApp::spawn().await;
    let (_, token) = bob_signed_in(&app).await;

    let out = app.post_empty("/api/action/logout/", Some(&token)).await;
    let again = app.post_empty("/api/action/logout/", Some(&token)).await;
    let anonymous = app.post_empty("/api/action/logout/", None).await;

    out.assert_answer(
        StatusCode::OK,
        json!({"status": "success", "message": "Logged out successfully"}),
    );
    for reply in [again, anonymous] {
        reply.assert_answer(StatusCode::UNAUTHORIZED, json!({"error": "authentication_required", "message": "Authentication is required for this endpoint"}));
    }
    assert_eq!(
        app.get("/careers/users/me/", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_json_body_works_like_a_form() {
    let app = TestApp::spawn().await;
    let mut body = sign_up("jsonuser");
    body.as_object_mut().unwrap().remove("password_confirm");
    body.as_object_mut().unwrap().remove("bio");

    let reply = app.post_json(REGISTER, &body, None).await;

    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    let id = reply.body["user_id"].as_u64().expect("user_id");
    assert_eq!(
        reply.body,
        json!({"status": "success", "message": "Account created successfully", "user_id": id})
    );
    let user = app.user_item(id).await;
    assert_eq!(s(&user, "username"), "jsonuser");
    assert_eq!(s(&user, "email"), "jsonuser@example.com");
    assert_eq!(s(&user, "first_name"), "First");
    assert_eq!(s(&user, "last_name"), "Last");
    let login = app.login_as("jsonuser", PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    assert_eq!(
        login.body["user"]["id"], id,
        "the password in the body is set"
    );
}
