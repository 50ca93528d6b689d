//! The push contract's devices: where a user is notified (e-mails, Android and iOS tokens).
//! References are unique per kind; a smartphone reference another user holds moves to the
//! user who adds it; a user always keeps one e-mail device (the one that follows their
//! account e-mail, or the last one left). App credentials never change staff accounts.

use super::push::ensure_app_may_change;
use super::{ServiceError, UniqueField};
use crate::domain::{Device, DeviceKind, Email, User, UserId};
use crate::store::{DeviceWriteError, Store};

/// Most devices one user may have (they live on the user item).
pub const MAX_DEVICES: usize = 20;
/// Longest smartphone token accepted.
pub const MAX_TOKEN_LEN: usize = 512;
/// How often a change that raced with another is tried again.
const ATTEMPTS: u32 = 5;

/// A device to add: its kind and reference, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDevice {
    pub kind: DeviceKind,
    pub reference: String,
}

impl NewDevice {
    /// `reference` checked for `kind`: an e-mail address, or a token of printable characters.
    pub fn parse(kind: DeviceKind, reference: &str) -> Result<Self, String> {
        let reference = reference.trim();
        match kind {
            DeviceKind::Email => Email::parse(reference)
                .map(|email| Self {
                    kind,
                    reference: email.to_string(),
                })
                .map_err(|invalid| invalid.0),
            DeviceKind::Android | DeviceKind::Ios => {
                if reference.is_empty() {
                    Err("This field may not be blank.".to_owned())
                } else if reference.len() > MAX_TOKEN_LEN {
                    Err(format!(
                        "Ensure this field has no more than {MAX_TOKEN_LEN} characters."
                    ))
                } else if reference
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace())
                {
                    Err("Enter a device token without spaces or control characters.".to_owned())
                } else {
                    Ok(Self {
                        kind,
                        reference: reference.to_owned(),
                    })
                }
            }
        }
    }
}

async fn user(store: &Store, id: UserId) -> Result<User, ServiceError> {
    store.get_user(id).await?.ok_or(ServiceError::NotFound)
}

/// Adds each device in turn and answers the user as they are after.
pub async fn add_devices(
    store: &Store,
    id: UserId,
    devices: &[NewDevice],
) -> Result<User, ServiceError> {
    for device in devices {
        add_device(store, id, device).await?;
    }
    user(store, id).await
}

/// Adds one device: a reference this user or (for e-mails) anyone holds is taken (409); a
/// smartphone reference another user holds moves here, gone from the other user.
pub async fn add_device(store: &Store, id: UserId, new: &NewDevice) -> Result<(), ServiceError> {
    let taken = || ServiceError::taken(UniqueField::Device);
    for _ in 0..ATTEMPTS {
        let owner = user(store, id).await?;
        ensure_app_may_change(&owner)?;
        if owner.devices.len() >= MAX_DEVICES {
            return Err(ServiceError::invalid(
                new.kind.as_str(),
                &format!("A user has at most {MAX_DEVICES} devices."),
            ));
        }
        let from = match store.device_holder(new.kind, &new.reference).await? {
            None => None,
            Some(holder) if holder.user_id == id || new.kind == DeviceKind::Email => {
                return Err(taken())
            }
            Some(holder) => {
                // A staff account's phone is out of an app's reach, as the account is.
                if let Some(other) = store.get_user(holder.user_id).await? {
                    if ensure_app_may_change(&other).is_err() {
                        return Err(taken());
                    }
                }
                Some(holder)
            }
        };
        let device = Device {
            id: store.next_device_id().await?,
            kind: new.kind,
            reference: new.reference.clone(),
        };
        match store
            .add_device(id, owner.devices.len(), &device, from)
            .await
        {
            Ok(()) => return Ok(()),
            Err(DeviceWriteError::Taken) if new.kind == DeviceKind::Email => return Err(taken()),
            Err(DeviceWriteError::Taken | DeviceWriteError::Stale) => continue,
            Err(DeviceWriteError::Store(error)) => return Err(error.into()),
        }
    }
    Err(taken())
}

/// The user's device with this reference (e-mails in any letter case), if they have one.
pub async fn find_by_reference(
    store: &Store,
    id: UserId,
    reference: &str,
) -> Result<Option<Device>, ServiceError> {
    let owner = user(store, id).await?;
    let reference = reference.trim();
    Ok(owner.summary.devices.into_iter().find(|d| {
        d.kind.canonical_reference(&d.reference) == d.kind.canonical_reference(reference)
    }))
}

/// The user's device `device_id`; another user's device or none is `Device not found`.
pub async fn get(store: &Store, id: UserId, device_id: u64) -> Result<Device, ServiceError> {
    user(store, id)
        .await?
        .summary
        .devices
        .into_iter()
        .find(|d| d.id == device_id)
        .ok_or(ServiceError::Missing("Device"))
}

