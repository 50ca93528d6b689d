//! Every event in `events/` is a real API Gateway HTTP API (v2) payload that its function's
//! handler serves: each is parsed as the Lambda runtime parses it and replayed through the
//! handler, with live tokens put in place of the `ACCESS_TOKEN` / `REFRESH_TOKEN` placeholders.

use crate::support::TestApp;
use lambda_http::http::StatusCode;
use serde_json::Value;
use std::path::{Path, PathBuf};
use users_tools::template::Template;

fn events_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../events")
}

fn read_event(function: &str, name: &str) -> String {
    let path = events_dir().join(function).join(format!("{name}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} is missing", path.display()))
}

fn body_of(response: &lambda_http::Response<lambda_http::Body>) -> Value {
    match response.body() {
        lambda_http::Body::Text(text) => serde_json::from_str(text).expect("JSON body"),
        other => panic!("unexpected body {other:?}"),
    }
}

async fn replay(
    app: &TestApp,
    function: &str,
    name: &str,
    tokens: Option<(&str, &str)>,
) -> (StatusCode, Value) {
    let mut text = read_event(function, name);
    if let Some((access, refresh)) = tokens {
        text = text
            .replace("ACCESS_TOKEN", access)
            .replace("REFRESH_TOKEN", refresh);
    }
    let request =
        lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{function}/{name}: {e}"));
    let functions = app.api.functions();
    let response = match function {
        "auth" => auth_function::handle(&functions.auth, request).await,
        "users" => users_function::handle(&functions.users, request).await,
        "social" => social_function::handle(&functions.social, request).await,
        other => panic!("no function {other}"),
    };
    (response.status(), body_of(&response))
}

