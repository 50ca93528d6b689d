//! The campaign app's profile update.

use crate::UsersState;
use users_shared::contracts::campaign;
use users_shared::http::response::json;
use users_shared::http::{Call, Outcome};
use users_shared::service::profiles;

pub async fn update_profile(state: &UsersState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    let changes = campaign::profile_changes(&call.body()?)?;
    let client = call.client_address();
    profiles::update_with_place(&state.store, &caller.user, &changes, &client).await?;
    Ok(json(200, &campaign::profile_updated()))
}
