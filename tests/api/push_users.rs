//! The push contract's users, behind `X-App-Id` / `X-App-Auth`.

use crate::support::{s, user_id, AppClient, Reply, TestApp, CAREERS_ME, PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn create(push: &AppClient<'_>, email: &str) -> Reply {
    push.post_form("/user", &[("email", email)]).await
}

/// The addresses of a push user's `email` devices.
fn emails(user: &Value) -> Vec<Value> {
    user["email"]
        .as_object()
        .unwrap_or_else(|| panic!("no email devices in {user}"))
        .values()
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_user_created_by_email_has_that_email_as_a_device() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;

    let created = create(&push, "someone@example.com").await;

    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let user = &created.body["result"];
    let id = user["id"].as_u64().unwrap();
    let emails = user["email"].as_object().unwrap();
    assert_eq!(emails.len(), 1);
    assert_eq!(emails.values().next().unwrap(), "someone@example.com");
    assert!(
        emails.keys().next().unwrap().parse::<u64>().is_ok(),
        "keyed by device id"
    );
    assert_eq!(user["android"], json!([]));
    assert_eq!(user["ios"], json!([]));
    let fetched = push.get(&format!("/user/{id}")).await;
    assert_eq!(fetched.body, created.body);
}

#[tokio::test]
async fn a_push_user_cannot_sign_in() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let created = create(&push, "someone@example.com").await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    assert_eq!(emails(&created.body["result"]), ["someone@example.com"]);

    let login = app
        .login(&json!({"email": "someone@example.com", "password": "anything1"}))
        .await;

    login.assert_answer(
        StatusCode::UNAUTHORIZED,
        json!({"detail": "No active account found with the given credentials"}),
    );
    let users = app.items_of("USER").await;
    assert_eq!(
        users.len(),
        1,
        "the user exists; only signing in is refused"
    );
    assert_eq!(s(&users[0], "email"), "someone@example.com");
}

#[tokio::test]
async fn bad_and_taken_emails_are_refused() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    app.register("alice").await;

    let invalid = create(&push, "not-an-email").await;
    let taken = create(&push, "ALICE@example.com").await;

    invalid.assert_push_error(
        StatusCode::BAD_REQUEST,
        "email: Enter a valid email address.",
    );
    taken.assert_push_error(
        StatusCode::CONFLICT,
        "email: A user with that email already exists.",
    );
}

#[tokio::test]
async fn bulk_creation_refuses_protected_fields_as_single_creation_does() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;

    let single = push
        .post_json(
            "/user",
            &json!({"email": "a@example.com", "is_staff": true}),
        )
        .await;
    let bulk = push
        .post_json(
            "/users",
            &json!({"emails": ["b@example.com"], "is_staff": true, "id": 1}),
        )
        .await;

    single.assert_push_error(
        StatusCode::BAD_REQUEST,
        "is_staff: This field cannot be set.",
    );
    bulk.assert_push_error(StatusCode::BAD_REQUEST, "id: This field cannot be set.");
    assert!(app.items_of("USER").await.is_empty(), "nobody was created");
}

#[tokio::test]
async fn missing_and_wrong_credentials_get_401_in_the_push_shape() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;

    let missing = app.get("/user/1", None).await;
    let wrong = push.with_secret("nope").get("/users").await;

    missing.assert_push_error(StatusCode::UNAUTHORIZED, "Missing app credentials");
    wrong.assert_push_error(StatusCode::UNAUTHORIZED, "Invalid app credentials");
}

#[tokio::test]
async fn unknown_users_are_404() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;

    for path in ["/user/999", "/user/abc", "/user/0"] {
        let reply = push.get(path).await;
        reply.assert_push_error(StatusCode::NOT_FOUND, "User not found");
    }
}