#[tokio::test]
async fn every_event_replays_through_its_handler() {
    let app = TestApp::spawn().await;

    let (status, registered) = replay(&app, "auth", "careers-register", None).await;
    assert_eq!(status, StatusCode::CREATED, "{registered}");
    let (status, logged_in) = replay(&app, "auth", "careers-login", None).await;
    assert_eq!(status, StatusCode::OK, "{logged_in}");
    let access = logged_in["access"].as_str().unwrap().to_owned();
    let refresh = logged_in["refresh"].as_str().unwrap().to_owned();

    let (status, refreshed) = replay(
        &app,
        "auth",
        "careers-token-refresh",
        Some((&access, &refresh)),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{refreshed}");
    let access = refreshed["access"].as_str().unwrap().to_owned();
    let refresh = refreshed["refresh"].as_str().unwrap().to_owned();

    let (status, me) = replay(&app, "users", "careers-me", Some((&access, &refresh))).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["username"], "alice");

    let (status, jwks) = replay(&app, "auth", "jwks", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(jwks["keys"][0]["kty"], "OKP");

    let (status, logged_out) =
        replay(&app, "auth", "careers-logout", Some((&access, &refresh))).await;
    assert_eq!(status, StatusCode::OK, "{logged_out}");
    let (status, _) = replay(&app, "users", "careers-me", Some((&access, &refresh))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_campaign_accounts_and_chat_events_replay_through_the_auth_handler() {
    let app = TestApp::spawn().await;

    let (status, body) = replay(&app, "auth", "campaign-register", None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = replay(&app, "auth", "campaign-check-validate", None).await;
    assert_eq!(
        (status, body["is_valid"].clone()),
        (StatusCode::OK, Value::Bool(true)),
        "{body}"
    );
    let (status, body) = replay(&app, "auth", "campaign-check-email", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["exists"], true);
    let login = app
        .post_form("/careers/users/login/", "username=bob&password=password123")
        .await;
    let access = login.body["access"].as_str().unwrap().to_owned();
    for name in ["campaign-check-auth", "campaign-check-login"] {
        let (status, body) = replay(&app, "auth", name, Some((&access, ""))).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        assert_eq!(body["user_id"], login.body["user"]["id"], "{name}");
    }
    let (status, body) = replay(&app, "auth", "campaign-logout", Some((&access, ""))).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, body) = replay(&app, "auth", "accounts-create", None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let code = app.published().await[0]["Message"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let text = read_event("auth", "accounts-verify").replace("CODE", &code);
    let request = lambda_http::request::from_str(&text).unwrap();
    let response = auth_function::handle(&app.api.functions().auth, request).await;
    assert_eq!(response.status(), StatusCode::OK);
    let (status, body) = replay(&app, "auth", "accounts-resend-code", None).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (app_id, secret) = app.app_credential("chat").await;
    let text = read_event("auth", "chat-login-or-register")
        .replace("APP_ID", &app_id)
        .replace("APP_SECRET", &secret);
    let response = auth_function::handle(
        &app.api.functions().auth,
        lambda_http::request::from_str(&text).unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        body_of(&response)["results"]["user"]["username"],
        "Johnny Cage"
    );
}

#[tokio::test]
async fn the_push_events_replay_through_the_users_handler() {
    let app = TestApp::spawn().await;
    let (app_id, secret) = app.app_credential("push").await;
    let users = &app.api.functions().users;
    let run = |name: &str, user_id: &str| {
        let text = read_event("users", name)
            .replace("APP_ID", &app_id)
            .replace("APP_SECRET", &secret)
            .replace("USER_ID", user_id);
        lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
    };

    let created = users_function::handle(users, run("push-create-user", "")).await;
    assert_eq!(created.status(), StatusCode::OK);
    let id = body_of(&created)["result"]["id"].to_string();
    let bulk = users_function::handle(users, run("push-create-users", "")).await;
    assert_eq!(body_of(&bulk)["result"].as_array().unwrap().len(), 2);
    let listed = users_function::handle(users, run("push-list-users", "")).await;
    assert_eq!(body_of(&listed)["result"]["totalInPage"], 2);
    let fetched = users_function::handle(users, run("push-get-user", &id)).await;
    assert_eq!(fetched.status(), StatusCode::OK);
    let deleted = users_function::handle(users, run("push-delete-user", &id)).await;
    assert_eq!(body_of(&deleted)["result"], true);
}

#[tokio::test]
async fn the_profile_list_and_follow_events_replay_through_their_handlers() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    app.register("bob").await;
    let (app_id, secret) = app.app_credential("events").await;
    let chat = app
        .post_with_headers(
            "/api/v2.1/rest/login_or_register",
            &[
                ("QISCUS_SDK_APP_ID", &app_id),
                ("QISCUS_SDK_SECRET", &secret),
            ],
            &serde_json::json!({"user_id": "johnny@example.com", "username": "Johnny"}),
        )
        .await;
    assert_eq!(chat.status, reqwest::StatusCode::OK);
    let access = alice["access"].as_str().unwrap();
    let user_id = alice["user"]["id"].to_string();
    let functions = app.api.functions();
    let expected = [
        ("users", "careers-list", 200),
        ("users", "careers-profile", 200),
        ("users", "careers-stats", 200),
        ("users", "careers-my-stats", 200),
        ("users", "careers-update-me", 200),
        ("users", "accounts-get", 200),
        ("users", "accounts-update", 200),
        ("users", "chat-user-profile", 200),
        ("users", "chat-user-list", 200),
        ("users", "campaign-update-profile", 200),
        ("social", "careers-follow", 201),
        ("social", "careers-my-following", 200),
        ("social", "careers-followers", 200),
        ("social", "careers-following", 200),
        ("social", "careers-unfollow", 200),
    ];
    for (function, name, status) in expected {
        let text = read_event(function, name)
            .replace("ACCESS_TOKEN", access)
            .replace("APP_ID", &app_id)
            .replace("APP_SECRET", &secret)
            .replace("USER_ID", &user_id);
        let request =
            lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let response = match function {
            "users" => users_function::handle(&functions.users, request).await,
            _ => social_function::handle(&functions.social, request).await,
        };
        assert_eq!(
            response.status().as_u16(),
            status,
            "{function}/{name}: {}",
            body_of(&response)
        );
    }
}

#[tokio::test]
async fn events_with_placeholder_tokens_are_refused_not_crashed() {
    let app = TestApp::spawn().await;

    let (status, body) = replay(&app, "users", "careers-me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, body) = replay(&app, "auth", "careers-token-refresh", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
}

#[test]
fn every_template_route_has_an_event_and_every_event_a_route() {
    let template = Template::parse(users_tools::TEMPLATE_YAML).unwrap();
    let mut declared: Vec<String> = template
        .routes()
        .map(|(function, route)| format!("{} {} {}", function.binary, route.method, route.path))
        .collect();
    declared.sort();

    let mut found = Vec::new();
    for function_dir in std::fs::read_dir(events_dir()).unwrap() {
        let function_dir = function_dir.unwrap().path();
        let function = function_dir
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for event in std::fs::read_dir(&function_dir).unwrap() {
            let event: Value =
                serde_json::from_str(&std::fs::read_to_string(event.unwrap().path()).unwrap())
                    .unwrap();
            let route_key = event["routeKey"].as_str().expect("routeKey");
            found.push(format!("{function} {route_key}"));
        }
    }
    found.sort();

    assert_eq!(found, declared);
}
