//! The campaign app's profile update, and the counters the campaign and careers backends keep
//! on a user.

use crate::UsersState;
use users_shared::contracts::campaign;
use users_shared::http::response::json;
use users_shared::http::{Call, Outcome};
use users_shared::service::{counters, profiles};

pub async fn update_profile(state: &UsersState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    let changes = campaign::profile_changes(&call.body()?)?;
    let client = call.client_address();
    profiles::update_with_place(&state.store, &caller.user, &changes, &client).await?;
    Ok(json(200, &campaign::profile_updated()))
}

pub async fn change_counters(state: &UsersState, call: Call<'_>) -> Outcome {
    let app = call
        .app(&state.store, &campaign::COUNTER_APP_HEADERS)
        .await?;
    let change = campaign::counter_change(&call.body()?)?;
    let changed = counters::change(&state.store, &app, &change).await?;
    Ok(json(
        200,
        &campaign::counters_updated(change.user_id, changed),
    ))
}
