//! Push channels and themes: `POST /channel`, `GET`/`PUT`/`DELETE /channel/:id`,
//! `GET /channels`, `GET /channel_name?name=`; `POST /theme`, `GET`/`PUT`/`DELETE /theme/:id`,
//! `GET /themes`, `GET /themes/range/:range`, `GET /theme_name?name=`, with the app's own
//! credentials. Names are unique in any letter case; every success is a 200 in
//! `{"result": ...}`.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// Creates the channel `name`; returns its id.
async fn channel(push: &AppClient<'_>, name: &str) -> u64 {
    let reply = push.post_form("/channel", &[("name", name)]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["result"]["id"].as_u64().expect("id")
}

fn names(result: &Value, list: &str) -> Vec<String> {
    result[list]
        .as_array()
        .expect("a list")
        .iter()
        .map(|c| c["name"].as_str().expect("name").to_owned())
        .collect()
}

#[tokio::test]
async fn a_channel_is_created_with_200_and_read_by_id_and_by_name() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;

    let created = push.post_form("/channel", &[("name", "News")]).await;

    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = created.body["result"]["id"].as_u64().expect("a numeric id");
    assert_eq!(created.body, json!({"result": {"id": id, "name": "News"}}));
    push.get(&format!("/channel/{id}")).await.assert_answer(
        StatusCode::OK,
        json!({"result": {"id": id, "name": "News"}}),
    );
    push.get("/channel_name?name=News").await.assert_answer(
        StatusCode::OK,
        json!({"result": {"id": id, "name": "News"}}),
    );
    // The official client sends `?name=X?name=X`: the first name, up to the first `?`.
    push.get("/channel_name?name=News?name=News")
        .await
        .assert_answer(
            StatusCode::OK,
            json!({"result": {"id": id, "name": "News"}}),
        );
    // Names are compared in any letter case, as the original's database did.
    push.get("/channel_name?name=nEWS").await.assert_answer(
        StatusCode::OK,
        json!({"result": {"id": id, "name": "News"}}),
    );
    let json_body = push.post_json("/channel", &json!({"name": "Sports"})).await;
    assert_eq!(json_body.status, StatusCode::OK, "{}", json_body.body);
    assert!(json_body.body["result"]["id"].as_u64().unwrap() > id);
}

#[tokio::test]
async fn bad_channel_input_is_refused_with_its_reason() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let id = channel(&push, "News").await;

    push.post_form("/channel", &[])
        .await
        .assert_push_error(StatusCode::BAD_REQUEST, "name: This field is required.");
    push.post_form("/channel", &[("name", "")])
        .await
        .assert_push_error(
            StatusCode::BAD_REQUEST,
            "name: This field may not be blank.",
        );
    push.post_form("/channel", &[("name", "   ")])
        .await
        .assert_push_error(
            StatusCode::BAD_REQUEST,
            "name: This field may not be blank.",
        );
    push.post_form("/channel", &[("name", &"x".repeat(101))])
        .await
        .assert_push_error(
            StatusCode::BAD_REQUEST,
            "name: Ensure this field has no more than 100 characters.",
        );
    push.put_form(&format!("/channel/{id}"), &[])
        .await
        .assert_push_error(StatusCode::BAD_REQUEST, "name: This field is required.");
    push.get("/channel_name")
        .await
        .assert_push_error(StatusCode::BAD_REQUEST, "name: This field is required.");
    push.get("/channel_name?name=")
        .await
        .assert_push_error(StatusCode::BAD_REQUEST, "name: This field is required.");
    for path in [
        "/channel/999999",
        "/channel/abc",
        "/channel/0",
        "/channel/-1",
    ] {
        push.get(path)
            .await
            .assert_push_error(StatusCode::NOT_FOUND, "Channel not found");
        push.put_form(path, &[("name", "Other")])
            .await
            .assert_push_error(StatusCode::NOT_FOUND, "Channel not found");
        push.delete(path)
            .await
            .assert_push_error(StatusCode::NOT_FOUND, "Channel not found");
    }
    push.get("/channel_name?name=Nothing")
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Channel not found");
    let stranger = push.with_secret("wrong");
    assert_eq!(
        stranger
            .post_form("/channel", &[("name", "X")])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        stranger.get(&format!("/channel/{id}")).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        stranger.get("/channels").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_taken_name_is_409_in_any_letter_case_also_on_a_rename() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    channel(&push, "News").await;
    let sports = channel(&push, "Sports").await;
    let taken = "name: A channel with that name already exists.";

    push.post_form("/channel", &[("name", "News")])
        .await
        .assert_push_error(StatusCode::CONFLICT, taken);
    push.post_form("/channel", &[("name", "NEWS")])
        .await
        .assert_push_error(StatusCode::CONFLICT, taken);
    push.put_form(&format!("/channel/{sports}"), &[("name", "news")])
        .await
        .assert_push_error(StatusCode::CONFLICT, taken);
    push.get(&format!("/channel/{sports}")).await.assert_answer(
        StatusCode::OK,
        json!({"result": {"id": sports, "name": "Sports"}}),
    );
    assert_eq!(app.items_of("CHANNEL").await.len(), 2);
    assert_eq!(app.items_of("CHANNEL_NAME_GUARD").await.len(), 2);
}

