//! The accounts contract's sign-up with an e-mailed one-time code.

use crate::AuthState;
use users_shared::contracts::accounts;
use users_shared::http::response::json;
use users_shared::http::{Call, Outcome};
use users_shared::service::verification;

pub async fn create(state: &AuthState, call: Call<'_>) -> Outcome {
    let account = accounts::new_account(&call.body()?)?;
    let client = call.client_address();
    let (user, sent) =
        verification::sign_up(&state.store, &state.notifier, account, &client).await?;
    Ok(json(201, &accounts::signed_up(&user, sent)))
}

pub async fn verify(state: &AuthState, call: Call<'_>) -> Outcome {
    let (email, code) = accounts::verification(&call.body()?)?;
    verification::verify(&state.store, &email, &code).await?;
    Ok(json(200, &accounts::verified()))
}

pub async fn resend_code(state: &AuthState, call: Call<'_>) -> Outcome {
    let email = accounts::email(&call.body()?)?;
    let client = call.client_address();
    verification::resend(&state.store, &state.notifier, &email, &client).await?;
    Ok(json(200, &accounts::code_sent()))
}
