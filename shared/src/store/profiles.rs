//! Profile updates: only profile attributes are written (never counters, which follows change
//! concurrently), under the condition that the profile is as it was read. The e-mail's guard,
//! and the e-mail device with its guard, move in the same transaction as the e-mail.

use super::items::{GuardItem, StoredDevice, UserItem};
use super::plumbing::{key, to_item, Guarded, Part, WriteError};
use super::{keys, Store, StoreError};
use crate::clock::Timestamp;
use crate::domain::{User, UserId};
use aws_sdk_dynamodb::types::{AttributeValue, Update};
use std::collections::HashMap;

/// The attributes a profile update writes; everything else on the item is left alone.
const PROFILE_ATTRIBUTES: &[&str] = &[
    "first_name",
    "last_name",
    "bio",
    "avatar",
    "email",
    "email_lower",
    "display_name",
    "phone",
    "gender",
    "country",
    "country_id",
    "city_id",
    "photo",
    "address",
    "birthday",
    "search_text",
    "GSI2SK",
    "GSI3SK",
    "GSI4SK",
    "updated_at",
    "revision",
];

/// How often an update that raced with another is tried again.
const ATTEMPTS: u32 = 3;

#[derive(Debug, thiserror::Error)]
pub enum ProfileUpdateError {
    #[error("there is no such user")]
    NotFound,
    #[error("the new e-mail belongs to another user")]
    EmailTaken,
    #[error("the profile kept changing during the update")]
    Stale,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The e-mail device moved to a new address: its id, and its old and new stored forms.
struct DeviceMove {
    id: String,
    before: StoredDevice,
    after: StoredDevice,
}

impl Store {
    /// The users with these ids that exist, in no particular order.
    pub async fn get_users(&self, ids: &[UserId]) -> Result<Vec<User>, StoreError> {
        let wanted = ids
            .iter()
            .map(|id| key(keys::user_pk(*id), keys::PROFILE_SK.to_owned()))
            .collect();
        self.batch_get(wanted)
            .await?
            .into_iter()
            .map(|item| User::try_from(serde_dynamo::from_item::<_, UserItem>(item)?))
            .collect()
    }

    /// Applies `change` to the user as stored and writes the profile attributes, if the stored
    /// profile is still at the revision read (re-reading and re-applying otherwise).
    pub async fn update_profile(
        &self,
        id: UserId,
        now: Timestamp,
        change: impl Fn(User) -> User,
    ) -> Result<User, ProfileUpdateError> {
        for _ in 0..ATTEMPTS {
            let before = self
                .get_user_item(id)
                .await?
                .filter(|u| !u.deleting)
                .ok_or(ProfileUpdateError::NotFound)?;
            let mut after = change(User::try_from(&before)?);
            after.updated_at = now;
            match self.write_profile(&before, after).await {
                Err(ProfileUpdateError::Stale) => continue,
                other => return other,
            }
        }
        Err(ProfileUpdateError::Stale)
    }

    async fn write_profile(
        &self,
        before: &UserItem,
        mut user: User,
    ) -> Result<User, ProfileUpdateError> {
        let moved = self.move_email_device(before, &mut user);
        let mut after = UserItem::new(&user, String::new());
        after.revision = before.revision + 1;
        let mut values = to_item(&after)?;
        let mut names = HashMap::new();
        let mut sets = Vec::new();
        let mut removes = Vec::new();
        for (i, attribute) in PROFILE_ATTRIBUTES.iter().enumerate() {
            names.insert(format!("#a{i}"), (*attribute).to_owned());
            match values.remove(*attribute) {
                Some(value) => {
                    sets.push(format!("#a{i} = :v{i}"));
                    values.insert(format!(":v{i}"), value);
                }
                None => removes.push(format!("#a{i}")),
            }
        }
        values.retain(|k, _| k.starts_with(':'));
        if let Some(moved) = &moved {
            names.insert("#devices".to_owned(), "devices".to_owned());
            names.insert("#device".to_owned(), moved.id.clone());
            names.insert("#reference".to_owned(), "reference".to_owned());
            sets.push("#devices.#device.#reference = :device_reference".to_owned());
            values.insert(
                ":device_reference".to_owned(),
                AttributeValue::S(moved.after.reference.clone()),
            );
        }
        names.insert("#seen_revision".to_owned(), "revision".to_owned());
        let condition = if before.revision == 0 {
            "attribute_exists(PK) AND attribute_not_exists(#seen_revision) AND attribute_not_exists(deleting)"
        } else {
            values.insert(
                ":seen".to_owned(),
                AttributeValue::N(before.revision.to_string()),
            );
            "attribute_exists(PK) AND #seen_revision = :seen AND attribute_not_exists(deleting)"
        };
        let mut expression = format!("SET {}", sets.join(", "));
        if !removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        let update = Update::builder()
            .set_key(Some(key(
                keys::user_pk(user.id),
                keys::PROFILE_SK.to_owned(),
            )))
            .update_expression(expression)
            .condition_expression(condition)
            .set_expression_attribute_names(Some(names))
            .set_expression_attribute_values(Some(values));
        let mut transaction = self.transaction();
        transaction.update(Part::User, update)?;
        if before.email_lower != after.email_lower {
            if !after.email_lower.is_empty() {
                transaction.put_new(
                    Part::Unique(Guarded::Email),
                    &GuardItem::email(&after.email_lower, user.id),
                )?;
            }
            if !before.email_lower.is_empty() {
                transaction.delete_key(
                    Part::Other,
                    key(
                        keys::email_guard_pk(&before.email_lower),
                        keys::GUARD_SK.to_owned(),
                    ),
                )?;
            }
        }
        if let Some(moved) = &moved {
            let device_id = moved.id.parse().unwrap_or_default();
            let (old_guard, new_guard) = (
                moved.before.guard(device_id, user.id),
                moved.after.guard(device_id, user.id),
            );
            if old_guard.pk != new_guard.pk {
                transaction
                    .put_new(Part::Unique(Guarded::Device), &new_guard)?
                    .delete_key(Part::Other, key(old_guard.pk, old_guard.sk))?;
            }
        }
        match transaction.commit().await {
            Ok(()) => Ok(user),
            Err(WriteError::ConditionFailed(parts)) if parts.contains(&Part::User) => {
                Err(ProfileUpdateError::Stale)
            }
            Err(WriteError::ConditionFailed(_)) => Err(ProfileUpdateError::EmailTaken),
            Err(WriteError::Store(error)) => Err(error.into()),
        }
    }

    /// When the e-mail changes, the device that follows the old address follows the new one:
    /// changed in `user`, and described for the transaction.
    fn move_email_device(&self, before: &UserItem, user: &mut User) -> Option<DeviceMove> {
        let new_email = user.email.as_ref()?.to_string();
        if new_email == before.email {
            return None;
        }
        let (id, device) = before.email_device()?;
        let device_id: u64 = id.parse().ok()?;
        for device in user.devices.iter_mut().filter(|d| d.id == device_id) {
            device.reference.clone_from(&new_email);
        }
        Some(DeviceMove {
            id: id.clone(),
            before: device.clone(),
            after: StoredDevice {
                reference: new_email,
                ..device.clone()
            },
        })
    }
}
