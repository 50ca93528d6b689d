//! DynamoDB's JSON protocol, spoken directly for the calls on every request's path: GetItem,
//! BatchGetItem, Query and TransactWriteItems. The AWS SDK's orchestration (runtime components
//! merged per call, the type-erased config bag, a dozen interceptors, endpoint rules, retry
//! classifiers) costs this service's processes more CPU per call than the rest of a request;
//! here a call is one signed HTTP/1.1 POST on a kept-alive connection, its JSON written from
//! and read into the SDK's own `AttributeValue`s. Signing is SigV4 with `aws-sigv4`'s key
//! and signature, the day's key kept ([`super::signing`]); credentials and region come from the
//! SDK's configuration, and failures end as the rest of
//! the store's do: [`StoreError::Unavailable`] when the call may succeed if made again.
//! Every other call still goes through the SDK.

use super::dynamo_json::Tag;
use super::plumbing::Item;
use super::signing::{Signer, CONTENT_TYPE};
use super::StoreError;
use aws_sdk_dynamodb::config::{Credentials, ProvideCredentials, SharedCredentialsProvider};
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};
use aws_smithy_runtime_api::client::identity::Identity;
use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// Tries per call (the SDK's standard mode makes three too), an attempt's and a call's longest
/// time, and the connect timeout: the same bounds as the SDK client's (`config::timeouts`).
const ATTEMPTS: u32 = 3;
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);
const CALL_TIMEOUT: Duration = Duration::from_secs(6);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
/// The first retry waits up to this long (full jitter), each later one up to twice as long.
const FIRST_BACKOFF: Duration = Duration::from_millis(50);
/// Credentials are fetched again this long before they expire.
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(300);

/// A DynamoDB endpoint and what signs calls to it; cheap to clone.
#[derive(Clone)]
pub(crate) struct Wire {
    inner: Arc<Inner>,
    /// Told the operation of each call made (benchmarks count calls with it).
    observer: Option<Observer>,
}

/// What is told the operation of each call.
pub type Observer = Arc<dyn Fn(&'static str) + Send + Sync>;

struct Inner {
    http: Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>,
    uri: http::Uri,
    uri_text: String,
    host: String,
    region: String,
    credentials: Option<SharedCredentialsProvider>,
    identity: Mutex<Option<(Identity, Option<SystemTime>)>>,
    signer: Signer,
}

impl std::fmt::Debug for Wire {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wire")
            .field("endpoint", &self.inner.uri_text)
            .finish()
    }
}

/// Why a call failed.
#[derive(Debug)]
pub(crate) enum WireError {
    /// DynamoDB answered with an error: its code (`ConditionalCheckFailedException`), its
    /// message, and a cancelled transaction's reasons (one code per item).
    Service {
        status: u16,
        code: String,
        message: String,
        reasons: Vec<String>,
    },
    /// No answer: no connection, a timeout, or an answer that could not be read.
    Transport(String),
    /// An answer whose items are not of the shape they were read as.
    Malformed(String),
}

impl WireError {
    pub(crate) fn code(&self) -> Option<&str> {
        match self {
            Self::Service { code, .. } => Some(code),
            Self::Transport(_) | Self::Malformed(_) => None,
        }
    }

    /// Worth trying again shortly: no answer, a server error, or throttling.
    fn transient(&self) -> bool {
        match self {
            Self::Transport(_) => true,
            Self::Malformed(_) => false,
            Self::Service { status, code, .. } => {
                *status >= 500 || super::retryable_code(Some(code))
            }
        }
    }

    /// The store's error for this failure of `operation`.
    pub(crate) fn into_store(self, operation: &'static str) -> StoreError {
        if let Self::Malformed(detail) = self {
            return StoreError::Malformed(de::Error::custom(detail));
        }
        let transient = self.transient();
        let detail = match self {
            Self::Service {
                status,
                code,
                message,
                ..
            } => format!("{code} (HTTP {status}): {message}"),
            Self::Transport(detail) | Self::Malformed(detail) => detail,
        };
        if transient {
            StoreError::Unavailable { operation, detail }
        } else {
            StoreError::Sdk { operation, detail }
        }
    }
}

