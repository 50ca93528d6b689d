//! The harness every black-box test uses: a fresh table on DynamoDB Local and the local API
//! (the same handlers and route table as the Lambdas) on a random loopback port; and the
//! fixtures the tests share: requests, users signed up and signed in through each contract,
//! clients that call with app credentials, and raw reads and edits of stored items.
//!
//! Needs the local stack: run the tests with `scripts/test.sh`, which starts it.

use aws_sdk_dynamodb::types::AttributeValue;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use users_shared::auth::keys::generate_ed25519;
use users_shared::config::Config;
use users_shared::domain::UserId;
use users_shared::store::keys;
use users_tools::server::{serve, Functions, LocalApi};
use users_tools::template::Template;
use users_tools::{provision, TEMPLATE_YAML};

pub type Item = HashMap<String, AttributeValue>;

/// The password of every user the fixtures sign up.
pub const PASSWORD: &str = "password123";
pub const CAREERS_REGISTER: &str = "/careers/users/register/";
pub const CAREERS_LOGIN: &str = "/careers/users/login/";
pub const CAREERS_ME: &str = "/careers/users/me/";
pub const CAMPAIGN_REGISTER: &str = "/api/action/register/";
pub const CHAT_LOGIN_OR_REGISTER: &str = "/api/v2.1/rest/login_or_register";

/// What a test sees of a response.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

pub struct TestApp {
    pub base_url: String,
    pub http: reqwest::Client,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub sqs: aws_sdk_sqs::Client,
    /// An SQS queue subscribed to this test's topic: what was published lands here.
    pub queue_url: String,
    pub table: String,
    pub config: Config,
    pub api: Arc<LocalApi>,
}

/// A table name no other test (in this or a parallel process) uses.
fn unique_table_name() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "test-{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

