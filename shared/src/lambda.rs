//! The one `main` of every function: tracing, configuration, SDK clients and the function's
//! state built once per cold start, then the Lambda runtime serving the route table.

use crate::auth::tokens::TokenVerifier;
use crate::config::{aws_sdk_config, Config, ConfigError};
use crate::http::routing::{dispatch, Route};
use crate::store::Store;
use lambda_http::{service_fn, Request};
use std::convert::Infallible;

/// What a function builds once per cold start and lends to every request.
pub trait FunctionState: Sized + Sync + 'static {
    fn new(config: &Config, sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError>;
}

/// The state of a function that signs callers in by bearer token and holds no signing key:
/// the table and the public key. Functions with more state deref to it.
#[derive(Debug)]
pub struct Sessions {
    pub store: Store,
    pub verifier: TokenVerifier,
    /// Index entries one filtered user list may examine ([`Config::directory_scan_cap`]).
    pub directory_scan_cap: usize,
}

impl FunctionState for Sessions {
    fn new(config: &Config, sdk: &aws_config::SdkConfig) -> Result<Self, ConfigError> {
        Ok(Self {
            store: config.store(sdk),
            verifier: config.verifier()?,
            directory_scan_cap: config.directory_scan_cap,
        })
    }
}

/// Runs a function: its state is built once, then each event is dispatched through `routes`.
pub fn run<S: FunctionState>(routes: &'static [Route<S>]) -> Result<(), lambda_http::Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        crate::process::init();
        let config = Config::from_env()?;
        let sdk = aws_sdk_config().await;
        let state = S::new(&config, &sdk)?;
        let state = &state;
        lambda_http::run(service_fn(move |request: Request| async move {
            Ok::<_, Infallible>(dispatch(routes, state, request).await)
        }))
        .await
    })
}
