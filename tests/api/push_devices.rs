//! Push devices: `POST /user/:id/device`, `GET /user/:id/device?reference=`,
//! `GET`/`DELETE /user/:id/device/:idDevice`, `DELETE /user/:id/device/type/:type` and
//! `GET /user/:id/smartphones`, with the app's own credentials.

use crate::support::*;
use reqwest::StatusCode;
use serde_json::{json, Value};

/// A push user with the e-mail `<name>@example.com`; returns their id.
async fn push_user(push: &AppClient<'_>, name: &str) -> u64 {
    let reply = push
        .post_form("/user", &[("email", &format!("{name}@example.com"))])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["result"]["id"].as_u64().expect("id")
}

async fn add(push: &AppClient<'_>, id: u64, form: &[(&str, &str)]) -> Reply {
    push.post_form(&format!("/user/{id}/device"), form).await
}

/// The `{device id: reference}` map of one kind of the user, `{}` when empty.
async fn devices_of(push: &AppClient<'_>, id: u64, kind: &str) -> serde_json::Map<String, Value> {
    let reply = push.get(&format!("/user/{id}")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["result"][kind]
        .as_object()
        .cloned()
        .unwrap_or_default()
}

/// (guard key, user id) of every device guard.
async fn guards(app: &TestApp) -> Vec<(String, i64)> {
    let mut guards: Vec<(String, i64)> = app
        .items_of("DEVICE_GUARD")
        .await
        .iter()
        .map(|item| (s(item, "PK").to_owned(), number(item, "user_id")))
        .collect();
    guards.sort();
    guards
}

#[tokio::test]
async fn devices_are_added_by_the_documents_fields_and_answered_with_200_and_the_user() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann").await;

    let reply = add(
        &push,
        ann,
        &[("android", "AAAA-TOKEN"), ("email", "ann.work@example.com")],
    )
    .await;
    let typed = add(&push, ann, &[("type", "ios"), ("reference", "IOS-TOKEN")]).await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(typed.status, StatusCode::OK, "{}", typed.body);
    let user = &typed.body["result"];
    assert_eq!(user["id"], ann);
    assert_eq!(sorted_keys(user), ["android", "email", "id", "ios"]);
    let values =
        |kind: &str| -> Vec<Value> { user[kind].as_object().unwrap().values().cloned().collect() };
    assert_eq!(values("android"), [json!("AAAA-TOKEN")]);
    assert_eq!(values("ios"), [json!("IOS-TOKEN")]);
    assert_eq!(values("email").len(), 2);
    assert_eq!(
        guards(&app).await.len(),
        4,
        "one guard per device: two e-mails, android, ios"
    );
}

#[tokio::test]
async fn bad_device_input_is_refused_with_its_reason() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann").await;

    add(&push, ann, &[]).await.assert_push_error(
        StatusCode::BAD_REQUEST,
        "email: Give at least one of email, android or ios.",
    );
    add(&push, ann, &[("email", "not-an-email")])
        .await
        .assert_push_error(
            StatusCode::BAD_REQUEST,
            "email: Enter a valid email address.",
        );
    add(&push, ann, &[("type", "fax"), ("reference", "1")])
        .await
        .assert_push_error(
            StatusCode::BAD_REQUEST,
            "type: \"fax\" is not a valid choice.",
        );
    add(&push, ann, &[("android", "has space")])
        .await
        .assert_push_error(
            StatusCode::BAD_REQUEST,
            "android: Enter a device token without spaces or control characters.",
        );
    add(&push, ann, &[("android", "T"), ("is_staff", "1")])
        .await
        .assert_push_error(
            StatusCode::BAD_REQUEST,
            "is_staff: This field cannot be set.",
        );
    add(&push, 999_999, &[("android", "T")])
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "User not found");
    push.with_secret("wrong")
        .post_form(&format!("/user/{ann}/device"), &[("android", "T")])
        .await
        .assert_push_error(StatusCode::UNAUTHORIZED, "Invalid app credentials");
    assert!(devices_of(&push, ann, "android").await.is_empty());
}

