//! The chat server's `login_or_register`: creates the user behind an external chat id, or
//! updates them. The chat id is unique (a guard item); a chat id that is the e-mail of an
//! existing user links to that user, so every contract keeps seeing one user.

use super::accounts::{self, NewAccount};
use super::{paging, ServiceError, UniqueField};
use crate::auth::password;
use crate::auth::tokens::TokenSigner;
use crate::clock::Timestamp;
use crate::domain::{
    Avatar, ChatUserId, DisplayName, Email, Invalid, Password, User, UserId, UserSummary,
};
use crate::store::{ChatUserUpdate, CreateUserError, DirectoryOrder, Store};

pub const PASSWORD_REQUIRED: &str = "password is required for an existing user";
pub const LINK_PASSWORD_MISMATCH: &str =
    "this e-mail belongs to an existing account; give that account's current password to link it";
pub const OTHER_CHAT_ID: &str = "This e-mail belongs to a user with another chat id.";

#[derive(Debug, Clone)]
pub struct LoginOrRegister {
    pub chat_user_id: String,
    pub display_name: String,
    pub password: Option<Password>,
    /// An http(s) URL; `None` keeps an existing user's avatar (a new user gets none).
    pub avatar_url: Option<String>,
}

/// Whom a `login_or_register` is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChatTarget {
    /// Nobody yet: a new user is created.
    Create,
    /// The user the chat id is linked to already.
    Linked(UserId),
    /// The user whose e-mail the chat id is: linked to it now.
    ByEmail(UserId),
}

/// The user the chat id names, else the user whose e-mail it is, else a new one.
pub fn chat_target(by_chat_id: Option<UserId>, by_email: Option<UserId>) -> ChatTarget {
    match (by_chat_id, by_email) {
        (Some(id), _) => ChatTarget::Linked(id),
        (None, Some(id)) => ChatTarget::ByEmail(id),
        (None, None) => ChatTarget::Create,
    }
}

/// What the password of a `login_or_register` does to an existing user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordUse {
    /// A user the chat server created gets the given password, as the contract says.
    Replace,
    /// An account made elsewhere is only linked, and only with its own current password: an
    /// app credential must not be able to take over any account by naming its e-mail.
    MustMatch,
}

/// Whether the chat app `app_id` may update (or link) `user`, and how its password is used:
/// it sets the password only of a user its own `login_or_register` created; any other account
/// (made by another contract or another app, or linked by its e-mail) must prove its current
/// password, which is then left as it is. Staff accounts are never reached.
pub fn existing_user_rule(
    user: &User,
    target: ChatTarget,
    password_given: bool,
    app_id: &str,
) -> Result<PasswordUse, ServiceError> {
    if user.is_staff || user.is_superuser {
        return Err(ServiceError::taken(UniqueField::ChatUserId));
    }
    // A deactivated user signs in nowhere, the chat server included.
    if !user.is_active {
        return Err(ServiceError::PermissionDenied);
    }
    let link = matches!(target, ChatTarget::ByEmail(_));
    if link && user.chat_user_id.is_some() {
        return Err(ServiceError::invalid("user_id", OTHER_CHAT_ID));
    }
    if !password_given {
        return Err(ServiceError::invalid("password", PASSWORD_REQUIRED));
    }
    let own_user = !link && user.created_by_app.as_deref() == Some(app_id);
    Ok(if own_user {
        PasswordUse::Replace
    } else {
        PasswordUse::MustMatch
    })
}

/// The refusal of a link or update whose password is not the account's current one.
pub fn wrong_account_password() -> ServiceError {
    ServiceError::invalid("password", LINK_PASSWORD_MISMATCH)
}

/// Who calls `login_or_register`: the app credential and the client address it calls from
/// (password checks are limited and locked per address).
#[derive(Debug, Clone, Copy)]
pub struct ChatCaller<'a> {
    pub app_id: &'a str,
    pub client: &'a str,
}

