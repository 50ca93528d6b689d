//! Storage faults: with DynamoDB unreachable, or throttling, every request is answered 503 in
//! its contract's shape with `Retry-After`, within seconds (no 500, no hang), and the same
//! function state serves normally once DynamoDB is back. The functions reach DynamoDB Local
//! through a proxy of this test's own, which forwards, refuses connections, or answers every
//! call with DynamoDB's throttling error.

use crate::support::{user_id, TestApp, PASSWORD};
use lambda_http::http::{HeaderValue, Method};
use lambda_http::Body;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use users_shared::http::{dispatch, HttpResponse};
use users_shared::lambda::Sessions;

const FORWARD: u8 = 0;
const REFUSE: u8 = 1;
const THROTTLE: u8 = 2;

struct Proxy {
    port: u16,
    mode: Arc<AtomicU8>,
    requests: Arc<AtomicUsize>,
    /// Bumped on every change of mode: open forwarded connections close.
    generation: tokio::sync::watch::Sender<u64>,
}

impl Proxy {
    async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(AtomicU8::new(FORWARD));
        let requests = Arc::new(AtomicUsize::new(0));
        let (generation, watcher) = tokio::sync::watch::channel(0);
        let (m, r) = (mode.clone(), requests.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (mode, requests, target) = (m.clone(), r.clone(), target.clone());
                let mut watcher = watcher.clone();
                // Only changes after this connection was accepted close it.
                watcher.borrow_and_update();
                tokio::spawn(async move {
                    match mode.load(Ordering::SeqCst) {
                        FORWARD => {
                            let Ok(mut upstream) = TcpStream::connect(&target).await else {
                                return;
                            };
                            let mut client = client;
                            tokio::select! {
                                _ = tokio::io::copy_bidirectional(&mut client, &mut upstream) => {}
                                _ = watcher.changed() => {}
                            }
                        }
                        THROTTLE => throttle(client, &requests, &mode).await,
                        _ => drop(client),
                    }
                });
            }
        });
        Self {
            port,
            mode,
            requests,
            generation,
        }
    }

    fn set(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }
}

/// Answers every request on the connection with DynamoDB's throttling error.
async fn throttle(mut client: TcpStream, requests: &AtomicUsize, mode: &AtomicU8) {
    let mut buffer = Vec::new();
    loop {
        if mode.load(Ordering::SeqCst) != THROTTLE {
            return;
        }
        let mut chunk = [0u8; 8192];
        let Ok(read) = client.read(&mut chunk).await else {
            return;
        };
        if read == 0 {
            return;
        }
        buffer.extend_from_slice(&chunk[..read]);
        let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&buffer[..end]).to_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        if buffer.len() < end + 4 + length {
            continue;
        }
        buffer.drain(..end + 4 + length);
        if mode.load(Ordering::SeqCst) != THROTTLE {
            return;
        }
        requests.fetch_add(1, Ordering::SeqCst);
        let body = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"The level of configured provisioned throughput for the table was exceeded."}"#;
        let response = format!(
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.0\r\nx-amzn-RequestId: test\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if client.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The state of a token-verifying function whose DynamoDB is behind `proxy`.
async fn sessions_behind(app: &TestApp, proxy: &Proxy) -> Sessions {
    let sdk = users_shared::config::aws_sdk_config().await;
    let client = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&sdk)
            .endpoint_url(format!("http://127.0.0.1:{}", proxy.port))
            .build(),
    );
    Sessions {
        store: users_shared::store::Store::new(client, app.table.as_str())
            .with_sealing_key(app.config.app_secret_key.clone()),
        verifier: app.config.verifier().unwrap(),
        directory_scan_cap: app.config.directory_scan_cap,
    }
}

