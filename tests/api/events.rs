//! Every event in `events/` is a real API Gateway HTTP API (v2) payload that its function's
//! handler serves. Each is parsed as the Lambda runtime parses it and replayed through the
//! handler of the function its folder names, against fixtures of its own, and must answer the
//! `expectedStatus` the event file states. Adding an event file adds its replay.
//!
//! A function without HTTP routes (the scheduled stats job) has the event its trigger sends
//! (an EventBridge scheduled event), run through its handler instead.
//!
//! Placeholders in the events are put in place of live values: `ACCESS_TOKEN` and
//! `REFRESH_TOKEN` (alice's session), `USER_ID` (alice's id), `APP_ID` / `APP_SECRET` (an app
//! credential), `CODE` (carol's e-mailed verification code), `EMAIL_DEVICE_ID` (the id of
//! alice's e-mail device), `ANDROID_DEVICE_ID` (the id of her Android device, reference
//! `APA91b-FIXTURE-TOKEN`), `CHANNEL_ID` (the push channel `News`) and `THEME_ID` (the
//! multicast push theme `Likes`), `SPARE_THEME` (the unicast theme `Alerts`, which alice has
//! no preference for), `STAFF_TOKEN` (an access token of the staff user `boss`). Alice is
//! subscribed to `News` and has the option 1 for `Likes`. The fixtures: alice, bob and dave
//! signed up through careers with `password123`, alice following bob, the chat user
//! `johnny@example.com`, carol signed up (unverified) through accounts, and the themes of the
//! campaign notification codes (made by a first campaign settings request, as on any table in
//! use). `tests/api/round_trips.rs` replays the same events on the same fixtures.

use crate::support::{AppClient, TestApp};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use users_tools::template::Template;

fn events_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../events")
}

/// The function folders of functions that only a schedule invokes (no HTTP routes).
fn scheduled_functions() -> Vec<String> {
    let template = Template::parse(users_tools::TEMPLATE_YAML).unwrap();
    template
        .functions
        .into_iter()
        .filter(|f| f.routes.is_empty() && f.scheduled)
        .map(|f| f.binary)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Every event file of a function with HTTP routes: (function folder, file stem, text).
pub(crate) fn event_files() -> Vec<(String, String, String)> {
    let scheduled = scheduled_functions();
    all_event_files()
        .into_iter()
        .filter(|(function, _, _)| !scheduled.contains(function))
        .collect()
}

/// Every event file: (function folder, file stem, text).
fn all_event_files() -> Vec<(String, String, String)> {
    let mut files = Vec::new();
    for function_dir in std::fs::read_dir(events_dir()).expect("events/") {
        let function_dir = function_dir.expect("entry").path();
        let function = function_dir
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        for event in std::fs::read_dir(&function_dir).expect("a function's events") {
            let path = event.expect("entry").path();
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).expect("readable event");
            files.push((function.clone(), name, text));
        }
    }
    files.sort();
    files
}

