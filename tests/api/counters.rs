//! `POST /api/user/counters/`: the counters other services own, changed only with app
//! credentials, exactly under concurrency and once per request id.

use crate::support::{user_id, AppClient, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::sync::Arc;

const COUNTERS: &str = "/api/user/counters/";

fn change(request_id: &str, user: u64, changes: Value) -> Value {
    json!({"request_id": request_id, "user_id": user, "changes": changes})
}

/// Sends `bodies` all at once from one backend credential; the replies in order.
async fn concurrently(
    app: &Arc<TestApp>,
    id: &str,
    secret: &str,
    bodies: Vec<Value>,
) -> Vec<Value> {
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let (app, id, secret) = (app.clone(), id.to_owned(), secret.to_owned());
            tokio::spawn(async move {
                let reply = AppClient::backend(&app, &id, &secret)
                    .post_json(COUNTERS, &body)
                    .await;
                assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
                reply.body
            })
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.expect("task"));
    }
    replies
}

#[tokio::test]
async fn a_change_adds_to_the_counters_and_answers_all_of_them() {
    let app = TestApp::spawn().await;
    let alice = user_id(&app.register("alice").await);
    let backend = app.backend_client("campaigns").await;

    let reply = backend
        .post_json(
            COUNTERS,
            &change(
                "r-1",
                alice,
                json!({"posts_count": 2, "total_earnings": 250}),
            ),
        )
        .await;

    reply.assert_answer(
        StatusCode::OK,
        json!({
            "status": "success",
            "message": "Counters updated",
            "user_id": alice,
            "counters": {"posts_count": 2, "likes_received": 0, "comments_received": 0,
                         "total_campaigns": 0, "total_earnings": 250},
            "replayed": false,
        }),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_concurrent_increments_are_all_counted() {
    let app = Arc::new(TestApp::spawn().await);
    let alice = user_id(&app.register("alice").await);
    let (id, secret) = app.app_credential("careers").await;

    let bodies = (0..100)
        .map(|i| {
            change(
                &format!("post-{i}"),
                alice,
                json!({"posts_count": 1, "likes_received": 2}),
            )
        })
        .collect();
    concurrently(&app, &id, &secret, bodies).await;

    let item = app.user_item(alice).await;
    assert_eq!(crate::support::number(&item, "posts_count"), 100);
    assert_eq!(crate::support::number(&item, "likes_received"), 200);
    assert_eq!(app.items_of("COUNTER_CHANGE").await.len(), 100);
}

#[tokio::test]
async fn a_repeated_request_id_is_counted_once_and_answered_as_the_first_time() {
    let app = TestApp::spawn().await;
    let alice = user_id(&app.register("alice").await);
    let backend = app.backend_client("campaigns").await;
    let body = change("join-7", alice, json!({"total_campaigns": 1}));
    let first = backend.post_json(COUNTERS, &body).await;
    backend
        .post_json(
            COUNTERS,
            &change("join-8", alice, json!({"total_campaigns": 1})),
        )
        .await;

    let again = backend.post_json(COUNTERS, &body).await;

    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body["counters"], first.body["counters"]);
    assert_eq!(again.body["counters"]["total_campaigns"], 1);
    assert_eq!(again.body["replayed"], true);
    let item = app.user_item(alice).await;
    assert_eq!(crate::support::number(&item, "total_campaigns"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_request_id_sent_concurrently_is_counted_once() {
    let app = Arc::new(TestApp::spawn().await);
    let alice = user_id(&app.register("alice").await);
    let (id, secret) = app.app_credential("campaigns").await;
    let body = change("pay-1", alice, json!({"total_earnings": 500}));

    let replies = concurrently(&app, &id, &secret, vec![body; 10]).await;

    let applied = replies.iter().filter(|r| r["replayed"] == false).count();
    assert_eq!(applied, 1, "{replies:?}");
    let item = app.user_item(alice).await;
    assert_eq!(crate::support::number(&item, "total_earnings"), 500);
    for reply in &replies {
        assert_eq!(reply["counters"]["total_earnings"], 500);
    }
}

#[tokio::test]
async fn the_same_request_id_from_another_app_is_another_change() {
    let app = TestApp::spawn().await;
    let alice = user_id(&app.register("alice").await);
    let careers = app.backend_client("careers").await;
    let campaigns = app.backend_client("campaigns").await;
    let body = change("r-1", alice, json!({"posts_count": 1}));

    careers.post_json(COUNTERS, &body).await;
    let other = campaigns.post_json(COUNTERS, &body).await;

    assert_eq!(other.body["replayed"], false);
    assert_eq!(other.body["counters"]["posts_count"], 2);
}

#[tokio::test]
async fn a_request_id_reused_for_another_change_is_refused() {
    let app = TestApp::spawn().await;
    let alice = user_id(&app.register("alice").await);
    let backend = app.backend_client("campaigns").await;
    backend
        .post_json(COUNTERS, &change("r-1", alice, json!({"posts_count": 1})))
        .await;

    let reply = backend
        .post_json(COUNTERS, &change("r-1", alice, json!({"posts_count": 5})))
        .await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_eq!(reply.body["field"], "request_id");
}

#[tokio::test]
async fn a_decrease_below_zero_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let alice = user_id(&app.register("alice").await);
    let backend = app.backend_client("careers").await;
    backend
        .post_json(
            COUNTERS,
            &change("r-1", alice, json!({"comments_received": 2})),
        )
        .await;

    let refused = backend
        .post_json(
            COUNTERS,
            &change(
                "r-2",
                alice,
                json!({"comments_received": -3, "posts_count": 1}),
            ),
        )
        .await;
    let allowed = backend
        .post_json(
            COUNTERS,
            &change("r-3", alice, json!({"comments_received": -2})),
        )
        .await;

    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.body["error"], "validation_error");
    assert_eq!(refused.body["field"], "changes.comments_received");
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.body);
    assert_eq!(allowed.body["counters"]["comments_received"], 0);
    assert_eq!(allowed.body["counters"]["posts_count"], 0);
    let retried = backend
        .post_json(
            COUNTERS,
            &change("r-2", alice, json!({"comments_received": 1})),
        )
        .await;
    assert_eq!(
        retried.body["replayed"], false,
        "a refused request id is not remembered"
    );
}

#[tokio::test]
async fn bad_input_is_a_validation_error_in_the_campaign_shape() {
    let app = TestApp::spawn().await;
    let alice = user_id(&app.register("alice").await);
    let backend = app.backend_client("careers").await;
    let cases = [
        (
            json!({"user_id": alice, "changes": {"posts_count": 1}}),
            "request_id",
        ),
        (change("r", alice, json!({"followers_count": 1})), "changes"),
        (
            change("r", alice, json!({"posts_count": 1.5})),
            "changes.posts_count",
        ),
        (
            change("r", alice, json!({"posts_count": "1"})),
            "changes.posts_count",
        ),
        (change("r", alice, json!({})), "changes"),
        (
            json!({"request_id": "r", "user_id": "x", "changes": {"posts_count": 1}}),
            "user_id",
        ),
    ];

    for (body, field) in cases {
        let reply = backend.post_json(COUNTERS, &body).await;

        assert_eq!(
            reply.status,
            StatusCode::BAD_REQUEST,
            "{body}: {}",
            reply.body
        );
        assert_eq!(reply.body["error"], "validation_error", "{body}");
        assert_eq!(reply.body["field"], field, "{body}: {}", reply.body);
    }
    assert!(app.items_of("COUNTER_CHANGE").await.is_empty());
}

#[tokio::test]
async fn an_unknown_user_is_not_found() {
    let app = TestApp::spawn().await;
    let backend = app.backend_client("careers").await;

    let reply = backend
        .post_json(COUNTERS, &change("r-1", 999_999, json!({"posts_count": 1})))
        .await;

    reply.assert_answer(
        StatusCode::NOT_FOUND,
        json!({"error": "user_not_found", "message": "User not found"}),
    );
    assert!(app.items_of("COUNTER_CHANGE").await.is_empty());
}

#[tokio::test]
async fn without_or_with_wrong_credentials_nothing_changes() {
    let app = TestApp::spawn().await;
    let alice = user_id(&app.register("alice").await);
    let backend = app.backend_client("careers").await;
    let body = change("r-1", alice, json!({"posts_count": 1}));

    let anonymous = app.post_json(COUNTERS, &body, None).await;
    let wrong_secret = backend
        .with_secret("not-the-secret")
        .post_json(COUNTERS, &body)
        .await;
    let token = app.access_token("alice").await;
    let user_token = app.post_json(COUNTERS, &body, Some(&token)).await;

    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.body["error"], "authentication_required");
    assert_eq!(wrong_secret.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        user_token.status,
        StatusCode::UNAUTHORIZED,
        "a user cannot change them"
    );
    let item = app.user_item(alice).await;
    assert_eq!(crate::support::number(&item, "posts_count"), 0);
}

#[tokio::test]
async fn the_careers_stats_show_the_new_posts_count() {
    let app = TestApp::spawn().await;
    let alice = user_id(&app.register("alice").await);
    let backend = app.backend_client("careers").await;
    backend
        .post_json(
            COUNTERS,
            &change("p-1", alice, json!({"posts_count": 3, "likes_received": 5})),
        )
        .await;
    let token = app.access_token("alice").await;

    let stats = app.get("/careers/users/me/stats/", Some(&token)).await;

    assert_eq!(stats.status, StatusCode::OK, "{}", stats.body);
    assert_eq!(stats.body["posts_count"], 3);
    assert_eq!(stats.body["likes_received"], 5);
}
