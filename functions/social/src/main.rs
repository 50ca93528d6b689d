use lambda_http::{service_fn, Error, Request};
use social_function::{handle, SocialState};
use users_shared::config::{aws_sdk_config, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    users_shared::process::init();
    let config = Config::from_env()?;
    let sdk = aws_sdk_config().await;
    let state = SocialState::new(&config, &sdk)?;
    let state = &state;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, std::convert::Infallible>(handle(state, request).await)
    }))
    .await
}
