//! Notifications: the inbox (history with exact counts, marking read), staff sends, the push
//! contract's `/send` by theme range and preference mask, delivery through the outbox that
//! loses nothing and publishes once, and the chat server's unread views.

use crate::support::*;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use users_shared::clock::Timestamp;
use users_shared::domain::{Notification, UserId};
use users_shared::store::NewNote;

const HISTORY: &str = "/api/get/notifications/history/";
const MARK_READ: &str = "/api/update/notifications/read/";
const STAFF_SEND: &str = "/api/user/notification/";

async fn form(app: &TestApp, path: &str, body: &str, token: Option<&str>) -> Reply {
    let mut request = app
        .request(Method::POST, path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body.to_owned());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    TestApp::send(request).await
}

/// Staff `boss` and user `alice` (careers, with her e-mail device); (boss token, alice id,
/// alice token).
async fn boss_and_alice(app: &TestApp) -> (String, u64, String) {
    app.create_staff("boss", false).await;
    let alice = user_id(&app.register("alice").await);
    (
        app.access_token("boss").await,
        alice,
        app.access_token("alice").await,
    )
}

async fn staff_send(app: &TestApp, boss: &str, user: u64, title: &str) -> Reply {
    form(
        app,
        STAFF_SEND,
        &format!("user_id={user}&title={title}&message=A+new+campaign+is+available&type=campaign"),
        Some(boss),
    )
    .await
}

async fn history(app: &TestApp, token: &str, body: &str) -> Value {
    let reply = form(app, HISTORY, body, Some(token)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

fn attribute<'a>(message: &'a Value, name: &str) -> &'a str {
    message["MessageAttributes"][name]["Value"]
        .as_str()
        .unwrap_or_default()
}

#[tokio::test]
async fn a_staff_send_lands_in_the_inbox_and_is_published_once_per_channel() {
    let app = TestApp::spawn().await;
    let (boss, alice, token) = boss_and_alice(&app).await;
    app.published().await;

    let sent = form(
        &app,
        STAFF_SEND,
        &format!("user_id={alice}&title=New+Campaign&message=A+new+campaign+is+available+for+you&type=campaign&data=%7B%22campaign_id%22%3A789%7D"),
        Some(&boss),
    )
    .await;
    sent.assert_answer(
        StatusCode::OK,
        json!({"status": "success", "message": "Notification sent successfully"}),
    );

    let body = history(&app, &token, "").await;
    assert_eq!(
        (body["total"].clone(), body["unread"].clone()),
        (json!(1), json!(1))
    );
    let note = &body["notifications"][0];
    assert_eq!(
        sorted_keys(note),
        [
            "created_at",
            "data",
            "id",
            "message",
            "read",
            "title",
            "type",
            "user_id"
        ]
    );
    assert_eq!(note["title"], "New Campaign");
    assert_eq!(note["type"], "campaign");
    assert_eq!(note["read"], false);
    assert_eq!(note["data"], json!({"campaign_id": 789}));
    assert_eq!(note["user_id"], alice);

    // Stored first; published by the worker, once.
    assert!(app.published().await.is_empty());
    let report = app.sweep().await;
    assert_eq!(report.delivered, 1);
    let published = app.published().await;
    assert_eq!(published.len(), 1, "{published:?}");
    let message = &published[0];
    assert_eq!(attribute(message, "channel"), "email");
    assert_eq!(attribute(message, "type"), "campaign");
    assert_eq!(attribute(message, "user_id"), alice.to_string());
    assert_eq!(
        attribute(message, "idempotency_key"),
        format!("{}:email", note["id"])
    );
    assert_eq!(message["Message"]["to"], json!(["alice@example.com"]));
    assert_eq!(message["Message"]["title"], "New Campaign");
    assert_eq!(app.sweep().await.delivered, 0);
    assert!(app.published().await.is_empty());
    // Recorded in alice's audit trail.
    let trail = app.admin(&["audit", &alice.to_string()], "").await.unwrap();
    assert!(trail.contains("notification_sent"), "{trail}");
}

