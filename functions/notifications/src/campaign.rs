//! The campaign app's inbox and the backend's sends to one user.

use crate::NotificationsState;
use users_shared::contracts::campaign;
use users_shared::http::response::json;
use users_shared::http::{Call, Outcome};
use users_shared::service::{notifications, staff};

pub async fn history(state: &NotificationsState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    let (page, limit) = campaign::history_params(&call.body()?)?;
    let inbox = notifications::inbox(&state.store, caller.user.id, page, limit).await?;
    Ok(json(
        200,
        &campaign::history(caller.user.id, page, limit, &inbox),
    ))
}

pub async fn mark_read(state: &NotificationsState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    let marking = campaign::marking(&call.body()?)?;
    let (marked, unread) = notifications::mark_read(&state.store, caller.user.id, marking).await?;
    Ok(json(200, &campaign::marked(marked, unread)))
}

/// Staff only: checked before the body is read.
pub async fn send(state: &NotificationsState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    staff::ensure_staff(&caller.user)?;
    let order = campaign::staff_notification(&call.body()?)?;
    notifications::send_from_staff(&state.store, &caller.user, order).await?;
    Ok(json(200, &campaign::notification_sent()))
}
