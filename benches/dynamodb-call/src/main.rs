//! CPU per GetItem: the AWS SDK client in three configurations, and a bare signed POST. Each
//! variant makes 300 calls to warm up, then `DYNAMODB_CALLS` (4000) one after another, and
//! prints the process's CPU (user + system, from `getrusage`) and wall time per call.
//! `dynamodb-call [sdk|nostall|bare|raw]` runs one variant; no argument runs all four.

use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
    ScalarAttributeType,
};
use aws_sdk_dynamodb::Client;
use http_body_util::{BodyExt, Full};
use std::time::{Duration, Instant, SystemTime};

const TABLE: &str = "dynamodb-call-bench";
const WARM_UP: usize = 300;

fn cpu_ms() -> f64 {
    // SAFETY: getrusage fills the zeroed struct it is given.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let ms = |t: libc::timeval| t.tv_sec as f64 * 1e3 + t.tv_usec as f64 / 1e3;
    ms(usage.ru_utime) + ms(usage.ru_stime)
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

/// Runs `call` `calls` times after the warm-up and prints CPU and wall time per call.
async fn measure<F, Fut>(label: &str, calls: usize, mut call: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..WARM_UP {
        call().await;
    }
    let (cpu, wall) = (cpu_ms(), Instant::now());
    for _ in 0..calls {
        call().await;
    }
    println!(
        "{label}: {:.1} µs CPU per call, {:.1} µs wall per call",
        (cpu_ms() - cpu) * 1e3 / calls as f64,
        wall.elapsed().as_secs_f64() * 1e6 / calls as f64
    );
}

async fn sdk_get(client: &Client) {
    let found = client
        .get_item()
        .table_name(TABLE)
        .key("PK", s("USER#1"))
        .key("SK", s("PROFILE"))
        .consistent_read(true)
        .send()
        .await
        .expect("GetItem");
    assert!(found.item.is_some_and(|item| item.len() > 5));
}

/// The table and one user-sized item (a dozen attributes, as a profile has).
async fn prepare(client: &Client) {
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .expect("attribute")
    };
    let key = |name: &str, kind| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(kind)
            .build()
            .expect("key")
    };
    // Already there from an earlier run: fine.
    let _ = client
        .create_table()
        .table_name(TABLE)
        .attribute_definitions(attribute("PK"))
        .attribute_definitions(attribute("SK"))
        .key_schema(key("PK", KeyType::Hash))
        .key_schema(key("SK", KeyType::Range))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await;
    let mut put = client
        .put_item()
        .table_name(TABLE)
        .item("PK", s("USER#1"))
        .item("SK", s("PROFILE"));
    for (name, value) in [
        ("username", "alice"),
        ("email", "alice@example.com"),
        ("first_name", "Alice"),
        ("last_name", "Smith"),
        ("bio", "hello there"),
        ("created_at", "2026-11-26T07:00:00Z"),
        ("updated_at", "2026-11-26T07:00:00Z"),
        ("password", "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA"),
    ] {
        put = put.item(name, s(value));
    }
    for (name, value) in [
        ("id", "1"),
        ("token_version", "3"),
        ("followers_count", "0"),
    ] {
        put = put.item(name, AttributeValue::N(value.to_owned()));
    }
    put.send().await.expect("PutItem");
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let calls: usize = std::env::var("DYNAMODB_CALLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(4000);
    let endpoint = std::env::var("AWS_ENDPOINT_URL_DYNAMODB")
        .expect("AWS_ENDPOINT_URL_DYNAMODB (eval \"$(scripts/stack.sh env)\")");
    // The service's SDK settings (shared/src/config.rs): 1 s connect, 3 s attempt, 6 s call.
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(1))
                .operation_attempt_timeout(Duration::from_secs(3))
                .operation_timeout(Duration::from_secs(6))
                .build(),
        )
        .load()
        .await;
    let client = Client::new(&sdk);
    prepare(&client).await;
    let which = std::env::args().nth(1).unwrap_or_default();
    let runs = |name: &str| which.is_empty() || which == name;

    if runs("sdk") {
        measure("SDK client as configured", calls, || sdk_get(&client)).await;
    }
    let no_stall = aws_sdk_dynamodb::config::Builder::from(&sdk).stalled_stream_protection(
        aws_sdk_dynamodb::config::StalledStreamProtectionConfig::disabled(),
    );
    if runs("nostall") {
        let client = Client::from_conf(no_stall.clone().build());
        measure("SDK, no stalled-stream protection", calls, || {
            sdk_get(&client)
        })
        .await;
    }
    if runs("bare") {
        let client = Client::from_conf(
            no_stall
                .clone()
                .timeout_config(aws_config::timeout::TimeoutConfig::disabled())
                .retry_config(aws_config::retry::RetryConfig::disabled())
                .build(),
        );
        measure(
            "SDK, no stall protection, timeouts or retries",
            calls,
            || sdk_get(&client),
        )
        .await;
    }
    if runs("raw") {
        let http =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build_http::<Full<bytes::Bytes>>();
        let credentials =
            aws_credential_types::Credentials::new("local", "local", None, None, "bench");
        let identity: aws_smithy_runtime_api::client::identity::Identity = credentials.into();
        let uri: http::Uri = format!("{}/", endpoint.trim_end_matches('/'))
            .parse()
            .expect("endpoint URL");
        let host = uri.authority().expect("endpoint host").to_string();
        let body = format!(
            r#"{{"TableName":"{TABLE}","Key":{{"PK":{{"S":"USER#1"}},"SK":{{"S":"PROFILE"}}}},"ConsistentRead":true}}"#
        );
        let raw = || async {
            let headers = [
                ("content-type", "application/x-amz-json-1.0"),
                ("host", host.as_str()),
                ("x-amz-target", "DynamoDB_20120810.GetItem"),
            ];
            let params = aws_sigv4::sign::v4::SigningParams::builder()
                .identity(&identity)
                .region("us-east-1")
                .name("dynamodb")
                .time(SystemTime::now())
                .settings(aws_sigv4::http_request::SigningSettings::default())
                .build()
                .expect("signing parameters")
                .into();
            let signable = aws_sigv4::http_request::SignableRequest::new(
                "POST",
                uri.to_string(),
                headers.iter().copied(),
                aws_sigv4::http_request::SignableBody::Bytes(body.as_bytes()),
            )
            .expect("signable request");
            let (instructions, _) = aws_sigv4::http_request::sign(signable, &params)
                .expect("signature")
                .into_parts();
            let mut request = http::Request::builder().method("POST").uri(uri.clone());
            for (name, value) in headers.into_iter().chain(instructions.headers()) {
                request = request.header(name, value);
            }
            let request = request
                .body(Full::new(bytes::Bytes::from(body.clone())))
                .expect("request");
            let response = http.request(request).await.expect("an answer");
            assert_eq!(response.status(), 200);
            let answer = response
                .into_body()
                .collect()
                .await
                .expect("body")
                .to_bytes();
            let item: serde_json::Value = serde_json::from_slice(&answer).expect("JSON");
            assert!(item["Item"].as_object().is_some_and(|i| i.len() > 5));
        };
        measure(
            "bare signed POST (hyper, aws-sigv4, serde_json)",
            calls,
            raw,
        )
        .await;
    }
}
