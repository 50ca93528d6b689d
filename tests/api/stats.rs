//! User statistics: the stats job counts every user into one snapshot, and the campaign
//! backend's three stats routes answer from it (staff only), whatever the number of users.

use crate::support::{TestApp, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::Arc;
use users_shared::clock::Timestamp;
use users_shared::domain::{Birthday, Gender, StatsSnapshot, User, UserId, Username};
use users_shared::service::stats::{self, JobReport};
use users_shared::store::Store;

const SEX: &str = "/api/users/stats/sex/";
const AGE: &str = "/api/users/stats/age/";
const PREFERENCES: &str = "/api/users/stats/preferences/";

/// Users seeded straight into the table; with the staff user `boss` (no gender, birthday or
/// category) they make 1,000.
const SEEDED: usize = 999;

/// A birthday that makes its owner exactly `age` today (the first of this month, `age` years
/// ago).
fn birthday_at_age(age: i32) -> Birthday {
    let today = Timestamp::now().to_rfc3339();
    let year: i32 = today[..4].parse().expect("year");
    let month = &today[5..7];
    Birthday::parse(&format!("{:04}-{month}-01", year - age)).expect("a valid birthday")
}

/// The `index`-th seeded user: genders, ages and categories by index ranges, so each count
/// is known exactly.
fn seeded_user(index: usize, now: Timestamp) -> User {
    let id = UserId::new(100_000 + index as u64);
    let username = Username::parse(&format!("seed{index}")).expect("username");
    let mut user = User::new(id, username, None, now);
    // male 487, female 391, other 77, none 44 (+ boss)
    user.gender = match index {
        0..487 => Some("M"),
        487..878 => Some("F"),
        878..955 => Some("O"),
        _ => None,
    }
    .map(|g| Gender::parse(g).expect("gender"));
    // under 18: 20, 18-24: 180, 25-34: 333, 35-44: 222, 45+: 145, none: 99 (+ boss)
    user.birthday = match index {
        0..20 => Some(16),
        20..200 => Some(20),
        200..533 => Some(30),
        533..755 => Some(40),
        755..900 => Some(60),
        _ => None,
    }
    .map(birthday_at_age);
    let categories: &[&str] = match index % 8 {
        0 => &["fashion", "beauty"],
        1 => &["fashion"],
        2 => &["technology"],
        3 => &["food", "travel"],
        4 => &["fashion", "technology", "food"],
        5 => &[],
        6 => &["beauty"],
        _ => &["other"],
    };
    user.categories = categories.iter().map(|c| (*c).to_owned()).collect();
    user
}

fn store(app: &TestApp) -> &Store {
    &app.api.functions().stats_job.store
}

/// Writes `count` seeded users in batches, straight into the table.
async fn seed(app: &TestApp, count: usize) {
    let now = Timestamp::now();
    let users: Vec<User> = (0..count).map(|i| seeded_user(i, now)).collect();
    store(app)
        .import_users_unguarded(&users)
        .await
        .expect("users seeded");
}

/// The staff user `boss` and their token.
async fn boss(app: &TestApp) -> String {
    app.create_staff("boss", false).await;
    app.access_token("boss").await
}

/// Runs the stats job as the Lambda and `userctl` run it.
async fn run_job(app: &TestApp) -> JobReport {
    stats::run_job(store(app), stats::DEFAULT_SEGMENTS, Arc::new(|_| {}))
        .await
        .expect("the stats job runs")
}

async fn stats_call(app: &TestApp, path: &str, token: Option<&str>) -> crate::support::Reply {
    let mut request = app.request(Method::POST, path);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    TestApp::send(request).await
}

/// The three answers, in route order.
async fn answers(app: &TestApp, token: &str) -> Vec<Value> {
    let mut bodies = Vec::new();
    for path in [SEX, AGE, PREFERENCES] {
        let reply = stats_call(app, path, Some(token)).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        bodies.push(reply.body);
    }
    bodies
}

/// Everything a snapshot says but when it was taken.
fn counted(snapshot: &StatsSnapshot) -> StatsSnapshot {
    StatsSnapshot {
        taken_at: None,
        ..snapshot.clone()
    }
}

#[tokio::test]
async fn after_the_job_runs_each_route_answers_the_exact_percentages_of_1000_users() {
    let app = TestApp::spawn().await;
    seed(&app, SEEDED).await;
    let token = boss(&app).await;

    let report = run_job(&app).await;

    assert!(report.stored);
    assert_eq!(report.snapshot.users, 1_000);
    // 48.7 / 39.1 / 7.7 / 4.5: the two points left over go to the two largest remainders.
    stats_call(&app, SEX, Some(&token)).await.assert_answer(
        StatusCode::OK,
        json!({"male": 49, "female": 39, "other": 8, "unknown": 4}),
    );
    // 2 / 18 / 33.3 / 22.2 / 14.5 / 10.
    stats_call(&app, AGE, Some(&token)).await.assert_answer(
        StatusCode::OK,
        json!({"under-18": 2, "18-24": 18, "25-34": 33, "35-44": 22, "45+": 15, "unknown": 10}),
    );
    // Of 1,500 selections (a user with none is one `unknown`): fashion 375, beauty, food and
    // technology 250 each, travel 125, other 124, unknown 126.
    stats_call(&app, PREFERENCES, Some(&token))
        .await
        .assert_answer(
            StatusCode::OK,
            json!({"fashion": 25, "beauty": 17, "food": 17, "technology": 17,
                   "travel": 8, "other": 8, "unknown": 8}),
        );
    assert_eq!(report.snapshot.preferences.total(), 1_500);
    assert_eq!(report.snapshot.sex.count_of("male"), Some(487));
    assert_eq!(report.snapshot.age.count_of("unknown"), Some(100));
}

#[tokio::test]
async fn each_answer_keeps_the_order_of_the_distribution_and_says_when_it_was_counted() {
    let app = TestApp::spawn().await;
    seed(&app, 40).await;
    let token = boss(&app).await;
    let report = run_job(&app).await;

    let reply = TestApp::send(app.request(Method::POST, PREFERENCES).bearer_auth(&token)).await;
    let taken_at = report.snapshot.taken_at.expect("a run has a time");
    assert_eq!(
        reply.headers["last-modified"].to_str().unwrap(),
        taken_at.to_http_date()
    );
    let raw = app
        .request(Method::POST, SEX)
        .bearer_auth(&token)
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("body");
    let keys: Vec<&str> = ["\"male\"", "\"female\"", "\"other\"", "\"unknown\""]
        .into_iter()
        .filter(|key| raw.contains(key))
        .collect();
    assert_eq!(keys.len(), 4, "{raw}");
    let positions: Vec<usize> = keys.iter().map(|k| raw.find(k).unwrap()).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{raw}");
}

#[tokio::test]
async fn two_runs_at_once_leave_the_same_snapshot_as_one() {
    let app = TestApp::spawn().await;
    seed(&app, 300).await;
    let token = boss(&app).await;

    let (first, second) = tokio::join!(run_job(&app), run_job(&app));

    assert_eq!(counted(&first.snapshot), counted(&second.snapshot));
    assert!(first.stored || second.stored, "one of them is kept");
    let stored = stats::latest(store(&app)).await.expect("snapshot");
    assert_eq!(counted(&stored), counted(&first.snapshot));
    let after_both = answers(&app, &token).await;
    // And once more, alone: the same answers.
    let third = run_job(&app).await;
    assert_eq!(counted(&third.snapshot), counted(&first.snapshot));
    assert_eq!(answers(&app, &token).await, after_both);
}

#[tokio::test]
async fn a_snapshot_taken_earlier_never_replaces_a_later_one() {
    let app = TestApp::spawn().await;
    seed(&app, 10).await;
    let report = run_job(&app).await;
    let taken_at = report.snapshot.taken_at.expect("time");

    let stale = stats::empty_snapshot();
    let stored = store(&app)
        .put_stats_snapshot(taken_at.plus_seconds(-60), &stale)
        .await
        .expect("put");

    assert!(!stored);
    let kept = stats::latest(store(&app)).await.expect("snapshot");
    assert_eq!(kept, report.snapshot);
}

#[tokio::test]
async fn before_the_first_run_every_route_answers_zeros_without_a_time() {
    let app = TestApp::spawn().await;
    seed(&app, 10).await;
    let token = boss(&app).await;

    let sex = stats_call(&app, SEX, Some(&token)).await;
    assert!(sex.headers.get("last-modified").is_none());
    sex.assert_answer(
        StatusCode::OK,
        json!({"male": 0, "female": 0, "other": 0, "unknown": 0}),
    );
    stats_call(&app, AGE, Some(&token)).await.assert_answer(
        StatusCode::OK,
        json!({"under-18": 0, "18-24": 0, "25-34": 0, "35-44": 0, "45+": 0, "unknown": 0}),
    );
    stats_call(&app, PREFERENCES, Some(&token))
        .await
        .assert_answer(StatusCode::OK, json!({"unknown": 0}));
}

#[tokio::test]
async fn every_stats_route_refuses_anonymous_callers_with_401_and_plain_users_with_403() {
    let app = TestApp::spawn().await;
    app.register("mallory").await;
    let mallory = app.access_token("mallory").await;
    run_job(&app).await;

    for path in [SEX, AGE, PREFERENCES] {
        let anonymous = stats_call(&app, path, None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(anonymous.body["error"], "authentication_required", "{path}");
        let plain = stats_call(&app, path, Some(&mallory)).await;
        assert_eq!(
            plain.status,
            StatusCode::FORBIDDEN,
            "{path}: {}",
            plain.body
        );
        assert_eq!(plain.body["error"], "permission_denied", "{path}");
    }
}

#[tokio::test]
async fn userctl_stats_now_runs_the_job_and_prints_the_three_distributions() {
    let app = TestApp::spawn().await;
    seed(&app, 8).await;
    let token = boss(&app).await;

    let out = app
        .admin(&["stats", "now", "--segments", "3"], PASSWORD)
        .await
        .expect("stats now");

    assert!(out.contains(": 9 users"), "{out}");
    assert!(out.contains("sex\tmale 8 (89%)\tfemale 0 (0%)"), "{out}");
    assert!(out.contains("age\tunder-18 8 (89%)"), "{out}");
    assert!(
        out.contains("preferences\tfashion 3 (23%)\tbeauty 2 (16%)"),
        "{out}"
    );
    stats_call(&app, SEX, Some(&token)).await.assert_answer(
        StatusCode::OK,
        json!({"male": 89, "female": 0, "other": 0, "unknown": 11}),
    );
}
