//! The campaign backend's staff routes. The caller's staff rights are checked before the body
//! is read, so a caller without them learns nothing from their answers.

use crate::AdminState;
use lambda_http::http::header::LAST_MODIFIED;
use users_shared::contracts::campaign;
use users_shared::domain::Breakdown;
use users_shared::http::response::{json, Json};
use users_shared::http::{Call, Outcome};
use users_shared::service::staff::{self, By};
use users_shared::service::stats;

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

pub async fn stats_by_sex(state: &AdminState, call: Call<'_>) -> Outcome {
    statistics(state, call, Breakdown::Sex).await
}

pub async fn stats_by_age(state: &AdminState, call: Call<'_>) -> Outcome {
    statistics(state, call, Breakdown::Age).await
}

pub async fn stats_by_preferences(state: &AdminState, call: Call<'_>) -> Outcome {
    statistics(state, call, Breakdown::Preferences).await
}

/// One distribution of the stats job's latest snapshot (one GetItem, whatever the number of
/// users); `Last-Modified` is when it was taken. Before the first run: every percentage 0.
async fn statistics(state: &AdminState, call: Call<'_>, breakdown: Breakdown) -> Outcome {
    let caller = call.caller(state).await?;
    staff::ensure_staff(&caller.user)?;
    let (distribution, taken_at) = stats::breakdown(&state.store, breakdown).await?;
    let mut answer = Json::new(200, &campaign::StatsAnswer(&distribution));
    if let Some(taken_at) = taken_at {
        answer = answer.header_text(LAST_MODIFIED, &taken_at.to_http_date());
    }
    Ok(answer.build())
}