impl TestApp {
    /// A fresh table, fresh signing keys and the local API on a random port.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// As [`TestApp::spawn`], with the functions' configuration adjusted first.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        assert!(
            std::env::var("AWS_ENDPOINT_URL_DYNAMODB").is_ok(),
            "the black-box tests need the local stack: run them with scripts/test.sh"
        );
        let (private_pem, public_pem) = generate_ed25519().expect("key generation");
        let table = unique_table_name();
        let mut config = Config {
            table_name: table.clone(),
            issuer: "users-test".to_owned(),
            public_key_pem: public_pem,
            private_key_pem: Some(private_pem),
            topic_arn: None,
            app_secret_key: Some(
                users_shared::auth::sealing::SealingKey::from_base64(
                    &users_shared::auth::sealing::SealingKey::generate_base64().expect("key"),
                )
                .expect("key"),
            ),
            directory_scan_cap: users_shared::service::directory::SCAN_CAP,
        };
        let template = Template::parse(TEMPLATE_YAML).expect("template.yaml parses");
        let sdk = users_shared::config::aws_sdk_config().await;
        let dynamodb = aws_sdk_dynamodb::Client::new(&sdk);
        provision::create_table(&dynamodb, &table, &template.table)
            .await
            .expect("table created on DynamoDB Local");
        let sns = aws_sdk_sns::Client::new(&sdk);
        let sqs = aws_sdk_sqs::Client::new(&sdk);
        let topic_arn = provision::create_topic(&sns, &table)
            .await
            .expect("topic created on moto");
        let queue_url =
            provision::subscribe_queue(&sns, &sqs, &topic_arn, &format!("{table}-inbox"))
                .await
                .expect("queue subscribed on moto");
        config.topic_arn = Some(topic_arn);
        adjust(&mut config);
        let functions = Functions::new(&config, &sdk).expect("function state");
        let shipped = users_shared::service::reference::shipped().expect("shipped reference data");
        functions
            .auth
            .store
            .load_reference(&shipped)
            .await
            .expect("reference data loaded");
        let api = Arc::new(LocalApi::new(template, functions).expect("local API"));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let base_url = format!("http://{}", listener.local_addr().expect("address"));
        tokio::spawn(serve(listener, api.clone()));
        Self {
            base_url,
            http: reqwest::Client::new(),
            dynamodb,
            sqs,
            queue_url,
            table,
            config,
            api,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// A request to `path` on the local API, to finish and [`TestApp::send`].
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        self.http.request(method, self.url(path))
    }

    /// The same API and table, reached from another client address (any of 127.0.0.0/8): the
    /// service's per-address limits and locks see a different client.
    pub fn at_address(&self, address: &str) -> TestApp {
        let local: std::net::IpAddr = address.parse().expect("an IP address");
        TestApp {
            http: reqwest::Client::builder()
                .local_address(local)
                .build()
                .expect("an HTTP client"),
            base_url: self.base_url.clone(),
            dynamodb: self.dynamodb.clone(),
            sqs: self.sqs.clone(),
            queue_url: self.queue_url.clone(),
            table: self.table.clone(),
            config: self.config.clone(),
            api: self.api.clone(),
        }
    }

    /// Sends a request; what the client sees of the answer.
    pub async fn send(request: RequestBuilder) -> Reply {
        let response = request.send().await.expect("request sent");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("response body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| {
                panic!(
                    "response body is not JSON: {}",
                    String::from_utf8_lossy(&bytes)
                )
            })
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// `request` with `Authorization: Bearer <token>` when a token is given.
    async fn send_as(request: RequestBuilder, token: Option<&str>) -> Reply {
        match token {
            Some(token) => Self::send(request.bearer_auth(token)).await,
            None => Self::send(request).await,
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        Self::send_as(self.request(Method::GET, path), token).await
    }

    pub async fn post_json(&self, path: &str, body: &Value, token: Option<&str>) -> Reply {
        Self::send_as(self.request(Method::POST, path).json(body), token).await
    }

    /// A POST with a raw body and the given content type (`None`: no header at all).
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: &str,
        token: Option<&str>,
    ) -> Reply {
        let mut request = self.request(Method::POST, path).body(body.to_owned());
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        Self::send_as(request, token).await
    }

    /// A POST with no body and no content type, as the campaign checks are called.
    pub async fn post_empty(&self, path: &str, token: Option<&str>) -> Reply {
        self.post_raw(path, None, "", token).await
    }

    pub async fn post_form(&self, path: &str, body: &str) -> Reply {
        self.post_raw(path, Some("application/x-www-form-urlencoded"), body, None)
            .await
    }

    pub async fn patch_json(&self, path: &str, body: &Value, token: Option<&str>) -> Reply {
        Self::send_as(self.request(Method::PATCH, path).json(body), token).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        Self::send_as(self.request(Method::DELETE, path), token).await
    }

    /// A POST with extra headers and a JSON body.
    pub async fn post_with_headers(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> Reply {
        let mut request = self.request(Method::POST, path).json(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Self::send(request).await
    }

    /// Every message published to this test's topic since the last call, oldest first: the
    /// SNS envelope (`Message` parsed as JSON, `MessageAttributes`).
    pub async fn published(&self) -> Vec<Value> {
        let mut messages = Vec::new();
        loop {
            let output = self
                .sqs
                .receive_message()
                .queue_url(&self.queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(0)
                .send()
                .await
                .expect("receive from SQS");
            let batch = output.messages.unwrap_or_default();
            if batch.is_empty() {
                return messages;
            }
            for message in batch {
                let mut envelope: Value =
                    serde_json::from_str(message.body().unwrap_or("{}")).expect("SNS envelope");
                let inner = envelope["Message"].as_str().unwrap_or("null").to_owned();
                envelope["Message"] = serde_json::from_str(&inner).unwrap_or(Value::String(inner));
                messages.push(envelope);
                if let Some(handle) = message.receipt_handle() {
                    self.sqs
                        .delete_message()
                        .queue_url(&self.queue_url)
                        .receipt_handle(handle)
                        .send()
                        .await
                        .expect("delete");
                }
            }
        }
    }

    /// Runs the delivery worker once at `now`, as the schedule or the table's stream does;
    /// returns what it did.
    pub async fn sweep_at(
        &self,
        now: users_shared::clock::Timestamp,
    ) -> users_shared::service::delivery::Sweep {
        let auth = &self.api.functions().auth;
        users_shared::service::delivery::sweep(&auth.store, &auth.notifier, None, now)
            .await
            .expect("sweep")
    }

    /// [`TestApp::sweep_at`] now.
    pub async fn sweep(&self) -> users_shared::service::delivery::Sweep {
        self.sweep_at(users_shared::clock::Timestamp::now()).await
    }

    // --- the admin tool and app credentials ------------------------------------------------

    /// Runs a `userctl` command against this test's table; returns what it printed.
    pub async fn admin(
        &self,
        args: &[&str],
        password: &str,
    ) -> Result<String, users_tools::admin::AdminError> {
        let store = &self.api.functions().auth.store;
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let mut out = Vec::new();
        let password = password.to_owned();
        users_tools::admin::run(store, &args, move || Ok(password), &mut out).await?;
        Ok(String::from_utf8(out).expect("utf-8"))
    }

    /// Creates an app credential through the admin tool; returns (app id, secret).
    pub async fn app_credential(&self, name: &str) -> (String, String) {
        let out = self
            .admin(&["app", "create", name], "")
            .await
            .expect("app create");
        let field = |label: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(label))
                .map(str::trim)
                .map(str::to_owned)
                .expect("printed")
        };
        (field("app id:"), field("secret:"))
    }

    /// A chat server client (`QISCUS_SDK_APP_ID` / `QISCUS_SDK_SECRET`) with a new credential.
    pub async fn chat_client(&self, name: &str) -> AppClient<'_> {
        let (id, secret) = self.app_credential(name).await;
        AppClient::chat(self, &id, &secret)
    }

    /// A push client (`X-App-Id` / `X-App-Auth`) with a new credential.
    pub async fn push_client(&self, name: &str) -> AppClient<'_> {
        let (id, secret) = self.app_credential(name).await;
        AppClient::push(self, &id, &secret)
    }

    /// A campaign or careers backend (`X-App-Id` / `X-App-Secret`) with a new credential.
    pub async fn backend_client(&self, name: &str) -> AppClient<'_> {
        let (id, secret) = self.app_credential(name).await;
        AppClient::backend(self, &id, &secret)
    }

    /// Creates a staff user `<username>` (`<username>@example.com`, [`PASSWORD`]) through the
    /// admin tool; a superuser as well when asked.
    pub async fn create_staff(&self, username: &str, superuser: bool) {
        let email = format!("{username}@example.com");
        let mut args = vec!["staff", "create", username, email.as_str()];
        if superuser {
            args.push("--superuser");
        }
        self.admin(&args, PASSWORD).await.expect("staff created");
    }

    // --- users, signed up and signed in -----------------------------------------------------

    /// Signs up `username` with `<username>@example.com` and [`PASSWORD`]; returns the 201 body.
    pub async fn register(&self, username: &str) -> Value {
        self.register_as(&sign_up(username)).await
    }

    /// Signs up through careers with `body`; returns the 201 body.
    pub async fn register_as(&self, body: &Value) -> Value {
        let reply = self.post_json(CAREERS_REGISTER, body, None).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body
    }

    /// Signs up `username` through the campaign app (a form, country 1, city 2, [`PASSWORD`]);
    /// returns the new user's id.
    pub async fn campaign_register(&self, username: &str) -> u64 {
        let reply = self
            .post_form(
                CAMPAIGN_REGISTER,
                &format!("username={username}&email={username}%40example.com&password={PASSWORD}&first_name=A&last_name=B&country=1&city=2"),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body["user_id"].as_u64().expect("user_id")
    }

    /// A careers sign-in with `body`, as it is answered.
    pub async fn login(&self, body: &Value) -> Reply {
        self.post_json(CAREERS_LOGIN, body, None).await
    }

    /// A careers sign-in by username, as it is answered.
    pub async fn login_as(&self, username: &str, password: &str) -> Reply {
        self.login(&json!({"username": username, "password": password}))
            .await
    }

    /// Signs `username` in with [`PASSWORD`]; returns the access token.
    pub async fn access_token(&self, username: &str) -> String {
        let login = self.login_as(username, PASSWORD).await;
        assert_eq!(login.status, StatusCode::OK, "{}", login.body);
        text(&login.body, "access")
    }

    /// The careers public profile of `username`, as anyone sees it.
    pub async fn profile(&self, username: &str) -> Value {
        self.get(&format!("/careers/users/{username}/"), None)
            .await
            .body
    }

    // --- stored items: reads and edits behind the API's back ---------------------------------

    /// Every item of this test's table (a Scan: for assertions only, never on a request path).
    pub async fn all_items(&self) -> Vec<Item> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let output = self
                .dynamodb
                .scan()
                .table_name(&self.table)
                .consistent_read(true)
                .set_exclusive_start_key(start)
                .send()
                .await
                .expect("scan");
            items.extend(output.items.unwrap_or_default());
            start = output.last_evaluated_key;
            if start.is_none() {
                return items;
            }
        }
    }

    /// The items whose `entity` attribute is `entity`.
    pub async fn items_of(&self, entity: &str) -> Vec<Item> {
        self.all_items()
            .await
            .into_iter()
            .filter(|item| s(item, keys::ENTITY) == entity)
            .collect()
    }

    /// The stored user item of `user_id`.
    pub async fn user_item(&self, user_id: u64) -> Item {
        self.dynamodb
            .get_item()
            .table_name(&self.table)
            .key(keys::PK, AttributeValue::S(user_pk(user_id)))
            .key(keys::SK, AttributeValue::S(keys::PROFILE_SK.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .expect("get user")
            .item
            .unwrap_or_else(|| panic!("no user item for {user_id}"))
    }

    /// The items that still speak of a user: one with an attribute naming their partition
    /// (`USER#<id>`, as a key or a reference) or that mentions their username anywhere.
    pub async fn items_about_user(&self, user_id: u64, username: &str) -> Vec<Item> {
        let partition = format!("{:?}", AttributeValue::S(user_pk(user_id)));
        self.all_items()
            .await
            .into_iter()
            .filter(|item| {
                let text = format!("{item:?}");
                text.contains(&partition) || text.contains(username)
            })
            .collect()
    }

    /// Sets one attribute of the item (`pk`, `sk`) directly in the table.
    pub async fn set_attribute(&self, pk: String, sk: &str, name: &str, value: AttributeValue) {
        self.dynamodb
            .update_item()
            .table_name(&self.table)
            .key(keys::PK, AttributeValue::S(pk))
            .key(keys::SK, AttributeValue::S(sk.to_owned()))
            .update_expression("SET #n = :v")
            .expression_attribute_names("#n", name)
            .expression_attribute_values(":v", value)
            .send()
            .await
            .expect("update item");
    }

    /// Sets one attribute of the stored user `user_id` directly in the table.
    pub async fn set_user_attribute(&self, user_id: u64, name: &str, value: AttributeValue) {
        self.set_attribute(user_pk(user_id), keys::PROFILE_SK, name, value)
            .await;
    }
}

/// What a server calling with app credentials sends: the credential in the header pair of its
/// contract.
pub struct AppClient<'a> {
    app: &'a TestApp,
    header_names: [&'static str; 2],
    pub id: String,
    pub secret: String,
}

impl<'a> AppClient<'a> {
    /// The chat server's headers, `QISCUS_SDK_APP_ID` and `QISCUS_SDK_SECRET`.
    pub fn chat(app: &'a TestApp, id: &str, secret: &str) -> Self {
        Self::new(app, ["QISCUS_SDK_APP_ID", "QISCUS_SDK_SECRET"], id, secret)
    }

    /// The push contract's headers, `X-App-Id` and `X-App-Auth`.
    pub fn push(app: &'a TestApp, id: &str, secret: &str) -> Self {
        Self::new(app, ["X-App-Id", "X-App-Auth"], id, secret)
    }

    /// The backends' headers on the counters route, `X-App-Id` and `X-App-Secret`.
    pub fn backend(app: &'a TestApp, id: &str, secret: &str) -> Self {
        Self::new(app, ["X-App-Id", "X-App-Secret"], id, secret)
    }

    fn new(app: &'a TestApp, header_names: [&'static str; 2], id: &str, secret: &str) -> Self {
        Self {
            app,
            header_names,
            id: id.to_owned(),
            secret: secret.to_owned(),
        }
    }

    /// The same client with another secret.
    pub fn with_secret(&self, secret: &str) -> Self {
        Self::new(self.app, self.header_names, &self.id, secret)
    }

    /// The same client with another app id.
    pub fn with_id(&self, id: &str) -> Self {
        Self::new(self.app, self.header_names, id, &self.secret)
    }

    /// A request to `path` carrying the credential, to finish and [`AppClient::send`].
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let [id_header, secret_header] = self.header_names;
        self.app
            .request(method, path)
            .header(id_header, &self.id)
            .header(secret_header, &self.secret)
    }

    pub async fn send(&self, request: RequestBuilder) -> Reply {
        TestApp::send(request).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.request(Method::GET, path)).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Reply {
        self.send(self.request(Method::POST, path).json(body)).await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        self.send(self.request(Method::POST, path).form(form)).await
    }

    pub async fn put_form(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        self.send(self.request(Method::PUT, path).form(form)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(self.request(Method::DELETE, path)).await
    }
}

