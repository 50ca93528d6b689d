//! Careers: follow, unfollow and the follower / following lists; counters always equal edges.

use crate::support::{column, number, s, text, user_id, Reply, TestApp};
use reqwest::StatusCode;
use serde_json::json;
use std::sync::Arc;
use users_shared::store::keys;

async fn token(app: &TestApp, username: &str) -> String {
    text(&app.register(username).await, "access")
}

async fn follow(app: &TestApp, token: &str, username: &str) -> Reply {
    app.post_json(
        "/careers/users/follow/",
        &json!({"username": username}),
        Some(token),
    )
    .await
}

async fn unfollow(app: &TestApp, token: &str, username: &str) -> Reply {
    app.delete(&format!("/careers/users/{username}/unfollow/"), Some(token))
        .await
}

/// Alice, signed up and following Bob: her access token.
async fn alice_following_bob(app: &TestApp) -> String {
    let alice = token(app, "alice").await;
    app.register("bob").await;
    let followed = follow(app, &alice, "bob").await;
    assert_eq!(followed.status, StatusCode::CREATED, "{}", followed.body);
    alice
}

/// Every user's two counters equal the edges stored for them.
pub(crate) async fn assert_counters_match_edges(app: &TestApp) {
    let items = app.all_items().await;
    let edges_with = |entity: &str, pk: &str| {
        items
            .iter()
            .filter(|i| s(i, keys::ENTITY) == entity && s(i, keys::PK) == pk)
            .count() as i64
    };
    for user in items.iter().filter(|i| s(i, keys::ENTITY) == "USER") {
        let pk = s(user, keys::PK);
        assert_eq!(
            number(user, "following_count"),
            edges_with("FOLLOWING", pk),
            "following of {pk}"
        );
        assert_eq!(
            number(user, "followers_count"),
            edges_with("FOLLOWER", pk),
            "followers of {pk}"
        );
    }
}

#[tokio::test]
async fn following_someone_returns_the_follow_and_counts_on_both_sides() {
    let app = TestApp::spawn().await;
    let alice = token(&app, "alice").await;
    app.register("bob").await;

    let reply = follow(&app, &alice, "BOB").await;

    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["follower_username"], "alice");
    assert_eq!(reply.body["following_username"], "bob");
    assert!(reply.body["id"].is_u64() && reply.body["created_at"].is_string());
    assert_eq!(app.profile("bob").await["followers_count"], 1);
    assert_eq!(app.profile("alice").await["following_count"], 1);
    assert_counters_match_edges(&app).await;

    // The follow answers with the username as its owner writes it, whatever case named it.
    app.register("Carol").await;
    let reply = follow(&app, &alice, "carol").await;
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["following_username"], "Carol");
}

#[tokio::test]
async fn a_follow_by_user_id_as_the_original_service_takes_it_answers_like_one_by_username() {
    let app = TestApp::spawn().await;
    let alice = token(&app, "alice").await;
    let bob = user_id(&app.register("bob").await);

    let reply = app
        .post_json(
            "/careers/users/follow/",
            &json!({"following": bob}),
            Some(&alice),
        )
        .await;

    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["following"], bob);
    assert_eq!(reply.body["following_username"], "bob");
    assert_eq!(reply.body["follower_username"], "alice");
    assert_eq!(app.profile("bob").await["followers_count"], 1);
    assert_counters_match_edges(&app).await;
}

#[tokio::test]
async fn a_form_body_may_name_the_user_id_as_text() {
    let app = TestApp::spawn().await;
    let alice = token(&app, "alice").await;
    let bob = user_id(&app.register("bob").await);

    let reply = app
        .post_raw(
            "/careers/users/follow/",
            Some("application/x-www-form-urlencoded"),
            &format!("following={bob}"),
            Some(&alice),
        )
        .await;

    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["following"], bob);
}

