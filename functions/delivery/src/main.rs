use lambda_http::lambda_runtime::{self, service_fn, LambdaEvent};
use users_shared::config::{aws_sdk_config, Config};

/// Any event (a stream batch or the schedule's tick) runs one sweep; a failed sweep fails
/// the invocation, so the stream retries the batch.
fn main() -> Result<(), lambda_runtime::Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        users_shared::process::init();
        let config = Config::from_env()?;
        let sdk = aws_sdk_config().await;
        let worker = delivery_function::Worker::new(&config, &sdk)?;
        let worker = &worker;
        lambda_runtime::run(service_fn(
            move |event: LambdaEvent<serde_json::Value>| async move {
                Ok::<_, lambda_runtime::Error>(worker.handle(event).await?)
            },
        ))
        .await
    })
}
