//! Careers: the user list (search, filters, ordering, batches), public profiles, stats and
//! profile updates.

use crate::support::{column, sign_up, sorted_keys, text, TestApp, CAREERS_ME, PASSWORD};
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
        // The page is read beside the token's check, but a bad token is still 401 first.
        let reply = app
            .get(&format!("/careers/users/?{query}"), Some("not-a-token"))
            .await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{query}");
    }
    let reply = app.get("/careers/users/", Some("not-a-token")).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.body["code"], "token_not_valid");
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

// --- what one search may read (issue 8, item 5) -------------------------------------------

/// Users created in one call through the push contract (no sign-up limits, no passwords):
/// each username is the local part of its e-mail.
async fn seed(app: &TestApp, local_parts: &[String]) {
    let push = app.push_client("seed").await;
    let emails: Vec<String> = local_parts
        .iter()
        .map(|name| format!("{name}@example.com"))
        .collect();
    let reply = push.post_json("/users", &json!({ "emails": emails })).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
}

#[tokio::test]
async fn a_search_or_name_filter_shorter_than_two_characters_is_400() {
    let app = TestApp::spawn().await;
    user(&app, "alice", "Alice", "Smith", "").await;

    for (query, field) in [
        ("search=a", "search"),
        ("search=%20a%20", "search"),
        ("first_name=x", "first_name"),
        ("last_name=S&search=alice", "last_name"),
    ] {
        let reply = app.get(&format!("/careers/users/?{query}"), None).await;
        assert_eq!(
            reply.body,
            json!({ field: ["Ensure this field has at least 2 characters."] }),
            "{query}"
        );
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
    }
    let blank = app
        .get("/careers/users/?search=%20&first_name=", None)
        .await;
    assert_eq!(blank.status, StatusCode::OK, "a blank filter is no filter");
    assert_eq!(usernames(&blank.body), ["alice"]);
    let two = app.get("/careers/users/?search=al", None).await;
    assert_eq!(usernames(&two.body), ["alice"]);
    assert_eq!(
        (
            &two.body["batch_info"]["complete"],
            &two.body["batch_info"]["next"]
        ),
        (&json!(true), &Value::Null),
        "under the cap a search is complete at once"
    );
}

