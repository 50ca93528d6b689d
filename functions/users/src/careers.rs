//! The careers contract's profiles, directory and stats.

use crate::UsersState;
use users_shared::clock::Timestamp;
use users_shared::contracts::careers;
use users_shared::http::response::json;
use users_shared::http::{Call, Outcome};
use users_shared::service::{directory, limits, profiles};

pub async fn me(state: &UsersState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    Ok(json(200, &careers::me(&caller.user)))
}

/// Filtered lists (search, names) examine at most the configured number of index entries and
/// count against a per-address limit; plain lists read about a page and are not limited.
/// The page is read while the caller's token is checked; a bad query is answered after the
/// token (401 before 400), as before.
pub async fn list(state: &UsersState, call: Call<'_>) -> Outcome {
    let (query, batch_size, batch_number) = match careers::list_query(&call.query()) {
        Ok(parsed) => parsed,
        Err(invalid) => {
            call.caller_if_token(state).await?;
            return Err(invalid.into());
        }
    };
    let page = async {
        if query.is_filtered() {
            limits::check(
                &state.store,
                limits::DIRECTORY_SEARCH_PER_ADDRESS,
                &call.client_address(),
                Timestamp::now(),
            )
            .await?;
        }
        directory::read_page(&state.store, &query, state.directory_scan_cap).await
    };
    let (caller, page) = tokio::join!(call.caller_if_token(state), page);
    let listing = directory::mark_followed(&state.store, caller?, page?).await?;
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