#[tokio::test]
async fn duplicates_are_409_for_the_same_user_and_for_another_users_email() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann").await;
    push_user(&push, "bob").await;
    assert_eq!(
        add(&push, ann, &[("android", "TOK")]).await.status,
        StatusCode::OK
    );

    let again = add(&push, ann, &[("android", "TOK")]).await;
    let own_email = add(&push, ann, &[("email", "ANN@example.com")]).await;
    let bobs_email = add(&push, ann, &[("email", "bob@example.com")]).await;

    for reply in [again, own_email, bobs_email] {
        reply.assert_push_error(
            StatusCode::CONFLICT,
            "reference: A device with that reference already exists.",
        );
    }
    assert_eq!(devices_of(&push, ann, "android").await.len(), 1);
    assert_eq!(devices_of(&push, ann, "email").await.len(), 1);
}

#[tokio::test]
async fn a_smartphone_another_user_holds_moves_to_the_new_user_and_is_gone_from_the_old_one() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann").await;
    let bob = push_user(&push, "bob").await;
    assert_eq!(
        add(&push, ann, &[("ios", "SHARED-PHONE")]).await.status,
        StatusCode::OK
    );

    let moved = add(&push, bob, &[("ios", "SHARED-PHONE")]).await;

    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert!(
        devices_of(&push, ann, "ios").await.is_empty(),
        "gone from ann"
    );
    let bobs: Vec<Value> = devices_of(&push, bob, "ios").await.into_values().collect();
    assert_eq!(bobs, [json!("SHARED-PHONE")]);
    let phone_guards: Vec<(String, i64)> = guards(&app)
        .await
        .into_iter()
        .filter(|(pk, _)| pk.starts_with("DEVICEREF#ios#"))
        .collect();
    assert_eq!(
        phone_guards,
        [("DEVICEREF#ios#SHARED-PHONE".to_owned(), bob as i64)]
    );
    let found = push
        .get(&format!("/user/{ann}/device?reference=SHARED-PHONE"))
        .await;
    found.assert_answer(StatusCode::OK, json!({"result": false}));
}

#[tokio::test]
async fn two_users_adding_one_reference_at_once_leave_exactly_one_holder() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let mut ids = Vec::new();
    for name in ["u1", "u2", "u3", "u4"] {
        ids.push(push_user(&push, name).await);
    }

    for (kind, reference) in [("android", "RACED-TOKEN"), ("email", "raced@example.com")] {
        let form = [(kind, reference)];
        let (a, b, c, d) = tokio::join!(
            add(&push, ids[0], &form),
            add(&push, ids[1], &form),
            add(&push, ids[2], &form),
            add(&push, ids[3], &form),
        );
        let replies = [a, b, c, d];
        let ok = replies
            .iter()
            .filter(|r| r.status == StatusCode::OK)
            .count();
        assert!(ok >= 1, "{kind}: somebody got it");
        for reply in &replies {
            assert!(
                [StatusCode::OK, StatusCode::CONFLICT].contains(&reply.status),
                "{kind}: {} {}",
                reply.status,
                reply.body
            );
        }
        if kind == "email" {
            assert_eq!(ok, 1, "an e-mail never moves: one winner");
        }
        let mut holders = Vec::new();
        for id in &ids {
            let held = devices_of(&push, *id, kind)
                .await
                .values()
                .any(|v| v.as_str().unwrap().eq_ignore_ascii_case(reference));
            if held {
                holders.push(*id);
            }
        }
        assert_eq!(holders.len(), 1, "{kind}: exactly one user holds it");
        let guard = guards(&app)
            .await
            .into_iter()
            .filter(|(pk, _)| pk.to_lowercase().contains(&reference.to_lowercase()))
            .collect::<Vec<_>>();
        assert_eq!(guard.len(), 1, "{kind}");
        assert_eq!(
            guard[0].1, holders[0] as i64,
            "{kind}: the guard names the holder"
        );
    }
}