#[tokio::test]
async fn a_search_past_the_cap_is_continued_with_a_cursor_and_sees_each_user_once() {
    let app = TestApp::spawn_with(|config| config.directory_scan_cap = 4).await;
    // 11 users in sign-up order, 6 of them matching "match".
    let names: Vec<String> = (0..11)
        .map(|i| {
            if i % 2 == 0 {
                format!("match{i:02}")
            } else {
                format!("other{i:02}")
            }
        })
        .collect();
    seed(&app, &names).await;
    let wanted: Vec<Value> = names
        .iter()
        .filter(|n| n.starts_with("match"))
        .map(|n| json!(n))
        .collect();

    let mut listed = Vec::new();
    let mut answers = 0;
    let mut url = "/careers/users/?search=MATCH&batch_size=10".to_owned();
    let last = loop {
        let reply = app.get(&url, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        answers += 1;
        assert!(answers <= 4, "11 entries at 4 a request take 3 requests");
        let info = &reply.body["batch_info"];
        for key in [
            "current_batch",
            "batch_size",
            "total_users",
            "total_batches",
            "users_in_current_batch",
        ] {
            assert!(info.get(key).is_some(), "{key} stays in {info}");
        }
        listed.extend(usernames(&reply.body));
        if info["complete"] == json!(true) {
            assert_eq!(info["next"], Value::Null);
            break reply;
        }
        assert_eq!(info["complete"], json!(false), "{info}");
        assert_eq!(
            info["total_users"],
            json!(listed.len()),
            "an unfinished count is the matches among the entries examined so far"
        );
        let cursor = info["next"].as_str().expect("a cursor to continue");
        url = format!("/careers/users/?search=MATCH&batch_size=10&cursor={cursor}");
    };

    assert_eq!(answers, 3);
    assert_eq!(listed, wanted, "every match once, in order");
    assert_eq!(last.body["batch_info"]["total_users"], 6);
    assert_eq!(last.body["batch_info"]["total_batches"], 1);
}

#[tokio::test]
async fn a_filled_page_keeps_counting_through_the_cursor_without_repeating_users() {
    let app = TestApp::spawn_with(|config| config.directory_scan_cap = 3).await;
    let names: Vec<String> = (0..8).map(|i| format!("match{i}")).collect();
    seed(&app, &names).await;

    let first = app
        .get(
            "/careers/users/?search=ma&batch_size=2&batch_number=1",
            None,
        )
        .await;
    assert_eq!(first.body["batch_info"]["complete"], json!(false));
    assert_eq!(usernames(&first.body), ["match2"], "{}", first.body);
    let mut listed = usernames(&first.body);
    let mut next = first.body["batch_info"]["next"].as_str().map(str::to_owned);
    let mut total = Value::Null;
    while let Some(cursor) = next {
        let reply = app
            .get(
                &format!("/careers/users/?search=ma&batch_size=2&batch_number=1&cursor={cursor}"),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        listed.extend(usernames(&reply.body));
        next = reply.body["batch_info"]["next"].as_str().map(str::to_owned);
        total = reply.body["batch_info"]["total_users"].clone();
    }

    assert_eq!(listed, ["match2", "match3"], "batch 1 of 2, each user once");
    assert_eq!(total, 8);
}

#[tokio::test]
async fn a_bad_cursor_is_400_on_cursor() {
    let app = TestApp::spawn_with(|config| config.directory_scan_cap = 2).await;
    let names: Vec<String> = (0..4).map(|i| format!("match{i}")).collect();
    seed(&app, &names).await;
    let first = app.get("/careers/users/?search=match", None).await;
    let cursor = first.body["batch_info"]["next"]
        .as_str()
        .expect("a cursor")
        .to_owned();
    use base64::Engine as _;
    let b64 = |text: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text);

    for query in [
        "search=match&cursor=not*base64".to_owned(),
        format!("search=match&cursor={}", b64("not json")),
        format!(
            "search=match&cursor={}",
            b64(r#"{"k":{"PK":"USER#1"},"m":0}"#)
        ),
        format!("search=match&cursor={}", b64("[]")),
        format!("search=other&cursor={cursor}"),
        format!("search=match&ordering=username&cursor={cursor}"),
        format!("search=match&batch_size=5&cursor={cursor}"),
        format!("cursor={cursor}"),
        format!("search=match&cursor={}", &cursor[..cursor.len() - 3]),
    ] {
        let reply = app.get(&format!("/careers/users/?{query}"), None).await;
        assert_eq!(
            (reply.status, &reply.body),
            (
                StatusCode::BAD_REQUEST,
                &json!({"cursor": ["Invalid cursor."]})
            ),
            "{query}"
        );
    }
    let good = app
        .get(
            &format!("/careers/users/?search=match&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(good.status, StatusCode::OK);
    assert_eq!(usernames(&good.body), ["match2", "match3"]);
}

#[tokio::test]
async fn filtered_listing_is_limited_per_client_address_and_plain_listing_is_not() {
    let app = TestApp::spawn().await;
    user(&app, "alice", "Alice", "Smith", "").await;

    let mut served = 0;
    let refused = loop {
        let reply = app.get("/careers/users/?search=alice", None).await;
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            break reply;
        }
        assert_eq!(reply.status, StatusCode::OK);
        served += 1;
        assert!(served <= 60, "never refused");
    };

    assert!(
        (30..=60).contains(&served),
        "30 a minute (a window boundary may allow up to twice that): {served}"
    );
    assert!(refused.body["detail"]
        .as_str()
        .unwrap()
        .starts_with("Request was throttled."));
    assert!((1..=60).contains(&refused.retry_after()));
    let filter = app.get("/careers/users/?last_name=smith", None).await;
    assert_eq!(
        filter.status,
        StatusCode::TOO_MANY_REQUESTS,
        "name filters count too"
    );
    let plain = app.get("/careers/users/", None).await;
    assert_eq!(
        plain.status,
        StatusCode::OK,
        "unfiltered lists are not limited"
    );
    assert_eq!(usernames(&plain.body), ["alice"]);
    assert_eq!(
        sorted_keys(&plain.body["batch_info"]),
        [
            "batch_size",
            "current_batch",
            "total_batches",
            "total_users",
            "users_in_current_batch"
        ],
        "an unfiltered list answers as before"
    );
}