#[tokio::test]
async fn only_staff_send_and_everyone_reads_only_their_own_inbox() {
    let app = TestApp::spawn().await;
    let (boss, alice, alice_token) = boss_and_alice(&app).await;
    app.register("bob").await;
    let bob = app.access_token("bob").await;

    let anonymous = staff_send(&app, "", alice, "x").await;
    assert_eq!(
        form(&app, STAFF_SEND, "user_id=1", None).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
    let plain = staff_send(&app, &bob, alice, "x").await;
    assert_eq!(plain.status, StatusCode::FORBIDDEN, "{}", plain.body);
    assert_eq!(
        form(&app, HISTORY, "", None).await.status,
        StatusCode::UNAUTHORIZED
    );

    staff_send(&app, &boss, alice, "Hello").await;
    let mine = history(&app, &alice_token, "").await;
    let theirs = history(&app, &bob, "").await;
    assert_eq!(mine["total"], 1);
    assert_eq!(theirs["total"], 0);
    assert_eq!(theirs["notifications"], json!([]));
    // Bob cannot mark alice's notification read.
    let id = mine["notifications"][0]["id"].as_u64().unwrap();
    let marked = form(&app, MARK_READ, &format!("ids={id}"), Some(&bob)).await;
    assert_eq!(marked.body["marked"], 0, "{}", marked.body);
    assert_eq!(history(&app, &alice_token, "").await["unread"], 1);
}

#[tokio::test]
async fn history_pages_newest_first_and_marking_read_keeps_the_counts_exact() {
    let app = TestApp::spawn().await;
    let (boss, alice, token) = boss_and_alice(&app).await;
    for n in 1..=5 {
        let reply = staff_send(&app, &boss, alice, &format!("N{n}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }

    let first = history(&app, &token, "page=1&limit=2").await;
    let titles: Vec<Value> = column(&first["notifications"], "title");
    assert_eq!(titles, [json!("N5"), json!("N4")]);
    assert_eq!(
        (first["total"].clone(), first["unread"].clone()),
        (json!(5), json!(5))
    );
    let third = history(&app, &token, "page=3&limit=2").await;
    assert_eq!(column(&third["notifications"], "title"), [json!("N1")]);

    let ids: Vec<u64> = column(&first["notifications"], "id")
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    let marked = app
        .post_json(MARK_READ, &json!({"ids": ids}), Some(&token))
        .await;
    marked.assert_answer(
        StatusCode::OK,
        json!({"status": "success", "message": "Notifications marked as read", "marked": 2, "unread": 3}),
    );
    // Marking again changes nothing.
    let again = app
        .post_json(MARK_READ, &json!({"ids": ids}), Some(&token))
        .await;
    assert_eq!(
        (again.body["marked"].clone(), again.body["unread"].clone()),
        (json!(0), json!(3))
    );
    let all = form(&app, MARK_READ, "all=true", Some(&token)).await;
    assert_eq!(
        (all.body["marked"].clone(), all.body["unread"].clone()),
        (json!(3), json!(0))
    );
    let after = history(&app, &token, "").await;
    assert_eq!(
        (after["total"].clone(), after["unread"].clone()),
        (json!(5), json!(0))
    );
    assert!(column(&after["notifications"], "read")
        .iter()
        .all(|r| r == true));
}

#[tokio::test]
async fn bad_input_gets_the_campaign_error_shape() {
    let app = TestApp::spawn().await;
    let (boss, alice, token) = boss_and_alice(&app).await;

    let limit = form(&app, HISTORY, "limit=500", Some(&token)).await;
    assert_eq!(limit.status, StatusCode::BAD_REQUEST);
    assert_eq!(limit.body["error"], "validation_error");
    let page = form(&app, HISTORY, "page=abc", Some(&token)).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    let nothing = form(&app, MARK_READ, "", Some(&token)).await;
    assert_eq!(nothing.status, StatusCode::BAD_REQUEST);
    let bad_ids = form(&app, MARK_READ, "ids=one", Some(&token)).await;
    assert_eq!(bad_ids.status, StatusCode::BAD_REQUEST);
    let missing = form(
        &app,
        STAFF_SEND,
        &format!("user_id={alice}&message=m&type=t"),
        Some(&boss),
    )
    .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        missing.body["errors"]["title"],
        json!(["This field is required."])
    );
    let bad_data = form(
        &app,
        STAFF_SEND,
        &format!("user_id={alice}&title=t&message=m&type=t&data=%5B1%5D"),
        Some(&boss),
    )
    .await;
    assert_eq!(
        bad_data.body["errors"]["data"],
        json!(["Expected a dictionary of items."])
    );
    let nobody = staff_send(&app, &boss, 999_999, "x").await;
    nobody.assert_answer(
        StatusCode::NOT_FOUND,
        json!({"error": "user_not_found", "message": "User not found"}),
    );
}

// --- the push contract's /send ------------------------------------------------------------

async fn push_user(push: &AppClient<'_>, name: &str, devices: &[(&str, &str)]) -> u64 {
    let reply = push
        .post_form("/user", &[("email", &format!("{name}@example.com"))])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let id = reply.body["result"]["id"].as_u64().unwrap();
    if !devices.is_empty() {
        let added = push.post_form(&format!("/user/{id}/device"), devices).await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.body);
    }
    id
}

async fn theme(push: &AppClient<'_>, name: &str, range: &str) -> u64 {
    let reply = push
        .post_form("/theme", &[("name", name), ("range", range)])
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["result"]["id"].as_u64().unwrap()
}

/// (user id, channel) of each message published since the last call, sorted.
async fn deliveries(app: &TestApp) -> Vec<(u64, String)> {
    app.sweep().await;
    let mut seen: Vec<(u64, String)> = app
        .published()
        .await
        .iter()
        .map(|m| {
            (
                attribute(m, "user_id").parse().unwrap(),
                attribute(m, "channel").to_owned(),
            )
        })
        .collect();
    seen.sort();
    seen
}

async fn unicast(push: &AppClient<'_>, user: u64) -> Reply {
    let user = user.to_string();
    push.post_form(
        "/send",
        &[
            ("theme", "alerts"),
            ("message", "Hi"),
            ("subject", "S"),
            ("user_id", &user),
        ],
    )
    .await
}

#[tokio::test]
async fn a_unicast_send_follows_the_users_mask_and_devices() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(
        &push,
        "ann",
        &[("android", "ANN-ANDROID"), ("ios", "ANN-IOS")],
    )
    .await;
    let alerts = theme(&push, "alerts", "unicast").await;
    app.published().await;

    // Unset: everything.
    unicast(&push, ann)
        .await
        .assert_answer(StatusCode::OK, json!({"result": true}));
    assert_eq!(
        deliveries(&app).await,
        [
            (ann, "android".into()),
            (ann, "email".into()),
            (ann, "ios".into())
        ]
    );
    // Mask 1: e-mail only.
    push.post_form(
        &format!("/user/{ann}/preference/{alerts}"),
        &[("option", "1")],
    )
    .await;
    unicast(&push, ann)
        .await
        .assert_answer(StatusCode::OK, json!({"result": true}));
    assert_eq!(deliveries(&app).await, [(ann, "email".into())]);
    // Mask 2: smartphones only.
    push.put_form(
        &format!("/user/{ann}/preference/{alerts}"),
        &[("option", "2")],
    )
    .await;
    unicast(&push, ann).await;
    assert_eq!(
        deliveries(&app).await,
        [(ann, "android".into()), (ann, "ios".into())]
    );
    // Mask 0: nothing, and the original's `false`.
    push.put_form(
        &format!("/user/{ann}/preference/{alerts}"),
        &[("option", "0")],
    )
    .await;
    unicast(&push, ann)
        .await
        .assert_answer(StatusCode::OK, json!({"result": false}));
    assert!(deliveries(&app).await.is_empty());
    // An unknown user: `false`.
    unicast(&push, 999_999)
        .await
        .assert_answer(StatusCode::OK, json!({"result": false}));
}

#[tokio::test]
async fn a_multicast_send_reaches_exactly_the_channels_subscribers() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann", &[]).await;
    let bob = push_user(&push, "bob", &[]).await;
    let _cat = push_user(&push, "cat", &[]).await;
    theme(&push, "news-theme", "multicast").await;
    let channel = push.post_form("/channel", &[("name", "sports")]).await.body["result"]["id"]
        .as_u64()
        .unwrap();
    for user in [ann, bob] {
        push.post_form(&format!("/user/{user}/subscribe/{channel}"), &[])
            .await;
    }
    app.published().await;

    let sent = push
        .post_form(
            "/send",
            &[
                ("theme", "news-theme"),
                ("message", "Goal"),
                ("channel", "sports"),
            ],
        )
        .await;
    sent.assert_answer(StatusCode::OK, json!({"result": true}));

    assert_eq!(
        deliveries(&app).await,
        [(ann, "email".into()), (bob, "email".into())]
    );
    // A channel nobody knows: `false`; a multicast theme without a channel: 400.
    push.post_form(
        "/send",
        &[
            ("theme", "news-theme"),
            ("message", "m"),
            ("channel", "nope"),
        ],
    )
    .await
    .assert_answer(StatusCode::OK, json!({"result": false}));
    let no_channel = push
        .post_form("/send", &[("theme", "news-theme"), ("message", "m")])
        .await;
    assert_eq!(
        no_channel.status,
        StatusCode::BAD_REQUEST,
        "{}",
        no_channel.body
    );
}

