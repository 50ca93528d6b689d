//! A proxy in front of DynamoDB Local that the tests control: it forwards (counting each
//! DynamoDB operation by its `X-Amz-Target`, with its request body and when it ran), refuses
//! connections, or answers every call with DynamoDB's throttling error. Function states built
//! with [`sessions_behind`] reach DynamoDB only through it.

use crate::support::TestApp;
use std::sync::atomic::{AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
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
    /// Forwarded DynamoDB calls, in the order their requests arrived.
    calls: Arc<Mutex<Vec<Arc<Call>>>>,
    /// How long each answer is held before it is passed on, in microseconds.
    latency: Arc<AtomicU64>,
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
        let calls = Arc::new(Mutex::new(Vec::new()));
        let latency = Arc::new(AtomicU64::new(0));
        let (m, r, c, l) = (
            mode.clone(),
            requests.clone(),
            calls.clone(),
            latency.clone(),
        );
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let accepted = Instant::now();
                let (mode, requests, target, calls, latency) =
                    (m.clone(), r.clone(), target.clone(), c.clone(), l.clone());
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
                                _ = forward(client, upstream, &calls, accepted, &latency) => {}
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
            latency,
            generation,
        }
    }

    /// Holds each answer `latency` before passing it on, as a network between a function and
    /// DynamoDB would: calls made concurrently then surely overlap, so [`waves`] counts them
    /// once.
    pub fn hold_answers(&self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.latency.store(micros, Ordering::SeqCst);
    }

    /// The DynamoDB calls forwarded since the last take, in the order their requests arrived.
    pub fn take_timed_calls(&self) -> Vec<TimedCall> {
        let taken = std::mem::take(&mut *self.calls.lock().unwrap());
        let now = Instant::now();
        taken
            .iter()
            .map(|call| TimedCall {
                operation: call.operation.clone(),
                body: call.body.lock().unwrap().clone(),
                start: call.start,
                end: call.end.lock().unwrap().unwrap_or(now),
            })
            .collect()
    }

    pub fn set(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
        self.generation.send_modify(|g| *g += 1);
    }
}

/// A forwarded call as it is being served.
struct Call {
    operation: String,
    body: Mutex<Vec<u8>>,
    start: Instant,
    /// When the last byte of its answer so far went to the client.
    end: Mutex<Option<Instant>>,
}

/// A forwarded call: its operation, its request body (JSON), when its request reached the
/// proxy and when the last byte of its answer left it (or when it was taken, if none did).
#[derive(Debug, Clone)]
pub struct TimedCall {
    pub operation: String,
    pub body: Vec<u8>,
    pub start: Instant,
    pub end: Instant,
}

/// The sequential round trips of `calls`: the longest chain of calls each of which started
/// after the one before it had ended. Calls made concurrently overlap and so never chain; a
/// chain that runs beside a long call (a limit check, then a Query, beside the caller's
/// session) counts all its links, whatever the long call's timing.
pub fn waves(calls: &[TimedCall]) -> u64 {
    let mut sorted: Vec<&TimedCall> = calls.iter().collect();
    sorted.sort_by_key(|c| c.start);
    let mut depth: Vec<u64> = Vec::with_capacity(sorted.len());
    for (i, call) in sorted.iter().enumerate() {
        let before = (0..i)
            .filter(|&j| sorted[j].end <= call.start)
            .map(|j| depth[j])
            .max()
            .unwrap_or(0);
        depth.push(before + 1);
    }
    depth.into_iter().max().unwrap_or(0)
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
    Sessions {
        store: users_shared::store::Store::new(&sdk, app.table.as_str())
            .with_endpoint(&format!("http://127.0.0.1:{}", proxy.port))
            .with_sealing_key(app.config.app_secret_key.clone()),
        verifier: app.config.verifier().unwrap(),
        directory_scan_cap: app.config.directory_scan_cap,
    }
}

/// Copies both ways, recording each request that has an `X-Amz-Target:
/// DynamoDB_20120810.<operation>` header: its body, when it started (its first byte arrived; for
/// a connection's first request, when the connection was accepted) and when the last byte of its
/// answer went back. A connection carries one request at a time (HTTP/1.1, no pipelining), so
/// what comes back between two requests answers the first.
async fn forward(
    client: TcpStream,
    upstream: TcpStream,
    calls: &Mutex<Vec<Arc<Call>>>,
    accepted: Instant,
    latency: &AtomicU64,
) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut upstream_read, mut upstream_write) = upstream.into_split();
    let current: Mutex<Option<Arc<Call>>> = Mutex::new(None);
    let up = async {
        let mut chunk = [0u8; 16384];
        // What was read of the request being framed: its head, until it is complete.
        let mut input: Vec<u8> = Vec::new();
        // Bytes of the current request's body still to come.
        let mut body_left = 0usize;
        // When the first byte of the request being framed arrived.
        let mut started = Some(accepted);
        loop {
            let Ok(read) = client_read.read(&mut chunk).await else {
                return;
            };
            if read == 0 {
                return;
            }
            if input.is_empty() && body_left == 0 {
                started.get_or_insert_with(Instant::now);
            }
            input.extend_from_slice(&chunk[..read]);
            loop {
                if body_left > 0 {
                    let take = body_left.min(input.len());
                    if take == 0 {
                        break;
                    }
                    if let Some(call) = &*current.lock().unwrap() {
                        call.body.lock().unwrap().extend(input.drain(..take));
                    } else {
                        input.drain(..take);
                    }
                    body_left -= take;
                    continue;
                }
                let Some(end) = input.windows(4).position(|w| w == b"\r\n\r\n") else {
                    if input.len() > 65536 {
                        input.clear();
                    }
                    break;
                };
                let head: Vec<u8> = input.drain(..end + 4).collect();
                let head = String::from_utf8_lossy(&head);
                let mut operation = None;
                for line in head.lines() {
                    let lower = line.to_ascii_lowercase();
                    if lower.starts_with("x-amz-target:") {
                        operation = Some(line.trim().rsplit('.').next().unwrap_or("").to_owned());
                    } else if let Some(length) = lower.strip_prefix("content-length:") {
                        body_left = length.trim().parse().unwrap_or(0);
                    }
                }
                let start = started.take().unwrap_or_else(Instant::now);
                let call = operation.map(|operation| {
                    Arc::new(Call {
                        operation,
                        body: Mutex::new(Vec::new()),
                        start,
                        end: Mutex::new(None),
                    })
                });
                if let Some(call) = &call {
                    calls.lock().unwrap().push(call.clone());
                }
                *current.lock().unwrap() = call;
            }
            if upstream_write.write_all(&chunk[..read]).await.is_err() {
                return;
            }
        }
    };
    let down = async {
        let mut chunk = [0u8; 16384];
        loop {
            let Ok(read) = upstream_read.read(&mut chunk).await else {
                return;
            };
            if read == 0 {
                return;
            }
            let answering = current.lock().unwrap().clone();
            if let Some(call) = &answering {
                let first = call.end.lock().unwrap().is_none();
                let hold = latency.load(Ordering::SeqCst);
                if first && hold > 0 {
                    tokio::time::sleep(Duration::from_micros(hold)).await;
                }
            }
            if client_write.write_all(&chunk[..read]).await.is_err() {
                return;
            }
            if let Some(call) = &answering {
                *call.end.lock().unwrap() = Some(Instant::now());
            }
        }
    };
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