#[tokio::test]
async fn self_double_and_unknown_follows_are_refused_on_following_as_the_original_did() {
    let app = TestApp::spawn().await;
    let alice = alice_following_bob(&app).await;
    let id_of = |profile: serde_json::Value| profile["id"].as_u64().expect("an id");
    let alice_id = id_of(app.profile("alice").await);
    let bob_id = id_of(app.profile("bob").await);
    let by_id = |id: u64| json!({ "following": id });

    for body in [json!({"username": "alice"}), by_id(alice_id)] {
        app.post_json("/careers/users/follow/", &body, Some(&alice))
            .await
            .assert_field_error("following", "cannot follow yourself");
    }
    for body in [json!({"username": "bob"}), by_id(bob_id)] {
        app.post_json("/careers/users/follow/", &body, Some(&alice))
            .await
            .assert_field_error("following", "already following this user");
    }
    app.post_json("/careers/users/follow/", &by_id(999_999), Some(&alice))
        .await
        .assert_field_error(
            "following",
            "Invalid pk \"999999\" - object does not exist.",
        );
    app.post_json(
        "/careers/users/follow/",
        &json!({"username": "nobody"}),
        Some(&alice),
    )
    .await
    .assert_field_error("following", "Object with username=nobody does not exist.");
    app.post_json(
        "/careers/users/follow/",
        &json!({"following": "bob"}),
        Some(&alice),
    )
    .await
    .assert_field_error(
        "following",
        "Incorrect type. Expected pk value, received str.",
    );
    app.post_json("/careers/users/follow/", &json!({}), Some(&alice))
        .await
        .assert_field_error("following", "This field is required.");
    let anonymous = app
        .post_json("/careers/users/follow/", &json!({"username": "bob"}), None)
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    assert_counters_match_edges(&app).await;
}

#[tokio::test]
async fn unfollow_answers_as_the_original_service_and_refuses_one_that_does_not_exist() {
    let app = TestApp::spawn().await;
    let alice = alice_following_bob(&app).await;

    unfollow(&app, &alice, "bob")
        .await
        .assert_answer(StatusCode::OK, json!({"message": "stopped following bob"}));
    unfollow(&app, &alice, "bob").await.assert_answer(
        StatusCode::BAD_REQUEST,
        json!({"error": "not following bob"}),
    );
    unfollow(&app, &alice, "alice").await.assert_answer(
        StatusCode::BAD_REQUEST,
        json!({"error": "not following alice"}),
    );
    unfollow(&app, &alice, "nobody")
        .await
        .assert_answer(StatusCode::NOT_FOUND, json!({"detail": "Not found."}));
    assert_eq!(app.profile("bob").await["followers_count"], 0);
    assert_counters_match_edges(&app).await;
}

