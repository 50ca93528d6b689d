//! Reading and changing profiles, for every contract.

use super::accounts::EMAIL_TAKEN;
use super::ServiceError;
use crate::clock::Timestamp;
use crate::domain::{Email, User, UserId};
use crate::store::{ProfileUpdateError, Store};

/// Fields to change; `None` leaves a field as it is. For optional fields, `Some(None)` clears.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub bio: Option<String>,
    pub avatar: Option<String>,
    pub email: Option<Email>,
    pub phone: Option<Option<String>>,
    pub gender: Option<Option<String>>,
    pub country: Option<Option<String>>,
    pub country_id: Option<Option<u64>>,
    pub city_id: Option<Option<u64>>,
    pub photo: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub birthday: Option<Option<String>>,
}

/// How often an update that raced with another is tried again.
const ATTEMPTS: u32 = 3;

pub async fn get(store: &Store, id: UserId) -> Result<User, ServiceError> {
    Ok(store
        .get_user(id)
        .await?
        .ok_or(ServiceError::NotFound)?
        .to_user())
}

/// The user a username (any letter case) belongs to.
pub async fn by_username(store: &Store, username: &str) -> Result<User, ServiceError> {
    // No username is longer; a longer one must not even reach a key lookup.
    if username.trim().chars().count() > crate::domain::Username::MAX_LEN {
        return Err(ServiceError::NotFound);
    }
    let id = store
        .user_id_by_username(&username.trim().to_ascii_lowercase())
        .await?
        .ok_or(ServiceError::NotFound)?;
    get(store, id).await
}

/// Applies the changes; a new e-mail must be free (in any letter case).
pub async fn update(
    store: &Store,
    id: UserId,
    changes: &ProfileChanges,
) -> Result<User, ServiceError> {
    for _ in 0..ATTEMPTS {
        let before = store
            .get_user(id)
            .await?
            .filter(|u| !u.deleting)
            .ok_or(ServiceError::NotFound)?;
        let mut after = before.clone();
        let set = |target: &mut String, value: &Option<String>| {
            if let Some(value) = value {
                target.clone_from(value);
            }
        };
        set(&mut after.first_name, &changes.first_name);
        set(&mut after.last_name, &changes.last_name);
        set(&mut after.bio, &changes.bio);
        set(&mut after.avatar, &changes.avatar);
        if let Some(email) = &changes.email {
            after.email = email.as_str().to_owned();
        }
        let replace = |target: &mut Option<String>, value: &Option<Option<String>>| {
            if let Some(value) = value {
                target.clone_from(value);
            }
        };
        replace(&mut after.phone, &changes.phone);
        replace(&mut after.gender, &changes.gender);
        replace(&mut after.country, &changes.country);
        replace(&mut after.photo, &changes.photo);
        replace(&mut after.address, &changes.address);
        replace(&mut after.birthday, &changes.birthday);
        if let Some(value) = changes.country_id {
            after.country_id = value;
        }
        if let Some(value) = changes.city_id {
            after.city_id = value;
        }
        let mut after = after.derived();
        after.updated_at = Timestamp::now().to_rfc3339();
        after.revision = before.revision + 1;
        match store.update_profile(&before, &after).await {
            Ok(()) => return Ok(after.to_user()),
            Err(ProfileUpdateError::EmailTaken) => {
                return Err(ServiceError::invalid("email", EMAIL_TAKEN))
            }
            Err(ProfileUpdateError::Stale) => continue,
            Err(ProfileUpdateError::Store(e)) => return Err(e.into()),
        }
    }
    Err(ServiceError::Unexpected(
        "the profile kept changing during the update".into(),
    ))
}

/// The user `id`, for a caller who is that user or staff. Anyone else is refused without
/// learning whether the user exists.
pub async fn get_for(store: &Store, caller: &User, id: UserId) -> Result<User, ServiceError> {
    ensure_may_change(caller, id)?;
    get(store, id).await
}

/// [`update`], for a caller who is that user or staff.
pub async fn update_for(
    store: &Store,
    caller: &User,
    id: UserId,
    changes: &ProfileChanges,
) -> Result<User, ServiceError> {
    ensure_may_change(caller, id)?;
    update(store, id, changes).await
}

/// Whether `caller` may read or change the user `target`: themselves, or any user for staff.
pub fn ensure_may_change(caller: &User, target: UserId) -> Result<(), ServiceError> {
    if caller.id == target || caller.is_staff {
        Ok(())
    } else {
        Err(ServiceError::PermissionDenied)
    }
}

/// The campaign profile update: the country and city that hold after the change must exist
/// and agree.
pub async fn update_with_place(
    store: &Store,
    caller: &User,
    changes: &ProfileChanges,
) -> Result<User, ServiceError> {
    let country = changes.country_id.unwrap_or(caller.country_id);
    let city = changes.city_id.unwrap_or(caller.city_id);
    super::reference::check(store, country, city).await?;
    update(store, caller.id, changes).await
}
