//! Careers: the user list (search, filters, ordering, batches), public profiles, stats and
//! profile updates.

use crate::support::{column, sign_up, text, TestApp, CAREERS_ME, PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};

const UPDATE: &str = "/careers/users/me/update/";

async fn user(app: &TestApp, username: &str, first: &str, last: &str, bio: &str) -> Value {
    let mut body = sign_up(username);
    body["first_name"] = json!(first);
    body["last_name"] = json!(last);
    body["bio"] = json!(bio);
    app.register_as(&body).await
}

async fn patch(app: &TestApp, token: &str, body: Value) -> (StatusCode, Value) {
    let reply = app.patch_json(UPDATE, &body, Some(token)).await;
    (reply.status, reply.body)
}

fn usernames(body: &Value) -> Vec<Value> {
    column(&body["users"], "username")
}

#[tokio::test]
async fn batches_are_exact_across_page_boundaries() {
    let app = TestApp::spawn().await;
    let mut names = Vec::new();
    for i in 0..7 {
        let name = format!("user{i}");
        user(&app, &name, "F", "L", "").await;
        names.push(name);
    }

    let mut listed = Vec::new();
    for batch in 0..3 {
        let reply = app
            .get(
                &format!("/careers/users/?batch_size=3&batch_number={batch}"),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        let info = &reply.body["batch_info"];
        assert_eq!(info["current_batch"], batch);
        assert_eq!(info["batch_size"], 3);
        assert_eq!(info["total_users"], 7);
        assert_eq!(info["total_batches"], 3);
        assert_eq!(
            info["users_in_current_batch"],
            if batch < 2 { 3 } else { 1 }
        );
        listed.extend(usernames(&reply.body));
    }
    let past = app
        .get("/careers/users/?batch_size=3&batch_number=3", None)
        .await;

    assert_eq!(listed, names, "sign-up order, each user once");
    assert_eq!(past.body["users"], json!([]));
    assert_eq!(past.body["batch_info"]["total_users"], 7);
}

#[tokio::test]
async fn every_ordering_is_served_both_ways() {
    let app = TestApp::spawn().await;
    user(&app, "carol", "Zed", "Adams", "").await;
    user(&app, "alice", "Mia", "Young", "").await;
    user(&app, "bob", "Amy", "King", "").await;

    let order = |q: &str| {
        let url = format!("/careers/users/?ordering={q}");
        let app = &app;
        async move { usernames(&app.get(&url, None).await.body) }
    };
    assert_eq!(order("username").await, ["alice", "bob", "carol"]);
    assert_eq!(order("-username").await, ["carol", "bob", "alice"]);
    assert_eq!(order("first_name").await, ["bob", "alice", "carol"]);
    assert_eq!(order("last_name").await, ["carol", "bob", "alice"]);
    assert_eq!(order("-last_name").await, ["alice", "bob", "carol"]);
    assert_eq!(order("created_at").await, ["carol", "alice", "bob"]);
    assert_eq!(order("-created_at").await, ["bob", "alice", "carol"]);
    let bad = app.get("/careers/users/?ordering=email", None).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body["ordering"].is_array());
}

#[tokio::test]
async fn search_and_filters_match_substrings_in_any_case_and_count_matches() {
    let app = TestApp::spawn().await;
    user(&app, "alice", "Alice", "Smith", "Rust developer").await;
    user(&app, "bob", "Robert", "Smithers", "Gardener").await;
    user(&app, "carol", "Carol", "Jones", "Loves RUST").await;

    let search = app
        .get("/careers/users/?search=rust&ordering=username", None)
        .await;
    let by_last = app
        .get("/careers/users/?last_name=SMITH&ordering=username", None)
        .await;
    let both = app
        .get("/careers/users/?last_name=smith&first_name=rob", None)
        .await;
    let by_username = app.get("/careers/users/?search=CAR", None).await;

    assert_eq!(usernames(&search.body), ["alice", "carol"]);
    assert_eq!(search.body["batch_info"]["total_users"], 2);
    assert_eq!(usernames(&by_last.body), ["alice", "bob"]);
    assert_eq!(usernames(&both.body), ["bob"]);
    assert_eq!(usernames(&by_username.body), ["carol"]);
}

#[tokio::test]
async fn huge_page_numbers_are_empty_pages_not_errors() {
    let app = TestApp::spawn().await;
    user(&app, "alice", "A", "S", "").await;
    let chat = app.chat_client("huge").await;

    let careers = app
        .get(
            "/careers/users/?batch_number=18446744073709551615&batch_size=100",
            None,
        )
        .await;
    let followers = app
        .get(
            "/careers/users/alice/followers/?page=18446744073709551615",
            None,
        )
        .await;
    let chat = chat
        .get("/api/v2.1/rest/get_user_list?page=18446744073709551615")
        .await;

    assert_eq!(careers.status, StatusCode::OK);
    assert_eq!(careers.body["users"], json!([]));
    assert_eq!(careers.body["batch_info"]["total_users"], 1);
    assert_eq!(
        followers.status,
        StatusCode::NOT_FOUND,
        "as DRF's pagination"
    );
    assert_eq!(followers.body, json!({"detail": "Invalid page."}));
    assert_eq!(chat.status, StatusCode::OK);
}

#[tokio::test]
async fn bad_batch_parameters_are_400() {
    let app = TestApp::spawn().await;
    for query in [
        "batch_size=0",
        "batch_size=101",
        "batch_size=abc",
        "batch_number=-1",
    ] {
        let reply = app.get(&format!("/careers/users/?{query}"), None).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
    }
}

