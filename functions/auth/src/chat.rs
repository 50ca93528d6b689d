//! The chat server's `login_or_register` and user tokens (app credentials).

use crate::AuthState;
use users_shared::contracts::chat;
use users_shared::http::{Call, Outcome};
use users_shared::service::chat as chat_service;

pub async fn login_or_register(state: &AuthState, call: Call<'_>) -> Outcome {
    let app = call.app(&state.store, &chat::APP_HEADERS).await?;
    let wanted = chat::login_or_register(&call.body()?)?;
    let client = call.client_address();
    let caller = chat_service::ChatCaller {
        app_id: &app.app_id,
        client: &client,
    };
    let user = chat_service::login_or_register(&state.store, wanted, caller).await?;
    Ok(chat::ok(chat::user(&user)))
}

pub async fn get_user_token(state: &AuthState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &chat::APP_HEADERS).await?;
    let chat_user_id = chat::user_id_param(&call.query())?;
    let token = chat_service::user_token(&state.store, &state.signer, &chat_user_id).await?;
    Ok(chat::ok(chat::token(&token)))
}

pub async fn reset_user_token(state: &AuthState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &chat::APP_HEADERS).await?;
    let chat_user_id = chat::user_id_field(&call.body()?)?;
    let token = chat_service::reset_user_token(&state.store, &state.signer, &chat_user_id).await?;
    Ok(chat::ok(chat::token(&token)))
}
