//! Push channels: `POST /channel`, `GET`/`PUT`/`DELETE /channel/:id`, `GET /channels` and
//! `GET /channel_name?name=`, with the app's own credentials. Names are unique in any letter
//! case; every success is a 200 in `{"result": ...}`.

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
