//! The accounts contract's user by id, for the user themselves or staff.

use crate::UsersState;
use users_shared::contracts::accounts;
use users_shared::http::response::json;
use users_shared::http::{Call, Outcome};
use users_shared::service::profiles;

pub async fn get(state: &UsersState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    let user = profiles::get_for(&state.store, &caller.user, call.user_id("pk")?).await?;
    Ok(json(200, &accounts::detail(&user)))
}

pub async fn update(state: &UsersState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    let target = call.user_id("pk")?;
    // Permission before the body: a stranger learns nothing from field errors.
    profiles::ensure_may_change(&caller.user, target)?;
    let changes = accounts::changes(&call.body()?)?;
    let client = call.client_address();
    let user = profiles::update_for(&state.store, &caller.user, target, &changes, &client).await?;
    Ok(json(200, &accounts::created(&user)))
}
