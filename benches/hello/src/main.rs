//! A Lambda function that answers every event with it, on the same runtime, tokio flavour and
//! release profile as the service's functions: the floor their cold starts are compared with.

use lambda_http::lambda_runtime::{self, service_fn, LambdaEvent};

fn main() -> Result<(), lambda_runtime::Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(lambda_runtime::run(service_fn(
        |event: LambdaEvent<serde_json::Value>| async move {
            Ok::<_, lambda_runtime::Error>(event.payload)
        },
    )))
}