impl Wire {
    /// Calls to `endpoint` in `region`, signed with what `credentials` provides (unsigned
    /// without a provider, as the SDK would refuse to; only tests build one so).
    pub(crate) fn new(
        endpoint: &str,
        region: &str,
        credentials: Option<SharedCredentialsProvider>,
    ) -> Self {
        let uri_text = format!("{}/", endpoint.trim_end_matches('/'));
        let uri: http::Uri = uri_text
            .parse()
            .unwrap_or_else(|_| http::Uri::from_static("https://dynamodb.invalid/"));
        let host = uri.authority().map(|a| a.to_string()).unwrap_or_default();
        let mut connector = HttpConnector::new();
        connector.enforce_http(false);
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(CONNECT_TIMEOUT));
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(crate::config::aws_tls_config())
            .https_or_http()
            .enable_http1()
            .wrap_connector(connector);
        let http = Client::builder(hyper_util::rt::TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(60))
            .build(https);
        Self {
            inner: Arc::new(Inner {
                http,
                uri,
                uri_text,
                host,
                region: region.to_owned(),
                credentials,
                identity: Mutex::new(None),
                signer: Signer::new(region),
            }),
            observer: None,
        }
    }

    /// The same, telling `observer` each call's operation.
    pub(crate) fn observed(mut self, observer: Observer) -> Self {
        self.observer = Some(observer);
        self
    }

    /// The same credentials and region, calls sent to `endpoint`.
    pub(crate) fn with_endpoint(&self, endpoint: &str) -> Self {
        Self {
            observer: self.observer.clone(),
            ..Self::new(endpoint, &self.inner.region, self.inner.credentials.clone())
        }
    }

    /// The identity calls are signed with, fetched again shortly before it expires.
    async fn identity(&self) -> Result<Option<Identity>, WireError> {
        let Some(provider) = &self.inner.credentials else {
            return Ok(None);
        };
        let cached = self
            .inner
            .identity
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if let Some((identity, expiry)) = cached {
            let fresh = expiry.is_none_or(|at| {
                at.duration_since(SystemTime::now())
                    .is_ok_and(|left| left > REFRESH_BEFORE_EXPIRY)
            });
            if fresh {
                return Ok(Some(identity));
            }
        }
        let credentials = provider
            .provide_credentials()
            .await
            .map_err(|e| WireError::Transport(format!("no credentials: {e}")))?;
        let expiry = credentials.expiry();
        let identity = Identity::from(credentials);
        *self
            .inner
            .identity
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some((identity.clone(), expiry));
        Ok(Some(identity))
    }

    /// The signed POST of `body` to operation `target`.
    fn request(
        &self,
        target: &str,
        body: &Bytes,
        identity: Option<&Identity>,
    ) -> Result<http::Request<Full<Bytes>>, WireError> {
        self.request_at(target, body, identity, SystemTime::now())
    }

    /// The same, signed at `now`: by [`Signer`] when the endpoint's path is `/` (DynamoDB's),
    /// else by `aws-sigv4`'s general signer.
    fn request_at(
        &self,
        target: &str,
        body: &Bytes,
        identity: Option<&Identity>,
        now: SystemTime,
    ) -> Result<http::Request<Full<Bytes>>, WireError> {
        let inner = &self.inner;
        let mut request = http::Request::builder()
            .method(http::Method::POST)
            .uri(inner.uri.clone())
            .header("content-type", CONTENT_TYPE)
            .header("host", inner.host.as_str())
            .header("x-amz-target", target);
        let credentials = identity.and_then(|i| i.data::<Credentials>());
        match (identity, credentials) {
            (_, Some(credentials)) if inner.uri.path() == "/" => {
                let signed = inner
                    .signer
                    .sign(credentials, (&inner.host, target), body, now);
                request = request
                    .header("x-amz-date", signed.date)
                    .header("authorization", signed.authorization);
                if let Some(token) = credentials.session_token() {
                    request = request.header("x-amz-security-token", token);
                }
            }
            (Some(identity), _) => {
                for (name, value) in self.signed_generally(target, body, identity, now)? {
                    request = request.header(name, value);
                }
            }
            (None, _) => {}
        }
        request
            .body(Full::new(body.clone()))
            .map_err(|e| WireError::Transport(format!("request: {e}")))
    }

    /// The headers `aws-sigv4`'s general signer adds to the POST of `body` to `target`.
    fn signed_generally(
        &self,
        target: &str,
        body: &Bytes,
        identity: &Identity,
        now: SystemTime,
    ) -> Result<Vec<(String, String)>, WireError> {
        use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
        let inner = &self.inner;
        let failed = |e: &dyn std::fmt::Display| WireError::Transport(format!("signing: {e}"));
        let headers = [
            ("content-type", CONTENT_TYPE),
            ("host", inner.host.as_str()),
            ("x-amz-target", target),
        ];
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(identity)
            .region(&inner.region)
            .name("dynamodb")
            .time(now)
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| failed(&e))?
            .into();
        let signable = SignableRequest::new(
            "POST",
            inner.uri_text.as_str(),
            headers.iter().copied(),
            SignableBody::Bytes(body),
        )
        .map_err(|e| failed(&e))?;
        let (instructions, _) = sign(signable, &params)
            .map_err(|e| failed(&e))?
            .into_parts();
        Ok(instructions
            .headers()
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect())
    }

    /// One attempt: the status and the whole answer.
    async fn attempt(&self, target: &str, body: &Bytes) -> Result<(u16, Bytes), WireError> {
        let identity = self.identity().await?;
        let request = self.request(target, body, identity.as_ref())?;
        let response = self
            .inner
            .http
            .request(request)
            .await
            .map_err(|e| WireError::Transport(format!("{e:?}")))?;
        let status = response.status().as_u16();
        let answer = response
            .into_body()
            .collect()
            .await
            .map_err(|e| WireError::Transport(format!("reading the answer: {e}")))?
            .to_bytes();
        Ok((status, answer))
    }

    /// Sends `input` to `operation`, trying again (after a jittered back-off) when the failure
    /// is transient, within [`CALL_TIMEOUT`]; reads the answer as `O`.
    async fn call<I: Serialize, O: for<'de> Deserialize<'de>>(
        &self,
        operation: &'static str,
        input: &I,
    ) -> Result<O, WireError> {
        let body = Bytes::from(
            serde_json::to_vec(input)
                .map_err(|e| WireError::Transport(format!("writing the request: {e}")))?,
        );
        let target = format!("DynamoDB_20120810.{operation}");
        let deadline = Instant::now() + CALL_TIMEOUT;
        if let Some(observer) = &self.observer {
            observer(operation);
        }
        let mut attempt = 0;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let failure =
                match tokio::time::timeout(left.min(ATTEMPT_TIMEOUT), self.attempt(&target, &body))
                    .await
                {
                    Ok(Ok((200, answer))) => {
                        return serde_json::from_slice(&answer).map_err(|e| {
                            let detail = format!("reading the answer: {e}");
                            if e.classify() == serde_json::error::Category::Data {
                                WireError::Malformed(detail)
                            } else {
                                WireError::Transport(detail)
                            }
                        });
                    }
                    Ok(Ok((status, answer))) => service_error(status, &answer),
                    Ok(Err(failure)) => failure,
                    Err(_) => WireError::Transport("the attempt timed out".to_owned()),
                };
            attempt += 1;
            if !failure.transient() || attempt >= ATTEMPTS {
                return Err(failure);
            }
            let pause = jitter(FIRST_BACKOFF * 2u32.pow(attempt - 1));
            if Instant::now() + pause >= deadline {
                return Err(failure);
            }
            tokio::time::sleep(pause).await;
        }
    }

    /// GetItem of `key` in `table`.
    pub(crate) async fn get_item(
        &self,
        table: &str,
        key: &Item,
        consistent: bool,
    ) -> Result<Option<RawItem>, WireError> {
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input<'a> {
            table_name: &'a str,
            key: ItemOut<'a>,
            consistent_read: bool,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Output {
            item: Option<RawItem>,
        }
        let input = Input {
            table_name: table,
            key: ItemOut(key),
            consistent_read: consistent,
        };
        let output: Output = self.call("GetItem", &input).await?;
        Ok(output.item)
    }

    /// One BatchGetItem of `keys` (at most 100) in `table`: the items found, and the keys
    /// DynamoDB left unprocessed.
    pub(crate) async fn batch_get_item(
        &self,
        table: &str,
        keys: &[&Item],
        consistent: bool,
    ) -> Result<(Vec<RawItem>, Vec<Item>), WireError> {
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input<'a> {
            request_items: BTreeMap<&'a str, KeysOut<'a>>,
        }
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct KeysOut<'a> {
            keys: Vec<ItemOut<'a>>,
            consistent_read: bool,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Output {
            #[serde(default)]
            responses: HashMap<String, Vec<RawItem>>,
            #[serde(default)]
            unprocessed_keys: HashMap<String, KeysIn>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct KeysIn {
            #[serde(default)]
            keys: Vec<ItemIn>,
        }
        let input = Input {
            request_items: BTreeMap::from([(
                table,
                KeysOut {
                    keys: keys.iter().map(|key| ItemOut(key)).collect(),
                    consistent_read: consistent,
                },
            )]),
        };
        let mut output: Output = self.call("BatchGetItem", &input).await?;
        let found = output.responses.remove(table).unwrap_or_default();
        let left = output
            .unprocessed_keys
            .remove(table)
            .map(|k| k.keys)
            .unwrap_or_default();
        Ok((found, left.into_iter().map(|i| i.0).collect()))
    }

    /// One Query call, its items read as `T` (`ItemIn` for attribute maps, or
    /// [`super::dynamo_json::ItemAs`] for one of our types, read straight from the answer).
    pub(crate) async fn query<T: for<'de> Deserialize<'de>>(
        &self,
        input: &QueryInput<'_>,
    ) -> Result<QueryPage<T>, WireError> {
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Output<T> {
            #[serde(default = "Vec::new")]
            items: Vec<T>,
            last_evaluated_key: Option<ItemIn>,
            consumed_capacity: Option<Capacity>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "PascalCase")]
        struct Capacity {
            capacity_units: Option<f64>,
        }
        let output: Output<T> = self.call("Query", input).await?;
        Ok(QueryPage {
            items: output.items,
            last_evaluated_key: output.last_evaluated_key.map(|i| i.0),
            capacity_units: output
                .consumed_capacity
                .and_then(|c| c.capacity_units)
                .unwrap_or(0.0),
        })
    }

    /// One TransactWriteItems of `items`, with a fresh client request token: an attempt made
    /// again after no answer is applied once.
    pub(crate) async fn transact_write_items(
        &self,
        items: &[TransactWriteItem],
    ) -> Result<(), WireError> {
        let items: Vec<TransactOut<'_>> = items.iter().map(TransactOut).collect();
        self.transact_write(&items[..]).await
    }

    /// The same, of items that write themselves as DynamoDB's `TransactItems` (a sequence of
    /// `{"Put": …}`, `{"Update": …}`, `{"Delete": …}` or `{"ConditionCheck": …}`).
    pub(crate) async fn transact_write<T: Serialize + ?Sized>(
        &self,
        items: &T,
    ) -> Result<(), WireError> {
        #[derive(Serialize)]
        #[serde(rename_all = "PascalCase")]
        struct Input<'a, T: ?Sized> {
            transact_items: &'a T,
            client_request_token: String,
        }
        let input = Input {
            transact_items: items,
            client_request_token: request_token(),
        };
        let _: IgnoredAny = self.call("TransactWriteItems", &input).await?;
        Ok(())
    }
}

