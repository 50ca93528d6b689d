//! Storage faults: with DynamoDB unreachable, or throttling, every request is answered 503 in
//! its contract's shape with `Retry-After`, within seconds (no 500, no hang), and the same
//! function state serves normally once DynamoDB is back. The functions reach DynamoDB Local
//! through a proxy of this test's own, which forwards, refuses connections, or answers every
//! call with DynamoDB's throttling error.

use crate::support::{user_id, TestApp, PASSWORD};
use lambda_http::http::Method;
use lambda_http::Body;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use users_shared::http::{dispatch, HttpResponse};

use crate::proxy::{request, sessions_behind, Proxy, FORWARD, REFUSE, THROTTLE};

fn json_of(response: &HttpResponse) -> Value {
    match response.body() {
        Body::Text(text) => serde_json::from_str(text).unwrap(),
        Body::Binary(bytes) => serde_json::from_slice(bytes).unwrap(),
        _ => Value::Null,
    }
}

fn retry_after(response: &HttpResponse) -> Option<&str> {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn with_dynamodb_unreachable_every_contract_answers_503_with_retry_after_then_recovers() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let alice_id = user_id(&alice).to_string();
    let token = format!("Bearer {}", alice["access"].as_str().unwrap());
    let (app_id, secret) = app.app_credential("faults").await;
    let proxy = Proxy::to_dynamodb().await;
    let state = sessions_behind(&app, &proxy).await;
    let routes = users_function::ROUTES;
    let me = || {
        request(
            Method::GET,
            "/careers/users/me/",
            &[("authorization", &token)],
            None,
        )
    };

    assert_eq!(dispatch(routes, &state, me()).await.status(), 200);

    proxy.set(REFUSE);
    let cases = [
        (
            request(
                Method::GET,
                "/careers/users/me/",
                &[("authorization", &token)],
                None,
            ),
            json!({"detail": "Service temporarily unavailable, try again later."}),
        ),
        (
            request(
                Method::POST,
                "/api/update/profile/",
                &[
                    ("authorization", &token),
                    ("content-type", "application/json"),
                ],
                Some(r#"{"first_name": "A"}"#),
            ),
            json!({"error": "service_unavailable", "message": "Service temporarily unavailable, try again later"}),
        ),
        (
            request(
                Method::GET,
                "/api/v2.1/rest/user_profile?user_id=nobody",
                &[
                    ("qiscus_sdk_app_id", &app_id),
                    ("qiscus_sdk_secret", &secret),
                ],
                None,
            ),
            json!({"error": {"message": "service temporarily unavailable, try again later"}, "status": 503}),
        ),
        (
            request(
                Method::GET,
                &format!("/user/{alice_id}"),
                &[("x-app-id", &app_id), ("x-app-auth", &secret)],
                None,
            ),
            json!({"error": "Service temporarily unavailable, try again later"}),
        ),
    ];
    for (request, body) in cases {
        let path = request.uri().path().to_owned();
        let started = Instant::now();
        let response = dispatch(routes, &state, request).await;
        assert!(
            started.elapsed() < Duration::from_secs(7),
            "{path} took {:?}",
            started.elapsed()
        );
        assert_eq!(response.status(), 503, "{path}: {}", json_of(&response));
        assert_eq!(retry_after(&response), Some("2"), "{path}");
        assert_eq!(json_of(&response), body, "{path}");
    }

    // Back: the same state serves at once, no restart.
    proxy.set(FORWARD);
    let back = dispatch(routes, &state, me()).await;
    assert_eq!(back.status(), 200, "{}", json_of(&back));
    assert_eq!(json_of(&back)["username"], "alice");
    assert_eq!(app.login_as("alice", PASSWORD).await.status.as_u16(), 200);
}

#[tokio::test]
async fn throttling_is_retried_with_back_off_then_answered_503() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let token = format!("Bearer {}", alice["access"].as_str().unwrap());
    let proxy = Proxy::to_dynamodb().await;
    let state = sessions_behind(&app, &proxy).await;
    proxy.set(THROTTLE);

    let started = Instant::now();
    let response = dispatch(
        users_function::ROUTES,
        &state,
        request(
            Method::GET,
            "/careers/users/me/",
            &[("authorization", &token)],
            None,
        ),
    )
    .await;

    let took = started.elapsed();
    assert_eq!(response.status(), 503, "{}", json_of(&response));
    assert_eq!(retry_after(&response), Some("2"));
    assert!(took < Duration::from_secs(7), "took {took:?}");
    let attempts = proxy.requests.load(Ordering::SeqCst);
    assert!(
        attempts >= 2,
        "throttled calls are tried again ({attempts} attempt)"
    );
    proxy.set(FORWARD);
    let back = dispatch(
        users_function::ROUTES,
        &state,
        request(
            Method::GET,
            "/careers/users/me/",
            &[("authorization", &token)],
            None,
        ),
    )
    .await;
    assert_eq!(back.status(), 200);
}