#[tokio::test]
async fn the_lists_show_who_follows_whom_and_whether_the_caller_follows_them() {
    let app = TestApp::spawn().await;
    let alice = token(&app, "alice").await;
    let bob = token(&app, "bob").await;
    app.register("carol").await;
    follow(&app, &alice, "carol").await;
    follow(&app, &bob, "carol").await;
    follow(&app, &alice, "bob").await;

    let mine = app.get("/careers/users/following/", Some(&alice)).await;
    let followers = app
        .get("/careers/users/carol/followers/", Some(&alice))
        .await;
    let following = app.get("/careers/users/alice/following/", None).await;
    let listed = app
        .get("/careers/users/?ordering=username", Some(&alice))
        .await;

    assert_eq!(mine.body["count"], 2);
    assert_eq!(
        column(&mine.body["results"], "following_username"),
        ["bob", "carol"]
    );
    assert_eq!(followers.body["count"], 2);
    assert_eq!(
        column(&followers.body["results"], "username"),
        ["alice", "bob"]
    );
    assert_eq!(
        column(&followers.body["results"], "is_following"),
        [false, true]
    );
    assert_eq!(following.body["count"], 2);
    assert_eq!(
        column(&listed.body["users"], "username"),
        ["alice", "bob", "carol"]
    );
    assert_eq!(
        column(&listed.body["users"], "is_following"),
        [false, true, true]
    );
    assert!(!followers.body.to_string().contains("@example.com"));
    assert_eq!(
        app.get("/careers/users/following/", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_hundred_concurrent_follows_and_unfollows_leave_every_counter_equal_to_its_edges() {
    let app = Arc::new(TestApp::spawn().await);
    let names = ["user0", "user1", "user2", "user3", "user4"];
    let mut tokens = Vec::new();
    for name in names {
        tokens.push(token(&app, name).await);
    }

    let calls = (0..100).map(|i| {
        let app = app.clone();
        let token = tokens[i % 5].clone();
        let target = names[(i / 5 + 1 + i % 5) % 5].to_owned();
        tokio::spawn(async move {
            if i % 3 == 0 {
                unfollow(&app, &token, &target).await.status
            } else {
                follow(&app, &token, &target).await.status
            }
        })
    });
    for call in calls.collect::<Vec<_>>() {
        let status = call.await.unwrap();
        assert!(
            [StatusCode::OK, StatusCode::CREATED, StatusCode::BAD_REQUEST].contains(&status),
            "{status}"
        );
    }

    assert_counters_match_edges(&app).await;
    let items = app.all_items().await;
    let following = items
        .iter()
        .filter(|i| s(i, keys::ENTITY) == "FOLLOWING")
        .count();
    let followers = items
        .iter()
        .filter(|i| s(i, keys::ENTITY) == "FOLLOWER")
        .count();
    assert_eq!(following, followers, "every edge has its mirror");
}

#[tokio::test]
async fn deleting_a_user_undoes_their_follows_on_the_other_side() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let bob = token(&app, "bob").await;
    app.register("carol").await;
    follow(&app, &text(&alice, "access"), "carol").await;
    follow(&app, &bob, "alice").await;
    let alice_id = user_id(&alice);
    let push = app.push_client("push").await;

    let deleted = push.delete(&format!("/user/{alice_id}")).await;

    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(app.profile("carol").await["followers_count"], 0);
    assert_eq!(app.profile("bob").await["following_count"], 0);
    let leftovers = app.items_about_user(alice_id, "alice").await;
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_counters_match_edges(&app).await;
}

#[tokio::test]
async fn pages_that_do_not_exist_are_404_as_in_drf() {
    let app = TestApp::spawn().await;
    let alice = alice_following_bob(&app).await;

    for path in [
        "/careers/users/bob/followers/?page=0",
        "/careers/users/bob/followers/?page=abc",
        "/careers/users/bob/followers/?page=2",
    ] {
        let reply = app.get(path, None).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.body, json!({"detail": "Invalid page."}));
    }
    assert_eq!(
        app.get("/careers/users/bob/followers/?page=1", None)
            .await
            .body["count"],
        1
    );
    assert_eq!(
        app.get("/careers/users/following/?page=2", Some(&alice))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_username_guard_that_holds_only_the_id_still_finds_whom_a_follow_names() {
    use aws_sdk_dynamodb::types::AttributeValue::{N, S};
    let app = TestApp::spawn().await;
    let alice = token(&app, "alice").await;
    let dave = user_id(&app.register("Dave").await);
    // A guard as it was written before guards kept the username.
    app.dynamodb
        .put_item()
        .table_name(&app.table)
        .item("PK", S(keys::username_guard_pk("dave")))
        .item("SK", S(keys::GUARD_SK.to_owned()))
        .item("entity", S("USERNAME_GUARD".to_owned()))
        .item("user_id", N(dave.to_string()))
        .send()
        .await
        .expect("put the guard");

    let reply = follow(&app, &alice, "DAVE").await;

    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["following"], dave);
    assert_eq!(reply.body["following_username"], "Dave");
}

/// The follow reads its target beside the caller's session, but answers in DRF's order: no or
/// a bad token is 401 whatever the body; with a good token a malformed body or an unknown
/// user is 400 on `following`.
#[tokio::test]
async fn a_follow_is_authenticated_before_its_body_is_judged() {
    let app = TestApp::spawn().await;
    let alice = token(&app, "alice").await;
    let path = "/careers/users/follow/";
    let json = Some("application/json");

    for token in [None, Some("not-a-token")] {
        for body in ["{\"username\": ", "[1]", "{}", "{\"username\": \"nobody\"}"] {
            let reply = app.post_raw(path, json, body, token).await;
            assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{token:?} {body}");
            assert!(reply.body["detail"].is_string(), "{}", reply.body);
        }
    }

    let malformed = app
        .post_raw(path, json, "{\"username\": ", Some(&alice))
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert!(malformed.body["detail"]
        .as_str()
        .unwrap()
        .starts_with("JSON parse error"));
    let wrong_type = app
        .post_raw(path, json, "{\"following\": \"x\"}", Some(&alice))
        .await;
    assert_eq!(wrong_type.status, StatusCode::BAD_REQUEST);
    assert!(
        wrong_type.body["following"].is_array(),
        "{}",
        wrong_type.body
    );
    let unknown = follow(&app, &alice, "nobody").await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert!(unknown.body["following"].is_array(), "{}", unknown.body);
}

/// How a signed-in caller's access token stops being good enough for a request.
#[derive(Debug, Clone, Copy)]
enum Spoiled {
    SignedOut,
    Deactivated,
    Banned,
    TokenVersionMovedOn,
}

/// Once the process knows alice and bob from an earlier follow, a follow between them is one
/// transaction that checks alice's session and account itself instead of reading them first.
/// Every way her token stops being good enough for a request still refuses the follow with the
/// 401 a first follow gets, and writes nothing.
#[tokio::test]
async fn a_follow_between_users_the_process_knows_is_refused_whenever_the_callers_token_is() {
    use aws_sdk_dynamodb::types::AttributeValue;
    for spoiled in [
        Spoiled::SignedOut,
        Spoiled::Deactivated,
        Spoiled::Banned,
        Spoiled::TokenVersionMovedOn,
    ] {
        let app = TestApp::spawn().await;
        let alice = app.register("alice").await;
        let (access, alice_id) = (text(&alice, "access"), user_id(&alice));
        app.register("bob").await;
        assert_eq!(
            follow(&app, &access, "bob").await.status,
            StatusCode::CREATED
        );
        assert_eq!(unfollow(&app, &access, "bob").await.status, StatusCode::OK);

        match spoiled {
            Spoiled::SignedOut => {
                let body = json!({"refresh": text(&alice, "refresh")});
                let out = app
                    .post_json("/careers/users/logout/", &body, Some(&access))
                    .await;
                assert_eq!(out.status, StatusCode::OK, "{}", out.body);
            }
            Spoiled::Deactivated => {
                app.set_user_attribute(alice_id, "is_active", AttributeValue::Bool(false))
                    .await
            }
            Spoiled::Banned => {
                let since = AttributeValue::S("2026-01-01T00:00:00Z".to_owned());
                app.set_user_attribute(alice_id, "banned_at", since).await
            }
            Spoiled::TokenVersionMovedOn => {
                let version = number(&app.user_item(alice_id).await, "token_version");
                let moved = AttributeValue::N((version + 1).to_string());
                app.set_user_attribute(alice_id, "token_version", moved)
                    .await
            }
        }
        let refused = follow(&app, &access, "bob").await;

        assert_eq!(
            refused.status,
            StatusCode::UNAUTHORIZED,
            "{spoiled:?}: {}",
            refused.body
        );
        assert_eq!(refused.body["code"], "token_not_valid", "{spoiled:?}");
        let edges: Vec<_> = app
            .all_items()
            .await
            .into_iter()
            .filter(|i| ["FOLLOWING", "FOLLOWER"].contains(&s(i, keys::ENTITY)))
            .collect();
        assert!(edges.is_empty(), "{spoiled:?}: {edges:?}");
        assert_eq!(number(&app.user_item(alice_id).await, "following_count"), 0);
        assert_counters_match_edges(&app).await;
    }
}

/// A follow between users the process knows writes what a first follow writes; a username that
/// passed to a new user after its owner was deleted is followed as its new owner's.
#[tokio::test]
async fn a_follow_between_users_the_process_knows_follows_whom_the_name_names_now() {
    let app = TestApp::spawn().await;
    let alice = token(&app, "alice").await;
    let first_bob = user_id(&app.register("bob").await);
    assert_eq!(
        follow(&app, &alice, "bob").await.status,
        StatusCode::CREATED
    );
    assert_eq!(unfollow(&app, &alice, "bob").await.status, StatusCode::OK);

    let again = follow(&app, &alice, "BOB").await;
    assert_eq!(again.status, StatusCode::CREATED, "{}", again.body);
    assert_eq!(again.body["following"], first_bob);
    assert_eq!(app.profile("bob").await["followers_count"], 1);
    let twice = follow(&app, &alice, "bob").await;
    assert_eq!(twice.status, StatusCode::BAD_REQUEST, "{}", twice.body);
    assert_counters_match_edges(&app).await;

    let push = app.push_client("push").await;
    let deleted = push.delete(&format!("/user/{first_bob}")).await;
    assert_eq!(deleted.status, StatusCode::OK);
    let second_bob = user_id(&app.register("bob").await);
    let followed = follow(&app, &alice, "bob").await;

    assert_eq!(followed.status, StatusCode::CREATED, "{}", followed.body);
    assert_eq!(followed.body["following"], second_bob);
    assert_eq!(app.profile("bob").await["followers_count"], 1);
    assert_eq!(app.profile("alice").await["following_count"], 1);
    assert_counters_match_edges(&app).await;
}
