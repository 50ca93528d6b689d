//! The careers contract's sign-up, sign-in, token refresh and sign-out.

use crate::AuthState;
use users_shared::contracts::careers;
use users_shared::http::response::{json, Json};
use users_shared::http::{Call, Outcome};
use users_shared::service::sessions;

pub async fn register(state: &AuthState, call: Call<'_>) -> Outcome {
    let new_user = careers::new_user(&call.body()?)?;
    let client = call.client_address();
    let account = new_user.into();
    let (user, tokens) = sessions::register(&state.store, &state.signer, account, &client).await?;
    Ok(Json::new(201, &careers::registered(&user, &tokens))
        .no_store()
        .build())
}

pub async fn login(state: &AuthState, call: Call<'_>) -> Outcome {
    let (name, password) = careers::login(&call.body()?)?;
    let client = call.client_address();
    let (user, tokens) =
        sessions::login(&state.store, &state.signer, name, password, &client).await?;
    Ok(Json::new(200, &careers::logged_in(&user, &tokens))
        .no_store()
        .build())
}

pub async fn token_refresh(state: &AuthState, call: Call<'_>) -> Outcome {
    let presented = careers::refresh_token(&call.body()?)?;
    let tokens = sessions::refresh(&state.store, &state.signer, &presented).await?;
    Ok(Json::new(200, &careers::refreshed(&tokens))
        .no_store()
        .build())
}

pub async fn logout(state: &AuthState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    let refresh = careers::optional_refresh_token(&call.body()?)?;
    sessions::logout(&state.store, &caller, refresh.as_deref()).await?;
    Ok(json(200, &careers::logged_out()))
}