/// DynamoDB cut in the middle of a load of follows and sign-ups: every request is answered
/// (201, a refusal in the contract's shape, or 503; never a 500, never a hang), nothing is left
/// half written (each user's counters equal their edges, every username and e-mail guard has
/// its user and every user its guards, the user count equals the users), and the same
/// function states serve again once DynamoDB is back.
#[tokio::test]
async fn an_outage_in_the_middle_of_a_load_leaves_no_write_half_done() {
    use crate::support::s;
    use users_shared::store::keys;
    let app = TestApp::spawn().await;
    let mut tokens = Vec::new();
    for n in 0..8 {
        let body = app.register(&format!("user{n}")).await;
        tokens.push(format!("Bearer {}", body["access"].as_str().unwrap()));
    }
    let proxy = Proxy::to_dynamodb().await;
    let social = std::sync::Arc::new(sessions_behind(&app, &proxy).await);
    let verifier = app.config.verifier().unwrap();
    let auth = std::sync::Arc::new(auth_function::AuthState {
        signer: app.config.signer(&verifier).unwrap(),
        notifier: app.api.functions().auth.notifier.clone(),
        sessions: sessions_behind(&app, &proxy).await,
    });

    let done = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut load = tokio::task::JoinSet::new();
    for (n, token) in tokens.iter().enumerate() {
        for m in 0..8 {
            if m == n {
                continue;
            }
            let (social, token, done) = (social.clone(), token.clone(), done.clone());
            load.spawn(async move {
                tokio::time::sleep(Duration::from_millis(5 * m as u64)).await;
                let follow = request(
                    Method::POST,
                    "/careers/users/follow/",
                    &[
                        ("authorization", &token),
                        ("content-type", "application/json"),
                    ],
                    Some(&format!(r#"{{"username": "user{m}"}}"#)),
                );
                let started = Instant::now();
                let response = dispatch(social_function::ROUTES, &*social, follow).await;
                done.fetch_add(1, Ordering::SeqCst);
                (response.status().as_u16(), started.elapsed())
            });
        }
    }
    for n in 0..16 {
        let (auth, done) = (auth.clone(), done.clone());
        load.spawn(async move {
            tokio::time::sleep(Duration::from_millis(3 * n)).await;
            let body = format!(
                r#"{{"username": "new{n}", "email": "new{n}@example.com", "password": "{PASSWORD}", "password_confirm": "{PASSWORD}"}}"#
            );
            let register = request(
                Method::POST,
                "/careers/users/register/",
                &[("content-type", "application/json")],
                Some(&body),
            );
            let started = Instant::now();
            let response = dispatch(auth_function::ROUTES, &*auth, register).await;
            done.fetch_add(1, Ordering::SeqCst);
            (response.status().as_u16(), started.elapsed())
        });
    }
    // The outage, while the load is under way: once a few requests are done.
    let waiting = Instant::now();
    while done.load(Ordering::SeqCst) < 12 && waiting.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    proxy.set(REFUSE);
    let mut answered = std::collections::BTreeMap::new();
    while let Some(outcome) = load.join_next().await {
        let (status, took) = outcome.expect("a request task");
        assert!(took < Duration::from_secs(8), "a request took {took:?}");
        assert!(
            [201, 400, 503].contains(&status),
            "every request is a success, a refusal or a 503, not {status}"
        );
        *answered.entry(status).or_insert(0) += 1;
    }
    assert!(
        answered.get(&503).is_some_and(|n| *n > 0),
        "the outage cut some requests: {answered:?}"
    );
    assert!(
        answered.get(&201).is_some_and(|n| *n > 0),
        "some were done before it: {answered:?}"
    );

    proxy.set(FORWARD);
    crate::social_graph::assert_counters_match_edges(&app).await;
    let items = app.all_items().await;
    let of = |entity: &str| -> Vec<&crate::support::Item> {
        items
            .iter()
            .filter(|i| s(i, keys::ENTITY) == entity)
            .collect()
    };
    let users = of("USER");
    let user_pks: std::collections::BTreeSet<String> =
        users.iter().map(|u| s(u, keys::PK).to_owned()).collect();
    for entity in ["USERNAME_GUARD", "EMAIL_GUARD"] {
        let guards = of(entity);
        assert_eq!(guards.len(), users.len(), "one {entity} per user");
        for guard in guards {
            let owner = format!("USER#{}", crate::support::number(guard, "user_id"));
            assert!(user_pks.contains(&owner), "{entity} of a missing {owner}");
        }
    }
    let counted: i64 = of("COUNTER")
        .iter()
        .filter(|c| s(c, keys::PK).starts_with("COUNTER#USERS#"))
        .map(|c| crate::support::number(c, "count"))
        .sum();
    assert_eq!(
        counted,
        users.len() as i64,
        "the user count equals the users"
    );

    // Back: the same states serve at once.
    let follow = request(
        Method::POST,
        "/careers/users/follow/",
        &[
            ("authorization", &tokens[0]),
            ("content-type", "application/json"),
        ],
        Some(r#"{"username": "new0"}"#),
    );
    let status = dispatch(social_function::ROUTES, &*social, follow)
        .await
        .status();
    assert!([201, 400].contains(&status.as_u16()), "{status}");
}