#[tokio::test]
async fn bulk_creation_creates_the_valid_emails_and_says_which_were_refused() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    app.register("taken").await;

    let reply = push
        .post_json(
            "/users",
            &json!({
                "emails": ["one@example.com", "bad", "two@example.com", "taken@example.com"]
            }),
        )
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let created: Vec<Value> = reply.body["result"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(emails)
        .collect();
    assert_eq!(created, ["one@example.com", "two@example.com"]);
    assert_eq!(
        reply.body["rejected"],
        json!([
            {"email": "bad", "error": "Enter a valid email address."},
            {"email": "taken@example.com", "error": "A user with that email already exists."}
        ])
    );
    let form = push
        .post_form("/users", &[("emails", r#"["three@example.com"]"#)])
        .await;
    assert_eq!(form.body["result"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_list_pages_in_sign_up_order_and_is_empty_past_the_end() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            create(&push, &format!("p{i}@example.com")).await.body["result"]["id"]
                .as_u64()
                .unwrap(),
        );
    }

    let mut listed = Vec::new();
    for page in 1..=3 {
        let reply = push.get(&format!("/users?limit=2&page={page}")).await;
        assert_eq!(reply.status, StatusCode::OK);
        let result = &reply.body["result"];
        assert_eq!(result["limit"], 2);
        assert_eq!(result["page"], page);
        let users = result["users"].as_array().unwrap();
        assert_eq!(result["totalInPage"], users.len());
        listed.extend(users.iter().map(|u| u["id"].as_u64().unwrap()));
    }
    let past = push.get("/users?limit=2&page=4").await;

    assert_eq!(listed, ids);
    assert_eq!(past.body["result"]["users"], json!([]));
    assert_eq!(
        push.get("/users?limit=x").await.status,
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn deleting_a_user_leaves_nothing_of_theirs() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let alice_id = user_id(&alice);
    app.login_as("alice", PASSWORD).await;
    app.login_as("alice", "wrong-one").await;
    let before = app.items_about_user(alice_id, "alice").await;

    let deleted = push.delete(&format!("/user/{alice_id}")).await;

    deleted.assert_answer(StatusCode::OK, json!({"result": true}));
    assert!(!before.is_empty());
    let left = app.items_about_user(alice_id, "alice").await;
    assert!(left.is_empty(), "left behind: {left:?}");
    assert_eq!(
        push.get(&format!("/user/{alice_id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(CAREERS_ME, alice["access"].as_str()).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get(CAREERS_ME, bob["access"].as_str()).await.status,
        StatusCode::OK
    );
    let again = push.delete(&format!("/user/{alice_id}")).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let reused = app.register("alice").await;
    assert_ne!(
        reused["user"]["id"], alice["user"]["id"],
        "the name is free again; the id is not reused"
    );
}

#[tokio::test]
async fn the_status_reason_header_is_spelled_as_the_push_client_looks_it_up() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn().await;
    let address = app.base_url.trim_start_matches("http://").to_owned();
    let mut stream = tokio::net::TcpStream::connect(&address)
        .await
        .expect("connect");

    let request = format!("GET /user/1 HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.expect("sent");
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.expect("read");

    // The official PHP client finds the reason with a case-sensitive lookup of the raw header.
    assert!(raw.starts_with("HTTP/1.1 401"), "{raw}");
    assert!(
        raw.contains("\r\nX-Status-Reason: Missing app credentials\r\n"),
        "{raw}"
    );
}

#[tokio::test]
async fn a_username_freed_by_a_deletion_and_taken_anew_shows_its_new_owner() {
    let app = TestApp::spawn().await;
    let push = app.push_client("push").await;
    let first = user_id(&app.register("alice").await);
    // Looked up once: the process remembers whose the username was.
    assert_eq!(app.profile("alice").await["id"], first);

    let deleted = push.delete(&format!("/user/{first}")).await;
    deleted.assert_answer(StatusCode::OK, json!({"result": true}));
    assert_eq!(
        app.get("/careers/users/alice/", None).await.status,
        StatusCode::NOT_FOUND
    );
    let second = user_id(&app.register("alice").await);

    assert_ne!(second, first);
    assert_eq!(app.profile("ALICE").await["id"], second);
    assert_eq!(app.profile("alice").await["id"], second);
}
