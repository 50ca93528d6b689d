//! No password, password hash, token, one-time code or app secret ever appears in a log line,
//! on the paths that log most: failures, lockouts, reused tokens, and a topic that is down.

use crate::support::{s, TestApp, CHAT_LOGIN_OR_REGISTER};
use reqwest::StatusCode;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| std::io::Error::other("poisoned"))?
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

#[tokio::test]
async fn secrets_never_reach_the_log() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::INFO)
        .with_writer(move || writer.clone())
        .finish();
    // All the tests share one process, and the others run on other threads meanwhile. This
    // test's runtime has one thread, which runs every task of its two apps: a subscriber for
    // this thread captures exactly their log lines, and no other test's.
    let _capturing = tracing::subscriber::set_default(subscriber);
    let app = TestApp::spawn().await;
    let down = TestApp::spawn_with(|config| {
        config.topic_arn = Some("arn:aws:sns:us-east-1:123456789012:no-such-topic".into());
    })
    .await;

    let alice = app.register("alice").await;
    let refresh = alice["refresh"].as_str().unwrap().to_owned();
    let rotated = app
        .post_json(
            "/careers/users/token/refresh/",
            &json!({"refresh": refresh}),
            None,
        )
        .await;
    app.post_json(
        "/careers/users/token/refresh/",
        &json!({"refresh": refresh}),
        None,
    )
    .await;
    for _ in 0..6 {
        app.login_as("alice", "wrong-password-1").await;
    }
    let signup = json!({"email": "carol@example.com", "password": "carolpassword9", "confirm_password": "carolpassword9"});
    app.post_json("/api/v1/accounts/users/", &signup, None)
        .await;
    let code = app.published().await[0]["Message"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let chat = app.chat_client("chat").await;
    chat.with_secret("wrong-secret-value")
        .post_json(
            CHAT_LOGIN_OR_REGISTER,
            &json!({"user_id": "x", "username": "X", "password": "chatpassword1"}),
        )
        .await;
    let unsent = down
        .post_json("/api/v1/accounts/users/", &signup, None)
        .await;
    assert_eq!(
        unsent.status,
        StatusCode::CREATED,
        "the account is kept when the topic is down"
    );
    assert_eq!(
        unsent.body["msg"],
        "Account created, but the email could not be sent; request a new code."
    );

    let log = captured.text();
    assert!(
        log.contains("refresh token reused"),
        "the run did log: {log}"
    );
    assert!(
        log.contains("not published"),
        "the failed publish was logged: {log}"
    );
    let hashes: Vec<String> = app
        .items_of("USER")
        .await
        .iter()
        .map(|u| s(u, "password_hash").to_owned())
        .collect();
    let rotated_refresh = rotated.body["refresh"].as_str().unwrap();
    let mut secrets = vec![
        "password123",
        "wrong-password-1",
        "carolpassword9",
        "chatpassword1",
        "wrong-secret-value",
        &chat.secret,
        &code,
        &refresh,
        rotated_refresh,
        alice["access"].as_str().unwrap(),
    ];
    secrets.extend(hashes.iter().map(String::as_str));
    for secret in secrets {
        assert!(!log.contains(secret), "{secret} appears in the log");
    }
}
