//! The `stats-job` function: EventBridge invokes it on the template's `StatsSchedule`; each
//! run counts every user in a parallel Scan and stores the statistics snapshot that the
//! `admin` function's stats routes answer from (`users_shared::service::stats`). It has no
//! HTTP route and needs no key: only the table.
//!
//! A failed run is a failed invocation, so that the schedule's retries run it again; running
//! it twice, or two runs at once, leaves the same snapshot.

use lambda_http::lambda_runtime::LambdaEvent;
use serde_json::{json, Value};
use std::sync::Arc;
use users_shared::service::stats;
use users_shared::store::Store;

/// What the function builds once per cold start.
#[derive(Debug, Clone)]
pub struct StatsJobState {
    pub store: Store,
    /// Parallel Scan segments per run (`STATS_SCAN_SEGMENTS`).
    pub segments: u32,
}

impl StatsJobState {
    pub fn new(store: Store, segments: u32) -> Self {
        Self { store, segments }
    }

    /// The segments `STATS_SCAN_SEGMENTS` asks for, else [`stats::DEFAULT_SEGMENTS`].
    pub fn segments_from(setting: Option<&str>) -> u32 {
        setting
            .and_then(|s| s.trim().parse().ok())
            .filter(|n| (1..=stats::MAX_SEGMENTS).contains(n))
            .unwrap_or(stats::DEFAULT_SEGMENTS)
    }
}

/// Runs the job for one scheduled event (its content is not needed); answers what it counted.
pub async fn handle(
    state: &StatsJobState,
    event: LambdaEvent<Value>,
) -> Result<Value, lambda_http::Error> {
    tracing::info!(
        event_time = event.payload["time"].as_str().unwrap_or_default(),
        "statistics run started"
    );
    let report = stats::run_job(&state.store, state.segments, Arc::new(|_| {})).await?;
    Ok(json!({
        "taken_at": report.snapshot.taken_at.map(|t| t.to_rfc3339()),
        "users": report.snapshot.users,
        "stored": report.stored,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_segment_setting_falls_back_to_the_default_when_absent_or_out_of_range() {
        assert_eq!(StatsJobState::segments_from(Some("8")), 8);
        for setting in [None, Some(""), Some("0"), Some("x"), Some("100000")] {
            assert_eq!(
                StatsJobState::segments_from(setting),
                stats::DEFAULT_SEGMENTS,
                "{setting:?}"
            );
        }
    }
}
