//! Push preferences: `POST`/`GET`/`PUT`/`DELETE /user/:id/preference/:idtheme`,
//! `GET /user/:id/preferences`, `PUT /user/:id/preferences`, with the app's own credentials.
//! `option` is the mask 0 (nothing), 1 (e-mail), 2 (smartphones), 3 (both); a user with no
//! preference for a theme gets everything; a deleted theme or user leaves none behind.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;
use users_shared::domain::UserId;
use users_shared::store::Store;

async fn push_user(push: &AppClient<'_>, name: &str) -> u64 {
    let reply = push
        .post_form("/user", &[("email", &format!("{name}@example.com"))])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["result"]["id"].as_u64().expect("id")
}

async fn theme(push: &AppClient<'_>, name: &str) -> u64 {
    let reply = push
        .post_form("/theme", &[("name", name), ("range", "multicast")])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["result"]["id"].as_u64().expect("id")
}

fn path(user: u64, theme: u64) -> String {
    format!("/user/{user}/preference/{theme}")
}

#[tokio::test]
async fn a_preference_is_set_read_changed_and_removed_with_200() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann").await;
    let likes = theme(&push, "Likes").await;

    push.post_form(&path(ann, likes), &[("option", "2")])
        .await
        .assert_answer(
            StatusCode::OK,
            json!({"result": {"user_id": ann, "theme_id": likes, "option": 2}}),
        );
    push.get(&path(ann, likes)).await.assert_answer(
        StatusCode::OK,
        json!({"result": {"user_id": ann, "theme_id": likes, "option": 2}}),
    );
    // A second create is a duplicate, as in the original.
    push.post_form(&path(ann, likes), &[("option", "1")])
        .await
        .assert_push_error(
            StatusCode::CONFLICT,
            "theme: A preference for that theme already exists.",
        );
    push.put_form(&path(ann, likes), &[("option", "3")])
        .await
        .assert_answer(StatusCode::OK, json!({"result": true}));
    push.get(&path(ann, likes)).await.assert_answer(
        StatusCode::OK,
        json!({"result": {"user_id": ann, "theme_id": likes, "option": 3}}),
    );
    push.delete(&path(ann, likes))
        .await
        .assert_answer(StatusCode::OK, json!({"result": true}));
    // Unset: the original answers not found (the sender then gives everything).
    push.get(&path(ann, likes))
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Preference not found");
    push.put_form(&path(ann, likes), &[("option", "1")])
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Preference not found");
    push.delete(&path(ann, likes))
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Preference not found");
    assert!(app.items_of("PREFERENCE").await.is_empty());
}

#[tokio::test]
async fn the_option_is_the_mask_zero_to_three() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann").await;
    let likes = theme(&push, "Likes").await;

    for bad in ["4", "-1", "x", "", "1.5", "256"] {
        push.post_form(&path(ann, likes), &[("option", bad)])
            .await
            .assert_push_error(
                StatusCode::BAD_REQUEST,
                "option: A valid option is required: 0, 1, 2 or 3.",
            );
    }
    push.post_form(&path(ann, likes), &[])
        .await
        .assert_push_error(StatusCode::BAD_REQUEST, "option: This field is required.");
    assert!(app.items_of("PREFERENCE").await.is_empty());
    for option in 0..=3u8 {
        let text = option.to_string();
        if option == 0 {
            push.post_form(&path(ann, likes), &[("option", &text)])
                .await
                .assert_answer(
                    StatusCode::OK,
                    json!({"result": {"user_id": ann, "theme_id": likes, "option": 0}}),
                );
        } else {
            push.put_form(&path(ann, likes), &[("option", &text)])
                .await
                .assert_answer(StatusCode::OK, json!({"result": true}));
        }
        push.get(&path(ann, likes)).await.assert_answer(
            StatusCode::OK,
            json!({"result": {"user_id": ann, "theme_id": likes, "option": option}}),
        );
    }
    push.put_form(&path(ann, likes), &[("option", "4")])
        .await
        .assert_push_error(
            StatusCode::BAD_REQUEST,
            "option: A valid option is required: 0, 1, 2 or 3.",
        );
    push.put_form(&format!("/user/{ann}/preferences"), &[("option", "x")])
        .await
        .assert_push_error(
            StatusCode::BAD_REQUEST,
            "option: A valid option is required: 0, 1, 2 or 3.",
        );
}