#[tokio::test]
async fn a_send_job_pages_through_hundreds_of_subscribers_reaching_each_once() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    theme(&push, "big-news", "multicast").await;
    let channel = push
        .post_form("/channel", &[("name", "everyone")])
        .await
        .body["result"]["id"]
        .as_u64()
        .unwrap();
    let store = &app.api.functions().auth.store;
    let now = Timestamp::now();
    let users: Vec<users_shared::domain::User> = (10_001..=10_250)
        .map(|id| {
            let email = format!("fan{id}@example.com");
            let mut user = users_shared::domain::User::new(
                UserId::new(id),
                users_shared::domain::Username::parse(&format!("fan{id}")).unwrap(),
                Some(users_shared::domain::Email::parse(&email).unwrap()),
                now,
            );
            user.devices = vec![users_shared::domain::Device {
                id,
                kind: users_shared::domain::DeviceKind::Email,
                reference: email,
            }];
            user
        })
        .collect();
    for chunk in users.chunks(25) {
        store.import_users_unguarded(chunk).await.unwrap();
    }
    for user in &users {
        let member = users_shared::store::Member {
            user: user.id,
            topic: channel,
            option: None,
        };
        store
            .put_member(users_shared::domain::TopicKind::Channel, member, None)
            .await
            .unwrap();
    }
    app.published().await;

    push.post_form(
        "/send",
        &[
            ("theme", "big-news"),
            ("message", "m"),
            ("channel", "everyone"),
        ],
    )
    .await
    .assert_answer(StatusCode::OK, json!({"result": true}));
    let mut sweeps = 0;
    loop {
        let report = app.sweep().await;
        sweeps += 1;
        assert!(sweeps < 20, "the job never finished");
        if report == Default::default() {
            break;
        }
    }

    let mut reached: Vec<u64> = app
        .published()
        .await
        .iter()
        .map(|m| attribute(m, "user_id").parse().unwrap())
        .collect();
    reached.sort_unstable();
    assert_eq!(
        reached,
        (10_001..=10_250).collect::<Vec<u64>>(),
        "each subscriber once"
    );
    assert!(
        store.send_jobs().await.unwrap().is_empty(),
        "the job is finished"
    );
}

