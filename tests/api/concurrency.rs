//! Races: uniqueness and token rotation hold under concurrent requests.

use crate::support::{sign_up, TestApp, CAREERS_ME, CAREERS_REGISTER};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_sign_ups_of_one_username_yield_one_user_and_no_orphans() {
    let app = Arc::new(TestApp::spawn().await);

    let attempts = (0..50).map(|i| {
        let app = app.clone();
        tokio::spawn(async move {
            let mut body = sign_up("racer");
            body["email"] = json!(format!("racer{i}@example.com"));
            app.post_json(CAREERS_REGISTER, &body, None).await
        })
    });
    let replies: Vec<_> = futures_join(attempts).await;

    let created = replies
        .iter()
        .filter(|r| r.status == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1);
    for reply in replies.iter().filter(|r| r.status != StatusCode::CREATED) {
        reply.assert_answer(
            StatusCode::BAD_REQUEST,
            json!({"username": ["A user with that username already exists."]}),
        );
    }
    assert_eq!(app.items_of("USER").await.len(), 1);
    assert_eq!(app.items_of("USERNAME_GUARD").await.len(), 1);
    assert_eq!(
        app.items_of("EMAIL_GUARD").await.len(),
        1,
        "no e-mail guard of a loser is left behind"
    );
    assert_eq!(app.items_of("SESSION").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_sign_ups_of_one_email_in_different_cases_yield_one_user() {
    let app = Arc::new(TestApp::spawn().await);

    let attempts = [
        "dup@example.com",
        "DUP@example.com",
        "Dup@Example.com",
        "dup@EXAMPLE.COM",
    ]
    .into_iter()
    .enumerate()
    .map(|(i, email)| {
        let app = app.clone();
        tokio::spawn(async move {
            let mut body = sign_up(&format!("dup{i}"));
            body["email"] = json!(email);
            app.post_json(CAREERS_REGISTER, &body, None).await
        })
    });
    let replies = futures_join(attempts).await;

    assert_eq!(
        replies
            .iter()
            .filter(|r| r.status == StatusCode::CREATED)
            .count(),
        1
    );
    assert_eq!(app.items_of("USER").await.len(), 1);
    assert_eq!(app.items_of("USERNAME_GUARD").await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_refresh_token_used_concurrently_never_yields_two_live_pairs() {
    let app = Arc::new(TestApp::spawn().await);
    let body = app.register("alice").await;
    let refresh = body["refresh"].as_str().unwrap().to_owned();

    let attempts = (0..10).map(|_| {
        let app = app.clone();
        let refresh = refresh.clone();
        tokio::spawn(async move {
            app.post_json(
                "/careers/users/token/refresh/",
                &json!({"refresh": refresh}),
                None,
            )
            .await
        })
    });
    let replies = futures_join(attempts).await;

    let issued: Vec<_> = replies
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .collect();
    assert!(
        issued.len() <= 1,
        "{} pairs issued for one token",
        issued.len()
    );
    // Every other use was a reuse: the family is revoked, whatever was issued included.
    assert!(app.items_of("SESSION").await.is_empty());
    for reply in issued {
        let access = reply.body["access"].as_str().unwrap();
        assert_eq!(
            app.get(CAREERS_ME, Some(access)).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        out.push(handle.await.expect("task"));
    }
    out
}
