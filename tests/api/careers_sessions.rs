//! Sign-in, token refresh with rotation and reuse detection, sign-out and `GET me`.

use crate::support::{
    sorted_keys, text, user_id, Reply, TestApp, CAREERS_LOGIN as LOGIN, CAREERS_ME as ME, PASSWORD,
};
use aws_sdk_dynamodb::types::AttributeValue;
use reqwest::StatusCode;
use serde_json::json;
use users_shared::auth::tokens::TokenSigner;
use users_shared::clock::Timestamp;
use users_shared::domain::UserId;

const REFRESH: &str = "/careers/users/token/refresh/";
const LOGOUT: &str = "/careers/users/logout/";

async fn logout(app: &TestApp, refresh: &str, access: Option<&str>) -> Reply {
    app.post_json(LOGOUT, &json!({ "refresh": refresh }), access)
        .await
}

/// How `GET me` answers `access`.
async fn me(app: &TestApp, access: &str) -> StatusCode {
    app.get(ME, Some(access)).await.status
}

async fn use_refresh(app: &TestApp, token: &str) -> Reply {
    app.post_json(REFRESH, &json!({ "refresh": token }), None)
        .await
}

#[tokio::test]
async fn login_with_username_returns_the_user_and_a_token_pair() {
    let app = TestApp::spawn().await;
    app.register("alice").await;

    let reply = app.login_as("alice", PASSWORD).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(
        sorted_keys(&reply.body["user"]),
        ["email", "first_name", "id", "last_name", "username"]
    );
    let me = app.get(ME, Some(&text(&reply.body, "access"))).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["username"], "alice");
}