/// A Query's input, as DynamoDB takes it.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct QueryInput<'a> {
    pub table_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_name: Option<&'a str>,
    pub key_condition_expression: &'a str,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub expression_attribute_names: BTreeMap<&'a str, &'a str>,
    #[serde(skip_serializing_if = "ValuesOut::is_empty")]
    pub expression_attribute_values: ValuesOut<'a>,
    pub scan_index_forward: bool,
    pub consistent_read: bool,
    pub limit: u32,
    pub return_consumed_capacity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusive_start_key: Option<ItemOut<'a>>,
}

/// One page of a Query's answer.
pub(crate) struct QueryPage<T> {
    pub items: Vec<T>,
    pub last_evaluated_key: Option<Item>,
    pub capacity_units: f64,
}

/// The error DynamoDB answered: its `__type` ends with the code.
fn service_error(status: u16, answer: &[u8]) -> WireError {
    #[derive(Deserialize, Default)]
    struct Body {
        #[serde(rename = "__type", default)]
        kind: String,
        #[serde(default, alias = "Message")]
        message: String,
        #[serde(rename = "CancellationReasons", default)]
        reasons: Vec<Reason>,
    }
    #[derive(Deserialize)]
    struct Reason {
        #[serde(rename = "Code")]
        code: Option<String>,
    }
    let body: Body = serde_json::from_slice(answer).unwrap_or_default();
    let code = body.kind.rsplit('#').next().unwrap_or_default();
    WireError::Service {
        status,
        code: if code.is_empty() {
            format!("HTTP{status}")
        } else {
            code.to_owned()
        },
        message: body.message,
        reasons: body
            .reasons
            .into_iter()
            .map(|r| r.code.unwrap_or_else(|| "None".to_owned()))
            .collect(),
    }
}

