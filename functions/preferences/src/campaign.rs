//! The campaign app's settings, each for the signed-in caller.

use crate::PreferencesState;
use users_shared::contracts::campaign;
use users_shared::http::response::json;
use users_shared::http::{Call, Outcome};
use users_shared::service::settings;

pub async fn get_preferences(state: &PreferencesState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    let found = settings::settings(&state.store, &caller.user).await?;
    Ok(json(200, &campaign::preferences(found)))
}

pub async fn update_preferences(state: &PreferencesState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    let update = campaign::preferences_update(&call.body()?)?;
    settings::update_preferences(&state.store, &caller.user, update).await?;
    Ok(json(200, &campaign::preferences_updated()))
}

pub async fn update_language(state: &PreferencesState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    let language = campaign::language_update(&call.body()?)?;
    settings::update_language(&state.store, &caller.user, language).await?;
    Ok(json(200, &campaign::language_updated()))
}

pub async fn get_notifications(state: &PreferencesState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    let found = settings::notifications(&state.store, caller.user.id).await?;
    Ok(json(
        200,
        &campaign::notification_settings(caller.user.id, &found),
    ))
}

pub async fn update_notifications(state: &PreferencesState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    let changes = campaign::notification_changes(&call.body()?)?;
    settings::update_notifications(&state.store, caller.user.id, &changes).await?;
    Ok(json(200, &campaign::notifications_updated()))
}
