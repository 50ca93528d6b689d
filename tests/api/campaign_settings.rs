//! The campaign app's settings: preferences (categories, networks, language, privacy), the
//! language alone, and the seven notification codes, which are push themes: a setting changed
//! through one contract is what the other shows.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const GET_PREFERENCES: &str = "/api/get/preferences/";
const UPDATE_PREFERENCES: &str = "/api/update/preferences/";
const UPDATE_LANGUAGE: &str = "/api/update/language/";
const GET_NOTIFICATIONS: &str = "/api/get/notifications/";
const UPDATE_NOTIFICATIONS: &str = "/api/update/notifications/";

/// Alice, signed up through the campaign app; returns (her id, her token).
async fn alice(app: &TestApp) -> (u64, String) {
    let id = app.campaign_register("alice").await;
    (id, app.access_token("alice").await)
}

async fn form(app: &TestApp, path: &str, body: &str, token: &str) -> Reply {
    let request = app
        .request(Method::POST, path)
        .header("content-type", "application/x-www-form-urlencoded")
        .bearer_auth(token)
        .body(body.to_owned());
    TestApp::send(request).await
}

async fn preferences(app: &TestApp, token: &str) -> Value {
    let reply = app.post_empty(GET_PREFERENCES, Some(token)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

fn all_on() -> Value {
    json!({"new_campaign": true, "end_campaign": true, "near_campaign": true,
           "cause_campaign": true, "profile_status": true, "post_status": true,
           "update_balance": true})
}

#[tokio::test]
async fn a_new_user_has_the_default_settings_in_the_documents_shape() {
    let app = TestApp::spawn().await;
    let (id, token) = alice(&app).await;

    let body = preferences(&app, &token).await;

    assert_eq!(
        body,
        json!({"user_id": id, "preferences": {
            "language": "en", "notifications": all_on(), "categories": [], "networks": [],
            "privacy_settings": {"profile_public": true, "show_earnings": false, "show_campaigns": true}
        }})
    );
    for path in [
        GET_PREFERENCES,
        UPDATE_PREFERENCES,
        UPDATE_LANGUAGE,
        GET_NOTIFICATIONS,
        UPDATE_NOTIFICATIONS,
    ] {
        let anonymous = app.post_empty(path, None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(anonymous.body["error"], "authentication_required", "{path}");
    }
}

#[tokio::test]
async fn preferences_are_updated_from_repeated_form_keys_or_json_lists() {
    let app = TestApp::spawn().await;
    let (_, token) = alice(&app).await;

    form(
        &app,
        UPDATE_PREFERENCES,
        "categories=fashion&categories=Beauty&categories=technology&networks=instagram&networks=facebook&language=es",
        &token,
    )
    .await
    .assert_answer(
        StatusCode::OK,
        json!({"status": "success", "message": "Preferences updated successfully"}),
    );
    let body = preferences(&app, &token).await;
    assert_eq!(
        body["preferences"]["categories"],
        json!(["fashion", "beauty", "technology"])
    );
    assert_eq!(
        body["preferences"]["networks"],
        json!(["instagram", "facebook"])
    );
    assert_eq!(body["preferences"]["language"], "es");

    let reply = app
        .post_json(
            UPDATE_PREFERENCES,
            &json!({"categories": ["food"], "privacy_settings": {"show_earnings": true}}),
            Some(&token),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let body = preferences(&app, &token).await;
    assert_eq!(body["preferences"]["categories"], json!(["food"]));
    // What the update did not name is kept.
    assert_eq!(
        body["preferences"]["networks"],
        json!(["instagram", "facebook"])
    );
    assert_eq!(
        body["preferences"]["privacy_settings"],
        json!({"profile_public": true, "show_earnings": true, "show_campaigns": true})
    );
    // PHP's bracketed keys, and clearing a list.
    form(
        &app,
        UPDATE_PREFERENCES,
        "networks[]=tiktok&categories=",
        &token,
    )
    .await;
    let body = preferences(&app, &token).await;
    assert_eq!(body["preferences"]["networks"], json!(["tiktok"]));
    assert_eq!(body["preferences"]["categories"], json!([]));
}

#[tokio::test]
async fn unknown_codes_are_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let (_, token) = alice(&app).await;

    let reply = app
        .post_json(
            UPDATE_PREFERENCES,
            &json!({"categories": ["fashion", "astrology"], "networks": ["myspace"], "language": "xx"}),
            Some(&token),
        )
        .await;

    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_eq!(reply.body["error"], "validation_error");
    assert_eq!(
        reply.body["errors"]["categories"],
        json!(["\"astrology\" is not a valid choice."])
    );
    assert_eq!(
        reply.body["errors"]["networks"],
        json!(["\"myspace\" is not a valid choice."])
    );
    assert_eq!(
        reply.body["errors"]["language"],
        json!(["\"xx\" is not a valid choice."])
    );
    let body = preferences(&app, &token).await;
    assert_eq!(body["preferences"]["categories"], json!([]));
    let bad = app
        .post_json(
            UPDATE_PREFERENCES,
            &json!({"categories": 7, "privacy_settings": {"x": true}}),
            Some(&token),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body["errors"]["categories"].is_array(), "{}", bad.body);
    assert!(
        bad.body["errors"]["privacy_settings"].is_array(),
        "{}",
        bad.body
    );
}

#[tokio::test]
async fn the_language_is_set_alone_and_must_be_known() {
    let app = TestApp::spawn().await;
    let (_, token) = alice(&app).await;

    form(&app, UPDATE_LANGUAGE, "language=FR", &token)
        .await
        .assert_answer(
            StatusCode::OK,
            json!({"status": "success", "message": "Language updated successfully"}),
        );
    assert_eq!(
        preferences(&app, &token).await["preferences"]["language"],
        "fr"
    );
    let unknown = form(&app, UPDATE_LANGUAGE, "language=klingon", &token).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    let missing = form(&app, UPDATE_LANGUAGE, "", &token).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        missing.body["errors"]["language"],
        json!(["This field is required."])
    );
}

#[tokio::test]
async fn notification_codes_are_listed_with_names_and_turned_off_and_on() {
    let app = TestApp::spawn().await;
    let (id, token) = alice(&app).await;

    form(
        &app,
        UPDATE_NOTIFICATIONS,
        "new_campaign=true&end_campaign=false&near_campaign=true",
        &token,
    )
    .await
    .assert_answer(
        StatusCode::OK,
        json!({"status": "success", "message": "Notification settings updated"}),
    );
    let reply = app
        .post_json(
            UPDATE_NOTIFICATIONS,
            &json!({"update_balance": false}),
            Some(&token),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);

    let listed = app.post_empty(GET_NOTIFICATIONS, Some(&token)).await;
    listed.assert_answer(
        StatusCode::OK,
        json!({"user_id": id, "user_notifications": [
            {"name": "New campaign", "code": "new_campaign", "status": true},
            {"name": "End campaign", "code": "end_campaign", "status": false},
            {"name": "Near campaign", "code": "near_campaign", "status": true},
            {"name": "Causes", "code": "cause_campaign", "status": true},
            {"name": "Profile status", "code": "profile_status", "status": true},
            {"name": "Post status", "code": "post_status", "status": true},
            {"name": "Update balance", "code": "update_balance", "status": false}
        ], "not_found_message": "No notifications to display"}),
    );
    let notifications = &preferences(&app, &token).await["preferences"]["notifications"];
    assert_eq!(notifications["end_campaign"], false);
    assert_eq!(notifications["new_campaign"], true);

    let bad = form(&app, UPDATE_NOTIFICATIONS, "new_campaign=perhaps", &token).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        bad.body["errors"]["new_campaign"],
        json!(["Must be a valid boolean."])
    );
    let none = form(&app, UPDATE_NOTIFICATIONS, "unknown=true", &token).await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST, "{}", none.body);
}