/// A random pause of at most `ceiling`.
fn jitter(ceiling: Duration) -> Duration {
    let mut bytes = [0u8; 2];
    let fraction = match aws_lc_rs::rand::fill(&mut bytes) {
        Ok(()) => f64::from(u16::from_le_bytes(bytes)) / f64::from(u16::MAX),
        Err(_) => 0.5,
    };
    ceiling.mul_f64(fraction)
}

/// A TransactWriteItems idempotency token, 32 hex digits: 16 random ones drawn once per
/// process, then a count of the tokens it has made. Tokens only need to differ between
/// transactions (DynamoDB refuses a token used within 10 minutes for other items), so one
/// random draw per process, not per call, makes them unique.
fn request_token() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::OnceLock;
    static PREFIX: OnceLock<String> = OnceLock::new();
    static MADE: AtomicU64 = AtomicU64::new(0);
    let prefix = PREFIX.get_or_init(|| {
        let mut bytes = [0u8; 8];
        if aws_lc_rs::rand::fill(&mut bytes).is_err() {
            let nanos = SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            bytes = (nanos as u64 ^ u64::from(std::process::id())).to_le_bytes();
        }
        super::signing::hex(&bytes)
    });
    let made = MADE.fetch_add(1, Ordering::Relaxed);
    format!("{prefix}{made:016x}")
}

fn base64_of(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// An attribute value written as DynamoDB JSON (`{"S": "text"}`).
struct ValueOut<'a>(&'a AttributeValue);

impl Serialize for ValueOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        match self.0 {
            AttributeValue::S(text) => map.serialize_entry("S", text)?,
            AttributeValue::N(number) => map.serialize_entry("N", number)?,
            AttributeValue::B(blob) => map.serialize_entry("B", &base64_of(blob.as_ref()))?,
            AttributeValue::Bool(flag) => map.serialize_entry("BOOL", flag)?,
            AttributeValue::Null(flag) => map.serialize_entry("NULL", flag)?,
            AttributeValue::M(item) => map.serialize_entry("M", &ItemOut(item))?,
            AttributeValue::L(list) => map.serialize_entry("L", &ListOut(list))?,
            AttributeValue::Ss(texts) => map.serialize_entry("SS", texts)?,
            AttributeValue::Ns(numbers) => map.serialize_entry("NS", numbers)?,
            AttributeValue::Bs(blobs) => {
                let texts: Vec<String> = blobs.iter().map(|b| base64_of(b.as_ref())).collect();
                map.serialize_entry("BS", &texts)?;
            }
            _ => {
                return Err(serde::ser::Error::custom(
                    "an attribute value of a kind this service does not write",
                ))
            }
        }
        map.end()
    }
}

/// An item (or key) written as DynamoDB JSON.
pub(crate) struct ItemOut<'a>(pub &'a Item);