#[tokio::test]
async fn login_accepts_the_email_and_any_letter_case() {
    let app = TestApp::spawn().await;
    app.register("alice").await;

    let attempts = [
        json!({"email": "ALICE@example.com", "password": "password123"}),
        json!({"username": "alice@example.com", "password": "password123"}),
        json!({"username": "ALICE", "password": "password123"}),
    ];
    for body in attempts {
        let reply = app.login(&body).await;
        assert_eq!(reply.status, StatusCode::OK, "{body}");
    }
    let form = app
        .post_form(LOGIN, "username=alice&password=password123")
        .await;
    assert_eq!(form.status, StatusCode::OK);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_user_get_the_same_401_and_no_tokens() {
    let app = TestApp::spawn().await;
    app.register("alice").await;

    let wrong = app.login_as("alice", "password124").await;
    let unknown = app.login_as("nobody", PASSWORD).await;

    for reply in [&wrong, &unknown] {
        reply.assert_answer(
            StatusCode::UNAUTHORIZED,
            json!({"detail": "No active account found with the given credentials"}),
        );
    }
    assert_eq!(
        app.items_of("SESSION").await.len(),
        1,
        "only the sign-up session exists"
    );
}

#[tokio::test]
async fn login_without_a_password_is_a_field_error() {
    let app = TestApp::spawn().await;

    let reply = app.login(&json!({"username": "alice"})).await;

    reply.assert_answer(
        StatusCode::BAD_REQUEST,
        json!({"password": ["This field is required."]}),
    );
}

#[tokio::test]
async fn an_inactive_user_cannot_sign_in_and_their_tokens_stop_working() {
    let app = TestApp::spawn().await;
    let body = app.register("mallory").await;
    let id = user_id(&body);

    app.set_user_attribute(id, "is_active", AttributeValue::Bool(false))
        .await;

    let me = app.get(ME, Some(&text(&body, "access"))).await;
    assert_eq!(me.status, StatusCode::UNAUTHORIZED);
    let login = app.login_as("mallory", PASSWORD).await;
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    let refresh = use_refresh(&app, &text(&body, "refresh")).await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn raising_the_token_version_cuts_off_every_issued_token_at_once() {
    let app = TestApp::spawn().await;
    let body = app.register("victor").await;
    let id = user_id(&body);

    app.set_user_attribute(id, "token_version", AttributeValue::N("1".into()))
        .await;

    assert_eq!(
        me(&app, &text(&body, "access")).await,
        StatusCode::UNAUTHORIZED
    );
    let refresh = use_refresh(&app, &text(&body, "refresh")).await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED);
    let login = app.login_as("victor", PASSWORD).await;
    assert_eq!(me(&app, &text(&login.body, "access")).await, StatusCode::OK);
}

#[tokio::test]
async fn refresh_rotates_the_pair() {
    let app = TestApp::spawn().await;
    let body = app.register("alice").await;
    let first_refresh = text(&body, "refresh");

    let reply = use_refresh(&app, &first_refresh).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_ne!(text(&reply.body, "refresh"), first_refresh);
    assert_eq!(me(&app, &text(&reply.body, "access")).await, StatusCode::OK);
    let again = use_refresh(&app, &text(&reply.body, "refresh")).await;
    assert_eq!(again.status, StatusCode::OK);
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_the_whole_family() {
    let app = TestApp::spawn().await;
    let body = app.register("alice").await;
    let stolen = text(&body, "refresh");
    let rotated = use_refresh(&app, &stolen).await;
    assert_eq!(rotated.status, StatusCode::OK);

    let reuse = use_refresh(&app, &stolen).await;

    reuse.assert_answer(
        StatusCode::UNAUTHORIZED,
        json!({"detail": "Token is invalid or expired", "code": "token_not_valid"}),
    );
    let newest = use_refresh(&app, &text(&rotated.body, "refresh")).await;
    assert_eq!(
        newest.status,
        StatusCode::UNAUTHORIZED,
        "the newest token of the family is revoked too"
    );
    for access in [text(&body, "access"), text(&rotated.body, "access")] {
        assert_eq!(me(&app, &access).await, StatusCode::UNAUTHORIZED);
    }
    assert!(app.items_of("SESSION").await.is_empty());
}

#[tokio::test]
async fn refresh_refuses_missing_and_malformed_tokens() {
    let app = TestApp::spawn().await;
    let body = app.register("alice").await;

    let missing = app.post_json(REFRESH, &json!({}), None).await;
    missing.assert_answer(
        StatusCode::BAD_REQUEST,
        json!({"refresh": ["This field is required."]}),
    );

    let access_as_refresh = text(&body, "access");
    for bad in ["garbage", "1.2.3", access_as_refresh.as_str()] {
        let reply = use_refresh(&app, bad).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{bad}");
        assert_eq!(reply.body["code"], "token_not_valid");
    }
}

#[tokio::test]
async fn logout_ends_the_session_at_once_and_leaves_other_sessions_alone() {
    let app = TestApp::spawn().await;
    let phone = app.register("alice").await;
    let laptop = app.login_as("alice", PASSWORD).await;

    let reply = logout(
        &app,
        &text(&phone, "refresh"),
        Some(&text(&phone, "access")),
    )
    .await;

    reply.assert_answer(
        StatusCode::OK,
        json!({"detail": "Successfully logged out."}),
    );
    assert_eq!(
        me(&app, &text(&phone, "access")).await,
        StatusCode::UNAUTHORIZED
    );
    let refresh = use_refresh(&app, &text(&phone, "refresh")).await;
    assert_eq!(refresh.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        me(&app, &text(&laptop.body, "access")).await,
        StatusCode::OK
    );
}

#[tokio::test]
async fn logout_needs_an_access_token() {
    let app = TestApp::spawn().await;
    let body = app.register("alice").await;

    let reply = logout(&app, &text(&body, "refresh"), None).await;

    reply.assert_answer(
        StatusCode::UNAUTHORIZED,
        json!({"detail": "Authentication credentials were not provided."}),
    );
    assert_eq!(reply.headers["www-authenticate"], "Bearer realm=\"api\"");
    assert_eq!(me(&app, &text(&body, "access")).await, StatusCode::OK);
}

#[tokio::test]
async fn logout_refuses_someone_elses_refresh_token_and_revokes_nothing() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;

    let reply = logout(&app, &text(&bob, "refresh"), Some(&text(&alice, "access"))).await;

    reply.assert_answer(
        StatusCode::BAD_REQUEST,
        json!({"refresh": ["Token is invalid or expired"]}),
    );
    assert_eq!(me(&app, &text(&alice, "access")).await, StatusCode::OK);
    let bob_refresh = use_refresh(&app, &text(&bob, "refresh")).await;
    assert_eq!(bob_refresh.status, StatusCode::OK);
}

#[tokio::test]
async fn me_shows_the_callers_own_profile() {
    let app = TestApp::spawn().await;
    let body = app.register("alice").await;

    let me = app.get(ME, Some(&text(&body, "access"))).await;

    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(
        sorted_keys(&me.body),
        [
            "avatar",
            "bio",
            "created_at",
            "email",
            "first_name",
            "followers_count",
            "following_count",
            "id",
            "last_name",
            "posts_count",
            "updated_at",
            "username"
        ]
    );
    assert_eq!(me.body["email"], "alice@example.com");
    assert_eq!(me.body["followers_count"], 0);
}

#[tokio::test]
async fn me_without_a_token_is_401() {
    let app = TestApp::spawn().await;

    let reply = app.get(ME, None).await;

    reply.assert_answer(
        StatusCode::UNAUTHORIZED,
        json!({"detail": "Authentication credentials were not provided."}),
    );
}

#[tokio::test]
async fn an_expired_access_token_is_refused() {
    let app = TestApp::spawn().await;
    let body = app.register("alice").await;
    let id = user_id(&body);
    let verifier = app.config.verifier().unwrap();
    let signer: TokenSigner = app.config.signer(&verifier).unwrap();
    let refresh = text(&body, "refresh");
    let session_id = refresh.split('.').nth(1).unwrap();
    let two_hours_ago = Timestamp::now().plus_seconds(-7200);

    let expired = signer
        .sign(UserId::new(id), session_id, 0, two_hours_ago)
        .unwrap();
    let fresh = signer
        .sign(UserId::new(id), session_id, 0, Timestamp::now())
        .unwrap();

    assert_eq!(me(&app, &expired).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        me(&app, &fresh).await,
        StatusCode::OK,
        "the same claims, unexpired, pass"
    );
}

#[tokio::test]
async fn sign_up_then_sign_in_through_a_form_body() {
    let app = TestApp::spawn().await;
    app.register("olivia").await;

    let login = app
        .post_form(LOGIN, "email=olivia%40example.com&password=password123")
        .await;

    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
}

#[tokio::test]
async fn logout_with_a_made_up_or_used_refresh_token_revokes_nothing() {
    let app = TestApp::spawn().await;
    let body = app.register("alice").await;
    let id = user_id(&body);
    let refresh = text(&body, "refresh");
    let session = refresh.split('.').nth(1).unwrap().to_owned();
    let rotated = use_refresh(&app, &refresh).await;
    let access = text(&rotated.body, "access");
    let made_up = format!("{id}.{session}.{}", "A".repeat(43));

    for bad in [made_up, refresh.clone()] {
        let reply = logout(&app, &bad, Some(&access)).await;
        reply.assert_answer(
            StatusCode::BAD_REQUEST,
            json!({"refresh": ["Token is invalid or expired"]}),
        );
    }
    assert_eq!(
        me(&app, &access).await,
        StatusCode::OK,
        "the session is still live"
    );
}
