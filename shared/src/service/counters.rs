//! Counters other services own (careers posts, likes and comments; campaign participations
//! and earnings): changed only by an app with credentials, once per request id.

use super::apps::App;
use super::ServiceError;
use crate::clock::Timestamp;
use crate::domain::CounterChange;
use crate::store::{CounterChangeError, CountersChanged, Store};

/// Applies `change` for `app`. A request id the app used before changes nothing and answers
/// what the first request did; used for another change, it is refused.
pub async fn change(
    store: &Store,
    app: &App,
    change: &CounterChange,
) -> Result<CountersChanged, ServiceError> {
    match store
        .change_counters(&app.app_id, change, Timestamp::now())
        .await
    {
        Ok(changed) => Ok(changed),
        Err(CounterChangeError::NoSuchUser) => Err(ServiceError::NotFound),
        Err(CounterChangeError::BelowZero(counter)) => Err(ServiceError::invalid(
            &format!("changes.{}", counter.name()),
            "This change would take the counter below zero.",
        )),
        Err(CounterChangeError::RequestIdReused) => Err(ServiceError::invalid(
            "request_id",
            "This request id was already used for a different change.",
        )),
        Err(CounterChangeError::Store(error)) => Err(error.into()),
    }
}