fn request(
    method: Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> lambda_http::Request {
    let mut builder = lambda_http::http::Request::builder()
        .method(method)
        .uri(format!("https://api.example.com{path}"));
    for (name, value) in headers {
        builder = builder.header(*name, HeaderValue::from_str(value).unwrap());
    }
    let body = body.map_or(Body::Empty, |b| Body::Text(b.to_owned()));
    builder.body(body).unwrap()
}

fn json_of(response: &HttpResponse) -> Value {
    match response.body() {
        Body::Text(text) => serde_json::from_str(text).unwrap(),
        Body::Binary(bytes) => serde_json::from_slice(bytes).unwrap(),
        _ => Value::Null,
    }
}

fn retry_after(response: &HttpResponse) -> Option<&str> {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn with_dynamodb_unreachable_every_contract_answers_503_with_retry_after_then_recovers() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let alice_id = user_id(&alice).to_string();
    let token = format!("Bearer {}", alice["access"].as_str().unwrap());
    let (app_id, secret) = app.app_credential("faults").await;
    let target = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .unwrap()
        .trim_start_matches("http://")
        .to_owned();
    let proxy = Proxy::start(target).await;
    let state = sessions_behind(&app, &proxy).await;
    let routes = users_function::ROUTES;
    let me = || {
        request(
            Method::GET,
            "/careers/users/me/",
            &[("authorization", &token)],
            None,
        )
    };

    assert_eq!(dispatch(routes, &state, me()).await.status(), 200);

    proxy.set(REFUSE);
    let cases = [
        (
            request(
                Method::GET,
                "/careers/users/me/",
                &[("authorization", &token)],
                None,
            ),
            json!({"detail": "Service temporarily unavailable, try again later."}),
        ),
        (
            request(
                Method::POST,
                "/api/update/profile/",
                &[
                    ("authorization", &token),
                    ("content-type", "application/json"),
                ],
                Some(r#"{"first_name": "A"}"#),
            ),
            json!({"error": "service_unavailable", "message": "Service temporarily unavailable, try again later"}),
        ),
        (
            request(
                Method::GET,
                "/api/v2.1/rest/user_profile?user_id=nobody",
                &[
                    ("qiscus_sdk_app_id", &app_id),
                    ("qiscus_sdk_secret", &secret),
                ],
                None,
            ),
            json!({"error": {"message": "service temporarily unavailable, try again later"}, "status": 503}),
        ),
        (
            request(
                Method::GET,
                &format!("/user/{alice_id}"),
                &[("x-app-id", &app_id), ("x-app-auth", &secret)],
                None,
            ),
            json!({"error": "Service temporarily unavailable, try again later"}),
        ),
    ];
    for (request, body) in cases {
        let path = request.uri().path().to_owned();
        let started = Instant::now();
        let response = dispatch(routes, &state, request).await;
        assert!(
            started.elapsed() < Duration::from_secs(7),
            "{path} took {:?}",
            started.elapsed()
        );
        assert_eq!(response.status(), 503, "{path}: {}", json_of(&response));
        assert_eq!(retry_after(&response), Some("2"), "{path}");
        assert_eq!(json_of(&response), body, "{path}");
    }

    // Back: the same state serves at once, no restart.
    proxy.set(FORWARD);
    let back = dispatch(routes, &state, me()).await;
    assert_eq!(back.status(), 200, "{}", json_of(&back));
    assert_eq!(json_of(&back)["username"], "alice");
    assert_eq!(app.login_as("alice", PASSWORD).await.status.as_u16(), 200);
}

#[tokio::test]
async fn throttling_is_retried_with_back_off_then_answered_503() {
    let app = TestApp::spawn().await;
    let alice = app.register("alice").await;
    let token = format!("Bearer {}", alice["access"].as_str().unwrap());
    let target = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .unwrap()
        .trim_start_matches("http://")
        .to_owned();
    let proxy = Proxy::start(target).await;
    let state = sessions_behind(&app, &proxy).await;
    proxy.set(THROTTLE);

    let started = Instant::now();
    let response = dispatch(
        users_function::ROUTES,
        &state,
        request(
            Method::GET,
            "/careers/users/me/",
            &[("authorization", &token)],
            None,
        ),
    )
    .await;

    let took = started.elapsed();
    assert_eq!(response.status(), 503, "{}", json_of(&response));
    assert_eq!(retry_after(&response), Some("2"));
    assert!(took < Duration::from_secs(7), "took {took:?}");
    let attempts = proxy.requests.load(Ordering::SeqCst);
    assert!(
        attempts >= 2,
        "throttled calls are tried again ({attempts} attempt)"
    );
    proxy.set(FORWARD);
    let back = dispatch(
        users_function::ROUTES,
        &state,
        request(
            Method::GET,
            "/careers/users/me/",
            &[("authorization", &token)],
            None,
        ),
    )
    .await;
    assert_eq!(back.status(), 200);
}