#[tokio::test]
async fn a_rename_frees_the_old_name_and_a_change_of_case_is_kept() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let id = channel(&push, "News").await;

    push.put_form(&format!("/channel/{id}"), &[("name", "Breaking")])
        .await
        .assert_answer(
            StatusCode::OK,
            json!({"result": {"id": id, "name": "Breaking"}}),
        );
    push.get("/channel_name?name=News")
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Channel not found");
    push.get("/channel_name?name=Breaking").await.assert_answer(
        StatusCode::OK,
        json!({"result": {"id": id, "name": "Breaking"}}),
    );
    push.put_form(&format!("/channel/{id}"), &[("name", "BREAKING")])
        .await
        .assert_answer(
            StatusCode::OK,
            json!({"result": {"id": id, "name": "BREAKING"}}),
        );
    let again = channel(&push, "News").await;
    assert_ne!(again, id);
    assert_eq!(app.items_of("CHANNEL_NAME_GUARD").await.len(), 2);
}

#[tokio::test]
async fn a_deleted_channel_is_gone_with_its_name_guard_and_its_name_is_free() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let id = channel(&push, "News").await;

    push.delete(&format!("/channel/{id}"))
        .await
        .assert_answer(StatusCode::OK, json!({"result": true}));

    push.get(&format!("/channel/{id}"))
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Channel not found");
    push.delete(&format!("/channel/{id}"))
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Channel not found");
    push.get("/channel_name?name=News")
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Channel not found");
    assert!(app.items_of("CHANNEL").await.is_empty());
    assert!(app.items_of("CHANNEL_NAME_GUARD").await.is_empty());
    let again = channel(&push, "News").await;
    assert!(again > id, "ids are never reused");
}

#[tokio::test]
async fn channels_page_by_limit_and_page_and_are_empty_past_the_end() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let all = ["a", "b", "c", "d", "e"];
    for name in all {
        channel(&push, name).await;
    }

    let first = push.get("/channels").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let result = &first.body["result"];
    assert_eq!(
        sorted_keys(result),
        ["channels", "limit", "page", "totalInPage"]
    );
    assert_eq!(names(result, "channels"), all);
    assert_eq!(result["limit"], 10);
    assert_eq!(result["page"], 1);
    assert_eq!(result["totalInPage"], 5);
    assert_eq!(sorted_keys(&result["channels"][0]), ["id", "name"]);

    let pages = [vec!["a", "b"], vec!["c", "d"], vec!["e"], vec![]];
    for (page, expected) in pages.iter().enumerate() {
        let page = page + 1;
        let reply = push.get(&format!("/channels?limit=2&page={page}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let result = &reply.body["result"];
        assert_eq!(names(result, "channels"), *expected, "page {page}");
        assert_eq!(result["limit"], 2);
        assert_eq!(result["page"], page);
        assert_eq!(result["totalInPage"], expected.len());
    }
    for bad in ["limit=0", "limit=x", "limit=-1"] {
        push.get(&format!("/channels?{bad}"))
            .await
            .assert_push_error(
                StatusCode::BAD_REQUEST,
                "limit: A positive integer is required.",
            );
    }
    push.get("/channels?page=0").await.assert_push_error(
        StatusCode::BAD_REQUEST,
        "page: A positive integer is required.",
    );
}

#[tokio::test]
async fn concurrent_creates_of_one_name_make_exactly_one_channel() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;

    let (a, b, c, d) = tokio::join!(
        push.post_form("/channel", &[("name", "Race")]),
        push.post_form("/channel", &[("name", "race")]),
        push.post_form("/channel", &[("name", "RACE")]),
        push.post_form("/channel", &[("name", "Race")]),
    );

    let statuses: Vec<StatusCode> = [&a, &b, &c, &d].iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(app.items_of("CHANNEL").await.len(), 1);
    assert_eq!(app.items_of("CHANNEL_NAME_GUARD").await.len(), 1);
}