#[tokio::test]
async fn unknown_users_and_themes_are_refused() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann").await;
    let likes = theme(&push, "Likes").await;

    push.post_form(&path(ann, likes + 100), &[("option", "1")])
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Theme not found");
    push.post_form(&format!("/user/{ann}/preference/x"), &[("option", "1")])
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Theme not found");
    push.post_form(&path(ann + 100, likes), &[("option", "1")])
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "User not found");
    push.get(&format!("/user/{}/preferences", ann + 100))
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "User not found");
    push.put_form(
        &format!("/user/{}/preferences", ann + 100),
        &[("option", "1")],
    )
    .await
    .assert_push_error(StatusCode::NOT_FOUND, "User not found");

    // Another user's preference is not reachable through this user's id.
    let bob = push_user(&push, "bob").await;
    push.post_form(&path(bob, likes), &[("option", "1")]).await;
    push.get(&path(ann, likes))
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Preference not found");
    push.delete(&path(ann, likes))
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Preference not found");
    assert_eq!(app.items_of("PREFERENCE").await.len(), 1);

    app.create_staff("boss", false).await;
    let boss = app.profile("boss").await["id"].as_u64().unwrap();
    push.post_form(&path(boss, likes), &[("option", "1")])
        .await
        .assert_push_error(StatusCode::FORBIDDEN, "Forbidden");
    push.put_form(&format!("/user/{boss}/preferences"), &[("option", "1")])
        .await
        .assert_push_error(StatusCode::FORBIDDEN, "Forbidden");
}

#[tokio::test]
async fn all_preferences_are_listed_and_set_at_once_for_every_theme() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann").await;
    let likes = theme(&push, "Likes").await;
    let follows = theme(&push, "Follows").await;
    let mentions = theme(&push, "Mentions").await;

    push.get(&format!("/user/{ann}/preferences"))
        .await
        .assert_answer(
            StatusCode::OK,
            json!({"result": {"preferences": [], "limit": 10, "page": 1, "totalInPage": 0}}),
        );
    push.post_form(&path(ann, follows), &[("option", "2")])
        .await;
    push.put_form(&format!("/user/{ann}/preferences"), &[("option", "1")])
        .await
        .assert_answer(StatusCode::OK, json!({"result": true}));
    push.get(&format!("/user/{ann}/preferences"))
        .await
        .assert_answer(
            StatusCode::OK,
            json!({"result": {"preferences": [
                {"user_id": ann, "theme_id": likes, "option": 1},
                {"user_id": ann, "theme_id": follows, "option": 1},
                {"user_id": ann, "theme_id": mentions, "option": 1},
            ], "limit": 10, "page": 1, "totalInPage": 3}}),
        );
    push.get(&format!("/user/{ann}/preferences?limit=2&page=2"))
        .await
        .assert_answer(
            StatusCode::OK,
            json!({"result": {"preferences": [
                {"user_id": ann, "theme_id": mentions, "option": 1},
            ], "limit": 2, "page": 2, "totalInPage": 1}}),
        );
    let bad = push.get(&format!("/user/{ann}/preferences?page=0")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
}

#[tokio::test]
async fn an_unset_preference_means_everything() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann").await;
    let likes = theme(&push, "Likes").await;
    let store = Store::new(
        &users_shared::config::aws_sdk_config().await,
        app.table.clone(),
    );

    let option =
        users_shared::service::subscriptions::effective_option(&store, UserId::new(ann), likes)
            .await
            .unwrap();
    assert_eq!(option, 3);
    push.post_form(&path(ann, likes), &[("option", "0")]).await;
    let option =
        users_shared::service::subscriptions::effective_option(&store, UserId::new(ann), likes)
            .await
            .unwrap();
    assert_eq!(option, 0);
}

#[tokio::test]
async fn deleting_a_theme_or_a_user_removes_their_preferences() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann").await;
    let bob = push_user(&push, "bob").await;
    let likes = theme(&push, "Likes").await;
    let follows = theme(&push, "Follows").await;
    for user in [ann, bob] {
        push.put_form(&format!("/user/{user}/preferences"), &[("option", "2")])
            .await
            .assert_answer(StatusCode::OK, json!({"result": true}));
    }
    assert_eq!(app.items_of("PREFERENCE").await.len(), 4);

    let deleted = push.delete(&format!("/theme/{likes}")).await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    let left = app.items_of("PREFERENCE").await;
    assert_eq!(left.len(), 2);
    assert!(left
        .iter()
        .all(|item| number(item, "theme_id") == i64::try_from(follows).unwrap()));
    push.post_form(&path(ann, likes), &[("option", "1")])
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Theme not found");

    let deleted = push.delete(&format!("/user/{ann}")).await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    let left = app.items_of("PREFERENCE").await;
    assert_eq!(left.len(), 1);
    assert_eq!(number(&left[0], "user_id"), i64::try_from(bob).unwrap());

    let deleted = push.delete(&format!("/theme/{follows}")).await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert!(app.items_of("PREFERENCE").await.is_empty());
    assert!(app
        .all_items()
        .await
        .iter()
        .all(|item| s(item, "PK") != format!("USER#{ann}")));
}
