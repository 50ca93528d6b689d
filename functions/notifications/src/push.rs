//! The push contract's `/send` (app credentials).

use crate::NotificationsState;
use users_shared::contracts::push;
use users_shared::http::{Call, Outcome};
use users_shared::service::notifications;

pub async fn send(state: &NotificationsState, call: Call<'_>) -> Outcome {
    call.app(&state.store, &push::APP_HEADERS).await?;
    let send = push::send(&call.body()?)?;
    let sent = notifications::push_send(&state.store, send).await?;
    Ok(push::ok(sent))
}