/// Creates the theme `name` of `range`; returns its id.
async fn theme(push: &AppClient<'_>, name: &str, range: &str) -> u64 {
    let reply = push
        .post_form("/theme", &[("name", name), ("range", range)])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["result"]["id"].as_u64().expect("id")
}

#[tokio::test]
async fn a_theme_is_created_with_200_and_read_by_id_and_by_name() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;

    let created = push
        .post_form("/theme", &[("name", "Likes"), ("range", "multicast")])
        .await;

    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let id = created.body["result"]["id"].as_u64().expect("a numeric id");
    let expected = json!({"result": {"id": id, "name": "Likes", "range": "multicast"}});
    assert_eq!(created.body, expected);
    push.get(&format!("/theme/{id}"))
        .await
        .assert_answer(StatusCode::OK, expected.clone());
    push.get("/theme_name?name=Likes")
        .await
        .assert_answer(StatusCode::OK, expected.clone());
    push.get("/theme_name?name=Likes?name=Likes")
        .await
        .assert_answer(StatusCode::OK, expected.clone());
    push.get("/theme_name?name=LIKES")
        .await
        .assert_answer(StatusCode::OK, expected);
    // A channel and a theme may share a name: they are different things.
    channel(&push, "Likes").await;
}

#[tokio::test]
async fn bad_theme_input_is_refused_with_its_reason() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let id = theme(&push, "Likes", "unicast").await;
    let bad_range = "range: Must be unicast, multicast or broadcast.";

    push.post_form("/theme", &[("range", "unicast")])
        .await
        .assert_push_error(StatusCode::BAD_REQUEST, "name: This field is required.");
    push.post_form("/theme", &[("name", ""), ("range", "unicast")])
        .await
        .assert_push_error(
            StatusCode::BAD_REQUEST,
            "name: This field may not be blank.",
        );
    push.post_form("/theme", &[("name", "Follows")])
        .await
        .assert_push_error(StatusCode::BAD_REQUEST, "range: This field is required.");
    for range in ["anycast", "", "Unicast"] {
        push.post_form("/theme", &[("name", "Follows"), ("range", range)])
            .await
            .assert_push_error(
                StatusCode::BAD_REQUEST,
                if range.is_empty() {
                    "range: This field may not be blank."
                } else {
                    bad_range
                },
            );
    }
    push.put_form(&format!("/theme/{id}"), &[])
        .await
        .assert_push_error(StatusCode::BAD_REQUEST, "name: This field is required.");
    push.put_form(&format!("/theme/{id}"), &[("range", "sometimes")])
        .await
        .assert_push_error(StatusCode::BAD_REQUEST, bad_range);
    push.get("/themes/range/sometimes")
        .await
        .assert_push_error(StatusCode::BAD_REQUEST, bad_range);
    push.get("/theme_name")
        .await
        .assert_push_error(StatusCode::BAD_REQUEST, "name: This field is required.");
    for path in ["/theme/999999", "/theme/abc", "/theme/0"] {
        push.get(path)
            .await
            .assert_push_error(StatusCode::NOT_FOUND, "Theme not found");
        push.put_form(path, &[("name", "Other")])
            .await
            .assert_push_error(StatusCode::NOT_FOUND, "Theme not found");
        push.delete(path)
            .await
            .assert_push_error(StatusCode::NOT_FOUND, "Theme not found");
    }
    push.get("/theme_name?name=Nothing")
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Theme not found");
    assert_eq!(
        push.with_secret("wrong").get("/themes").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_taken_theme_name_is_409_and_a_theme_changes_name_and_range() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let likes = theme(&push, "Likes", "unicast").await;
    let follows = theme(&push, "Follows", "broadcast").await;
    let taken = "name: A theme with that name already exists.";

    push.post_form("/theme", &[("name", "likes"), ("range", "multicast")])
        .await
        .assert_push_error(StatusCode::CONFLICT, taken);
    push.put_form(&format!("/theme/{follows}"), &[("name", "LIKES")])
        .await
        .assert_push_error(StatusCode::CONFLICT, taken);

    push.put_form(&format!("/theme/{likes}"), &[("range", "multicast")])
        .await
        .assert_answer(
            StatusCode::OK,
            json!({"result": {"id": likes, "name": "Likes", "range": "multicast"}}),
        );
    push.put_form(
        &format!("/theme/{follows}"),
        &[("name", "New followers"), ("range", "unicast")],
    )
    .await
    .assert_answer(
        StatusCode::OK,
        json!({"result": {"id": follows, "name": "New followers", "range": "unicast"}}),
    );
    push.get("/theme_name?name=Follows")
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Theme not found");
    let multicast = push.get("/themes/range/multicast").await;
    assert_eq!(names(&multicast.body["result"], "themes"), ["Likes"]);
    let broadcast = push.get("/themes/range/broadcast").await;
    assert_eq!(
        names(&broadcast.body["result"], "themes"),
        Vec::<String>::new()
    );
    assert_eq!(app.items_of("THEME").await.len(), 2);
    assert_eq!(app.items_of("THEME_NAME_GUARD").await.len(), 2);
}

