//! The campaign backend's staff routes. The caller's staff rights are checked before the body
//! is read, so a caller without them learns nothing from their answers.

use crate::AdminState;
use users_shared::contracts::campaign;
use users_shared::http::response::json;
use users_shared::http::{Call, Outcome};
use users_shared::service::staff::{self, By};

pub async fn ban(state: &AdminState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    staff::ensure_staff(&caller.user)?;
    let order = campaign::ban_order(&call.body()?)?;
    staff::set_ban(&state.store, By::Staff(&caller.user), order).await?;
    Ok(json(200, &campaign::ban_updated()))
}

pub async fn status(state: &AdminState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    staff::ensure_staff(&caller.user)?;
    let user_id = campaign::target_user(&call.body()?)?;
    let standing = staff::standing(&state.store, &caller.user, user_id).await?;
    Ok(json(200, &campaign::status(&standing)))
}

pub async fn force_logout(state: &AdminState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    staff::ensure_staff(&caller.user)?;
    let (user_id, reason) = campaign::force_logout_order(&call.body()?)?;
    staff::force_logout(&state.store, By::Staff(&caller.user), user_id, reason).await?;
    Ok(json(200, &campaign::logged_out_everywhere()))
}
