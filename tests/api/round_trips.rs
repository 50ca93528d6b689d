//! The DynamoDB calls each route makes, counted on the wire (a proxy in front of DynamoDB
//! Local counts each operation), so a change that adds a round trip fails here. The numbers are
//! those of the access-pattern table in `docs/data-model.md`.

use crate::proxy::{request, sessions_behind, Proxy};
use crate::support::{user_id, TestApp, PASSWORD};
use lambda_http::http::Method;
use std::collections::BTreeMap;
use users_shared::http::dispatch;

fn calls(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

#[tokio::test]
async fn each_route_makes_the_calls_its_access_pattern_allows() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    app.register("carol").await;
    let bob_bearer = format!("Bearer {}", bob["access"].as_str().unwrap());
    let alice_id = user_id(&alice);
    let bearer = format!("Bearer {}", alice["access"].as_str().unwrap());
    let auth = [("authorization", bearer.as_str())];
    let json = [
        ("authorization", bearer.as_str()),
        ("content-type", "application/json"),
    ];
    let (app_id, secret) = app.app_credential("trips").await;
    let push = [
        ("x-app-id", app_id.as_str()),
        ("x-app-auth", secret.as_str()),
    ];

    let proxy = Proxy::to_dynamodb().await;
    let sessions = sessions_behind(&app, &proxy).await;
    let social = sessions_behind(&app, &proxy).await;
    let verifier = app.config.verifier().unwrap();
    let auth_state = auth_function::AuthState {
        signer: app.config.signer(&verifier).unwrap(),
        notifier: app.api.functions().auth.notifier.clone(),
        sessions: sessions_behind(&app, &proxy).await,
    };
    proxy.take_calls();

    // A process takes follow ids a block at a time: the first follow takes the block.
    let warm_up = request(
        Method::POST,
        "/careers/users/follow/",
        &json,
        Some(r#"{"username": "carol"}"#),
    );
    let response = dispatch(social_function::ROUTES, &social, warm_up).await;
    assert_eq!(response.status(), 201);
    assert_eq!(
        proxy.take_calls()["UpdateItem"],
        1,
        "the first follow takes a block of ids"
    );

    let cases: Vec<(&str, lambda_http::Request, BTreeMap<String, u64>)> = vec![
        (
            "users GET /careers/users/me/",
            request(Method::GET, "/careers/users/me/", &auth, None),
            calls(&[("BatchGetItem", 1)]),
        ),
        (
            "users GET /careers/users/bob/",
            request(Method::GET, "/careers/users/bob/", &[], None),
            calls(&[("GetItem", 2)]),
        ),
        (
            // The username is remembered: its user is read by id (and checked to still hold it).
            "users GET /careers/users/bob/ again",
            request(Method::GET, "/careers/users/bob/", &[], None),
            calls(&[("GetItem", 1)]),
        ),
        (
            // The caller's session and the user count (one BatchGetItem each) beside the index
            // page; bob follows nobody, so nothing is read for "is_following".
            "users GET /careers/users/?batch_size=10 (a caller who follows nobody)",
            request(
                Method::GET,
                "/careers/users/?batch_size=10",
                &[("authorization", bob_bearer.as_str())],
                None,
            ),
            calls(&[("BatchGetItem", 2), ("Query", 1)]),
        ),
        (
            // alice follows carol: which of the page she follows is one more BatchGetItem.
            "users GET /careers/users/?batch_size=10 (a caller who follows someone)",
            request(Method::GET, "/careers/users/?batch_size=10", &auth, None),
            calls(&[("BatchGetItem", 3), ("Query", 1)]),
        ),
        (
            "users GET /user/{id} (push)",
            request(Method::GET, &format!("/user/{alice_id}"), &push, None),
            calls(&[("GetItem", 2)]),
        ),
        (
            "social POST /careers/users/follow/",
            request(
                Method::POST,
                "/careers/users/follow/",
                &json,
                Some(r#"{"username": "bob"}"#),
            ),
            // The caller's session and the username's guard side by side, then the
            // transaction: two round trips.
            calls(&[
                ("BatchGetItem", 1),
                ("GetItem", 1),
                ("TransactWriteItems", 1),
            ]),
        ),
        (
            "social DELETE /careers/users/bob/unfollow/",
            request(Method::DELETE, "/careers/users/bob/unfollow/", &auth, None),
            calls(&[
                ("BatchGetItem", 1),
                ("GetItem", 2),
                ("TransactWriteItems", 1),
            ]),
        ),
        (
            "auth POST /careers/users/login/",
            request(
                Method::POST,
                "/careers/users/login/",
                &[("content-type", "application/json")],
                Some(&format!(
                    r#"{{"username": "alice", "password": "{PASSWORD}"}}"#
                )),
            ),
            calls(&[
                ("BatchGetItem", 1),
                ("GetItem", 1),
                ("TransactWriteItems", 1),
                ("UpdateItem", 1),
            ]),
        ),
        (
            "auth POST /api/check/login/",
            request(Method::POST, "/api/check/login/", &auth, None),
            calls(&[("BatchGetItem", 1)]),
        ),
    ];
    for (name, request, expected) in cases {
        let function = name.split(' ').next().unwrap();
        let response = match function {
            "users" => dispatch(users_function::ROUTES, &sessions, request).await,
            "social" => dispatch(social_function::ROUTES, &social, request).await,
            _ => dispatch(auth_function::ROUTES, &auth_state, request).await,
        };
        assert!(
            response.status().is_success(),
            "{name}: {}",
            response.status()
        );
        assert_eq!(proxy.take_calls(), expected, "{name}");
    }
}