#[tokio::test]
async fn lists_and_public_profiles_never_show_an_email() {
    let app = TestApp::spawn().await;
    user(&app, "alice", "Alice", "Smith", "Bio").await;

    let list = app.get("/careers/users/", None).await;
    let profile = app.get("/careers/users/ALICE/", None).await;

    assert!(!list.body.to_string().contains("@example.com"));
    assert_eq!(profile.status, StatusCode::OK);
    assert!(profile.body.get("email").is_none());
    assert_eq!(profile.body["username"], "alice");
    assert_eq!(profile.body["followers_count"], 0);
    assert_eq!(app.profile("nobody").await, json!({"detail": "Not found."}));
}

#[tokio::test]
async fn stats_are_served_for_me_and_for_a_username() {
    let app = TestApp::spawn().await;
    let alice = user(&app, "alice", "A", "S", "").await;

    let mine = app
        .get("/careers/users/me/stats/", alice["access"].as_str())
        .await;
    let public = app.get("/careers/users/alice/stats/", None).await;
    let anonymous_mine = app.get("/careers/users/me/stats/", None).await;

    let expected = json!({"posts_count": 0, "followers_count": 0, "following_count": 0, "likes_received": 0, "comments_received": 0});
    assert_eq!(mine.body, expected);
    assert_eq!(public.body, expected);
    assert_eq!(anonymous_mine.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_profile_update_changes_any_subset_and_shows_in_lists_and_search() {
    let app = TestApp::spawn().await;
    let alice = user(&app, "alice", "Alice", "Smith", "Old").await;
    let token = &text(&alice, "access");

    let (status, body) = patch(
        &app,
        token,
        json!({"last_name": "Johnson", "bio": "Updated bio", "avatar": "https://example.com/a.jpg"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    assert_eq!(body["first_name"], "Alice");
    assert_eq!(body["last_name"], "Johnson");
    assert_eq!(body["avatar"], "https://example.com/a.jpg");
    assert_eq!(
        usernames(
            &app.get("/careers/users/?last_name=johnson", None)
                .await
                .body
        ),
        ["alice"]
    );
    assert!(usernames(&app.get("/careers/users/?search=old", None).await.body).is_empty());
    let me = app.get(CAREERS_ME, Some(token)).await;
    assert_eq!(me.body["bio"], "Updated bio");
}

#[tokio::test]
async fn an_email_change_keeps_emails_unique_and_frees_the_old_one() {
    let app = TestApp::spawn().await;
    let alice = user(&app, "alice", "A", "S", "").await;
    user(&app, "bob", "B", "S", "").await;
    let token = &text(&alice, "access");

    let taken = patch(&app, token, json!({"email": "BOB@example.com"})).await;
    let changed = patch(&app, token, json!({"email": "alice.new@example.com"})).await;

    assert_eq!(taken.0, StatusCode::BAD_REQUEST);
    assert_eq!(
        taken.1,
        json!({"email": ["A user with that email already exists."]})
    );
    assert_eq!(changed.0, StatusCode::OK);
    assert_eq!(changed.1["email"], "alice.new@example.com");
    let mut reuse = sign_up("carol");
    reuse["email"] = json!("alice@example.com");
    app.register_as(&reuse).await;
    let login = app
        .login(&json!({"email": "alice.new@example.com", "password": PASSWORD}))
        .await;
    assert_eq!(login.status, StatusCode::OK);
    assert_eq!(app.items_of("EMAIL_GUARD").await.len(), 3);
}

#[tokio::test]
async fn fields_a_user_may_not_set_are_refused_and_nothing_changes() {
    let app = TestApp::spawn().await;
    let alice = user(&app, "alice", "A", "S", "").await;
    let token = &text(&alice, "access");

    for body in [
        json!({"is_staff": true}),
        json!({"username": "mallory"}),
        json!({"followers_count": 99}),
        json!({"avatar": "javascript:alert(1)"}),
        json!({"email": "nope"}),
        json!({"first_name": ["x"]}),
    ] {
        let (status, reply) = patch(&app, token, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {reply}");
    }
    let me = app.get(CAREERS_ME, Some(token)).await;
    assert_eq!(me.body["username"], "alice");
    assert_eq!(me.body["followers_count"], 0);
    let users = app.items_of("USER").await;
    assert_eq!(users[0]["is_staff"].as_bool().unwrap(), &false);
}

#[tokio::test]
async fn a_user_can_only_change_their_own_profile() {
    let app = TestApp::spawn().await;
    let alice = user(&app, "alice", "Alice", "S", "").await;
    let bob = user(&app, "bob", "Bob", "S", "").await;

    patch(&app, &text(&bob, "access"), json!({"first_name": "Robert"})).await;

    assert_eq!(app.profile("alice").await["first_name"], "Alice");
    assert_eq!(app.profile("bob").await["first_name"], "Robert");
    let anonymous = app.patch_json(UPDATE, &json!({"bio": "x"}), None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let _ = alice;
}

#[tokio::test]
async fn over_long_names_are_not_found_not_errors() {
    let app = TestApp::spawn().await;
    let long = "a".repeat(3000);

    let profile = app.get(&format!("/careers/users/{long}/"), None).await;
    let login = app.login_as(&long, "whatever1").await;
    let validate = app
        .post_form(
            "/api/check/validate/",
            &format!("username={long}&password=whatever1"),
        )
        .await;

    assert_eq!(profile.status, StatusCode::NOT_FOUND);
    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
    assert_eq!(validate.body, json!({"is_valid": false, "user_id": null}));
}
