//! The careers contract's profiles, directory and stats.

use crate::UsersState;
use users_shared::contracts::careers;
use users_shared::http::response::json;
use users_shared::http::{Call, Outcome};
use users_shared::service::{directory, profiles};

pub async fn me(state: &UsersState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    Ok(json(200, &careers::me(&caller.user)))
}

pub async fn list(state: &UsersState, call: Call<'_>) -> Outcome {
    let caller = call.caller_if_token(state).await?;
    let (query, batch_size, batch_number) = careers::list_query(&call.query())?;
    let listing = directory::list(&state.store, caller, &query).await?;
    Ok(json(
        200,
        &careers::listing(&listing, batch_size, batch_number),
    ))
}

pub async fn profile(state: &UsersState, call: Call<'_>) -> Outcome {
    let user = profiles::by_username(&state.store, call.param("username")?).await?;
    Ok(json(200, &careers::public_profile(&user)))
}

pub async fn my_stats(state: &UsersState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    Ok(json(200, &careers::stats(&caller.user)))
}

pub async fn stats(state: &UsersState, call: Call<'_>) -> Outcome {
    let user = profiles::by_username(&state.store, call.param("username")?).await?;
    Ok(json(200, &careers::stats(&user)))
}

pub async fn update_me(state: &UsersState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    let changes = careers::profile_changes(&call.body()?)?;
    let client = call.client_address();
    let user = profiles::update(&state.store, caller.user.id, &changes, &client).await?;
    Ok(json(200, &careers::updated(&user)))
}
