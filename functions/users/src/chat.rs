//! The chat server's user profile, user list and user deactivation (app credentials).

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

pub async fn deactivate_users(state: &UsersState, call: Call<'_>) -> Outcome {
    set_active(state, call, false).await
}

pub async fn reactivate_users(state: &UsersState, call: Call<'_>) -> Outcome {
    set_active(state, call, true).await
}

async fn set_active(state: &UsersState, call: Call<'_>, active: bool) -> Outcome {
    call.app(&state.store, &chat::APP_HEADERS).await?;
    let chat_user_ids = chat::user_ids(&call.body()?)?;
    let changed = chat_service::set_active(&state.store, &chat_user_ids, active).await?;
    Ok(chat::ok(chat::access_changed(active, changed)))
}
