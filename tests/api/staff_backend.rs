//! The campaign backend's staff routes: bans (with an optional expiry), a user's standing,
//! forced sign-outs, and the audit trail they leave.

use crate::support::{text, user_id, TestApp, CAREERS_ME, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::json;

const BAN: &str = "/api/user/status/ban/";
const STATUS: &str = "/api/user/status/";
const FORCE_LOGOUT: &str = "/api/user/force-logout/";
const REFRESH: &str = "/careers/users/token/refresh/";

/// A staff user `boss` and a plain user `alice`; returns (boss's token, alice's id).
async fn boss_and_alice(app: &TestApp) -> (String, u64) {
    app.create_staff("boss", false).await;
    let alice = user_id(&app.register("alice").await);
    (app.access_token("boss").await, alice)
}

/// A staff route called with a form body as the campaign backend sends it.
async fn staff_call(
    app: &TestApp,
    path: &str,
    form: &str,
    token: Option<&str>,
) -> crate::support::Reply {
    let mut request = app
        .request(Method::POST, path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form.to_owned());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    TestApp::send(request).await
}

async fn ban(app: &TestApp, token: &str, form: &str) {
    let reply = staff_call(app, BAN, form, Some(token)).await;
    reply.assert_answer(
        StatusCode::OK,
        json!({"status": "success", "message": "User ban status updated"}),
    );
}

async fn audit(app: &TestApp, user: u64) -> Vec<Vec<String>> {
    let out = app
        .admin(&["audit", &user.to_string()], "")
        .await
        .expect("audit");
    out.lines()
        .map(|line| line.split('\t').map(str::to_owned).collect())
        .collect()
}

#[tokio::test]
async fn every_staff_route_refuses_anonymous_callers_with_401_and_plain_users_with_403() {
    let app = TestApp::spawn().await;
    let (_, alice) = boss_and_alice(&app).await;
    app.register("mallory").await;
    let mallory = app.access_token("mallory").await;
    let form = format!("user_id={alice}&banned=true&reason=x");

    for path in [BAN, STATUS, FORCE_LOGOUT] {
        let anonymous = staff_call(&app, path, &form, None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(anonymous.body["error"], "authentication_required", "{path}");
        let plain = staff_call(&app, path, &form, Some(&mallory)).await;
        assert_eq!(
            plain.status,
            StatusCode::FORBIDDEN,
            "{path}: {}",
            plain.body
        );
        assert_eq!(plain.body["error"], "permission_denied", "{path}");
    }
    // Nothing happened to alice.
    assert_eq!(app.login_as("alice", PASSWORD).await.status, StatusCode::OK);
    assert!(audit(&app, alice).await.is_empty());
}

#[tokio::test]
async fn a_ban_cuts_off_every_live_token_at_once_on_every_contract() {
    let app = TestApp::spawn().await;
    let (boss, alice) = boss_and_alice(&app).await;
    let login = app.login_as("alice", PASSWORD).await;
    let (access, refresh) = (text(&login.body, "access"), text(&login.body, "refresh"));
    assert_eq!(
        app.get(CAREERS_ME, Some(&access)).await.status,
        StatusCode::OK
    );

    ban(
        &app,
        &boss,
        &format!("user_id={alice}&banned=true&reason=Violation+of+terms+of+service"),
    )
    .await;

    let careers = app.get(CAREERS_ME, Some(&access)).await;
    assert_eq!(careers.status, StatusCode::UNAUTHORIZED, "{}", careers.body);
    let accounts = app
        .get(&format!("/api/v1/accounts/users/{alice}/"), Some(&access))
        .await;
    assert_eq!(
        accounts.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        accounts.body
    );
    let campaign = app
        .post_json(
            "/api/update/profile/",
            &json!({"first_name": "A"}),
            Some(&access),
        )
        .await;
    assert_eq!(
        campaign.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        campaign.body
    );
    let check = app.post_empty("/api/check/login/", Some(&access)).await;
    assert_eq!(check.body["is_logged"], false, "{}", check.body);
    let refreshed = app
        .post_json(REFRESH, &json!({ "refresh": refresh }), None)
        .await;
    assert_eq!(
        refreshed.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        refreshed.body
    );
}

#[tokio::test]
async fn a_banned_user_is_told_so_at_sign_in_and_nobody_else_learns_it() {
    let app = TestApp::spawn().await;
    let (boss, alice) = boss_and_alice(&app).await;
    ban(
        &app,
        &boss,
        &format!("user_id={alice}&banned=true&reason=spam"),
    )
    .await;

    // The right password: told of the ban, in each contract's shape.
    app.login_as("alice", PASSWORD).await.assert_answer(
        StatusCode::FORBIDDEN,
        json!({"detail": "This account is banned.", "code": "user_banned"}),
    );
    let validate = app
        .post_form(
            "/api/check/validate/",
            &format!("username=alice&password={PASSWORD}"),
        )
        .await;
    validate.assert_answer(
        StatusCode::FORBIDDEN,
        json!({"error": "account_banned", "message": "This account is banned."}),
    );
    // A wrong password: the same answer as for anyone else.
    app.login_as("alice", "not-her-password")
        .await
        .assert_answer(
            StatusCode::UNAUTHORIZED,
            json!({"detail": "No active account found with the given credentials"}),
        );
}

#[tokio::test]
async fn the_chat_server_cannot_sign_a_banned_user_in() {
    let app = TestApp::spawn().await;
    app.create_staff("boss", false).await;
    let boss = app.access_token("boss").await;
    let chat = app.chat_client("chat").await;
    let created = chat
        .post_json(
            crate::support::CHAT_LOGIN_OR_REGISTER,
            &json!({"user_id": "johnny@example.com", "username": "Johnny", "password": PASSWORD}),
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let johnny = app.login_as("johnny@example.com", PASSWORD).await;
    let johnny_id = user_id(&johnny.body);
    ban(&app, &boss, &format!("user_id={johnny_id}&banned=true")).await;

    let token = chat
        .get("/api/v2.1/rest/get_user_token?user_id=johnny%40example.com")
        .await;
    token.assert_answer(
        StatusCode::FORBIDDEN,
        json!({"error": {"message": "This account is banned."}, "status": 403}),
    );
    let again = chat
        .post_json(
            crate::support::CHAT_LOGIN_OR_REGISTER,
            &json!({"user_id": "johnny@example.com", "username": "Johnny", "password": PASSWORD}),
        )
        .await;
    assert_eq!(again.status, StatusCode::FORBIDDEN, "{}", again.body);
}

#[tokio::test]
async fn a_ban_with_an_expiry_lifts_by_itself_and_an_unban_lifts_it_at_once() {
    let app = TestApp::spawn().await;
    let (boss, alice) = boss_and_alice(&app).await;
    app.register("bob").await;
    let bob = user_id(&app.login_as("bob", PASSWORD).await.body);

    // An expiry already past: the ban has lifted by the next sign-in.
    ban(
        &app,
        &boss,
        &format!("user_id={alice}&banned=true&until=2020-01-01T00:00:00Z"),
    )
    .await;
    assert_eq!(app.login_as("alice", PASSWORD).await.status, StatusCode::OK);
    // An expiry ahead: the ban holds, and says until when.
    ban(
        &app,
        &boss,
        &format!("user_id={bob}&banned=true&until=2999-01-01T00:00:00Z"),
    )
    .await;
    let refused = app.login_as("bob", PASSWORD).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(
        refused.body["detail"],
        "This account is banned until 2999-01-01T00:00:00Z."
    );

    ban(
        &app,
        &boss,
        &format!("user_id={bob}&banned=false&reason=appeal+granted"),
    )
    .await;
    assert_eq!(app.login_as("bob", PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn status_reports_the_standing_dates_and_campaign_counters() {
    let app = TestApp::spawn().await;
    let (boss, alice) = boss_and_alice(&app).await;
    app.access_token("alice").await;

    let reply = staff_call(&app, STATUS, &format!("user_id={alice}"), Some(&boss)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["status"], "active");
    assert_eq!(reply.body["total_campaigns"], 0);
    assert_eq!(reply.body["total_earnings"], 0);
    let joined = reply.body["joined_date"].as_str().unwrap();
    assert_eq!(joined.len(), 10, "{joined}");
    assert!(reply.body["last_login"]
        .as_str()
        .unwrap()
        .starts_with(joined));

    ban(&app, &boss, &format!("user_id={alice}&banned=1")).await;
    let banned = staff_call(&app, STATUS, &format!("user_id={alice}"), Some(&boss)).await;
    assert_eq!(banned.body["status"], "banned");

    let missing = staff_call(&app, STATUS, "user_id=999999", Some(&boss)).await;
    missing.assert_answer(
        StatusCode::NOT_FOUND,
        json!({"error": "user_not_found", "message": "User not found"}),
    );
    let bad = staff_call(&app, BAN, "user_id=abc&banned=perhaps", Some(&boss)).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST, "{}", bad.body);
    assert_eq!(bad.body["error"], "validation_error");
    assert_eq!(
        bad.body["errors"]["banned"],
        json!(["Must be a valid boolean."])
    );
}

#[tokio::test]
async fn force_logout_ends_every_session_but_the_user_may_sign_in_again() {
    let app = TestApp::spawn().await;
    let (boss, alice) = boss_and_alice(&app).await;
    let first = app.login_as("alice", PASSWORD).await;
    let second = app.access_token("alice").await;

    let reply = staff_call(&app, FORCE_LOGOUT, &format!("user_id={alice}"), Some(&boss)).await;
    reply.assert_answer(
        StatusCode::OK,
        json!({"status": "success", "message": "User logged out from all sessions"}),
    );

    for token in [text(&first.body, "access"), second] {
        assert_eq!(
            app.get(CAREERS_ME, Some(&token)).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let refresh = text(&first.body, "refresh");
    let refreshed = app
        .post_json(REFRESH, &json!({ "refresh": refresh }), None)
        .await;
    assert_eq!(refreshed.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.login_as("alice", PASSWORD).await.status, StatusCode::OK);
}

#[tokio::test]
async fn staff_accounts_are_out_of_reach_of_staff_who_are_not_superusers() {
    let app = TestApp::spawn().await;
    app.create_staff("boss", false).await;
    app.create_staff("other", false).await;
    app.create_staff("root", true).await;
    let boss = app.access_token("boss").await;
    let root = app.access_token("root").await;
    let other = user_id(&app.login_as("other", PASSWORD).await.body);

    let refused = staff_call(&app, FORCE_LOGOUT, &format!("user_id={other}"), Some(&boss)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let allowed = staff_call(&app, FORCE_LOGOUT, &format!("user_id={other}"), Some(&root)).await;
    assert_eq!(allowed.status, StatusCode::OK, "{}", allowed.body);
}

#[tokio::test]
async fn every_staff_action_is_in_the_users_audit_trail_with_who_when_what_and_why() {
    let app = TestApp::spawn().await;
    let (boss, alice) = boss_and_alice(&app).await;
    let boss_id = user_id(&app.login_as("boss", PASSWORD).await.body);

    ban(
        &app,
        &boss,
        &format!("user_id={alice}&banned=true&reason=spam&until=2999-01-01T00:00:00Z"),
    )
    .await;
    ban(
        &app,
        &boss,
        &format!("user_id={alice}&banned=false&reason=appeal"),
    )
    .await;
    staff_call(
        &app,
        FORCE_LOGOUT,
        &format!("user_id={alice}&reason=stolen+phone"),
        Some(&boss),
    )
    .await;
    app.admin(&["ban", &alice.to_string(), "chargeback", "fraud"], "")
        .await
        .unwrap();

    let trail = audit(&app, alice).await;
    let actor = format!("user:{boss_id}");
    let what: Vec<(&str, &str, &str, &str)> = trail
        .iter()
        .map(|e| (e[1].as_str(), e[2].as_str(), e[3].as_str(), e[4].as_str()))
        .collect();
    assert_eq!(what.len(), 4, "{trail:?}");
    assert_eq!(
        &what[..3],
        [
            (actor.as_str(), "ban", "spam", "until 2999-01-01T00:00:00Z"),
            (actor.as_str(), "unban", "appeal", ""),
            (actor.as_str(), "force_logout", "stolen phone", ""),
        ]
    );
    assert!(what[3].0.starts_with("operator:"), "{:?}", what[3]);
    assert_eq!((what[3].1, what[3].2), ("ban", "chargeback fraud"));
    for entry in &trail {
        assert!(
            users_shared::clock::Timestamp::parse_rfc3339(&entry[0]).is_some(),
            "{entry:?}"
        );
    }
    // The staff account's own creation is on its trail.
    let boss_trail = audit(&app, boss_id).await;
    assert_eq!(boss_trail.len(), 1);
    assert_eq!(boss_trail[0][2], "staff_created");
}

#[tokio::test]
async fn userctl_bans_unbans_and_ends_sessions_without_an_http_client() {
    let app = TestApp::spawn().await;
    let alice = user_id(&app.register("alice").await);
    let token = app.access_token("alice").await;
    let id = alice.to_string();

    app.admin(&["force-logout", &id], "").await.unwrap();
    assert_eq!(
        app.get(CAREERS_ME, Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    app.admin(&["ban", &id, "--until", "2999-01-01T00:00:00Z", "spam"], "")
        .await
        .unwrap();
    assert_eq!(
        app.login_as("alice", PASSWORD).await.status,
        StatusCode::FORBIDDEN
    );
    app.admin(&["unban", &id], "").await.unwrap();
    assert_eq!(app.login_as("alice", PASSWORD).await.status, StatusCode::OK);
    assert!(app.admin(&["ban", "999999"], "").await.is_err());
}