impl Reply {
    /// Asserts the whole answer: its status and its exact body.
    #[track_caller]
    pub fn assert_answer(&self, status: StatusCode, body: Value) {
        assert_eq!((self.status, &self.body), (status, &body));
    }

    /// Asserts a push failure: its status, the body `{"error": message}` and the same line in
    /// `X-Status-Reason` (the original's error channel, the one its client reads).
    #[track_caller]
    pub fn assert_push_error(&self, status: StatusCode, message: &str) {
        self.assert_answer(status, json!({ "error": message }));
        assert_eq!(
            self.headers
                .get("x-status-reason")
                .and_then(|v| v.to_str().ok()),
            Some(message),
            "X-Status-Reason"
        );
    }

    /// Asserts a DRF validation error: 400, with exactly `message` on `field`.
    #[track_caller]
    pub fn assert_field_error(&self, field: &str, message: &str) {
        assert_eq!(
            (self.status, &self.body[field]),
            (StatusCode::BAD_REQUEST, &json!([message])),
            "{}",
            self.body
        );
    }

    /// The `Retry-After` header, in seconds.
    pub fn retry_after(&self) -> u64 {
        self.headers["retry-after"]
            .to_str()
            .expect("ASCII Retry-After")
            .parse()
            .expect("Retry-After in seconds")
    }
}