#[tokio::test]
async fn a_notification_code_is_the_push_theme_of_the_same_name_both_ways() {
    let app = TestApp::spawn().await;
    let (id, token) = alice(&app).await;
    let push = app.push_client("push").await;

    // Off through the campaign app: the push contract shows the theme's preference at 0.
    form(&app, UPDATE_NOTIFICATIONS, "near_campaign=false", &token).await;
    let theme = push.get("/theme_name?name=near_campaign").await;
    assert_eq!(theme.status, StatusCode::OK, "{}", theme.body);
    assert_eq!(theme.body["result"]["range"], "unicast");
    let near = theme.body["result"]["id"].as_u64().unwrap();
    push.get(&format!("/user/{id}/preference/{near}"))
        .await
        .assert_answer(
            StatusCode::OK,
            json!({"result": {"user_id": id, "theme_id": near, "option": 0}}),
        );

    // Set through push: e-mail only keeps the code on, and turning it on again keeps the mask.
    push.put_form(&format!("/user/{id}/preference/{near}"), &[("option", "1")])
        .await;
    let listed = app.post_empty(GET_NOTIFICATIONS, Some(&token)).await;
    assert_eq!(listed.body["user_notifications"][2]["status"], true);
    form(&app, UPDATE_NOTIFICATIONS, "near_campaign=true", &token).await;
    assert_eq!(
        push.get(&format!("/user/{id}/preference/{near}"))
            .await
            .body["result"]["option"],
        1
    );
    // Off through push: the campaign app shows it off.
    let end = push.get("/theme_name?name=end_campaign").await.body["result"]["id"]
        .as_u64()
        .unwrap();
    push.post_form(&format!("/user/{id}/preference/{end}"), &[("option", "0")])
        .await;
    let listed = app.post_empty(GET_NOTIFICATIONS, Some(&token)).await;
    assert_eq!(listed.body["user_notifications"][1]["status"], false);
    form(&app, UPDATE_NOTIFICATIONS, "end_campaign=true", &token).await;
    assert_eq!(
        push.get(&format!("/user/{id}/preference/{end}")).await.body["result"]["option"],
        3
    );
}

#[tokio::test]
async fn userctl_extends_the_reference_codes() {
    let app = TestApp::spawn().await;
    let (_, token) = alice(&app).await;
    let refused = app
        .post_json(
            UPDATE_PREFERENCES,
            &json!({"categories": ["astrology"]}),
            Some(&token),
        )
        .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);

    let file = std::env::temp_dir().join(format!("codes-{}.json", std::process::id()));
    std::fs::write(
        &file,
        r#"{"categories": [{"code": "astrology", "name": "Astrology"}]}"#,
    )
    .unwrap();
    let out = app
        .admin(&["reference", "load", file.to_str().unwrap()], "")
        .await
        .unwrap();
    assert!(out.contains("1 categories"), "{out}");

    let accepted = app
        .post_json(
            UPDATE_PREFERENCES,
            &json!({"categories": ["astrology"]}),
            Some(&token),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
}