/// The live values of the placeholders, from fixtures made on `app`.
async fn fixtures(app: &TestApp) -> Vec<(&'static str, String)> {
    let alice = app.register("alice").await;
    app.register("bob").await;
    app.register("dave").await;
    let access = alice["access"].as_str().expect("access").to_owned();
    let follow = app
        .post_json(
            "/careers/users/follow/",
            &json!({"username": "bob"}),
            Some(&access),
        )
        .await;
    assert_eq!(follow.status.as_u16(), 201, "{}", follow.body);
    app.create_staff("boss", false).await;
    let staff_token = app.access_token("boss").await;
    let (app_id, secret) = app.app_credential("events").await;
    let chat = app
        .post_with_headers(
            "/api/v2.1/rest/login_or_register",
            &[
                ("QISCUS_SDK_APP_ID", &app_id),
                ("QISCUS_SDK_SECRET", &secret),
            ],
            &json!({"user_id": "johnny@example.com", "username": "Johnny"}),
        )
        .await;
    assert_eq!(chat.status.as_u16(), 200, "{}", chat.body);
    let carol = app
        .post_json(
            "/api/v1/accounts/users/",
            &json!({"email": "carol@example.com", "password": "password123",
                    "confirm_password": "password123"}),
            None,
        )
        .await;
    assert_eq!(carol.status.as_u16(), 201, "{}", carol.body);
    let code = app.published().await[0]["Message"]["code"]
        .as_str()
        .expect("a code was e-mailed")
        .to_owned();
    let alice_id = alice["user"]["id"].to_string();
    let android = AppClient::push(app, &app_id, &secret)
        .post_form(
            &format!("/user/{alice_id}/device"),
            &[("android", "APA91b-FIXTURE-TOKEN")],
        )
        .await;
    assert_eq!(android.status.as_u16(), 200, "{}", android.body);
    let alice_push = AppClient::push(app, &app_id, &secret)
        .get(&format!("/user/{alice_id}"))
        .await;
    let device_of = |kind: &str| {
        alice_push.body["result"][kind]
            .as_object()
            .and_then(|devices| devices.keys().next().cloned())
            .unwrap_or_else(|| panic!("alice has her {kind} device"))
    };
    let email_device_id = device_of("email");
    let android_device_id = device_of("android");
    let channel = AppClient::push(app, &app_id, &secret)
        .post_form("/channel", &[("name", "News")])
        .await;
    let channel_id = channel.body["result"]["id"]
        .as_u64()
        .expect("the channel News")
        .to_string();
    let theme = AppClient::push(app, &app_id, &secret)
        .post_form("/theme", &[("name", "Likes"), ("range", "multicast")])
        .await;
    let theme_id = theme.body["result"]["id"]
        .as_u64()
        .expect("the theme Likes")
        .to_string();
    let spare = AppClient::push(app, &app_id, &secret)
        .post_form("/theme", &[("name", "Alerts"), ("range", "unicast")])
        .await;
    let spare_theme = spare.body["result"]["id"]
        .as_u64()
        .expect("the theme Alerts")
        .to_string();
    // The campaign notification codes' themes, which the first campaign settings request
    // makes: every deployed table past its first request has them.
    let codes = app
        .post_empty("/api/get/notifications/", Some(&access))
        .await;
    assert_eq!(codes.status.as_u16(), 200, "{}", codes.body);
    let subscribed = AppClient::push(app, &app_id, &secret)
        .post_form(&format!("/user/{alice_id}/subscribe/{channel_id}"), &[])
        .await;
    assert_eq!(subscribed.status.as_u16(), 200, "{}", subscribed.body);
    let preference = AppClient::push(app, &app_id, &secret)
        .post_form(
            &format!("/user/{alice_id}/preference/{theme_id}"),
            &[("option", "1")],
        )
        .await;
    assert_eq!(preference.status.as_u16(), 200, "{}", preference.body);
    vec![
        ("STAFF_TOKEN", staff_token),
        ("SPARE_THEME", spare_theme),
        ("EMAIL_DEVICE_ID", email_device_id),
        ("ANDROID_DEVICE_ID", android_device_id),
        ("CHANNEL_ID", channel_id),
        ("THEME_ID", theme_id),
        ("ACCESS_TOKEN", access),
        (
            "REFRESH_TOKEN",
            alice["refresh"].as_str().expect("refresh").to_owned(),
        ),
        ("USER_ID", alice["user"]["id"].to_string()),
        ("APP_ID", app_id),
        ("APP_SECRET", secret),
        ("CODE", code),
    ]
}

/// The status an event file states its function answers.
pub(crate) fn expected_status(function: &str, name: &str, text: &str) -> u64 {
    serde_json::from_str::<Value>(text).expect("event JSON")["expectedStatus"]
        .as_u64()
        .unwrap_or_else(|| panic!("{function}/{name}: no expectedStatus"))
}

/// The event's route, as the template names it (`GET /careers/users/{username}`).
pub(crate) fn route_key(text: &str) -> String {
    let event: Value = serde_json::from_str(text).expect("event JSON");
    event["routeKey"].as_str().expect("routeKey").to_owned()
}

/// An event made on fresh fixtures of `app`: the request the Lambda runtime would hand its
/// function, the placeholders put in place.
pub(crate) async fn prepare(
    app: &TestApp,
    function: &str,
    name: &str,
    text: &str,
) -> lambda_http::Request {
    let mut text = text.to_owned();
    for (placeholder, value) in fixtures(app).await {
        text = text.replace(placeholder, &value);
    }
    lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{function}/{name}: {e}"))
}