/// The e-mail device that must stay if `doomed` go: the one that follows the account e-mail,
/// else any other e-mail device; `Err` when none would be left.
fn email_kept(owner: &User, doomed: &[Device]) -> Result<Option<u64>, ServiceError> {
    if !doomed.iter().any(|d| d.kind == DeviceKind::Email) {
        return Ok(None);
    }
    let refused = || ServiceError::invalid("type", "There must be always one email.");
    let account = owner.email.as_ref().map(|e| e.to_string().to_lowercase());
    let emails: Vec<&Device> = owner
        .devices
        .iter()
        .filter(|d| d.kind == DeviceKind::Email)
        .collect();
    if let Some(own) = emails
        .iter()
        .find(|d| Some(d.reference.to_lowercase()) == account)
    {
        if doomed.iter().any(|d| d.id == own.id) {
            return Err(refused());
        }
        return Ok(Some(own.id));
    }
    emails
        .iter()
        .find(|d| !doomed.iter().any(|x| x.id == d.id))
        .map(|d| Some(d.id))
        .ok_or_else(refused)
}

async fn remove(
    store: &Store,
    id: UserId,
    pick: impl Fn(&User) -> Result<Vec<Device>, ServiceError>,
) -> Result<(), ServiceError> {
    for _ in 0..ATTEMPTS {
        let owner = user(store, id).await?;
        ensure_app_may_change(&owner)?;
        let doomed = pick(&owner)?;
        let keep = email_kept(&owner, &doomed)?;
        match store
            .remove_devices(id, owner.devices.len(), &doomed, keep)
            .await
        {
            Ok(()) => return Ok(()),
            Err(DeviceWriteError::Taken | DeviceWriteError::Stale) => continue,
            Err(DeviceWriteError::Store(error)) => return Err(error.into()),
        }
    }
    Err(ServiceError::Unexpected(
        "the devices kept changing during a removal".into(),
    ))
}

/// Removes the user's device `device_id` and its guard; never the e-mail that must stay.
pub async fn delete(store: &Store, id: UserId, device_id: u64) -> Result<(), ServiceError> {
    remove(store, id, |owner| {
        owner
            .devices
            .iter()
            .find(|d| d.id == device_id)
            .cloned()
            .map(|d| vec![d])
            .ok_or(ServiceError::Missing("Device"))
    })
    .await
}

/// Removes every device of `kind`; e-mails never (there must be always one).
pub async fn delete_kind(store: &Store, id: UserId, kind: DeviceKind) -> Result<(), ServiceError> {
    if kind == DeviceKind::Email {
        return Err(ServiceError::invalid(
            "type",
            "Email devices cannot be removed by type: there must be always one email.",
        ));
    }
    remove(store, id, |owner| {
        Ok(owner
            .devices
            .iter()
            .filter(|d| d.kind == kind)
            .cloned()
            .collect())
    })
    .await
}

/// The smartphone platforms the user has registered, as the original names them.
pub async fn smartphones(store: &Store, id: UserId) -> Result<Vec<&'static str>, ServiceError> {
    let owner = user(store, id).await?;
    let has = |kind| owner.devices.iter().any(|d| d.kind == kind);
    Ok([(DeviceKind::Android, "Android"), (DeviceKind::Ios, "iOs")]
        .into_iter()
        .filter(|(kind, _)| has(*kind))
        .map(|(_, name)| name)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(id: u64, kind: DeviceKind, reference: &str) -> Device {
        Device {
            id,
            kind,
            reference: reference.into(),
        }
    }

    fn owner(devices: Vec<Device>) -> User {
        let mut user = crate::contracts::sample_user(1);
        user.email = Some(Email::parse("ann@example.com").unwrap());
        user.devices = devices;
        user
    }

    #[test]
    fn the_account_email_device_always_stays() {
        let own = device(1, DeviceKind::Email, "Ann@example.com");
        let other = device(2, DeviceKind::Email, "b@example.com");
        let user = owner(vec![own.clone(), other.clone()]);
        assert!(email_kept(&user, std::slice::from_ref(&own)).is_err());
        assert_eq!(email_kept(&user, &[other]).unwrap(), Some(1));
    }

    #[test]
    fn without_an_account_email_device_the_last_email_stays() {
        let a = device(1, DeviceKind::Email, "a@example.com");
        let b = device(2, DeviceKind::Email, "b@example.com");
        let user = owner(vec![a.clone(), b.clone()]);
        assert_eq!(
            email_kept(&user, std::slice::from_ref(&a)).unwrap(),
            Some(2)
        );
        assert!(email_kept(&owner(vec![a.clone()]), &[a]).is_err());
        let phone = device(3, DeviceKind::Ios, "x");
        assert_eq!(
            email_kept(&owner(vec![phone.clone()]), &[phone]).unwrap(),
            None
        );
    }

    #[test]
    fn references_are_checked_for_their_kind() {
        assert!(NewDevice::parse(DeviceKind::Email, "nope").is_err());
        assert!(NewDevice::parse(DeviceKind::Android, " ").is_err());
        assert!(NewDevice::parse(DeviceKind::Ios, "a b").is_err());
        assert!(NewDevice::parse(DeviceKind::Ios, &"x".repeat(MAX_TOKEN_LEN + 1)).is_err());
        assert_eq!(
            NewDevice::parse(DeviceKind::Android, " tok-1 ")
                .unwrap()
                .reference,
            "tok-1"
        );
    }
}
