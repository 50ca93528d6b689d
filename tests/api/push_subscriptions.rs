//! Push subscriptions: `POST /user/:id/subscribe/:idchannel`, `GET`/`DELETE
//! /user/:id/subscribed/:idchannel`, `GET /user/:id/subscribed`, with the app's own
//! credentials; a deleted channel or user leaves no subscription behind; a channel's
//! subscribers are paged through GSI1.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::json;
use std::collections::BTreeSet;
use users_shared::domain::UserId;
use users_shared::store::Store;

async fn push_user(push: &AppClient<'_>, name: &str) -> u64 {
    let reply = push
        .post_form("/user", &[("email", &format!("{name}@example.com"))])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["result"]["id"].as_u64().expect("id")
}

async fn channel(push: &AppClient<'_>, name: &str) -> u64 {
    let reply = push.post_form("/channel", &[("name", name)]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["result"]["id"].as_u64().expect("id")
}

async fn subscribe(push: &AppClient<'_>, user: u64, channel: u64) -> Reply {
    // The official client posts with the form content type and an empty body.
    push.post_form(&format!("/user/{user}/subscribe/{channel}"), &[])
        .await
}

#[tokio::test]
async fn a_user_subscribes_reads_lists_and_unsubscribes_with_200() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann").await;
    let news = channel(&push, "News").await;
    let sports = channel(&push, "Sports").await;

    subscribe(&push, ann, news).await.assert_answer(
        StatusCode::OK,
        json!({"result": {"user_id": ann, "channel_id": news}}),
    );
    // Subscribing again changes nothing and answers the same (the original's behaviour).
    subscribe(&push, ann, news).await.assert_answer(
        StatusCode::OK,
        json!({"result": {"user_id": ann, "channel_id": news}}),
    );
    subscribe(&push, ann, sports).await;
    assert_eq!(app.items_of("SUBSCRIPTION").await.len(), 2);

    push.get(&format!("/user/{ann}/subscribed/{news}"))
        .await
        .assert_answer(
            StatusCode::OK,
            json!({"result": {"user_id": ann, "channel_id": news}}),
        );
    push.get(&format!("/user/{ann}/subscribed"))
        .await
        .assert_answer(
            StatusCode::OK,
            json!({"result": [
                {"user_id": ann, "channel_id": news},
                {"user_id": ann, "channel_id": sports},
            ]}),
        );
    push.delete(&format!("/user/{ann}/subscribed/{news}"))
        .await
        .assert_answer(
            StatusCode::OK,
            json!({"result": {"user_id": ann, "channel_id": news}}),
        );
    push.get(&format!("/user/{ann}/subscribed/{news}"))
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Subscription not found");
    push.delete(&format!("/user/{ann}/subscribed/{news}"))
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Subscription not found");
    push.get(&format!("/user/{ann}/subscribed"))
        .await
        .assert_answer(
            StatusCode::OK,
            json!({"result": [{"user_id": ann, "channel_id": sports}]}),
        );
}

#[tokio::test]
async fn unknown_users_and_channels_are_refused() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann").await;
    let news = channel(&push, "News").await;

    subscribe(&push, ann, news + 100)
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Channel not found");
    subscribe(&push, ann, 0)
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Channel not found");
    push.post_form(&format!("/user/{ann}/subscribe/x"), &[])
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Channel not found");
    subscribe(&push, ann + 100, news)
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "User not found");
    let missing = push.get(&format!("/user/{}/subscribed", ann + 100)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
    let missing = push
        .get(&format!("/user/{}/subscribed/{news}", ann + 100))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{}", missing.body);
    assert!(app.items_of("SUBSCRIPTION").await.is_empty());

    // Another user's subscription is not reachable through this user's id.
    let bob = push_user(&push, "bob").await;
    subscribe(&push, bob, news).await;
    push.get(&format!("/user/{ann}/subscribed/{news}"))
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Subscription not found");
    push.delete(&format!("/user/{ann}/subscribed/{news}"))
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Subscription not found");
    assert_eq!(app.items_of("SUBSCRIPTION").await.len(), 1);

    // Without credentials, nothing.
    let anonymous = app
        .post_form(&format!("/user/{ann}/subscribe/{news}"), "")
        .await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn staff_accounts_cannot_be_subscribed_by_an_app() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    app.create_staff("boss", false).await;
    let boss = app.profile("boss").await["id"].as_u64().unwrap();
    let news = channel(&push, "News").await;

    subscribe(&push, boss, news)
        .await
        .assert_push_error(StatusCode::FORBIDDEN, "Forbidden");
    assert!(app.items_of("SUBSCRIPTION").await.is_empty());
}

#[tokio::test]
async fn deleting_a_channel_or_a_user_removes_their_subscriptions() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann").await;
    let bob = push_user(&push, "bob").await;
    let news = channel(&push, "News").await;
    let sports = channel(&push, "Sports").await;
    for (user, channel) in [(ann, news), (bob, news), (ann, sports), (bob, sports)] {
        subscribe(&push, user, channel).await;
    }

    let deleted = push.delete(&format!("/channel/{news}")).await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    let left: BTreeSet<(i64, i64)> = app
        .items_of("SUBSCRIPTION")
        .await
        .iter()
        .map(|item| (number(item, "user_id"), number(item, "channel_id")))
        .collect();
    let sports_signed = i64::try_from(sports).unwrap();
    assert_eq!(
        left,
        BTreeSet::from([
            (i64::try_from(ann).unwrap(), sports_signed),
            (i64::try_from(bob).unwrap(), sports_signed)
        ])
    );
    push.get(&format!("/user/{ann}/subscribed"))
        .await
        .assert_answer(
            StatusCode::OK,
            json!({"result": [{"user_id": ann, "channel_id": sports}]}),
        );
    subscribe(&push, ann, news)
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Channel not found");

    let deleted = push.delete(&format!("/user/{ann}")).await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    let left = app.items_of("SUBSCRIPTION").await;
    assert_eq!(left.len(), 1);
    assert_eq!(number(&left[0], "user_id"), i64::try_from(bob).unwrap());

    let deleted = push.delete(&format!("/channel/{sports}")).await;
    assert_eq!(deleted.status, StatusCode::OK, "{}", deleted.body);
    assert!(app.items_of("SUBSCRIPTION").await.is_empty());
}

#[tokio::test]
async fn a_channels_subscribers_are_paged_through_the_index() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let news = channel(&push, "News").await;
    let other = channel(&push, "Other").await;
    let mut users = Vec::new();
    for i in 0..7 {
        let user = push_user(&push, &format!("user{i}")).await;
        subscribe(&push, user, news).await;
        users.push(user);
    }
    subscribe(&push, users[0], other).await;

    let store = Store::new(
        &users_shared::config::aws_sdk_config().await,
        app.table.clone(),
    );
    let mut seen = Vec::new();
    let mut after = None;
    let mut pages = 0;
    loop {
        let page =
            users_shared::service::subscriptions::channel_subscribers(&store, news, after, 3)
                .await
                .expect("a page");
        assert!(page.members.len() <= 3);
        pages += 1;
        seen.extend(page.members.iter().map(|member| member.user.get()));
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(seen, users, "every subscriber once, in id order");
    assert!(pages >= 3);

    let first = users_shared::service::subscriptions::channel_subscribers(&store, other, None, 10)
        .await
        .expect("a page");
    assert_eq!(
        first.members.iter().map(|m| m.user).collect::<Vec<_>>(),
        vec![UserId::new(users[0])]
    );
    assert_eq!(first.next, None);
}