pub async fn login_or_register(
    store: &Store,
    request: LoginOrRegister,
    caller: ChatCaller<'_>,
) -> Result<User, ServiceError> {
    let field =
        |name: &'static str| move |invalid: Invalid| ServiceError::invalid(name, &invalid.0);
    let chat_user_id = ChatUserId::parse(&request.chat_user_id).map_err(field("user_id"))?;
    let display_name = DisplayName::parse(&request.display_name).map_err(field("username"))?;
    let avatar_url = request
        .avatar_url
        .as_deref()
        .map(Avatar::parse)
        .transpose()
        .map_err(field("avatar_url"))?;
    let email = Email::parse(&chat_user_id).ok();
    let (user_id, target) = match find_target(store, &chat_user_id, email.as_ref()).await? {
        ChatTarget::Create => {
            let account = NewAccount {
                email: email.clone(),
                password: request.password.clone(),
                display_name: Some(display_name.clone()),
                avatar: avatar_url.clone().unwrap_or_default(),
                chat_user_id: Some(chat_user_id.clone()),
                created_by_app: Some(caller.app_id.to_owned()),
                ..NewAccount::new(&chat_user_id)
            };
            match accounts::create(store, account, false).await {
                Ok((user, _)) => return Ok(user),
                // A parallel call created the user (or the e-mail's account) first: this call
                // gets the answer an existing user gets.
                Err(ServiceError::Taken(_)) => {
                    match find_target(store, &chat_user_id, email.as_ref()).await? {
                        target @ (ChatTarget::Linked(id) | ChatTarget::ByEmail(id)) => (id, target),
                        ChatTarget::Create => {
                            return Err(ServiceError::taken(UniqueField::ChatUserId))
                        }
                    }
                }
                Err(other) => return Err(other),
            }
        }
        target @ (ChatTarget::Linked(id) | ChatTarget::ByEmail(id)) => (id, target),
    };

    let user = store
        .get_user(user_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let password_use =
        existing_user_rule(&user, target, request.password.is_some(), caller.app_id)?;
    let password = request
        .password
        .ok_or_else(|| ServiceError::invalid("password", PASSWORD_REQUIRED))?;
    let hash = match password_use {
        PasswordUse::MustMatch => {
            let checked =
                super::sessions::check_password_of(store, user_id, password, caller.client).await;
            match checked {
                Ok(_) => None,
                Err(ServiceError::InvalidCredentials) => return Err(wrong_account_password()),
                Err(other) => return Err(other),
            }
        }
        PasswordUse::Replace => {
            // The app made this user, so it learns of a ban without a password proof.
            ensure_not_banned(&user)?;
            Some(password::hash(password).await?)
        }
    };
    let link = matches!(target, ChatTarget::ByEmail(_));
    let avatar = avatar_url.unwrap_or_else(|| user.avatar.clone());
    let update = ChatUserUpdate {
        user_id,
        display_name: &display_name,
        avatar: &avatar,
        password_hash: hash.as_deref(),
        link_chat_id: link.then_some(chat_user_id.as_str()),
        now: Timestamp::now(),
    };
    match store.update_chat_user(&update).await {
        Ok(()) => {}
        Err(CreateUserError::Taken { .. }) => {
            return Err(ServiceError::taken(UniqueField::ChatUserId));
        }
        Err(CreateUserError::Store(e)) => return Err(e.into()),
    }
    let mut user = User {
        chat_user_id: Some(chat_user_id),
        ..user
    };
    user.display_name = Some(display_name);
    user.avatar = avatar;
    Ok(user)
}

/// The user the chat id names, else the user whose e-mail it is, else nobody yet.
async fn find_target(
    store: &Store,
    chat_user_id: &ChatUserId,
    email: Option<&Email>,
) -> Result<ChatTarget, ServiceError> {
    let by_chat_id = store.user_id_by_chat_id(chat_user_id).await?;
    let by_email = match (by_chat_id, email) {
        (None, Some(email)) => store.user_id_by_email(&email.canonical()).await?,
        _ => None,
    };
    Ok(chat_target(by_chat_id, by_email))
}

/// Most users one deactivate or reactivate request may name.
pub const MAX_ACCESS_CHANGES: usize = 100;

/// The user behind a chat id, for an app credential: never a staff or superuser account.
async fn reachable(store: &Store, chat_user_id: &str) -> Result<User, ServiceError> {
    let user = profile(store, chat_user_id).await?;
    super::push::ensure_app_may_change(&user)?;
    Ok(user)
}

/// The reachable, active user behind a chat id: whom a token may be given.
async fn signable(store: &Store, chat_user_id: &str) -> Result<User, ServiceError> {
    let user = reachable(store, chat_user_id).await?;
    ensure_not_banned(&user)?;
    if user.is_active {
        Ok(user)
    } else {
        Err(ServiceError::PermissionDenied)
    }
}

/// Refuses a user under a ban, saying so.
fn ensure_not_banned(user: &User) -> Result<(), ServiceError> {
    match &user.ban {
        Some(ban) if ban.holds_at(Timestamp::now()) => {
            Err(ServiceError::Banned { until: ban.until })
        }
        _ => Ok(()),
    }
}

/// The access token of a new session of `user`.
async fn session_token(
    store: &Store,
    signer: &TokenSigner,
    user: &User,
) -> Result<String, ServiceError> {
    let tokens = super::sessions::open_session(store, signer, user, Timestamp::now()).await?;
    Ok(tokens.access)
}

/// `get_user_token`: an access token that signs the (active) user in, from a new session.
pub async fn user_token(
    store: &Store,
    signer: &TokenSigner,
    chat_user_id: &str,
) -> Result<String, ServiceError> {
    let user = signable(store, chat_user_id).await?;
    session_token(store, signer, &user).await
}

/// `reset_user_token`: every token issued to the user so far stops working; a new one is
/// returned.
pub async fn reset_user_token(
    store: &Store,
    signer: &TokenSigner,
    chat_user_id: &str,
) -> Result<String, ServiceError> {
    let user = signable(store, chat_user_id).await?;
    super::found(store.set_access(user.id, None, true).await?)?;
    let user = User {
        token_version: user.token_version + 1,
        ..user
    };
    session_token(store, signer, &user).await
}

/// `deactivate_users` (`active` false) and `reactivate_users` (true): up to
/// [`MAX_ACCESS_CHANGES`] chat ids; unknown ones are skipped, and a staff account refuses the
/// whole request before anything changes. Deactivating also ends every token issued so far, so
/// a reactivated user signs in afresh. Returns how many users changed.
pub async fn set_active(
    store: &Store,
    chat_user_ids: &[String],
    active: bool,
) -> Result<usize, ServiceError> {
    if chat_user_ids.len() > MAX_ACCESS_CHANGES {
        return Err(ServiceError::invalid(
            "user_ids",
            &format!("Ensure this field has no more than {MAX_ACCESS_CHANGES} elements."),
        ));
    }
    let mut users = Vec::with_capacity(chat_user_ids.len());
    for chat_user_id in chat_user_ids {
        match reachable(store, chat_user_id).await {
            Ok(user) => users.push(user),
            Err(ServiceError::NotFound) => {}
            Err(other) => return Err(other),
        }
    }
    let mut changed = 0;
    for user in users {
        if store.set_access(user.id, Some(active), !active).await? {
            changed += 1;
        }
    }
    Ok(changed)
}

/// The user behind a chat id.
pub async fn profile(store: &Store, chat_user_id: &str) -> Result<User, ServiceError> {
    // Longer than any chat id we accept: also beyond what a key may hold.
    if chat_user_id.chars().count() > 255 {
        return Err(ServiceError::NotFound);
    }
    let id = store
        .user_id_by_chat_id(chat_user_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    super::profiles::get(store, id).await
}

/// A page of all users and how many there are (exactly).
pub async fn list(
    store: &Store,
    page: usize,
    limit: usize,
    order: DirectoryOrder,
    descending: bool,
) -> Result<(Vec<UserSummary>, u64), ServiceError> {
    let skip = paging::page_skip(page, limit);
    let total = store.user_count().await?;
    if paging::past_the_end(skip, total) {
        return Ok((Vec::new(), total));
    }
    let users = store
        .directory_page(order, descending, skip, limit)
        .await?
        .users;
    Ok((users, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        User::example(7, "alice")
    }

    fn invalid_field(result: Result<PasswordUse, ServiceError>) -> String {
        match result {
            Err(ServiceError::Invalid(errors)) => errors.iter().next().unwrap().0.to_owned(),
            Err(ServiceError::Taken(fields)) if fields == [UniqueField::ChatUserId] => {
                "user_id".to_owned()
            }
            other => panic!("expected a field error, got {other:?}"),
        }
    }

    #[test]
    fn a_new_chat_id_creates_a_user() {
        assert_eq!(chat_target(None, None), ChatTarget::Create);
    }

    #[test]
    fn a_user_the_app_created_gets_the_password_it_gives() {
        let id = UserId::new(7);
        assert_eq!(
            chat_target(Some(id), Some(UserId::new(8))),
            ChatTarget::Linked(id)
        );
        let own = User {
            chat_user_id: ChatUserId::parse("alice@example.com").ok(),
            created_by_app: Some("app-1".into()),
            ..user()
        };
        let rule = existing_user_rule(&own, ChatTarget::Linked(id), true, "app-1");
        assert_eq!(rule.unwrap(), PasswordUse::Replace);
    }

    #[test]
    fn a_linked_account_or_another_apps_user_must_prove_its_password() {
        let id = UserId::new(7);
        let linked = User {
            chat_user_id: ChatUserId::parse("alice@example.com").ok(),
            ..user()
        };
        let rule = existing_user_rule(&linked, ChatTarget::Linked(id), true, "app-1");
        assert_eq!(rule.unwrap(), PasswordUse::MustMatch);
        let others = User {
            created_by_app: Some("app-2".into()),
            ..linked
        };
        let rule = existing_user_rule(&others, ChatTarget::Linked(id), true, "app-1");
        assert_eq!(rule.unwrap(), PasswordUse::MustMatch);
    }

    #[test]
    fn the_e_mail_of_an_existing_account_links_only_with_its_password() {
        let id = UserId::new(7);
        assert_eq!(chat_target(None, Some(id)), ChatTarget::ByEmail(id));
        let rule = existing_user_rule(&user(), ChatTarget::ByEmail(id), true, "app-1");
        assert_eq!(rule.unwrap(), PasswordUse::MustMatch);
        assert!(matches!(
            wrong_account_password(),
            ServiceError::Invalid(errors) if errors.has("password")
        ));
    }

    #[test]
    fn an_existing_user_needs_a_password() {
        let rule = existing_user_rule(&user(), ChatTarget::ByEmail(UserId::new(7)), false, "app-1");
        assert_eq!(invalid_field(rule), "password");
        let rule = existing_user_rule(&user(), ChatTarget::Linked(UserId::new(7)), false, "app-1");
        assert_eq!(invalid_field(rule), "password");
    }

    #[test]
    fn an_account_linked_to_another_chat_id_is_not_linked_again() {
        let linked = User {
            chat_user_id: ChatUserId::parse("other").ok(),
            ..user()
        };
        let rule = existing_user_rule(&linked, ChatTarget::ByEmail(UserId::new(7)), true, "app-1");
        assert_eq!(invalid_field(rule), "user_id");
    }

    #[test]
    fn a_deactivated_user_is_refused() {
        let deactivated = User {
            is_active: false,
            ..user()
        };
        let rule = existing_user_rule(
            &deactivated,
            ChatTarget::Linked(deactivated.id),
            true,
            "app-1",
        );
        assert!(matches!(rule, Err(ServiceError::PermissionDenied)));
    }

    #[test]
    fn staff_accounts_are_never_reached() {
        for staff in [
            User {
                is_staff: true,
                ..user()
            },
            User {
                is_superuser: true,
                ..user()
            },
        ] {
            for target in [ChatTarget::Linked(staff.id), ChatTarget::ByEmail(staff.id)] {
                assert_eq!(
                    invalid_field(existing_user_rule(&staff, target, true, "app-1")),
                    "user_id"
                );
            }
        }
    }
}
