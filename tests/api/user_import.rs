//! `userctl import <file.csv>`: users in bulk, invalid rows reported by line, re-runs skip
//! what is there, migrated argon2 hashes sign in.

use crate::support::{TestApp, PASSWORD};
use reqwest::StatusCode;
use serde_json::json;
use std::path::PathBuf;
use users_shared::auth::password;
use users_shared::domain::Password;

/// A file of `text` in the temporary directory, removed when dropped.
struct CsvFile(PathBuf);

impl CsvFile {
    fn new(text: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!("import-{}-{nanos}.csv", std::process::id()));
        std::fs::write(&path, text).expect("CSV written");
        Self(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("UTF-8 path")
    }
}

impl Drop for CsvFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A file of three good rows (alice with [`PASSWORD`]'s hash, in Django's form, quoted as
/// its commas need; bob with
/// none; carol) and three bad ones, on lines 4, 6 and 7.
async fn users_csv() -> CsvFile {
    let hash = password::hash(Password::parse_new(PASSWORD).unwrap())
        .await
        .unwrap();
    CsvFile::new(&format!(
        "username,email,first_name,last_name,gender,birthday,categories,password_hash\n\
         alice,alice@example.com,Alice,Smith,F,1990-02-03,fashion;beauty,\"argon2{hash}\"\n\
         bob,bob@example.com,Bob,,M,,,\n\
         bad name,bad@example.com,,,,,,\n\
         carol,carol@example.com,Carol,Jones,O,1985-12-31,technology,\"{hash}\"\n\
         dave,dave@example,,,,,,\n\
         erin,erin@example.com,,,,2090-01-01,,\n"
    ))
}

fn summary_line(out: &str) -> &str {
    out.lines().last().expect("a summary")
}

#[tokio::test]
async fn good_rows_are_created_and_bad_ones_reported_by_line() {
    let app = TestApp::spawn().await;
    let file = users_csv().await;

    let out = app.admin(&["import", file.path()], "").await.unwrap();

    let reported: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("line "))
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(reported, ["line 4", "line 6", "line 7"], "{out}");
    assert!(out.contains("line 4: invalid: username: "), "{out}");
    assert!(out.contains("line 6: invalid: email: "), "{out}");
    assert!(out.contains("line 7: invalid: birthday: "), "{out}");
    assert!(
        summary_line(&out).starts_with(
            "created 3 (1 without a password hash: they cannot sign in until it is set), \
             already present 0, invalid 3, failed 0, in "
        ),
        "{out}"
    );
    assert_eq!(app.items_of("USER").await.len(), 3);
    assert_eq!(app.items_of("USERNAME_GUARD").await.len(), 3);
    assert_eq!(app.items_of("EMAIL_GUARD").await.len(), 3);
    let token = app.access_token("alice").await;
    let me = app.get("/careers/users/me/", Some(&token)).await;
    assert_eq!(me.body["first_name"], "Alice", "{}", me.body);
}

#[tokio::test]
async fn running_the_same_file_again_creates_nothing_twice() {
    let app = TestApp::spawn().await;
    let file = users_csv().await;
    app.admin(&["import", file.path()], "").await.unwrap();

    let again = app.admin(&["import", file.path()], "").await.unwrap();

    assert!(
        summary_line(&again).starts_with(
            "created 0 (0 without a password hash: they cannot sign in until it is set), \
             already present 3, invalid 3, failed 0, in "
        ),
        "{again}"
    );
    assert_eq!(app.items_of("USER").await.len(), 3);
}

#[tokio::test]
async fn a_user_already_signed_up_counts_as_already_present() {
    let app = TestApp::spawn().await;
    app.register("carol").await;
    let file = users_csv().await;

    let out = app.admin(&["import", file.path()], "").await.unwrap();

    assert!(summary_line(&out).contains("created 2 "), "{out}");
    assert!(summary_line(&out).contains("already present 1,"), "{out}");
    assert_eq!(app.items_of("USER").await.len(), 3);
}

#[tokio::test]
async fn imported_users_sign_in_with_their_migrated_password_and_without_one_cannot() {
    let app = TestApp::spawn().await;
    let file = users_csv().await;
    app.admin(&["import", file.path()], "").await.unwrap();

    let alice = app.login_as("alice", PASSWORD).await;
    let carol = app
        .login(&json!({"username": "carol@example.com", "password": PASSWORD}))
        .await;
    let wrong = app.login_as("carol", "not-the-password").await;
    let bob = app.login_as("bob", PASSWORD).await;

    assert_eq!(alice.status, StatusCode::OK, "{}", alice.body);
    assert_eq!(alice.body["user"]["username"], "alice", "{}", alice.body);
    assert_eq!(carol.status, StatusCode::OK, "{}", carol.body);
    assert_ne!(wrong.status, StatusCode::OK);
    assert_ne!(bob.status, StatusCode::OK, "no hash: no password signs in");
}

#[tokio::test]
async fn imported_users_keep_gender_birthday_categories_and_an_e_mail_device() {
    let app = TestApp::spawn().await;
    let file = users_csv().await;
    app.admin(&["import", file.path()], "").await.unwrap();

    let alice = app
        .items_of("USER")
        .await
        .into_iter()
        .find(|item| crate::support::s(item, "username") == "alice")
        .expect("alice");

    assert_eq!(crate::support::s(&alice, "gender"), "F");
    assert_eq!(crate::support::s(&alice, "birthday"), "1990-02-03");
    assert!(
        format!("{:?}", alice["categories"]).contains("beauty"),
        "{alice:?}"
    );
    assert!(format!("{:?}", alice["devices"]).contains("alice@example.com"));
    assert_eq!(app.items_of("DEVICE_GUARD").await.len(), 3);
}
