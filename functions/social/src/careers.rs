//! The careers contract's follow graph.

use crate::SocialState;
use users_shared::contracts::careers;
use users_shared::http::response::json;
use users_shared::http::{Call, Failure, Outcome};
use users_shared::service::social::{self, Side};

/// Once the process remembers both users from earlier follows, a follow is one transaction
/// that checks the caller's session and account itself ([`social::follow_at_once`]). Otherwise,
/// or when a check fails, the caller's authentication, the read of whom they follow (and, once
/// per 50 follows of a process, the taking of follow ids) run side by side, then the
/// transaction: two round trips. A bad body is still answered after the caller is
/// authenticated (401 before 400), as before.
pub async fn follow(state: &SocialState, call: Call<'_>) -> Outcome {
    let target = match call.body() {
        Ok(fields) => careers::follow_target(&fields).map_err(Failure::from),
        Err(malformed) => Err(malformed.into()),
    };
    let target = match target {
        Ok(target) => target,
        Err(failure) => {
            call.caller(state).await?;
            return Err(failure);
        }
    };
    let at_once =
        social::follow_at_once(&state.store, &state.verifier, call.bearer(), &target).await?;
    if let Some(edge) = at_once {
        return Ok(json(201, &careers::follow_edge(&edge)));
    }
    let (caller, followed, ids) = tokio::join!(
        call.caller(state),
        social::find_target(&state.store, &target),
        state.store.ready_follow_ids()
    );
    let caller = caller?;
    ids.map_err(users_shared::service::ServiceError::from)?;
    let edge = social::follow(&state.store, &caller.user, &target, followed?).await?;
    Ok(json(201, &careers::follow_edge(&edge)))
}

pub async fn unfollow(state: &SocialState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    let username = call.param("username")?;
    social::unfollow(&state.store, &caller.user, username).await?;
    Ok(json(200, &careers::unfollowed(username)))
}

pub async fn my_following(state: &SocialState, call: Call<'_>) -> Outcome {
    let caller = call.caller(state).await?;
    let page = careers::page(&call.query())?;
    let (edges, count) = social::follows_of(&state.store, &caller.user, page).await?;
    Ok(json(200, &careers::follow_page(count, &edges)))
}

pub async fn followers(state: &SocialState, call: Call<'_>) -> Outcome {
    people(state, call, Side::Followers).await
}

pub async fn following(state: &SocialState, call: Call<'_>) -> Outcome {
    people(state, call, Side::Following).await
}

async fn people(state: &SocialState, call: Call<'_>, side: Side) -> Outcome {
    let caller = call.caller_if_token(state).await?;
    let page = careers::page(&call.query())?;
    let username = call.param("username")?;
    let (people, count) = social::people(&state.store, username, side, caller, page).await?;
    Ok(json(200, &careers::people_page(count, &people)))
}
