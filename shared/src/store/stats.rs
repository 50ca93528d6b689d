//! The user statistics: the one Scan of the table, run only by the stats job (never on a
//! request path), in parallel segments that project just what is counted and keep only user
//! items; and the one snapshot item the staff routes read by key.

use super::items::{parsed, StatsSnapshotItem, UserTraitsItem, ENTITY_STATS_SNAPSHOT, ENTITY_USER};
use super::plumbing::{held, key, send_put, to_item};
use super::{keys, Store, StoreError};
use crate::clock::Timestamp;
use crate::domain::{Birthday, Gender, StatsSnapshot, UserTraits};
use aws_sdk_dynamodb::types::{AttributeValue, ReturnConsumedCapacity};
use std::sync::Arc;

/// How far one Scan segment has read: reported after each page it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanProgress {
    /// The segment, from 0.
    pub segment: u32,
    pub total_segments: u32,
    /// Users this segment has read so far.
    pub users: u64,
    /// Whether the segment has read its last page.
    pub finished: bool,
}

/// Where a run reports each page read.
pub type OnProgress = Arc<dyn Fn(ScanProgress) + Send + Sync>;

impl Store {
    /// Reads every user item in `total_segments` parallel Scan segments, each folding the
    /// users it reads into an accumulator of its own; returns the accumulators (one per
    /// segment, in no particular order). Eventually consistent reads: half the cost, and a
    /// statistic does not need the last second's writes.
    pub async fn scan_user_traits<A, F>(
        &self,
        total_segments: u32,
        fold: F,
        progress: OnProgress,
    ) -> Result<Vec<A>, StoreError>
    where
        A: Default + Send + 'static,
        F: Fn(&mut A, UserTraits) + Send + Sync + 'static,
    {
        let fold = Arc::new(fold);
        let mut segments = tokio::task::JoinSet::new();
        for segment in 0..total_segments {
            let store = self.clone();
            let fold = fold.clone();
            let progress = progress.clone();
            segments.spawn(async move {
                store
                    .scan_segment(segment, total_segments, &*fold, &*progress)
                    .await
            });
        }
        let mut accumulators = Vec::new();
        while let Some(joined) = segments.join_next().await {
            let done = joined.map_err(|e| StoreError::SegmentStopped(e.to_string()))?;
            accumulators.push(done?);
        }
        Ok(accumulators)
    }

    async fn scan_segment<A, F>(
        &self,
        segment: u32,
        total_segments: u32,
        fold: &F,
        progress: &(dyn Fn(ScanProgress) + Send + Sync),
    ) -> Result<A, StoreError>
    where
        A: Default,
        F: Fn(&mut A, UserTraits),
    {
        let mut accumulator = A::default();
        let mut users = 0u64;
        let mut capacity = 0.0;
        let mut start = None;
        loop {
            let output = self
                .client()
                .scan()
                .table_name(self.table_name())
                .segment(i32::try_from(segment).unwrap_or(i32::MAX))
                .total_segments(i32::try_from(total_segments).unwrap_or(i32::MAX))
                .projection_expression("#pk, #gender, #birthday, #categories")
                .filter_expression("#entity = :user")
                .expression_attribute_names("#pk", keys::PK)
                .expression_attribute_names("#gender", "gender")
                .expression_attribute_names("#birthday", "birthday")
                .expression_attribute_names("#categories", "categories")
                .expression_attribute_names("#entity", keys::ENTITY)
                .expression_attribute_values(":user", AttributeValue::S(ENTITY_USER.to_owned()))
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| StoreError::sdk("Scan", e))?;
            capacity += output
                .consumed_capacity()
                .and_then(|c| c.capacity_units())
                .unwrap_or(0.0);
            for item in output.items.unwrap_or_default() {
                let item: UserTraitsItem = serde_dynamo::from_item(item)?;
                users += 1;
                fold(&mut accumulator, traits_of(item));
            }
            start = output.last_evaluated_key;
            let finished = start.is_none();
            progress(ScanProgress {
                segment,
                total_segments,
                users,
                finished,
            });
            if finished {
                tracing::info!(segment, users, capacity, "statistics scan segment read");
                return Ok(accumulator);
            }
        }
    }

    /// Stores `snapshot` as the one snapshot, unless one taken at or after `taken_at` is
    /// stored already; whether it was stored.
    pub async fn put_stats_snapshot(
        &self,
        taken_at: Timestamp,
        snapshot: &StatsSnapshot,
    ) -> Result<bool, StoreError> {
        let item = to_item(&StatsSnapshotItem::new(taken_at, snapshot))?;
        held(
            send_put(
                self.put_item(item)
                    .condition_expression("attribute_not_exists(PK) OR taken_at_unix < :taken_at")
                    .expression_attribute_values(
                        ":taken_at",
                        AttributeValue::N(taken_at.unix().to_string()),
                    ),
            )
            .await,
        )
    }

    /// The stored snapshot, if the job has ever run: one GetItem.
    pub async fn stats_snapshot(&self) -> Result<Option<StatsSnapshot>, StoreError> {
        let item = self
            .get(key(
                keys::STATS_PK.to_owned(),
                keys::STATS_SNAPSHOT_SK.to_owned(),
            ))
            .await?;
        let Some(item) = item else {
            return Ok(None);
        };
        let item: StatsSnapshotItem = serde_dynamo::from_item(item)?;
        if item.entity != ENTITY_STATS_SNAPSHOT {
            return Err(StoreError::Invalid {
                attribute: "entity",
                reason: format!("{:?} is not a stats snapshot", item.entity),
            });
        }
        Ok(Some(item.into()))
    }
}

/// The traits of a scanned user. A stored gender or birthday the domain refuses is counted as
/// unknown, and logged with the item's key: one bad item must not stop the statistics.
fn traits_of(item: UserTraitsItem) -> UserTraits {
    let gender = item
        .gender
        .as_deref()
        .map(|g| parsed("gender", Gender::parse(g)))
        .transpose();
    let birthday = item
        .birthday
        .as_deref()
        .map(|b| parsed("birthday", Birthday::parse(b)))
        .transpose();
    UserTraits {
        gender: lenient(&item.pk, "gender", gender),
        birthday: lenient(&item.pk, "birthday", birthday),
        categories: item.categories,
    }
}

fn lenient<T>(
    pk: &str,
    attribute: &'static str,
    value: Result<Option<T>, StoreError>,
) -> Option<T> {
    value.unwrap_or_else(|error| {
        tracing::warn!(pk, attribute, error = %error, "counted as unknown");
        None
    })
}