/// A complete, valid careers sign-up body.
pub fn sign_up(username: &str) -> Value {
    json!({
        "username": username,
        "email": format!("{username}@example.com"),
        "password": PASSWORD,
        "password_confirm": PASSWORD,
        "first_name": "First",
        "last_name": "Last",
        "bio": "Bio of someone",
    })
}

/// A string field of a JSON body (a token, a name), which must be there.
pub fn text(body: &Value, key: &str) -> String {
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} missing in {body}"))
        .to_owned()
}

/// The id of the user in a careers sign-up or sign-in body.
pub fn user_id(body: &Value) -> u64 {
    body["user"]["id"]
        .as_u64()
        .unwrap_or_else(|| panic!("no user id in {body}"))
}

/// One field of every object in a JSON list, in order.
pub fn column(list: &Value, key: &str) -> Vec<Value> {
    list.as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|row| row[key].clone())
        .collect()
}

/// The keys of a JSON object, sorted.
pub fn sorted_keys(object: &Value) -> Vec<&str> {
    let mut keys: Vec<&str> = object
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {object}"))
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    keys
}

/// The partition key of a user's items.
pub fn user_pk(user_id: u64) -> String {
    keys::user_pk(UserId::new(user_id))
}

/// A string attribute of an item.
pub fn s<'a>(item: &'a Item, name: &str) -> &'a str {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
        .unwrap_or_default()
}

/// A number attribute of an item (0 when it is absent).
pub fn number(item: &Item, name: &str) -> i64 {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The current time in epoch seconds, as TTL and timestamp attributes are stored.
pub fn epoch_seconds() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64
}