impl Serialize for ItemOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in self.0 {
            map.serialize_entry(name, &ValueOut(value))?;
        }
        map.end()
    }
}

struct ListOut<'a>(&'a [AttributeValue]);

impl Serialize for ListOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for value in self.0 {
            seq.serialize_element(&ValueOut(value))?;
        }
        seq.end()
    }
}

/// Expression attribute values (`:name` to value).
#[derive(Default)]
pub(crate) struct ValuesOut<'a>(pub Vec<(&'a str, &'a AttributeValue)>);

impl ValuesOut<'_> {
    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for ValuesOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, &ValueOut(value))?;
        }
        map.end()
    }
}

/// One item of a TransactWriteItems, written from the SDK's type.
struct TransactOut<'a>(&'a TransactWriteItem);

/// The fields a Put, Update, Delete or ConditionCheck of a transaction may have.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct WriteOut<'a> {
    table_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    item: Option<ItemOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<ItemOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    update_expression: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    condition_expression: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expression_attribute_names: Option<&'a HashMap<String, String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expression_attribute_values: Option<ValuesOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    return_values_on_condition_check_failure: Option<&'a str>,
}

fn values(values: Option<&HashMap<String, AttributeValue>>) -> Option<ValuesOut<'_>> {
    values.map(|v| ValuesOut(v.iter().map(|(k, v)| (k.as_str(), v)).collect()))
}

/// The [`WriteOut`] of one operation of a transaction: the fields every operation has, and the
/// ones given.
macro_rules! write_of {
    (
        $operation:expr,
        item: $item:expr,
        key: $key:expr,
        update: $update:expr,
        condition: $condition:expr
    ) => {
        WriteOut {
            table_name: $operation.table_name(),
            item: $item,
            key: $key,
            update_expression: $update,
            condition_expression: $condition,
            expression_attribute_names: $operation.expression_attribute_names(),
            expression_attribute_values: values($operation.expression_attribute_values()),
            return_values_on_condition_check_failure: $operation
                .return_values_on_condition_check_failure()
                .map(|r| r.as_str()),
        }
    };
}

impl Serialize for TransactOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let item = self.0;
        let (name, write) = if let Some(put) = item.put() {
            let (item, condition) = (Some(ItemOut(put.item())), put.condition_expression());
            let write = write_of!(put, item: item, key: None, update: None, condition: condition);
            ("Put", write)
        } else if let Some(update) = item.update() {
            let key = Some(ItemOut(update.key()));
            let (expression, condition) = (
                Some(update.update_expression()),
                update.condition_expression(),
            );
            let write =
                write_of!(update, item: None, key: key, update: expression, condition: condition);
            ("Update", write)
        } else if let Some(delete) = item.delete() {
            let (key, condition) = (Some(ItemOut(delete.key())), delete.condition_expression());
            let write = write_of!(delete, item: None, key: key, update: None, condition: condition);
            ("Delete", write)
        } else if let Some(check) = item.condition_check() {
            let (key, condition) = (
                Some(ItemOut(check.key())),
                Some(check.condition_expression()),
            );
            let write = write_of!(check, item: None, key: key, update: None, condition: condition);
            ("ConditionCheck", write)
        } else {
            return Err(serde::ser::Error::custom("an empty transaction item"));
        };
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry(name, &write)?;
        map.end()
    }
}

/// An attribute value read from DynamoDB JSON.
struct ValueIn(AttributeValue);

impl<'de> Deserialize<'de> for ValueIn {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Tagged;
        impl<'de> Visitor<'de> for Tagged {
            type Value = ValueIn;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a DynamoDB attribute value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ValueIn, A::Error> {
                let blob = |text: String| {
                    base64::engine::general_purpose::STANDARD
                        .decode(text)
                        .map(Blob::new)
                        .map_err(de::Error::custom)
                };
                let tag: Tag = map
                    .next_key()?
                    .ok_or_else(|| de::Error::custom("an attribute value without a type"))?;
                let value = match tag {
                    Tag::S => AttributeValue::S(map.next_value()?),
                    Tag::N => AttributeValue::N(map.next_value()?),
                    Tag::B => AttributeValue::B(blob(map.next_value()?)?),
                    Tag::BOOL => AttributeValue::Bool(map.next_value()?),
                    Tag::NULL => AttributeValue::Null(map.next_value()?),
                    Tag::M => AttributeValue::M(map.next_value::<ItemIn>()?.0),
                    Tag::L => AttributeValue::L(
                        map.next_value::<Vec<ValueIn>>()?
                            .into_iter()
                            .map(|v| v.0)
                            .collect(),
                    ),
                    Tag::SS => AttributeValue::Ss(map.next_value()?),
                    Tag::NS => AttributeValue::Ns(map.next_value()?),
                    Tag::BS => AttributeValue::Bs(
                        map.next_value::<Vec<String>>()?
                            .into_iter()
                            .map(blob)
                            .collect::<Result<_, _>>()?,
                    ),
                };
                while map.next_key::<IgnoredAny>()?.is_some() {
                    map.next_value::<IgnoredAny>()?;
                }
                Ok(ValueIn(value))
            }
        }
        deserializer.deserialize_map(Tagged)
    }
}

