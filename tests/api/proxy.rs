//! A proxy in front of DynamoDB Local that the tests control: it forwards (counting each
//! DynamoDB operation by its `X-Amz-Target`), refuses connections, or answers every call with
//! DynamoDB's throttling error. Function states built with [`sessions_behind`] reach DynamoDB
//! only through it.

use crate::support::TestApp;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use users_shared::lambda::Sessions;

pub const FORWARD: u8 = 0;
pub const REFUSE: u8 = 1;
pub const THROTTLE: u8 = 2;

pub struct Proxy {
    pub port: u16,
    mode: Arc<AtomicU8>,
    /// Requests answered with the throttling error.
    pub requests: Arc<AtomicUsize>,
    /// Forwarded DynamoDB operations by name.
    calls: Arc<Mutex<BTreeMap<String, u64>>>,
    /// Bumped on every change of mode: open forwarded connections close.
    generation: tokio::sync::watch::Sender<u64>,
}

impl Proxy {
    /// A proxy to the local stack's DynamoDB.
    pub async fn to_dynamodb() -> Self {
        let target = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
            .expect("the local stack")
            .trim_start_matches("http://")
            .to_owned();
        Self::start(target).await
    }

    pub async fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let mode = Arc::new(AtomicU8::new(FORWARD));
        let requests = Arc::new(AtomicUsize::new(0));
        let (generation, watcher) = tokio::sync::watch::channel(0);
        let calls = Arc::new(Mutex::new(BTreeMap::new()));
        let (m, r, c) = (mode.clone(), requests.clone(), calls.clone());
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (mode, requests, target, calls) =
                    (m.clone(), r.clone(), target.clone(), c.clone());
                let mut watcher = watcher.clone();
                // Only changes after this connection was accepted close it.
                watcher.borrow_and_update();
                tokio::spawn(async move {
                    match mode.load(Ordering::SeqCst) {
                        FORWARD => {
                            let Ok(upstream) = TcpStream::connect(&target).await else {
                                return;
                            };
                            tokio::select! {
                                _ = forward(client, upstream, &calls) => {}
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
            calls,
            generation,
        }
    }

    /// The DynamoDB operations forwarded since the last call, by name.
    pub fn take_calls(&self) -> BTreeMap<String, u64> {
        std::mem::take(&mut *self.calls.lock().unwrap())
    }

    pub fn set(&self, mode: u8) {
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
pub async fn sessions_behind(app: &TestApp, proxy: &Proxy) -> Sessions {
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

/// Copies both ways, counting each request's `X-Amz-Target: DynamoDB_20120810.<operation>`.
async fn forward(client: TcpStream, upstream: TcpStream, calls: &Mutex<BTreeMap<String, u64>>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut upstream_read, mut upstream_write) = upstream.into_split();
    let up = async {
        let mut chunk = [0u8; 16384];
        // The unfinished last line of what was read (a header can straddle two reads).
        let mut pending: Vec<u8> = Vec::new();
        loop {
            let Ok(read) = client_read.read(&mut chunk).await else {
                return;
            };
            if read == 0 {
                return;
            }
            pending.extend_from_slice(&chunk[..read]);
            let complete = pending
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
            for line in pending[..complete].split(|b| *b == b'\n') {
                let line = String::from_utf8_lossy(line);
                let lower = line.to_ascii_lowercase();
                if lower.starts_with("x-amz-target:") {
                    let operation = line.trim().rsplit('.').next().unwrap_or("").to_owned();
                    *calls.lock().unwrap().entry(operation).or_default() += 1;
                }
            }
            pending.drain(..complete);
            if pending.len() > 4096 {
                pending.clear();
            }
            if upstream_write.write_all(&chunk[..read]).await.is_err() {
                return;
            }
        }
    };
    let down = tokio::io::copy(&mut upstream_read, &mut client_write);
    tokio::select! {
        _ = up => {}
        _ = down => {}
    }
}

/// A request as API Gateway hands one to a function, for calling its `dispatch` directly.
pub fn request(
    method: lambda_http::http::Method,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> lambda_http::Request {
    let mut builder = lambda_http::http::Request::builder()
        .method(method)
        .uri(format!("https://api.example.com{path}"));
    for (name, value) in headers {
        builder = builder.header(
            *name,
            lambda_http::http::HeaderValue::from_str(value).unwrap(),
        );
    }
    builder
        .body(body.map_or(lambda_http::Body::Empty, |b| {
            lambda_http::Body::Text(b.to_owned())
        }))
        .unwrap()
}