/// Replays one event on fresh fixtures; returns a line describing a wrong answer.
async fn replay(function: String, name: String, text: String) -> Option<String> {
    let expected = expected_status(&function, &name, &text);
    let app = TestApp::spawn().await;
    let request = prepare(&app, &function, &name, &text).await;
    let credential = app_credential_state(&app, &request).await;
    let response = app
        .api
        .invoke(&function, request)
        .await
        .unwrap_or_else(|| panic!("events/{function}: no such function in template.yaml"));
    let status = u64::from(response.status().as_u16());
    let body = match response.body() {
        lambda_http::Body::Text(text) => text.clone(),
        _ => String::new(),
    };
    let declared_json = response
        .headers()
        .get(lambda_http::http::header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
    let json_body = !declared_json || serde_json::from_str::<Value>(&body).is_ok();
    (status != expected || !json_body)
        .then(|| format!("{function}/{name}: expected {expected}, got {status} {body}{credential}"))
}

/// For a failure's message: what the table held, just before the replay, of the app
/// credential the request names (found, revoked, whether the presented secret is the one
/// stored), or nothing for a request without one.
async fn app_credential_state(app: &TestApp, request: &lambda_http::Request) -> String {
    let header = |name: &str| {
        request
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let named = [
        ("x-app-id", "x-app-auth"),
        ("x-app-id", "x-app-secret"),
        ("qiscus_sdk_app_id", "qiscus_sdk_secret"),
    ]
    .into_iter()
    .find_map(|(id, secret)| Some((header(id)?, header(secret)?)));
    let Some((id, secret)) = named else {
        return String::new();
    };
    let store = &app.api.functions().auth.store;
    match store.get_app_credential(&id).await {
        Ok(Some(stored)) => format!(
            " (app {id}: stored, revoked {}, the secret sent {} the one stored)",
            stored.revoked,
            if users_shared::auth::sha256_b64(&secret) == stored.secret_hash {
                "is"
            } else {
                "is not"
            }
        ),
        Ok(None) => format!(" (app {id}: not in the table)"),
        Err(error) => format!(" (app {id}: the read failed: {error})"),
    }
}

#[tokio::test]
async fn every_event_replays_through_its_handler_with_its_expected_status() {
    let mut pending = event_files();
    let mut wrong = Vec::new();
    // A few at a time: each event gets a table and fixtures of its own.
    while !pending.is_empty() {
        let batch: Vec<_> = pending.drain(..pending.len().min(6)).collect();
        let mut running = tokio::task::JoinSet::new();
        for (function, name, text) in batch {
            running.spawn(replay(function, name, text));
        }
        while let Some(outcome) = running.join_next().await {
            wrong.extend(outcome.expect("replay task"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test]
async fn events_with_placeholder_tokens_are_refused_not_crashed() {
    let app = TestApp::spawn().await;
    for (function, name) in [("users", "careers-me"), ("auth", "careers-token-refresh")] {
        let text =
            std::fs::read_to_string(events_dir().join(function).join(format!("{name}.json")))
                .expect("event file");
        let request = lambda_http::request::from_str(&text).expect("event parses");
        let response = app.api.invoke(function, request).await.expect("function");
        assert_eq!(response.status().as_u16(), 401, "{function}/{name}");
    }
}

#[test]
fn every_template_route_has_an_event_and_every_event_a_route() {
    let template = Template::parse(users_tools::TEMPLATE_YAML).unwrap();
    let mut declared: Vec<String> = template
        .routes()
        .map(|(function, route)| format!("{} {} {}", function.binary, route.method, route.path))
        .collect();
    declared.sort();
    let mut found: Vec<String> = event_files()
        .into_iter()
        .map(|(function, _, text)| format!("{function} {}", route_key(&text)))
        .collect();
    found.sort();
    assert_eq!(found, declared);
}

#[tokio::test]
async fn every_scheduled_function_has_an_event_that_its_handler_runs() {
    let scheduled = scheduled_functions();
    assert_eq!(
        scheduled,
        ["delivery", "stats-job"],
        "a new scheduled function needs its run here"
    );
    let events: Vec<_> = all_event_files()
        .into_iter()
        .filter(|(function, _, _)| scheduled.contains(function))
        .collect();
    for function in &scheduled {
        assert!(
            events.iter().any(|(f, _, _)| f == function),
            "events/{function}/ has no event"
        );
    }
    for (function, name, text) in events {
        if function == "delivery" {
            replay_delivery_event(&name, &text).await;
            continue;
        }
        let app = TestApp::spawn().await;
        app.register("alice").await;
        let payload: Value = serde_json::from_str(&text).expect("event JSON");
        assert_eq!(
            payload["detail-type"], "Scheduled Event",
            "{function}/{name}"
        );
        let event = lambda_http::lambda_runtime::LambdaEvent::new(
            payload,
            lambda_http::lambda_runtime::Context::default(),
        );
        let answer = stats_job_function::handle(&app.api.functions().stats_job, event)
            .await
            .unwrap_or_else(|e| panic!("{function}/{name}: {e}"));
        assert_eq!(
            (answer["users"].as_u64(), answer["stored"].as_bool()),
            (Some(1), Some(true)),
            "{function}/{name}: {answer}"
        );
    }
}

/// A delivery worker event (the schedule's tick, or a stream batch of a new outbox entry) runs
/// one sweep, which publishes what a staff send stored.
async fn replay_delivery_event(name: &str, text: &str) {
    let app = TestApp::spawn().await;
    app.create_staff("boss", false).await;
    let boss = app.access_token("boss").await;
    let alice = app.register("alice").await;
    let sent = app
        .post_json(
            "/api/user/notification/",
            &json!({"user_id": alice["user"]["id"], "title": "t", "message": "m", "type": "campaign"}),
            Some(&boss),
        )
        .await;
    assert_eq!(sent.status.as_u16(), 200, "{}", sent.body);
    let payload: Value = serde_json::from_str(text).expect("event JSON");
    let auth = &app.api.functions().auth;
    let worker = delivery_function::Worker {
        store: auth.store.clone(),
        notifier: auth.notifier.clone(),
        dead_letters: None,
    };
    let event = lambda_http::lambda_runtime::LambdaEvent::new(
        payload,
        lambda_http::lambda_runtime::Context::default(),
    );
    let answer = worker
        .handle(event)
        .await
        .unwrap_or_else(|e| panic!("delivery/{name}: {e}"));
    assert_eq!(answer["delivered"], 1, "delivery/{name}: {answer}");
    assert_eq!(app.published().await.len(), 1, "delivery/{name}");
}