/// An item read from DynamoDB JSON.
pub(crate) struct ItemIn(pub Item);

/// An item as DynamoDB answered it: its table key, and its JSON, read into an attribute map
/// ([`RawItem::item`]) or straight into one of our types ([`RawItem::read`]) only when asked.
#[derive(Debug, Clone)]
pub(crate) struct RawItem {
    pk: String,
    sk: String,
    json: Box<serde_json::value::RawValue>,
}

impl RawItem {
    /// Its `PK` and `SK`.
    pub(crate) fn key(&self) -> (&str, &str) {
        (&self.pk, &self.sk)
    }

    /// As an attribute map.
    pub(crate) fn item(&self) -> Result<Item, serde_json::Error> {
        serde_json::from_str::<ItemIn>(self.json.get()).map(|i| i.0)
    }

    /// As `T`, read straight from the JSON.
    pub(crate) fn read<T: for<'de> Deserialize<'de>>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str::<super::dynamo_json::ItemAs<T>>(self.json.get()).map(|i| i.0)
    }
}

impl<'de> Deserialize<'de> for RawItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Key {
            #[serde(rename = "PK")]
            pk: String,
            #[serde(rename = "SK")]
            sk: String,
        }
        let json = Box::<serde_json::value::RawValue>::deserialize(deserializer)?;
        let key: super::dynamo_json::ItemAs<Key> =
            serde_json::from_str(json.get()).map_err(de::Error::custom)?;
        Ok(RawItem {
            pk: key.0.pk,
            sk: key.0.sk,
            json,
        })
    }
}

/// The `TransactItems` the SDK's `items` are sent as.
#[cfg(test)]
pub(crate) fn transact_items_json(items: &[TransactWriteItem]) -> serde_json::Value {
    let items: Vec<TransactOut<'_>> = items.iter().map(TransactOut).collect();
    serde_json::to_value(&items).expect("transaction items are written")
}

/// An item of DynamoDB JSON as an attribute map.
#[cfg(test)]
pub(crate) fn read_item(json: &str) -> Result<Item, serde_json::Error> {
    serde_json::from_str::<ItemIn>(json).map(|i| i.0)
}

