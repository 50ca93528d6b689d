//! `POST /careers/users/register/`: sign-up through the careers contract.

use crate::support::{
    s, sign_up, sorted_keys, text, user_id, TestApp, CAREERS_ME, CAREERS_REGISTER as REGISTER,
    PASSWORD,
};
use reqwest::StatusCode;
use serde_json::json;
use users_shared::store::keys;

#[tokio::test]
async fn sign_up_returns_201_with_the_user_and_a_working_token_pair() {
    let app = TestApp::spawn().await;

    let reply = app.post_json(REGISTER, &sign_up("alice"), None).await;

    assert_eq!(reply.status, StatusCode::CREATED);
    let user = &reply.body["user"];
    assert!(user["id"].is_u64());
    assert_eq!(user["username"], "alice");
    assert_eq!(user["email"], "alice@example.com");
    assert_eq!(user["first_name"], "First");
    assert_eq!(user["last_name"], "Last");
    assert_eq!(user["bio"], "Bio of someone");
    assert!(user["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(
        sorted_keys(user),
        [
            "bio",
            "created_at",
            "email",
            "first_name",
            "id",
            "last_name",
            "username"
        ]
    );
    assert_eq!(reply.headers["cache-control"], "no-store");

    let me = app.get(CAREERS_ME, reply.body["access"].as_str()).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["id"], user["id"]);
}

#[tokio::test]
async fn sign_up_stores_the_user_its_two_guards_and_one_session_and_no_plain_password() {
    let app = TestApp::spawn().await;

    let body = app.register("alice").await;

    let users = app.items_of("USER").await;
    assert_eq!(users.len(), 1);
    let hash = s(&users[0], "password_hash");
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains(PASSWORD));
    let stored = app.all_items().await;
    assert!(
        !format!("{stored:?}").contains(PASSWORD),
        "no item holds the plain password"
    );
    assert_eq!(
        s(&app.items_of("USERNAME_GUARD").await[0], keys::PK),
        keys::username_guard_pk("alice")
    );
    assert_eq!(
        s(&app.items_of("EMAIL_GUARD").await[0], keys::PK),
        keys::email_guard_pk("alice@example.com")
    );
    let sessions = app.items_of("SESSION").await;
    assert_eq!(sessions.len(), 1);
    let refresh = text(&body, "refresh");
    assert!(
        !format!("{:?}", sessions[0]).contains(&refresh),
        "the refresh token is stored only hashed"
    );
    let login = app.login_as("alice", PASSWORD).await;
    assert_eq!(
        (login.status, login.body["user"]["id"].as_u64()),
        (StatusCode::OK, Some(user_id(&body))),
        "the stored hash is the password's: {}",
        login.body
    );
}

#[tokio::test]
async fn user_ids_are_numbers_given_in_order() {
    let app = TestApp::spawn().await;

    let first = user_id(&app.register("first").await);
    let second = user_id(&app.register("second").await);

    assert!(second > first);
}

#[tokio::test]
async fn a_form_encoded_sign_up_works_like_json() {
    let app = TestApp::spawn().await;

    let reply = app
        .post_form(
            REGISTER,
            "username=bob&email=bob%40example.com&password=password123&password_confirm=password123&first_name=Bob",
        )
        .await;

    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["user"]["email"], "bob@example.com");
    assert_eq!(reply.body["user"]["last_name"], "");
}

#[tokio::test]
async fn every_missing_required_field_is_reported() {
    let app = TestApp::spawn().await;

    let reply = app.post_json(REGISTER, &json!({}), None).await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    for field in ["username", "email", "password", "password_confirm"] {
        assert_eq!(
            reply.body[field],
            json!(["This field is required."]),
            "{field}"
        );
    }
    assert!(app.items_of("USER").await.is_empty());
}

#[tokio::test]
async fn invalid_values_get_field_errors() {
    let app = TestApp::spawn().await;
    let cases = [
        ("username", json!("al"), "Ensure this field has at least 3 characters."),
        ("username", json!("a".repeat(31)), "Ensure this field has no more than 30 characters."),
        (
            "username",
            json!("alice smith"),
            "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.",
        ),
        ("username", json!(""), "This field may not be blank."),
        ("username", json!(["alice"]), "Not a valid string."),
        ("username", json!(null), "This field may not be null."),
        ("email", json!("not-an-email"), "Enter a valid email address."),
        ("email", json!({"a": 1}), "Not a valid string."),
        ("password", json!(true), "Not a valid string."),
        ("first_name", json!("x".repeat(151)), "Ensure this field has no more than 150 characters."),
        ("bio", json!(["a", "b"]), "Not a valid string."),
    ];
    for (field, value, message) in cases {
        let mut body = sign_up("carol");
        body[field] = value.clone();

        let reply = app.post_json(REGISTER, &body, None).await;

        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{field}={value}");
        assert_eq!(reply.body[field], json!([message]), "{field}={value}");
    }
    assert!(app.items_of("USER").await.is_empty());
}

#[tokio::test]
async fn a_short_password_is_refused() {
    let app = TestApp::spawn().await;
    let mut body = sign_up("dave");
    body["password"] = json!("short7!");
    body["password_confirm"] = json!("short7!");

    let reply = app.post_json(REGISTER, &body, None).await;

    reply.assert_field_error("password", "Ensure this field has at least 8 characters.");
}

#[tokio::test]
async fn a_mismatched_confirmation_is_refused() {
    let app = TestApp::spawn().await;
    let mut body = sign_up("erin");
    body["password_confirm"] = json!("password124");

    let reply = app.post_json(REGISTER, &body, None).await;

    reply.assert_field_error("password_confirm", "Password fields didn't match.");
}

#[tokio::test]
async fn a_taken_username_is_refused_in_any_letter_case() {
    let app = TestApp::spawn().await;
    app.register("frank").await;

    for username in ["frank", "FRANK", "Frank"] {
        let mut body = sign_up(username);
        body["email"] = json!(format!("other-{username}@example.com"));

        let reply = app.post_json(REGISTER, &body, None).await;

        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{username}");
        assert_eq!(
            reply.body,
            json!({"username": ["A user with that username already exists."]})
        );
    }
    assert_eq!(app.items_of("USER").await.len(), 1);
    assert_eq!(app.items_of("EMAIL_GUARD").await.len(), 1);
}

#[tokio::test]
async fn a_taken_email_is_refused_in_any_letter_case() {
    let app = TestApp::spawn().await;
    app.register("grace").await;
    let mut body = sign_up("grace2");
    body["email"] = json!("GRACE@Example.COM");

    let reply = app.post_json(REGISTER, &body, None).await;

    reply.assert_answer(
        StatusCode::BAD_REQUEST,
        json!({"email": ["A user with that email already exists."]}),
    );
    assert_eq!(app.items_of("USERNAME_GUARD").await.len(), 1);
}

#[tokio::test]
async fn fields_a_client_may_not_set_are_refused_not_ignored() {
    let app = TestApp::spawn().await;
    let mut body = sign_up("heidi");
    body["is_staff"] = json!(true);
    body["id"] = json!(1);
    body["followers_count"] = json!(1000);

    let reply = app.post_json(REGISTER, &body, None).await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    for field in ["is_staff", "id", "followers_count"] {
        assert_eq!(
            reply.body[field],
            json!(["This field cannot be set."]),
            "{field}"
        );
    }
    assert!(app.items_of("USER").await.is_empty());
}
