//! Reading and changing profiles, for every contract.

use super::{ServiceError, UniqueField};
use crate::clock::Timestamp;
use crate::domain::{
    Address, Avatar, Bio, Birthday, CountryCode, Email, Gender, HttpUrl, PersonName, Phone, User,
    UserId,
};
use crate::store::{ProfileUpdateError, Store};

/// Fields to change; `None` leaves a field as it is. For optional fields, `Some(None)` clears.
#[derive(Debug, Clone, Default)]
pub struct ProfileChanges {
    pub first_name: Option<PersonName>,
    pub last_name: Option<PersonName>,
    pub bio: Option<Bio>,
    pub avatar: Option<Avatar>,
    pub email: Option<Email>,
    pub phone: Option<Option<Phone>>,
    pub gender: Option<Option<Gender>>,
    pub country: Option<Option<CountryCode>>,
    pub country_id: Option<Option<u64>>,
    pub city_id: Option<Option<u64>>,
    pub photo: Option<Option<HttpUrl>>,
    pub address: Option<Option<Address>>,
    pub birthday: Option<Option<Birthday>>,
}

/// Sets `target` to the change, if there is one.
fn set<T: Clone>(target: &mut T, change: &Option<T>) {
    if let Some(value) = change {
        target.clone_from(value);
    }
}

impl ProfileChanges {
    /// `user` with these changes made.
    pub fn apply(&self, mut user: User) -> User {
        set(&mut user.first_name, &self.first_name);
        set(&mut user.last_name, &self.last_name);
        set(&mut user.bio, &self.bio);
        set(&mut user.avatar, &self.avatar);
        if let Some(email) = &self.email {
            user.email = Some(email.clone());
        }
        set(&mut user.phone, &self.phone);
        set(&mut user.gender, &self.gender);
        set(&mut user.country, &self.country);
        set(&mut user.country_id, &self.country_id);
        set(&mut user.city_id, &self.city_id);
        set(&mut user.photo, &self.photo);
        set(&mut user.address, &self.address);
        set(&mut user.birthday, &self.birthday);
        user
    }
}

pub async fn get(store: &Store, id: UserId) -> Result<User, ServiceError> {
    store.get_user(id).await?.ok_or(ServiceError::NotFound)
}

/// The user a username (any letter case) belongs to.
pub async fn by_username(store: &Store, username: &str) -> Result<User, ServiceError> {
    // No username is longer; a longer one must not even reach a key lookup.
    if username.trim().chars().count() > crate::domain::Username::MAX_LEN {
        return Err(ServiceError::NotFound);
    }
    let canonical = username.trim().to_ascii_lowercase();
    // A username found before is read by its id alone, and only believed if the user read
    // still has that username (one whose user is gone, or taken anew, is looked up again).
    if let Some(id) = store.remembered_username(&canonical) {
        if let Some(user) = store.get_user(id).await? {
            if user.username.as_str().eq_ignore_ascii_case(&canonical) {
                return Ok(user);
            }
        }
        store.forget_username(&canonical);
    }
    let id = store
        .user_id_by_username(&canonical)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let user = get(store, id).await?;
    store.remember_username(canonical, id);
    Ok(user)
}

/// Applies the changes; a new e-mail must be free (in any letter case). The user's e-mail
/// device follows a new e-mail.
pub async fn update(
    store: &Store,
    id: UserId,
    changes: &ProfileChanges,
    client: &str,
) -> Result<User, ServiceError> {
    // A new e-mail is answered "already exists" when taken: limited like a sign-up.
    if changes.email.is_some() {
        super::limits::existence_check(store, client).await?;
    }
    let updated = store
        .update_profile(id, Timestamp::now(), |user| changes.apply(user))
        .await;
    match updated {
        Ok(user) => Ok(user),
        Err(ProfileUpdateError::NotFound) => Err(ServiceError::NotFound),
        Err(ProfileUpdateError::EmailTaken) => Err(ServiceError::taken(UniqueField::Email)),
        Err(ProfileUpdateError::Stale) => Err(ServiceError::Unexpected(
            "the profile kept changing during the update".into(),
        )),
        Err(ProfileUpdateError::Store(e)) => Err(e.into()),
    }
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
    client: &str,
) -> Result<User, ServiceError> {
    ensure_may_change(caller, id)?;
    update(store, id, changes, client).await
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
    client: &str,
) -> Result<User, ServiceError> {
    let country = changes.country_id.unwrap_or(caller.country_id);
    let city = changes.city_id.unwrap_or(caller.city_id);
    super::reference::check(store, country, city).await?;
    update(store, caller.id, changes, client).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: u64) -> User {
        User::example(id, &format!("user{id}"))
    }

    #[test]
    fn a_user_may_change_themselves() {
        assert!(ensure_may_change(&user(1), UserId::new(1)).is_ok());
    }

    #[test]
    fn a_user_may_not_change_another() {
        assert!(matches!(
            ensure_may_change(&user(1), UserId::new(2)),
            Err(ServiceError::PermissionDenied)
        ));
    }

    #[test]
    fn staff_may_change_anyone() {
        let staff = User {
            is_staff: true,
            ..user(1)
        };
        assert!(ensure_may_change(&staff, UserId::new(2)).is_ok());
    }

    #[test]
    fn a_superuser_without_staff_rights_is_no_exception() {
        let superuser = User {
            is_superuser: true,
            ..user(1)
        };
        assert!(ensure_may_change(&superuser, UserId::new(2)).is_err());
    }

    #[test]
    fn changes_set_given_fields_clear_emptied_ones_and_leave_the_rest() {
        let before = User {
            phone: Phone::parse("+1234567890").ok(),
            gender: Gender::parse("F").ok(),
            ..user(1)
        };
        let changes = ProfileChanges {
            first_name: PersonName::parse("Ann").ok(),
            email: Email::parse("ann@example.com").ok(),
            phone: Some(None),
            ..ProfileChanges::default()
        };
        let after = changes.apply(before.clone());
        assert_eq!(after.first_name, "Ann");
        assert_eq!(after.email_text(), "ann@example.com");
        assert_eq!(after.phone, None);
        assert_eq!(after.gender, before.gender);
        assert_eq!(after.last_name, before.last_name);
    }
}