#[tokio::test]
async fn a_deleted_theme_is_gone_with_its_name_guard() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let id = theme(&push, "Likes", "broadcast").await;

    push.delete(&format!("/theme/{id}"))
        .await
        .assert_answer(StatusCode::OK, json!({"result": true}));

    push.get(&format!("/theme/{id}"))
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Theme not found");
    push.delete(&format!("/theme/{id}"))
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Theme not found");
    let broadcast = push.get("/themes/range/broadcast").await;
    assert_eq!(broadcast.body["result"]["themes"], json!([]));
    assert!(app.items_of("THEME").await.is_empty());
    assert!(app.items_of("THEME_NAME_GUARD").await.is_empty());
    assert!(theme(&push, "Likes", "unicast").await > id);
}

#[tokio::test]
async fn themes_page_in_all_and_by_range_and_are_empty_past_the_end() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let all = [
        ("a", "unicast"),
        ("b", "multicast"),
        ("c", "unicast"),
        ("d", "broadcast"),
        ("e", "unicast"),
    ];
    for (name, range) in all {
        theme(&push, name, range).await;
    }

    let first = push.get("/themes").await;
    assert_eq!(first.status, StatusCode::OK, "{}", first.body);
    let result = &first.body["result"];
    assert_eq!(
        sorted_keys(result),
        ["limit", "page", "themes", "totalInPage"]
    );
    assert_eq!(names(result, "themes"), ["a", "b", "c", "d", "e"]);
    assert_eq!(result["totalInPage"], 5);
    assert_eq!(sorted_keys(&result["themes"][0]), ["id", "name", "range"]);
    let pages = [vec!["a", "b"], vec!["c", "d"], vec!["e"], vec![]];
    for (page, expected) in pages.iter().enumerate() {
        let page = page + 1;
        let reply = push.get(&format!("/themes?limit=2&page={page}")).await;
        assert_eq!(
            names(&reply.body["result"], "themes"),
            *expected,
            "page {page}"
        );
        assert_eq!(reply.body["result"]["page"], page);
        assert_eq!(reply.body["result"]["totalInPage"], expected.len());
    }

    let unicast = push.get("/themes/range/unicast").await;
    assert_eq!(unicast.status, StatusCode::OK, "{}", unicast.body);
    assert_eq!(names(&unicast.body["result"], "themes"), ["a", "c", "e"]);
    assert_eq!(unicast.body["result"]["themes"][0]["range"], "unicast");
    let pages = [vec!["a", "c"], vec!["e"], vec![]];
    for (page, expected) in pages.iter().enumerate() {
        let page = page + 1;
        let reply = push
            .get(&format!("/themes/range/unicast?limit=2&page={page}"))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        assert_eq!(
            names(&reply.body["result"], "themes"),
            *expected,
            "page {page}"
        );
        assert_eq!(reply.body["result"]["limit"], 2);
        assert_eq!(reply.body["result"]["totalInPage"], expected.len());
    }
    push.get("/themes?limit=0").await.assert_push_error(
        StatusCode::BAD_REQUEST,
        "limit: A positive integer is required.",
    );
    push.get("/themes/range/unicast?page=x")
        .await
        .assert_push_error(
            StatusCode::BAD_REQUEST,
            "page: A positive integer is required.",
        );
}

#[tokio::test]
async fn concurrent_creates_of_one_theme_name_make_exactly_one_theme() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let forms = ["Race", "race", "RACE", "Race"].map(|name| [("name", name), ("range", "unicast")]);

    let (a, b, c, d) = tokio::join!(
        push.post_form("/theme", &forms[0]),
        push.post_form("/theme", &forms[1]),
        push.post_form("/theme", &forms[2]),
        push.post_form("/theme", &forms[3]),
    );

    let ok = [&a, &b, &c, &d]
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    let conflicts = [&a, &b, &c, &d]
        .iter()
        .filter(|r| r.status == StatusCode::CONFLICT)
        .count();
    assert_eq!((ok, conflicts), (1, 3));
    assert_eq!(app.items_of("THEME").await.len(), 1);
    assert_eq!(app.items_of("THEME_NAME_GUARD").await.len(), 1);
}
