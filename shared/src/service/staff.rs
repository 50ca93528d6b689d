//! What staff do to users: ban and unban, end every session, read a user's standing; each
//! action recorded in the user's audit trail in the same write. Staff rights are read from
//! the stored caller on every call (a token carries none).

use super::{found, ServiceError};
use crate::clock::Timestamp;
use crate::domain::{Actor, AuditEntry, Ban, StaffAction, User, UserId};
use crate::store::{StaffChange, Store};

/// Who is acting: a staff user through the API, or an operator at the command line.
#[derive(Debug, Clone, Copy)]
pub enum By<'a> {
    Staff(&'a User),
    Operator(&'a str),
}

impl By<'_> {
    fn actor(self) -> Actor {
        match self {
            By::Staff(user) => Actor::Staff(user.id),
            By::Operator(name) => Actor::Operator(name.to_owned()),
        }
    }
}

/// Refuses a caller without staff rights.
pub fn ensure_staff(caller: &User) -> Result<(), ServiceError> {
    if caller.is_staff {
        Ok(())
    } else {
        Err(ServiceError::PermissionDenied)
    }
}

/// Whether `by` may act on `target`: operators on anyone; staff on ordinary users, and on
/// staff accounts only when they are superusers themselves; nobody through the API on
/// themselves.
pub fn ensure_may_act_on(by: By, target: &User) -> Result<(), ServiceError> {
    match by {
        By::Operator(_) => Ok(()),
        By::Staff(staff) => {
            ensure_staff(staff)?;
            let protected = target.is_staff || target.is_superuser;
            if staff.id == target.id || (protected && !staff.is_superuser) {
                Err(ServiceError::PermissionDenied)
            } else {
                Ok(())
            }
        }
    }
}

/// A ban or its lifting, as staff order it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BanOrder {
    pub user_id: UserId,
    pub banned: bool,
    pub reason: String,
    /// When the ban lifts by itself; `None` for a ban until lifted.
    pub until: Option<Timestamp>,
}

/// The longest reason kept.
pub const MAX_REASON: usize = 500;

/// Bans (ending every token the user holds) or unbans the user, and records it.
pub async fn set_ban(store: &Store, by: By<'_>, order: BanOrder) -> Result<(), ServiceError> {
    let target = target(store, order.user_id).await?;
    ensure_may_act_on(by, &target)?;
    let now = Timestamp::now();
    let (change, action) = if order.banned {
        let ban = Ban {
            reason: order.reason.clone(),
            since: now,
            until: order.until,
        };
        (StaffChange::Ban(ban), StaffAction::Ban)
    } else {
        (StaffChange::Unban, StaffAction::Unban)
    };
    let detail = order
        .until
        .filter(|_| order.banned)
        .map(|t| format!("until {}", t.to_rfc3339()));
    let entry = entry(by, order.user_id, action, order.reason, detail, now);
    found(store.apply_staff_change(&change, &entry).await?)
}

/// Ends every session and token the user holds (each stops working on its next use), and
/// records it.
pub async fn force_logout(
    store: &Store,
    by: By<'_>,
    user_id: UserId,
    reason: String,
) -> Result<(), ServiceError> {
    let target = target(store, user_id).await?;
    ensure_may_act_on(by, &target)?;
    let entry = entry(
        by,
        user_id,
        StaffAction::ForceLogout,
        reason,
        None,
        Timestamp::now(),
    );
    found(
        store
            .apply_staff_change(&StaffChange::EndTokens, &entry)
            .await?,
    )
}

/// Records an action that changes nothing on the user item (a notification sent, a staff
/// account created); the user must exist.
pub async fn record(
    store: &Store,
    by: By<'_>,
    user_id: UserId,
    action: StaffAction,
    detail: Option<String>,
) -> Result<(), ServiceError> {
    let entry = entry(by, user_id, action, String::new(), detail, Timestamp::now());
    found(store.apply_staff_change(&StaffChange::None, &entry).await?)
}

/// A user's audit trail, oldest first.
pub async fn trail(store: &Store, user_id: UserId) -> Result<Vec<AuditEntry>, ServiceError> {
    Ok(store.audit_trail(user_id).await?)
}

/// A user's standing, as staff see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub state: AccountState,
    pub joined: Timestamp,
    pub last_login: Option<Timestamp>,
    pub total_campaigns: u64,
    pub total_earnings: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountState {
    Active,
    /// A ban holds (whatever else is true of the account).
    Banned,
    /// Deactivated, or not yet verified.
    Inactive,
}

impl AccountState {
    pub fn of(user: &User, now: Timestamp) -> Self {
        if user.is_banned_at(now) {
            AccountState::Banned
        } else if !user.is_active || !user.email_verified {
            AccountState::Inactive
        } else {
            AccountState::Active
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AccountState::Active => "active",
            AccountState::Banned => "banned",
            AccountState::Inactive => "inactive",
        }
    }
}

/// The standing of the user `user_id`, for a staff caller.
pub async fn standing(
    store: &Store,
    caller: &User,
    user_id: UserId,
) -> Result<Standing, ServiceError> {
    ensure_staff(caller)?;
    let user = target(store, user_id).await?;
    Ok(Standing {
        state: AccountState::of(&user, Timestamp::now()),
        joined: user.created_at,
        last_login: user.last_login,
        total_campaigns: user.total_campaigns,
        total_earnings: user.total_earnings,
    })
}

async fn target(store: &Store, user_id: UserId) -> Result<User, ServiceError> {
    store.get_user(user_id).await?.ok_or(ServiceError::NotFound)
}

fn entry(
    by: By,
    user_id: UserId,
    action: StaffAction,
    reason: String,
    detail: Option<String>,
    at: Timestamp,
) -> AuditEntry {
    AuditEntry {
        user_id,
        at,
        actor: by.actor(),
        action,
        reason,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(id: u64, staff: bool, superuser: bool) -> User {
        User {
            is_staff: staff,
            is_superuser: superuser,
            ..User::example(id, &format!("user{id}"))
        }
    }

    #[test]
    fn only_staff_act_and_only_superusers_act_on_staff() {
        let (plain, staff, root) = (
            user(1, false, false),
            user(2, true, false),
            user(3, true, true),
        );
        let other_staff = user(4, true, false);
        assert!(ensure_may_act_on(By::Staff(&plain), &user(9, false, false)).is_err());
        assert!(ensure_may_act_on(By::Staff(&staff), &plain).is_ok());
        assert!(ensure_may_act_on(By::Staff(&staff), &other_staff).is_err());
        assert!(ensure_may_act_on(By::Staff(&staff), &staff).is_err());
        assert!(ensure_may_act_on(By::Staff(&root), &other_staff).is_ok());
        assert!(ensure_may_act_on(By::Operator("ops"), &root).is_ok());
    }

    #[test]
    fn a_ban_outranks_every_other_state_until_it_expires() {
        let now = Timestamp::from_unix(1_000_000);
        let mut banned = user(1, false, false);
        banned.is_active = false;
        banned.ban = Some(Ban {
            reason: "spam".into(),
            since: now,
            until: Some(now.plus_seconds(60)),
        });
        assert_eq!(AccountState::of(&banned, now), AccountState::Banned);
        assert_eq!(
            AccountState::of(&banned, now.plus_seconds(60)),
            AccountState::Inactive
        );
        banned.is_active = true;
        assert_eq!(
            AccountState::of(&banned, now.plus_seconds(61)),
            AccountState::Active
        );
    }
}