#[tokio::test]
async fn a_device_is_found_by_reference_or_the_result_is_false() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann").await;
    let email_id: u64 = devices_of(&push, ann, "email")
        .await
        .keys()
        .next()
        .unwrap()
        .parse()
        .unwrap();

    let found = push
        .get(&format!("/user/{ann}/device?reference=ANN%40example.com"))
        .await;
    let missing = push
        .get(&format!("/user/{ann}/device?reference=nobody"))
        .await;

    found.assert_answer(
        StatusCode::OK,
        json!({"result": {"id": email_id, "type": "email", "user_id": ann, "reference": "ann@example.com"}}),
    );
    missing.assert_answer(StatusCode::OK, json!({"result": false}));
    push.get(&format!("/user/{ann}/device"))
        .await
        .assert_push_error(
            StatusCode::BAD_REQUEST,
            "reference: This field is required.",
        );
    push.get("/user/999999/device?reference=x")
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "User not found");
}

#[tokio::test]
async fn a_device_is_read_and_deleted_by_id_only_through_its_own_user() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann").await;
    let bob = push_user(&push, "bob").await;
    add(&push, ann, &[("android", "ANN-PHONE")]).await;
    let phone_id: u64 = devices_of(&push, ann, "android")
        .await
        .keys()
        .next()
        .unwrap()
        .parse()
        .unwrap();

    push.get(&format!("/user/{ann}/device/{phone_id}"))
        .await
        .assert_answer(
            StatusCode::OK,
            json!({"result": {"id": phone_id, "type": "android", "user_id": ann, "reference": "ANN-PHONE"}}),
        );
    for path in [
        format!("/user/{bob}/device/{phone_id}"),
        format!("/user/{ann}/device/999999"),
        format!("/user/{ann}/device/abc"),
    ] {
        push.get(&path)
            .await
            .assert_push_error(StatusCode::NOT_FOUND, "Device not found");
        push.delete(&path)
            .await
            .assert_push_error(StatusCode::NOT_FOUND, "Device not found");
    }
    push.delete(&format!("/user/999999/device/{phone_id}"))
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "User not found");
    assert_eq!(
        devices_of(&push, ann, "android").await.len(),
        1,
        "still ann's"
    );

    push.delete(&format!("/user/{ann}/device/{phone_id}"))
        .await
        .assert_answer(StatusCode::OK, json!({"result": true}));

    assert!(devices_of(&push, ann, "android").await.is_empty());
    assert!(
        !guards(&app)
            .await
            .iter()
            .any(|(pk, _)| pk.contains("ANN-PHONE")),
        "the guard went with the device"
    );
    push.get(&format!("/user/{ann}/device/{phone_id}"))
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "Device not found");
}

#[tokio::test]
async fn the_email_device_is_never_removed_when_it_is_the_one_that_must_stay() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann").await;
    let own: u64 = devices_of(&push, ann, "email")
        .await
        .keys()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    add(&push, ann, &[("email", "ann.other@example.com")]).await;
    let other: u64 = devices_of(&push, ann, "email")
        .await
        .keys()
        .map(|k| k.parse().unwrap())
        .find(|id| *id != own)
        .unwrap();

    push.delete(&format!("/user/{ann}/device/{own}"))
        .await
        .assert_push_error(
            StatusCode::BAD_REQUEST,
            "type: There must be always one email.",
        );
    push.delete(&format!("/user/{ann}/device/type/email"))
        .await
        .assert_push_error(
            StatusCode::BAD_REQUEST,
            "type: Email devices cannot be removed by type: there must be always one email.",
        );
    push.delete(&format!("/user/{ann}/device/{other}"))
        .await
        .assert_answer(StatusCode::OK, json!({"result": true}));

    let left: Vec<Value> = devices_of(&push, ann, "email")
        .await
        .into_values()
        .collect();
    assert_eq!(left, [json!("ann@example.com")]);
}