impl<'de> Deserialize<'de> for ItemIn {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Attributes;
        impl<'de> Visitor<'de> for Attributes {
            type Value = ItemIn;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a DynamoDB item")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ItemIn, A::Error> {
                let mut item = HashMap::with_capacity(map.size_hint().unwrap_or(16));
                while let Some((name, value)) = map.next_entry::<String, ValueIn>()? {
                    item.insert(name, value.0);
                }
                Ok(ItemIn(item))
            }
        }
        deserializer.deserialize_map(Attributes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::config::Credentials;
    use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, Update};
    use serde_json::json;

    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.to_owned())
    }

    fn every_kind() -> Item {
        HashMap::from([
            ("s".to_owned(), s("text \"quoted\" é")),
            ("n".to_owned(), AttributeValue::N("-12.5".to_owned())),
            (
                "b".to_owned(),
                AttributeValue::B(Blob::new(vec![0, 1, 254, 255])),
            ),
            ("t".to_owned(), AttributeValue::Bool(true)),
            ("z".to_owned(), AttributeValue::Null(true)),
            (
                "m".to_owned(),
                AttributeValue::M(HashMap::from([("inner".to_owned(), s("x"))])),
            ),
            (
                "l".to_owned(),
                AttributeValue::L(vec![s("a"), AttributeValue::N("1".to_owned())]),
            ),
            (
                "ss".to_owned(),
                AttributeValue::Ss(vec!["a".to_owned(), "b".to_owned()]),
            ),
            ("ns".to_owned(), AttributeValue::Ns(vec!["1".to_owned()])),
            (
                "bs".to_owned(),
                AttributeValue::Bs(vec![Blob::new(vec![7])]),
            ),
        ])
    }

    #[test]
    fn every_kind_of_value_is_written_as_dynamodb_json_and_read_back() {
        let item = every_kind();
        let text = serde_json::to_value(ItemOut(&item)).unwrap();
        assert_eq!(text["s"], json!({"S": "text \"quoted\" é"}));
        assert_eq!(text["n"], json!({"N": "-12.5"}));
        assert_eq!(text["b"], json!({"B": "AAH+/w=="}));
        assert_eq!(text["t"], json!({"BOOL": true}));
        assert_eq!(text["z"], json!({"NULL": true}));
        assert_eq!(text["m"], json!({"M": {"inner": {"S": "x"}}}));
        assert_eq!(text["l"], json!({"L": [{"S": "a"}, {"N": "1"}]}));
        assert_eq!(text["ss"], json!({"SS": ["a", "b"]}));
        assert_eq!(text["ns"], json!({"NS": ["1"]}));
        assert_eq!(text["bs"], json!({"BS": ["Bw=="]}));
        let back: ItemIn = serde_json::from_value(text).unwrap();
        assert_eq!(back.0, item);
    }

    #[test]
    fn a_value_without_a_known_type_is_refused() {
        assert!(serde_json::from_value::<ItemIn>(json!({"a": {"X": "1"}})).is_err());
        assert!(serde_json::from_value::<ItemIn>(json!({"a": {}})).is_err());
        assert!(serde_json::from_value::<ItemIn>(json!({"a": {"B": "not base64!"}})).is_err());
    }

    #[test]
    fn transaction_items_are_written_as_dynamodb_takes_them() {
        let key = HashMap::from([("PK".to_owned(), s("U#1")), ("SK".to_owned(), s("P"))]);
        let items = [
            TransactWriteItem::builder()
                .put(
                    Put::builder()
                        .table_name("t")
                        .set_item(Some(key.clone()))
                        .condition_expression("attribute_not_exists(PK)")
                        .build()
                        .unwrap(),
                )
                .build(),
            TransactWriteItem::builder()
                .update(
                    Update::builder()
                        .table_name("t")
                        .set_key(Some(key.clone()))
                        .update_expression("ADD #c :one")
                        .expression_attribute_names("#c", "count")
                        .expression_attribute_values(":one", AttributeValue::N("1".into()))
                        .build()
                        .unwrap(),
                )
                .build(),
            TransactWriteItem::builder()
                .delete(
                    Delete::builder()
                        .table_name("t")
                        .set_key(Some(key.clone()))
                        .build()
                        .unwrap(),
                )
                .build(),
            TransactWriteItem::builder()
                .condition_check(
                    ConditionCheck::builder()
                        .table_name("t")
                        .set_key(Some(key))
                        .condition_expression("attribute_exists(PK)")
                        .build()
                        .unwrap(),
                )
                .build(),
        ];
        let written: Vec<_> = items
            .iter()
            .map(|i| serde_json::to_value(TransactOut(i)).unwrap())
            .collect();
        let key = json!({"PK": {"S": "U#1"}, "SK": {"S": "P"}});
        assert_eq!(
            written,
            vec![
                json!({"Put": {"TableName": "t", "Item": key,
                    "ConditionExpression": "attribute_not_exists(PK)"}}),
                json!({"Update": {"TableName": "t", "Key": key,
                    "UpdateExpression": "ADD #c :one",
                    "ExpressionAttributeNames": {"#c": "count"},
                    "ExpressionAttributeValues": {":one": {"N": "1"}}}}),
                json!({"Delete": {"TableName": "t", "Key": key}}),
                json!({"ConditionCheck": {"TableName": "t", "Key": key,
                    "ConditionExpression": "attribute_exists(PK)"}}),
            ]
        );
    }

    #[test]
    fn errors_are_told_apart_by_code_and_only_transient_ones_are_unavailable() {
        let cancelled = service_error(
            400,
            br#"{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"Transaction cancelled","CancellationReasons":[{"Code":"None"},{"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}]}"#,
        );
        match &cancelled {
            WireError::Service { code, reasons, .. } => {
                assert_eq!(code, "TransactionCanceledException");
                assert_eq!(reasons, &["None", "ConditionalCheckFailed"]);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            cancelled.into_store("TransactWriteItems"),
            StoreError::Sdk { .. }
        ));
        let throttled = service_error(
            400,
            br#"{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}"#,
        );
        assert_eq!(
            throttled.code(),
            Some("ProvisionedThroughputExceededException")
        );
        assert!(matches!(
            throttled.into_store("GetItem"),
            StoreError::Unavailable { .. }
        ));
        let failed = service_error(500, b"not json");
        assert_eq!(failed.code(), Some("HTTP500"));
        assert!(matches!(
            failed.into_store("Query"),
            StoreError::Unavailable { .. }
        ));
        let refused = WireError::Transport("connection refused".into());
        assert!(matches!(
            refused.into_store("Query"),
            StoreError::Unavailable { .. }
        ));
    }

    fn hex(bytes: &[u8]) -> String {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        bytes
            .iter()
            .flat_map(|b| [b >> 4, b & 0xf].map(|d| char::from(DIGITS[usize::from(d)])))
            .collect()
    }

    fn hmac(key: &[u8], data: &str) -> Vec<u8> {
        let key = aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, key);
        aws_lc_rs::hmac::sign(&key, data.as_bytes())
            .as_ref()
            .to_vec()
    }

    fn sha256(data: &[u8]) -> String {
        hex(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data).as_ref())
    }

    /// The request as sent carries a SigV4 signature that a server recomputing it from the
    /// method, path, signed headers and body (as AWS documents the algorithm) finds equal.
    #[tokio::test]
    async fn a_request_is_signed_over_what_it_sends() {
        let credentials =
            Credentials::new("AKIDEXAMPLE", "secret/key", Some("token".into()), None, "t");
        let wire = Wire::new(
            "https://dynamodb.eu-west-1.amazonaws.com",
            "eu-west-1",
            Some(SharedCredentialsProvider::new(credentials)),
        );
        let body = Bytes::from_static(br#"{"TableName":"t"}"#);
        let identity = wire.identity().await.unwrap();
        let request = wire
            .request("DynamoDB_20120810.GetItem", &body, identity.as_ref())
            .unwrap();
        let header = |name: &str| request.headers()[name].to_str().unwrap().to_owned();
        assert_eq!(request.uri(), "https://dynamodb.eu-west-1.amazonaws.com/");
        assert_eq!(header("host"), "dynamodb.eu-west-1.amazonaws.com");
        assert_eq!(header("x-amz-security-token"), "token");
        let date = header("x-amz-date");
        let authorization = header("authorization");
        let (scope_and_headers, signature) = authorization.rsplit_once(", Signature=").unwrap();
        let signed: Vec<&str> = scope_and_headers
            .split("SignedHeaders=")
            .nth(1)
            .unwrap()
            .split(';')
            .collect();
        for needed in ["content-type", "host", "x-amz-date", "x-amz-target"] {
            assert!(signed.contains(&needed), "{needed} is signed: {signed:?}");
        }
        let canonical_headers: String = signed
            .iter()
            .map(|name| format!("{name}:{}\n", header(name).trim()))
            .collect();
        let canonical = format!(
            "POST\n/\n\n{canonical_headers}\n{}\n{}",
            signed.join(";"),
            sha256(&body)
        );
        let day = &date[..8];
        let scope = format!("{day}/eu-west-1/dynamodb/aws4_request");
        assert!(authorization.starts_with(&format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/{scope}, SignedHeaders="
        )));
        let to_sign = format!(
            "AWS4-HMAC-SHA256\n{date}\n{scope}\n{}",
            sha256(canonical.as_bytes())
        );
        let mut key = hmac(b"AWS4secret/key", day);
        for part in ["eu-west-1", "dynamodb", "aws4_request"] {
            key = hmac(&key, part);
        }
        assert_eq!(signature, hex(&hmac(&key, &to_sign)));
    }

    #[test]
    fn request_tokens_are_32_hex_digits_and_never_repeat() {
        let tokens: Vec<String> = (0..1000).map(|_| request_token()).collect();
        for token in &tokens {
            assert_eq!(token.len(), 32, "{token}");
            assert!(token
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        }
        let distinct: std::collections::HashSet<&String> = tokens.iter().collect();
        assert_eq!(distinct.len(), tokens.len());
    }

    /// The store's own signer writes what `aws-sigv4`'s general signer writes for the same
    /// call, with and without a session token, across a change of day and of secret (the
    /// day's key is derived again).
    #[tokio::test]
    async fn the_direct_signature_is_the_general_signers() {
        let at = |seconds: u64| SystemTime::UNIX_EPOCH + Duration::from_secs(seconds);
        let cases = [
            (Some("token/with+chars=="), "secret/key", at(1_795_710_000)),
            (None, "secret/key", at(1_795_710_001)),
            (Some("t2"), "secret/key", at(1_795_796_400)),
            (Some("t2"), "another+secret", at(1_795_796_401)),
        ];
        let wire = Wire::new(
            "https://dynamodb.eu-west-1.amazonaws.com",
            "eu-west-1",
            None,
        );
        let body = Bytes::from_static(br#"{"TableName":"t","Key":{"PK":{"S":"USER#1"}}}"#);
        for (token, secret, now) in cases {
            let credentials =
                Credentials::new("AKIDEXAMPLE", secret, token.map(str::to_owned), None, "t");
            let identity = Identity::from(credentials);
            let direct = wire
                .request_at("DynamoDB_20120810.GetItem", &body, Some(&identity), now)
                .unwrap();
            let general = wire
                .signed_generally("DynamoDB_20120810.GetItem", &body, &identity, now)
                .unwrap();
            assert!(!general.is_empty());
            for (name, value) in &general {
                assert_eq!(
                    direct.headers()[name.as_str()].to_str().unwrap(),
                    value,
                    "{name} (token {token:?}, secret {secret})"
                );
            }
            let signed_by_us = ["authorization", "x-amz-date", "x-amz-security-token"];
            let added = signed_by_us
                .iter()
                .filter(|name| direct.headers().contains_key(**name))
                .count();
            assert_eq!(added, general.len(), "the same headers are added");
        }
    }

    /// A connection closed before any answer is tried again, three attempts in all, then
    /// given up well within the call's time limit (the store answers it as unavailable).
    #[tokio::test]
    async fn no_answer_is_tried_again_then_given_up_within_the_call_timeout() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let counter = accepted.clone();
        tokio::spawn(async move {
            while let Ok((connection, _)) = listener.accept().await {
                counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                drop(connection);
            }
        });
        let wire = Wire::new(&format!("http://127.0.0.1:{port}"), "us-east-1", None);
        let started = Instant::now();
        let failed = wire
            .get_item("t", &HashMap::from([("PK".to_owned(), s("x"))]), true)
            .await
            .unwrap_err();
        assert!(matches!(failed, WireError::Transport(_)), "{failed:?}");
        assert!(started.elapsed() < CALL_TIMEOUT);
        assert_eq!(accepted.load(std::sync::atomic::Ordering::SeqCst), ATTEMPTS);
        assert!(matches!(
            failed.into_store("GetItem"),
            StoreError::Unavailable { .. }
        ));
    }
}
