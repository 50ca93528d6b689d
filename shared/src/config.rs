//! Configuration from the environment, read once per cold start.
//!
//! | variable           | who needs it      | what it is                                        |
//! |--------------------|-------------------|---------------------------------------------------|
//! | `TABLE_NAME`       | every function    | the one DynamoDB table                            |
//! | `JWT_PUBLIC_KEY`   | every function    | PEM (SPKI) of the Ed25519 key that verifies tokens |
//! | `JWT_PRIVATE_KEY`  | the auth function | PKCS#8 PEM of the Ed25519 signing key             |
//! | `JWT_ISSUER`       | every function    | the `iss` claim (default `users-service`)         |
//! | `APP_SECRET_KEY`   | functions that check app credentials, `userctl` | 32 random bytes (base64): the AES-256-GCM key that seals app secrets |
//! | `TOPIC_ARN`        | functions that publish (auth) | the notifications SNS topic          |
//! | `DIRECTORY_SCAN_CAP` | the users function (optional) | index entries one filtered list may examine (default [`crate::service::directory::SCAN_CAP`]) |
//!
//! AWS endpoints, region and credentials are not ours to read: `aws-config` takes them from
//! its own variables (`AWS_REGION`, `AWS_ENDPOINT_URL_DYNAMODB`, ...).

use crate::auth::keys::KeyError;
use crate::auth::sealing::SealingKey;
use crate::auth::tokens::{TokenSigner, TokenVerifier};
use crate::notify::Notifier;
use crate::store::Store;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {name} is not valid: {source}")]
    InvalidKey {
        name: &'static str,
        source: KeyError,
    },
    #[error("environment variable {0} is not 32 bytes of base64")]
    InvalidSecretKey(&'static str),
    #[error("the OpenAPI document cannot be built: {0}")]
    Document(String),
}

pub const DEFAULT_ISSUER: &str = "users-service";

/// Everything a function is configured with. `Debug` never shows key material.
#[derive(Clone)]
pub struct Config {
    pub table_name: String,
    pub issuer: String,
    pub public_key_pem: String,
    pub private_key_pem: Option<String>,
    pub topic_arn: Option<String>,
    /// Seals and opens app secrets (`APP_SECRET_KEY`); without it app credentials cannot be
    /// made and only the plain secret is accepted.
    pub app_secret_key: Option<SealingKey>,
    /// Directory index entries one filtered list request may examine before it answers with
    /// a cursor to continue.
    pub directory_scan_cap: usize,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("table_name", &self.table_name)
            .field("issuer", &self.issuer)
            .field("public_key_pem", &"[set]")
            .field(
                "private_key_pem",
                &self.private_key_pem.as_ref().map(|_| "[redacted]"),
            )
            .field(
                "app_secret_key",
                &self.app_secret_key.as_ref().map(|_| "[redacted]"),
            )
            .field("directory_scan_cap", &self.directory_scan_cap)
            .finish()
    }
}

fn var(name: &'static str) -> Result<String, ConfigError> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .ok_or(ConfigError::Missing(name))
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self {
            table_name: var("TABLE_NAME")?,
            issuer: var("JWT_ISSUER").unwrap_or_else(|_| DEFAULT_ISSUER.to_owned()),
            public_key_pem: var("JWT_PUBLIC_KEY")?,
            private_key_pem: var("JWT_PRIVATE_KEY").ok(),
            topic_arn: var("TOPIC_ARN").ok(),
            app_secret_key: var("APP_SECRET_KEY")
                .ok()
                .map(|text| SealingKey::from_base64(&text))
                .transpose()
                .map_err(|_| ConfigError::InvalidSecretKey("APP_SECRET_KEY"))?,
            directory_scan_cap: var("DIRECTORY_SCAN_CAP")
                .ok()
                .and_then(|v| v.trim().parse().ok())
                .filter(|cap| *cap > 0)
                .unwrap_or(crate::service::directory::SCAN_CAP),
        })
    }

    pub fn verifier(&self) -> Result<TokenVerifier, ConfigError> {
        TokenVerifier::new(&self.public_key_pem, &self.issuer).map_err(|source| {
            ConfigError::InvalidKey {
                name: "JWT_PUBLIC_KEY",
                source,
            }
        })
    }

    pub fn signer(&self, verifier: &TokenVerifier) -> Result<TokenSigner, ConfigError> {
        let private_pem = self
            .private_key_pem
            .as_deref()
            .ok_or(ConfigError::Missing("JWT_PRIVATE_KEY"))?;
        TokenSigner::new(private_pem, &self.public_key_pem, verifier, &self.issuer).map_err(
            |source| ConfigError::InvalidKey {
                name: "JWT_PRIVATE_KEY",
                source,
            },
        )
    }

    pub fn notifier(&self, sdk: &aws_config::SdkConfig) -> Result<Notifier, ConfigError> {
        let topic_arn = self
            .topic_arn
            .as_deref()
            .ok_or(ConfigError::Missing("TOPIC_ARN"))?;
        Ok(Notifier::from_sdk(sdk, topic_arn))
    }

    pub fn store(&self, sdk: &aws_config::SdkConfig) -> Store {
        Store::new(sdk, self.table_name.as_str()).with_sealing_key(self.app_secret_key.clone())
    }
}