#[tokio::test]
async fn devices_of_a_type_are_removed_together_with_their_guards() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann").await;
    add(&push, ann, &[("android", "A1")]).await;
    add(&push, ann, &[("android", "A2"), ("ios", "I1")]).await;

    push.delete(&format!("/user/{ann}/device/type/android"))
        .await
        .assert_answer(StatusCode::OK, json!({"result": true}));
    push.delete(&format!("/user/{ann}/device/type/fax"))
        .await
        .assert_push_error(
            StatusCode::BAD_REQUEST,
            "type: \"fax\" is not a valid choice.",
        );
    push.delete("/user/999999/device/type/ios")
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "User not found");

    assert!(devices_of(&push, ann, "android").await.is_empty());
    assert_eq!(devices_of(&push, ann, "ios").await.len(), 1);
    let kinds: Vec<String> = guards(&app).await.into_iter().map(|(pk, _)| pk).collect();
    assert_eq!(
        kinds,
        ["DEVICEREF#email#ann@example.com", "DEVICEREF#ios#I1"]
    );
}

#[tokio::test]
async fn smartphones_list_the_platforms_registered() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann").await;
    let path = format!("/user/{ann}/smartphones");

    push.get(&path)
        .await
        .assert_answer(StatusCode::OK, json!({"result": []}));
    add(&push, ann, &[("android", "A1")]).await;
    push.get(&path)
        .await
        .assert_answer(StatusCode::OK, json!({"result": ["Android"]}));
    add(&push, ann, &[("ios", "I1")]).await;
    push.get(&path)
        .await
        .assert_answer(StatusCode::OK, json!({"result": ["Android", "iOs"]}));
    push.get("/user/999999/smartphones")
        .await
        .assert_push_error(StatusCode::NOT_FOUND, "User not found");
}

#[tokio::test]
async fn staff_accounts_and_their_phones_are_out_of_an_apps_reach() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    app.create_staff("boss", false).await;
    let boss = app.profile("boss").await["id"].as_u64().unwrap();
    let ann = push_user(&push, "ann").await;

    add(&push, boss, &[("android", "BOSS-PHONE")])
        .await
        .assert_push_error(StatusCode::FORBIDDEN, "Forbidden");
    push.delete(&format!("/user/{boss}/device/type/android"))
        .await
        .assert_push_error(StatusCode::FORBIDDEN, "Forbidden");
    assert_eq!(
        add(&push, ann, &[("android", "ANN-PHONE")]).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn deleting_a_user_frees_their_device_references() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann").await;
    let bob = push_user(&push, "bob").await;
    add(
        &push,
        ann,
        &[("ios", "PHONE"), ("email", "spare@example.com")],
    )
    .await;

    assert_eq!(
        push.delete(&format!("/user/{ann}")).await.status,
        StatusCode::OK
    );

    assert_eq!(
        add(
            &push,
            bob,
            &[("ios", "PHONE"), ("email", "spare@example.com")]
        )
        .await
        .status,
        StatusCode::OK
    );
    assert!(guards(&app)
        .await
        .iter()
        .all(|(_, user)| *user == bob as i64));
}

#[tokio::test]
async fn a_user_left_without_devices_by_a_hand_over_can_add_devices_again() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let chat = AppClient::chat(&app, &push.id, &push.secret);
    let reply = chat
        .post_json(
            CHAT_LOGIN_OR_REGISTER,
            &json!({"user_id": "chatter-1", "username": "Chatter"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let chatter = number(&app.items_of("USER").await[0], "id") as u64;
    let ann = push_user(&push, "ann").await;
    assert_eq!(
        add(&push, chatter, &[("android", "P")]).await.status,
        StatusCode::OK
    );
    assert_eq!(
        add(&push, ann, &[("android", "P")]).await.status,
        StatusCode::OK
    );

    let again = add(&push, chatter, &[("ios", "Q")]).await;

    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert!(devices_of(&push, chatter, "android").await.is_empty());
    assert_eq!(devices_of(&push, chatter, "ios").await.len(), 1);
}
