//! The push contract's users (app credentials).

use crate::UsersState;
use users_shared::contracts::push;
use users_shared::http::response::json;
use users_shared::http::{Call, Outcome};
use users_shared::service::push as push_service;

pub async fn create_user(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let email = push::new_user_email(&call.body()?)?;
    let user = push_service::create_user(&state.store, email).await?;
    Ok(push::ok(push::user(&user.summary())))
}

pub async fn get_user(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let user = push_service::get_user(&state.store, call.user_id("id")?).await?;
    Ok(push::ok(push::user(&user.summary())))
}

pub async fn delete_user(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    push_service::delete_user(&state.store, call.user_id("id")?).await?;
    Ok(json(200, &push::deleted()))
}

pub async fn create_users(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let emails = push::bulk_emails(&call.body()?)?;
    let outcome = push_service::create_users(&state.store, emails).await?;
    Ok(json(200, &push::bulk_created(&outcome)))
}

pub async fn list_users(state: &UsersState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let (page, limit) = push::page_and_limit(&call.query())?;
    let users = push_service::list_users(&state.store, page, limit).await?;
    Ok(push::ok(push::user_list(&users, page, limit)))
}
