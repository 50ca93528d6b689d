//! The chat server's user profile and user list (app credentials).

use crate::UsersState;
use users_shared::contracts::chat;
use users_shared::http::{Call, Outcome};
use users_shared::service::chat as chat_service;

pub async fn user_profile(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &chat::APP_HEADERS).await?;
    let chat_user_id = chat::user_id_param(&call.query())?;
    let user = chat_service::profile(&state.store, &chat_user_id).await?;
    Ok(chat::ok(chat::user(&user)))
}

pub async fn user_list(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &chat::APP_HEADERS).await?;
    let (page, limit, order, descending) = chat::list_params(&call.query())?;
    let (users, total) = chat_service::list(&state.store, page, limit, order, descending).await?;
    Ok(chat::ok(chat::user_list(&users, total, limit)))
}