/// The AWS SDK configuration from the standard environment. Makes no network call: region,
/// endpoints and static credentials come from variables; credentials are resolved lazily.
///
/// Where the credentials and the region are variables (always, in Lambda), they are taken from
/// there directly: the default chains would first be built at every cold start (an STS client
/// for web identity, the profile files, the container and instance metadata providers) only to
/// end at the same variables. Elsewhere (an operator's `userctl` with a profile) the default
/// chains apply.
pub async fn aws_sdk_config() -> aws_config::SdkConfig {
    let set = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(timeouts())
        .http_client(https_client());
    if set("AWS_ACCESS_KEY_ID").is_some() && set("AWS_SECRET_ACCESS_KEY").is_some() {
        loader = loader.credentials_provider(
            aws_config::environment::EnvironmentVariableCredentialsProvider::new(),
        );
    }
    if let Some(region) = set("AWS_REGION").or_else(|| set("AWS_DEFAULT_REGION")) {
        loader = loader.region(aws_config::Region::new(region));
    }
    loader.load().await
}

/// The roots every AWS service endpoint's certificate chains to (Amazon Trust Services), as
/// PEM for the SDK's client.
const AWS_ROOTS: &str = include_str!("../data/aws-roots.pem");

/// The same roots as DER, for the store's own client: nothing to decode at a cold start (the
/// PEM text took a third of a function's instructions before its first event). A test checks
/// that they are the certificates of [`AWS_ROOTS`], in order.
const AWS_ROOTS_DER: [&[u8]; 5] = [
    include_bytes!("../data/aws-roots/amazon-root-ca-1.der"),
    include_bytes!("../data/aws-roots/amazon-root-ca-2.der"),
    include_bytes!("../data/aws-roots/amazon-root-ca-3.der"),
    include_bytes!("../data/aws-roots/amazon-root-ca-4.der"),
    include_bytes!("../data/aws-roots/starfield-services-root-g2.der"),
];

/// The SDK's HTTPS client (rustls on aws-lc-rs) trusting the AWS roots only: the default one
/// reads every certificate of the system's store at a cold start, a few milliseconds spent
/// before the first event, for roots no AWS endpoint uses.
pub fn https_client() -> aws_sdk_dynamodb::config::SharedHttpClient {
    use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
    let trust = TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(AWS_ROOTS.as_bytes());
    let context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .expect("a TLS context from the built-in AWS roots");
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(context)
        .build_https()
}

/// The TLS configuration of the store's own DynamoDB client ([`crate::store`]): rustls on
/// aws-lc-rs, trusting the AWS roots only, as [`https_client`] does.
pub(crate) fn aws_tls_config() -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    for root in AWS_ROOTS_DER {
        roots
            .add(rustls::pki_types::CertificateDer::from(root))
            .expect("a built-in AWS root is a certificate");
    }
    rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("aws-lc-rs supports the default TLS versions")
    .with_root_certificates(roots)
    .with_no_client_auth()
}

/// No call waits long: a second to connect, three for an attempt, six for a call with the
/// SDK's retries (standard mode: three attempts, throttling backed off). A request whose
/// storage is down is answered 503 within that, never left hanging.
pub fn timeouts() -> aws_config::timeout::TimeoutConfig {
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(std::time::Duration::from_secs(1))
        .operation_attempt_timeout(std::time::Duration::from_secs(3))
        .operation_timeout(std::time::Duration::from_secs(6))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_aws_roots_make_a_tls_context() {
        let roots = pem::parse_many(AWS_ROOTS).unwrap();
        assert_eq!(roots.len(), 5);
        assert!(roots.iter().all(|r| r.tag() == "CERTIFICATE"));
        let pem_contents: Vec<&[u8]> = roots.iter().map(pem::Pem::contents).collect();
        assert_eq!(pem_contents, AWS_ROOTS_DER);
        let _config = aws_tls_config();
        let _client = https_client();
    }

    #[test]
    fn debug_output_never_shows_key_material() {
        let config = Config {
            table_name: "t".into(),
            issuer: "i".into(),
            public_key_pem: "PUBLIC-SECRETISH".into(),
            private_key_pem: Some("PRIVATE-SECRET".into()),
            topic_arn: None,
            app_secret_key: None,
            directory_scan_cap: 1,
        };
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("PRIVATE-SECRET") && !shown.contains("PUBLIC-SECRETISH"),
            "{shown}"
        );
    }
}
