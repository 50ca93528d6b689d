//! The harness every black-box test uses: a fresh table on DynamoDB Local and the local API
//! (the same handlers and route table as the Lambdas) on a random loopback port.
//!
//! Needs the local stack: run the tests with `scripts/test.sh`, which starts it.

use aws_sdk_dynamodb::types::AttributeValue;
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use users_shared::auth::keys::generate_ed25519;
use users_shared::config::Config;
use users_tools::server::{serve, Functions, LocalApi};
use users_tools::template::Template;
use users_tools::{provision, TEMPLATE_YAML};

pub type Item = HashMap<String, AttributeValue>;

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

    async fn reply(response: reqwest::Response) -> Reply {
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

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    pub async fn post_json(&self, path: &str, body: &Value, token: Option<&str>) -> Reply {
        let mut request = self.http.post(self.url(path)).json(body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Self::reply(request.send().await.expect("request sent")).await
    }

    /// A POST with a raw body and the given content type (`None`: no header at all).
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: Option<&str>,
        body: &str,
        token: Option<&str>,
    ) -> Reply {
        let mut request = self.http.post(self.url(path)).body(body.to_owned());
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Self::reply(request.send().await.expect("request sent")).await
    }

    pub async fn post_form(&self, path: &str, body: &str) -> Reply {
        self.post_raw(path, Some("application/x-www-form-urlencoded"), body, None)
            .await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut request = self.http.get(self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Self::reply(request.send().await.expect("request sent")).await
    }

    /// A POST with extra headers and a JSON body.
    pub async fn post_with_headers(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> Reply {
        let mut request = self.http.post(self.url(path)).json(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Self::reply(request.send().await.expect("request sent")).await
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

    /// Signs up `username` with `<username>@example.com` and `password123`; returns the 201 body.
    pub async fn register(&self, username: &str) -> Value {
        let reply = self
            .post_json("/careers/users/register/", &sign_up(username), None)
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        reply.body
    }

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
            .filter(|item| item.get("entity") == Some(&AttributeValue::S(entity.to_owned())))
            .collect()
    }
}

/// A complete, valid careers sign-up body.
pub fn sign_up(username: &str) -> Value {
    json!({
        "username": username,
        "email": format!("{username}@example.com"),
        "password": "password123",
        "password_confirm": "password123",
        "first_name": "First",
        "last_name": "Last",
        "bio": "Bio of someone",
    })
}

/// A string attribute of an item.
pub fn s<'a>(item: &'a Item, name: &str) -> &'a str {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
        .unwrap_or_default()
}
