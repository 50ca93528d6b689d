//! Push devices on the user item (`devices`, a map from device id to `{kind, reference}`), each
//! reference unique per kind through its guard item, written in the same transaction as the
//! map. A smartphone reference held by another user moves: the guard is rewritten under the
//! condition that the old holder still holds it, and the device leaves the old user's map, in
//! one transaction.

use super::items::{DeviceGuardItem, StoredDevice};
use super::plumbing::{key, to_item, Guarded, Part, WriteError};
use super::{keys, Store, StoreError};
use crate::domain::{Device, DeviceKind, UserId};
use aws_sdk_dynamodb::types::{AttributeValue, Put, Update};
use std::collections::HashMap;

/// Who holds a device reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceHolder {
    pub user_id: UserId,
    pub device_id: u64,
}

/// Why a device change was not written.
#[derive(Debug, thiserror::Error)]
pub enum DeviceWriteError {
    /// The user (or the old holder) changed since it was read: read again and retry.
    #[error("the devices changed meanwhile")]
    Stale,
    /// The reference is held (again) by someone.
    #[error("the reference is taken")]
    Taken,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<WriteError<Vec<Part>>> for DeviceWriteError {
    fn from(error: WriteError<Vec<Part>>) -> Self {
        match error {
            WriteError::ConditionFailed(parts)
                if parts.contains(&Part::Unique(Guarded::Device)) =>
            {
                DeviceWriteError::Taken
            }
            WriteError::ConditionFailed(_) => DeviceWriteError::Stale,
            WriteError::Store(error) => DeviceWriteError::Store(error),
        }
    }
}

fn guard_of(device: &Device, user: UserId) -> DeviceGuardItem {
    StoredDevice::from(device).guard(device.id, user)
}

fn n(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

impl Store {
    /// The user and device that hold `reference` of `kind`, if anyone does (one GetItem).
    pub async fn device_holder(
        &self,
        kind: DeviceKind,
        reference: &str,
    ) -> Result<Option<DeviceHolder>, StoreError> {
        let pk = keys::device_guard_pk(kind.as_str(), &kind.canonical_reference(reference));
        let Some(item) = self.get(key(pk, keys::GUARD_SK.to_owned())).await? else {
            return Ok(None);
        };
        let guard: DeviceGuardItem = serde_dynamo::from_item(item)?;
        Ok(Some(DeviceHolder {
            user_id: UserId::new(guard.user_id),
            device_id: guard.device_id,
        }))
    }

    /// Adds `device` to `user_id`, who had `current` devices when read, with its guard; when
    /// `from` is given, takes the reference from that holder (its guard rewritten only if it
    /// still names that holder, the device removed from their map), all in one transaction.
    pub async fn add_device(
        &self,
        user_id: UserId,
        current: usize,
        device: &Device,
        from: Option<DeviceHolder>,
    ) -> Result<(), DeviceWriteError> {
        let stored = to_item(&StoredDevice::from(device))?;
        let mut names = HashMap::from([("#devices".to_owned(), "devices".to_owned())]);
        let mut values = HashMap::new();
        let update = if current == 0 {
            // A hand-over can leave an empty map behind: it counts as none.
            values.insert(":zero".to_owned(), n(0));
            values.insert(
                ":devices".to_owned(),
                AttributeValue::M(HashMap::from([(
                    device.id.to_string(),
                    AttributeValue::M(stored),
                )])),
            );
            Update::builder()
                .update_expression("SET #devices = :devices")
                .condition_expression(
                    "attribute_exists(PK) AND attribute_not_exists(deleting) AND (attribute_not_exists(#devices) OR size(#devices) = :zero)",
                )
        } else {
            names.insert("#new".to_owned(), device.id.to_string());
            values.insert(":device".to_owned(), AttributeValue::M(stored));
            Update::builder()
                .update_expression("SET #devices.#new = :device")
                .condition_expression(
                    "attribute_exists(PK) AND attribute_not_exists(deleting) AND attribute_exists(#devices)",
                )
        }
        .set_key(Some(key(
            keys::user_pk(user_id),
            keys::PROFILE_SK.to_owned(),
        )))
        .set_expression_attribute_names(Some(names))
        .set_expression_attribute_values(Some(values));
        let guard = to_item(&guard_of(device, user_id))?;
        let mut transaction = self.transaction();
        transaction.update(Part::User, update)?;
        match from {
            None => {
                transaction.put(
                    Part::Unique(Guarded::Device),
                    Put::builder()
                        .set_item(Some(guard))
                        .condition_expression("attribute_not_exists(PK)"),
                )?;
            }
            Some(old) => {
                transaction
                    .put(
                        Part::Unique(Guarded::Device),
                        Put::builder()
                            .set_item(Some(guard))
                            .condition_expression("user_id = :old_user AND device_id = :old_device")
                            .expression_attribute_values(":old_user", n(old.user_id.get()))
                            .expression_attribute_values(":old_device", n(old.device_id)),
                    )?
                    .update(
                        Part::Other,
                        Update::builder()
                            .set_key(Some(key(
                                keys::user_pk(old.user_id),
                                keys::PROFILE_SK.to_owned(),
                            )))
                            .update_expression("REMOVE #devices.#old")
                            .condition_expression("attribute_exists(#devices.#old)")
                            .expression_attribute_names("#devices", "devices")
                            .expression_attribute_names("#old", old.device_id.to_string()),
                    )?;
            }
        }
        transaction.commit().await.map_err(DeviceWriteError::from)
    }

    /// Removes `doomed` (devices of `user_id`, who had `current` devices when read) with their
    /// guards, in one transaction; `keep`, a device that must still be there (the e-mail that
    /// must remain), is checked in the same transaction. Removing every device removes the map.
    pub async fn remove_devices(
        &self,
        user_id: UserId,
        current: usize,
        doomed: &[Device],
        keep: Option<u64>,
    ) -> Result<(), DeviceWriteError> {
        if doomed.is_empty() {
            return Ok(());
        }
        let mut names = HashMap::from([("#devices".to_owned(), "devices".to_owned())]);
        let mut values = HashMap::new();
        let mut conditions = vec!["attribute_not_exists(deleting)".to_owned()];
        let mut removes = Vec::new();
        for (i, device) in doomed.iter().enumerate() {
            names.insert(format!("#d{i}"), device.id.to_string());
            conditions.push(format!("attribute_exists(#devices.#d{i})"));
            removes.push(format!("#devices.#d{i}"));
        }
        if let Some(keep) = keep {
            names.insert("#keep".to_owned(), keep.to_string());
            conditions.push("attribute_exists(#devices.#keep)".to_owned());
        }
        let expression = if doomed.len() == current {
            values.insert(":count".to_owned(), n(current as u64));
            conditions.push("size(#devices) = :count".to_owned());
            "REMOVE #devices".to_owned()
        } else {
            format!("REMOVE {}", removes.join(", "))
        };
        let mut update = Update::builder()
            .set_key(Some(key(
                keys::user_pk(user_id),
                keys::PROFILE_SK.to_owned(),
            )))
            .update_expression(expression)
            .condition_expression(conditions.join(" AND "))
            .set_expression_attribute_names(Some(names));
        if !values.is_empty() {
            update = update.set_expression_attribute_values(Some(values));
        }
        let mut transaction = self.transaction();
        transaction.update(Part::User, update)?;
        for device in doomed {
            let guard = guard_of(device, user_id);
            transaction.delete_key(Part::Other, key(guard.pk, guard.sk))?;
        }
        transaction.commit().await.map_err(DeviceWriteError::from)
    }
}