#[tokio::test]
async fn a_broadcast_send_reaches_everyone_with_a_preference_but_option_zero() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = push_user(&push, "ann", &[]).await;
    let bob = push_user(&push, "bob", &[]).await;
    let cat = push_user(&push, "cat", &[]).await;
    let _dan = push_user(&push, "dan", &[]).await;
    let everyone = theme(&push, "everyone", "broadcast").await;
    push.post_form(
        &format!("/user/{ann}/preference/{everyone}"),
        &[("option", "3")],
    )
    .await;
    push.post_form(
        &format!("/user/{bob}/preference/{everyone}"),
        &[("option", "1")],
    )
    .await;
    push.post_form(
        &format!("/user/{cat}/preference/{everyone}"),
        &[("option", "0")],
    )
    .await;
    app.published().await;

    push.post_form("/send", &[("theme", "everyone"), ("message", "Hello all")])
        .await
        .assert_answer(StatusCode::OK, json!({"result": true}));

    assert_eq!(
        deliveries(&app).await,
        [(ann, "email".into()), (bob, "email".into())]
    );
    let missing = push.post_form("/send", &[("message", "m")]).await;
    missing.assert_push_error(StatusCode::BAD_REQUEST, "theme: This field is required.");
    let unknown = push
        .post_form("/send", &[("theme", "nope"), ("message", "m")])
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let no_user = push
        .post_form("/send", &[("theme", "everyone2"), ("message", "m")])
        .await;
    assert_eq!(no_user.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn with_sns_down_nothing_is_lost_and_each_is_published_exactly_once_when_it_is_back() {
    let app = TestApp::spawn().await;
    let (boss, alice, _) = boss_and_alice(&app).await;
    app.published().await;
    for n in 0..100 {
        let reply = staff_send(&app, &boss, alice, &format!("N{n}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }

    // SNS unreachable: every attempt fails and is kept for later.
    let store = &app.api.functions().auth.store;
    let unreachable = unreachable_notifier().await;
    let now = Timestamp::now();
    let down = users_shared::service::delivery::sweep(store, &unreachable, None, now)
        .await
        .unwrap();
    assert_eq!((down.delivered, down.retried), (0, 100));
    assert!(app.published().await.is_empty());
    // Back: the next sweep after the pause publishes each once; later sweeps nothing more.
    let later = now.plus_seconds(600);
    assert_eq!(app.sweep_at(later).await.delivered, 100);
    assert_eq!(app.sweep_at(later.plus_seconds(600)).await.delivered, 0);
    let mut keys: Vec<String> = app
        .published()
        .await
        .iter()
        .map(|m| attribute(m, "idempotency_key").to_owned())
        .collect();
    assert_eq!(keys.len(), 100);
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 100, "each notification published once");
}

#[tokio::test]
async fn deliveries_given_up_on_wait_for_an_operators_replay() {
    let app = TestApp::spawn().await;
    let (boss, alice, _) = boss_and_alice(&app).await;
    staff_send(&app, &boss, alice, "Lost").await;
    app.published().await;
    let store = &app.api.functions().auth.store;
    let unreachable = unreachable_notifier().await;

    // Every attempt fails, each after the last one's pause, until it is given up.
    let mut now = Timestamp::now();
    let mut dead = 0;
    for _ in 0..users_shared::service::delivery::MAX_ATTEMPTS {
        now = now.plus_seconds(600);
        dead += users_shared::service::delivery::sweep(store, &unreachable, None, now)
            .await
            .unwrap()
            .dead;
    }
    assert_eq!(dead, 1);
    assert_eq!(
        app.sweep_at(now.plus_seconds(3600)).await.delivered,
        0,
        "dead stays dead"
    );
    let listed = app.admin(&["deliveries", "dead"], "").await.unwrap();
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(
        listed.contains(&format!("\t{alice}\tcampaign\temail\t8")),
        "{listed}"
    );

    let replayed = app.admin(&["deliveries", "replay"], "").await.unwrap();
    assert!(replayed.starts_with("1 deliveries"), "{replayed}");
    assert_eq!(app.sweep().await.delivered, 1);
    let published = app.published().await;
    assert_eq!(published.len(), 1);
    assert_eq!(published[0]["Message"]["title"], "Lost");
    assert!(app
        .admin(&["deliveries", "dead"], "")
        .await
        .unwrap()
        .is_empty());
}

/// A moto server of this test's own (SNS and SQS), which the test stops and starts again.
struct OwnMoto {
    port: u16,
    child: Option<std::process::Child>,
}

impl OwnMoto {
    fn binary() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../.local/venv/bin/moto_server")
    }

    // The child is killed and waited for in `stop`, which `Drop` calls.
    #[allow(clippy::zombie_processes)]
    async fn start(port: u16) -> Self {
        let child = std::process::Command::new(Self::binary())
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("moto_server from scripts/stack.sh install");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Self {
                    port,
                    child: Some(child),
                };
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("moto did not start on {port}");
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    async fn sdk(&self) -> aws_config::SdkConfig {
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(format!("http://127.0.0.1:{}", self.port))
            .region(aws_config::Region::new("us-east-1"))
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .load()
            .await
    }
}

impl Drop for OwnMoto {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

#[tokio::test]
async fn with_moto_stopped_mid_send_nothing_is_lost_and_each_is_published_once_after_its_restart() {
    let app = TestApp::spawn().await;
    let (boss, alice, _) = boss_and_alice(&app).await;
    let port = free_port();
    let mut moto = OwnMoto::start(port).await;
    let sdk = moto.sdk().await;
    let (sns, sqs) = (
        aws_sdk_sns::Client::new(&sdk),
        aws_sdk_sqs::Client::new(&sdk),
    );
    let topic = users_tools::provision::create_topic(&sns, "mid-send")
        .await
        .unwrap();
    let notifier = users_shared::notify::Notifier::new(sns.clone(), topic.clone());
    let store = &app.api.functions().auth.store;

    // Half are published; then moto stops while the rest are sent.
    for n in 0..50 {
        staff_send(&app, &boss, alice, &format!("N{n}")).await;
    }
    let now = Timestamp::now();
    let first = users_shared::service::delivery::sweep(store, &notifier, None, now)
        .await
        .unwrap();
    assert_eq!(first.delivered, 50);
    moto.stop();
    for n in 50..100 {
        let reply = staff_send(&app, &boss, alice, &format!("N{n}")).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    }
    let down = users_shared::service::delivery::sweep(store, &notifier, None, now)
        .await
        .unwrap();
    assert_eq!((down.delivered, down.retried), (0, 50));

    // moto starts again (empty: the topic is made anew, with a queue to read what arrives).
    let moto = OwnMoto::start(port).await;
    let topic_again = users_tools::provision::create_topic(&sns, "mid-send")
        .await
        .unwrap();
    assert_eq!(topic_again, topic);
    let queue = users_tools::provision::subscribe_queue(&sns, &sqs, &topic, "mid-send-inbox")
        .await
        .unwrap();
    let later = now.plus_seconds(600);
    let back = users_shared::service::delivery::sweep(store, &notifier, None, later)
        .await
        .unwrap();
    assert_eq!(back.delivered, 50);
    let again =
        users_shared::service::delivery::sweep(store, &notifier, None, later.plus_seconds(600))
            .await
            .unwrap();
    assert_eq!(again.delivered, 0);
    let mut titles = Vec::new();
    loop {
        let got = sqs
            .receive_message()
            .queue_url(&queue)
            .max_number_of_messages(10)
            .send()
            .await
            .unwrap();
        let batch = got.messages.unwrap_or_default();
        if batch.is_empty() {
            break;
        }
        for message in batch {
            let envelope: Value = serde_json::from_str(message.body().unwrap()).unwrap();
            let inner: Value = serde_json::from_str(envelope["Message"].as_str().unwrap()).unwrap();
            titles.push(inner["title"].as_str().unwrap().to_owned());
            sqs.delete_message()
                .queue_url(&queue)
                .receipt_handle(message.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
    }
    titles.sort();
    let mut expected: Vec<String> = (50..100).map(|n| format!("N{n}")).collect();
    expected.sort();
    assert_eq!(
        titles, expected,
        "the 50 sent while moto was down, each once"
    );
    drop(moto);
}

#[tokio::test]
async fn with_a_platform_application_smartphones_are_published_to_their_endpoints() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    // A token of this test's own: moto hands an endpoint of the same token back across
    // platform applications.
    let token = format!("ANDROID-{}", app.table);
    let ann = push_user(&push, "ann", &[("android", &token)]).await;
    theme(&push, "alerts", "unicast").await;
    app.published().await;
    let sdk = users_shared::config::aws_sdk_config().await;
    let sns = aws_sdk_sns::Client::new(&sdk);
    let platform = sns
        .create_platform_application()
        .name(format!("{}-android", app.table))
        .platform("GCM")
        .attributes("PlatformCredential", "server-key")
        .send()
        .await
        .unwrap()
        .platform_application_arn
        .unwrap();
    let auth = &app.api.functions().auth;
    let notifier = auth
        .notifier
        .clone()
        .with_platform_apps(Some(platform.clone()), None);

    unicast(&push, ann)
        .await
        .assert_answer(StatusCode::OK, json!({"result": true}));
    let report =
        users_shared::service::delivery::sweep(&auth.store, &notifier, None, Timestamp::now())
            .await
            .unwrap();

    assert_eq!(report.delivered, 1);
    // E-mail through the topic; android straight to the device's endpoint.
    let published = app.published().await;
    let channels: Vec<&str> = published.iter().map(|m| attribute(m, "channel")).collect();
    assert_eq!(channels, ["email"]);
    let endpoints = sns
        .list_endpoints_by_platform_application()
        .platform_application_arn(&platform)
        .send()
        .await
        .unwrap()
        .endpoints
        .unwrap_or_default();
    assert_eq!(endpoints.len(), 1);
    let registered = endpoints[0]
        .attributes
        .as_ref()
        .and_then(|a| a.get("Token"))
        .cloned();
    assert_eq!(registered.as_deref(), Some(token.as_str()));
}

/// A notifier whose SNS endpoint refuses every connection.
async fn unreachable_notifier() -> users_shared::notify::Notifier {
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url("http://127.0.0.1:9")
        .region(aws_config::Region::new("us-east-1"))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await;
    users_shared::notify::Notifier::new(
        aws_sdk_sns::Client::new(&sdk),
        "arn:aws:sns:us-east-1:123456789012:gone",
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unread_counts_are_exact_after_concurrent_sends_and_marks() {
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let (boss, alice, token) = boss_and_alice(&app).await;
    for n in 0..10 {
        staff_send(&app, &boss, alice, &format!("Seed{n}")).await;
    }
    let seeded = history(&app, &token, "limit=10").await;
    let seeded_ids: Vec<u64> = column(&seeded["notifications"], "id")
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();

    let mut tasks = Vec::new();
    for n in 0..50 {
        let (app, boss) = (app.clone(), boss.clone());
        tasks.push(tokio::spawn(async move {
            staff_send(&app, &boss, alice, &format!("C{n}"))
                .await
                .status
        }));
    }
    for id in seeded_ids {
        let (app, token) = (app.clone(), token.clone());
        tasks.push(tokio::spawn(async move {
            form(&app, MARK_READ, &format!("ids={id}"), Some(&token))
                .await
                .status
        }));
    }
    for task in tasks {
        assert_eq!(task.await.expect("task"), StatusCode::OK);
    }

    let after = history(&app, &token, "limit=100").await;
    assert_eq!(after["total"], 60);
    assert_eq!(after["unread"], 50);
    let unread = column(&after["notifications"], "read")
        .iter()
        .filter(|r| **r == false)
        .count();
    assert_eq!(unread, 50);
}

// --- the chat server's unread views -------------------------------------------------------

async fn note_at(app: &TestApp, user: u64, at: &str) {
    let store = &app.api.functions().auth.store;
    let id = *store.next_note_ids(1).await.unwrap().end();
    let note = Notification {
        id,
        user_id: UserId::new(user),
        title: "t".into(),
        message: "m".into(),
        kind: "chat".into(),
        data: None,
        read: false,
        created_at: Timestamp::parse_rfc3339(at).unwrap(),
    };
    let new = NewNote {
        note,
        channels: Vec::new(),
        body: json!({}),
        job: None,
    };
    store.create_notes(&[new]).await.unwrap();
}

#[tokio::test]
async fn the_chat_unread_routes_count_exactly_within_the_window() {
    let app = TestApp::spawn().await;
    let chat = app.chat_client("chat").await;
    for (id, name) in [("ann@example.com", "Ann"), ("bob@example.com", "Bob")] {
        let made = chat
            .post_json(
                CHAT_LOGIN_OR_REGISTER,
                &json!({"user_id": id, "username": name}),
            )
            .await;
        assert_eq!(made.status, StatusCode::OK, "{}", made.body);
    }
    let store = &app.api.functions().auth.store;
    let ann = store
        .user_id_by_chat_id("ann@example.com")
        .await
        .unwrap()
        .unwrap()
        .get();
    let bob = store
        .user_id_by_chat_id("bob@example.com")
        .await
        .unwrap()
        .unwrap()
        .get();
    // Across midnight: one just before the window, two in it, one after it.
    note_at(&app, ann, "2026-01-01T23:59:59Z").await;
    note_at(&app, ann, "2026-01-02T00:00:00Z").await;
    note_at(&app, bob, "2026-01-02T10:00:00Z").await;
    note_at(&app, ann, "2026-01-02T23:59:59Z").await;
    note_at(&app, bob, "2026-01-03T00:00:01Z").await;
    let window = "start_time=2026-01-02%2000:00:00&end_time=2026-01-02%2023:59:59";

    let counts = chat
        .get(&format!(
            "/api/v2.1/rest/get_user_unread_count?user_ids[]=ann@example.com&user_ids[]=bob@example.com&user_ids[]=nobody&{window}"
        ))
        .await;
    counts.assert_answer(
        StatusCode::OK,
        json!({"results": {"user_unread_count": [
            {"unread_count": 2, "user_id": "ann@example.com"},
            {"unread_count": 1, "user_id": "bob@example.com"},
            {"unread_count": 0, "user_id": "nobody"}
        ]}, "status": 200}),
    );
    let users = chat
        .get(&format!("/api/v2.1/rest/get_unread_users?{window}"))
        .await;
    users.assert_answer(
        StatusCode::OK,
        json!({"results": {"user_ids": ["ann@example.com", "bob@example.com"]}, "status": 200}),
    );
    let second = chat
        .get(&format!(
            "/api/v2.1/rest/get_unread_users?page=2&limit=1&{window}"
        ))
        .await;
    assert_eq!(
        second.body["results"]["user_ids"],
        json!(["bob@example.com"])
    );
    let late = chat
        .get("/api/v2.1/rest/get_unread_users?start_time=2026-01-03%2000:00:00&end_time=2026-01-03%2023:00:00")
        .await;
    assert_eq!(late.body["results"]["user_ids"], json!(["bob@example.com"]));

    let missing = chat.get("/api/v2.1/rest/get_user_unread_count").await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.body["status"], 400);
    let bad_time = chat
        .get("/api/v2.1/rest/get_unread_users?start_time=yesterday")
        .await;
    assert_eq!(bad_time.status, StatusCode::BAD_REQUEST);
    let anonymous = app.get("/api/v2.1/rest/get_unread_users", None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

/// Each channel's messages on the topic since the last call: channel → how many.
async fn published_per_channel(app: &TestApp) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for message in app.published().await {
        *counts
            .entry(attribute(&message, "channel").to_owned())
            .or_default() += 1;
    }
    counts
}

/// User `ann` of the push contract, with her e-mail, an android and an ios device, and the
/// unicast theme `alerts`; her id.
async fn ann_with_phones(push: &AppClient<'_>) -> u64 {
    let ann = push_user(
        push,
        "ann",
        &[("android", "ANN-ANDROID"), ("ios", "ANN-IOS")],
    )
    .await;
    theme(push, "alerts", "unicast").await;
    ann
}

#[tokio::test]
async fn a_channel_published_before_a_failure_is_not_published_again_on_a_retry_or_replay() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = ann_with_phones(&push).await;
    app.published().await;
    unicast(&push, ann)
        .await
        .assert_answer(StatusCode::OK, json!({"result": true}));

    // E-mail goes out through the topic; android's platform application does not exist, so
    // the attempt stops there and is kept for later.
    let auth = &app.api.functions().auth;
    let broken = auth.notifier.clone().with_platform_apps(
        Some("arn:aws:sns:us-east-1:123456789012:app/GCM/missing".to_owned()),
        None,
    );
    let now = Timestamp::now();
    let first = users_shared::service::delivery::sweep(&auth.store, &broken, None, now)
        .await
        .unwrap();
    assert_eq!((first.delivered, first.retried), (0, 1));
    assert_eq!(
        published_per_channel(&app).await,
        [("email".to_owned(), 1)].into()
    );

    // Every later attempt fails the same way until it is given up: the operator's listing
    // names what is left to publish.
    let mut now = now;
    for _ in 1..users_shared::service::delivery::MAX_ATTEMPTS {
        now = now.plus_seconds(600);
        users_shared::service::delivery::sweep(&auth.store, &broken, None, now)
            .await
            .unwrap();
    }
    assert!(app.published().await.is_empty(), "e-mail is not sent again");
    let listed = app.admin(&["deliveries", "dead"], "").await.unwrap();
    assert!(
        listed.contains(&format!("\t{ann}\talerts\tandroid,ios\t8")),
        "{listed}"
    );

    // Replayed, the retry publishes what is left, and e-mail not again.
    app.admin(&["deliveries", "replay"], "").await.unwrap();
    let later = now.plus_seconds(600);
    assert_eq!(app.sweep_at(later).await.delivered, 1);
    assert_eq!(
        published_per_channel(&app).await,
        [("android".to_owned(), 1), ("ios".to_owned(), 1)].into()
    );
    assert_eq!(app.sweep_at(later.plus_seconds(600)).await.delivered, 0);
    assert!(app.published().await.is_empty());
}

#[tokio::test]
async fn delivering_a_notification_reads_nothing_and_writes_its_lease_and_once_per_channel() {
    use crate::proxy::{sessions_behind, Proxy};
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let ann = ann_with_phones(&push).await;
    let (boss, alice, _) = boss_and_alice(&app).await;
    let proxy = Proxy::to_dynamodb().await;
    let store = sessions_behind(&app, &proxy).await.store;
    let notifier = &app.api.functions().auth.notifier;
    // One sweep that delivers one notification: the DynamoDB calls it made.
    let swept = || async {
        proxy.take_timed_calls();
        let report =
            users_shared::service::delivery::sweep(&store, notifier, None, Timestamp::now())
                .await
                .unwrap();
        assert_eq!(report.delivered, 1);
        let mut counts = std::collections::BTreeMap::<String, u64>::new();
        for call in proxy.take_timed_calls() {
            *counts.entry(call.operation).or_default() += 1;
        }
        counts
    };
    let of = |pairs: &[(&str, u64)]| -> std::collections::BTreeMap<String, u64> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    };
    // The sweep itself: the send jobs' partition and the ten outbox shards.
    let sweep_reads = ("Query", 11);

    // One channel (alice's e-mail): the lease, then the entry's removal once it is out.
    assert_eq!(
        staff_send(&app, &boss, alice, "One").await.status,
        StatusCode::OK
    );
    app.published().await;
    assert_eq!(
        swept().await,
        of(&[sweep_reads, ("UpdateItem", 1), ("DeleteItem", 1)])
    );
    assert_eq!(
        published_per_channel(&app).await,
        [("email".to_owned(), 1)].into()
    );

    // Three channels: the lease, a record on the entry after each channel but the last, and
    // the removal, which records the last.
    unicast(&push, ann)
        .await
        .assert_answer(StatusCode::OK, json!({"result": true}));
    assert_eq!(
        swept().await,
        of(&[sweep_reads, ("UpdateItem", 3), ("DeleteItem", 1)])
    );
    assert_eq!(
        published_per_channel(&app).await,
        [
            ("android".to_owned(), 1),
            ("email".to_owned(), 1),
            ("ios".to_owned(), 1)
        ]
        .into()
    );
}
