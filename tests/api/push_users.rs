//! The push contract's users, behind `X-App-Id` / `X-App-Auth`.

use crate::support::{Reply, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

struct Push<'a> {
    app: &'a TestApp,
    id: String,
    secret: String,
}

impl<'a> Push<'a> {
    async fn new(app: &'a TestApp) -> Self {
        let (id, secret) = app.app_credential("push").await;
        Self { app, id, secret }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.app
            .http
            .request(method, format!("{}{}", self.app.base_url, path))
            .header("X-App-Id", &self.id)
            .header("X-App-Auth", &self.secret)
    }

    async fn send(&self, builder: reqwest::RequestBuilder) -> Reply {
        let response = builder.send().await.expect("sent");
        let status = response.status();
        let headers = response.headers().clone();
        let body: Value = response.json().await.expect("JSON");
        Reply {
            status,
            headers,
            body,
        }
    }

    async fn create(&self, email: &str) -> Reply {
        self.send(
            self.request(reqwest::Method::POST, "/user")
                .form(&[("email", email)]),
        )
        .await
    }

    async fn get(&self, path: &str) -> Reply {
        self.send(self.request(reqwest::Method::GET, path)).await
    }
}

#[tokio::test]
async fn a_user_created_by_email_has_that_email_as_a_device() {
    let app = TestApp::spawn().await;
    let push = Push::new(&app).await;

    let created = push.create("someone@example.com").await;

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
    let push = Push::new(&app).await;
    push.create("someone@example.com").await;

    let login = app
        .post_json(
            "/careers/users/login/",
            &json!({"email": "someone@example.com", "password": "anything1"}),
            None,
        )
        .await;

    assert_eq!(login.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_and_taken_emails_are_refused() {
    let app = TestApp::spawn().await;
    let push = Push::new(&app).await;
    app.register("alice").await;

    let invalid = push.create("not-an-email").await;
    let taken = push.create("ALICE@example.com").await;

    assert_eq!(invalid.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        invalid.body,
        json!({"error": "email: Enter a valid email address."})
    );
    assert_eq!(taken.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        taken.body,
        json!({"error": "email: A user with that email already exists."})
    );
}

#[tokio::test]
async fn missing_and_wrong_credentials_get_401_in_the_push_shape() {
    let app = TestApp::spawn().await;
    let push = Push::new(&app).await;

    let missing = app.get("/user/1", None).await;
    let wrong = push
        .send(
            app.http
                .get(format!("{}/users", app.base_url))
                .header("X-App-Id", &push.id)
                .header("X-App-Auth", "nope"),
        )
        .await;

    assert_eq!(missing.status, StatusCode::UNAUTHORIZED);
    assert_eq!(missing.body, json!({"error": "Missing app credentials"}));
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body, json!({"error": "Invalid app credentials"}));
}

#[tokio::test]
async fn unknown_users_are_404() {
    let app = TestApp::spawn().await;
    let push = Push::new(&app).await;

    for path in ["/user/999", "/user/abc", "/user/0"] {
        let reply = push.get(path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.body, json!({"error": "User not found"}));
    }
}

#[tokio::test]
async fn bulk_creation_creates_the_valid_emails_and_says_which_were_refused() {
    let app = TestApp::spawn().await;
    let push = Push::new(&app).await;
    app.register("taken").await;

    let reply = push
        .send(push.request(reqwest::Method::POST, "/users").json(&json!({
            "emails": ["one@example.com", "bad", "two@example.com", "taken@example.com"]
        })))
        .await;

    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let created: Vec<&str> = reply.body["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            u["email"]
                .as_object()
                .unwrap()
                .values()
                .next()
                .unwrap()
                .as_str()
                .unwrap()
        })
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
        .send(
            push.request(reqwest::Method::POST, "/users")
                .form(&[("emails", r#"["three@example.com"]"#)]),
        )
        .await;
    assert_eq!(form.body["result"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_list_pages_in_sign_up_order_and_is_empty_past_the_end() {
    let app = TestApp::spawn().await;
    let push = Push::new(&app).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            push.create(&format!("p{i}@example.com")).await.body["result"]["id"]
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
    let push = Push::new(&app).await;
    let alice = app.register("alice").await;
    let bob = app.register("bob").await;
    let alice_id = alice["user"]["id"].as_u64().unwrap();
    app.post_json(
        "/careers/users/login/",
        &json!({"username": "alice", "password": "password123"}),
        None,
    )
    .await;
    app.post_json(
        "/careers/users/login/",
        &json!({"username": "alice", "password": "wrong-one"}),
        None,
    )
    .await;
    let before: Vec<_> = app.all_items().await;

    let deleted = push
        .send(push.request(reqwest::Method::DELETE, &format!("/user/{alice_id}")))
        .await;

    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(deleted.body, json!({"result": true}));
    let after = app.all_items().await;
    let mentions_alice = |item: &crate::support::Item| {
        let text = format!("{item:?}");
        text.contains(&format!("USER#{alice_id}\"")) || text.contains("alice")
    };
    assert!(before.iter().any(mentions_alice));
    let left: Vec<_> = after.iter().filter(|i| mentions_alice(i)).collect();
    assert!(left.is_empty(), "left behind: {left:?}");
    assert_eq!(
        push.get(&format!("/user/{alice_id}")).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/careers/users/me/", alice["access"].as_str())
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/careers/users/me/", bob["access"].as_str())
            .await
            .status,
        StatusCode::OK
    );
    let again = push
        .send(push.request(reqwest::Method::DELETE, &format!("/user/{alice_id}")))
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    let reused = app.register("alice").await;
    assert_ne!(
        reused["user"]["id"], alice["user"]["id"],
        "the name is free again; the id is not reused"
    );
}
