use lambda_http::lambda_runtime::{self, service_fn, LambdaEvent};
use users_shared::config::aws_sdk_config;
use users_shared::store::Store;

fn main() -> Result<(), lambda_http::Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        users_shared::process::init();
        let table = std::env::var("TABLE_NAME").map_err(|_| "TABLE_NAME is not set")?;
        let segments = std::env::var("STATS_SCAN_SEGMENTS").ok();
        let sdk = aws_sdk_config().await;
        let state = stats_job_function::StatsJobState::new(
            Store::new(&sdk, table),
            stats_job_function::StatsJobState::segments_from(segments.as_deref()),
        );
        let state = &state;
        // The handler's future is boxed: inline, its depth overflows the compiler's limit.
        lambda_runtime::run(service_fn(move |event: LambdaEvent<serde_json::Value>| {
            Box::pin(stats_job_function::handle(state, event))
        }))
        .await
    })
}
