//! The chat server's `login_or_register`: creates the user behind an external chat id, or
//! updates them. The chat id is unique (a guard item); a chat id that is the e-mail of an
//! existing user links to that user, so every contract keeps seeing one user.

use super::accounts::{self, NewAccount};
use super::{paging, ServiceError, UniqueField};
use crate::auth::password;
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

/// Whether the chat server may update (or link) `user`, and how its password is used.
pub fn existing_user_rule(
    user: &User,
    target: ChatTarget,
    password_given: bool,
) -> Result<PasswordUse, ServiceError> {
    // App credentials never reach staff accounts.
    if user.is_staff || user.is_superuser {
        return Err(ServiceError::taken(UniqueField::ChatUserId));
    }
    let link = matches!(target, ChatTarget::ByEmail(_));
    if link && user.chat_user_id.is_some() {
        return Err(ServiceError::invalid("user_id", OTHER_CHAT_ID));
    }
    if !password_given {
        return Err(ServiceError::invalid("password", PASSWORD_REQUIRED));
    }
    Ok(if link {
        PasswordUse::MustMatch
    } else {
        PasswordUse::Replace
    })
}

/// A link goes ahead only with the account's current password.
pub fn ensure_link_password(matches: bool) -> Result<(), ServiceError> {
    if matches {
        Ok(())
    } else {
        Err(ServiceError::invalid("password", LINK_PASSWORD_MISMATCH))
    }
}

pub async fn login_or_register(
    store: &Store,
    request: LoginOrRegister,
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
    let by_chat_id = store.user_id_by_chat_id(&chat_user_id).await?;
    let by_email = match (by_chat_id, &email) {
        (None, Some(email)) => store.user_id_by_email(&email.canonical()).await?,
        _ => None,
    };
    let (user_id, target) = match chat_target(by_chat_id, by_email) {
        ChatTarget::Create => {
            let account = NewAccount {
                email,
                password: request.password,
                display_name: Some(display_name),
                avatar: avatar_url.unwrap_or_default(),
                chat_user_id: Some(chat_user_id.clone()),
                ..NewAccount::new(&chat_user_id)
            };
            return Ok(accounts::create(store, account, false).await?.0);
        }
        target @ (ChatTarget::Linked(id) | ChatTarget::ByEmail(id)) => (id, target),
    };

    let stored = store
        .get_credentials(user_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let user = stored.user;
    let password_use = existing_user_rule(&user, target, request.password.is_some())?;
    let password = request
        .password
        .ok_or_else(|| ServiceError::invalid("password", PASSWORD_REQUIRED))?;
    let hash = match password_use {
        PasswordUse::MustMatch => {
            ensure_link_password(password::verify(password, Some(stored.password_hash)).await?)?;
            None
        }
        PasswordUse::Replace => Some(password::hash(password).await?),
    };
    let link = password_use == PasswordUse::MustMatch;
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
    Ok(User {
        display_name: Some(display_name),
        avatar,
        chat_user_id: Some(chat_user_id),
        ..user
    })
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
    fn a_linked_chat_id_updates_its_user_and_replaces_the_password() {
        let id = UserId::new(7);
        assert_eq!(
            chat_target(Some(id), Some(UserId::new(8))),
            ChatTarget::Linked(id)
        );
        let linked = User {
            chat_user_id: ChatUserId::parse("alice@example.com").ok(),
            ..user()
        };
        let rule = existing_user_rule(&linked, ChatTarget::Linked(id), true);
        assert_eq!(rule.unwrap(), PasswordUse::Replace);
    }

    #[test]
    fn the_e_mail_of_an_existing_account_links_only_with_its_password() {
        let id = UserId::new(7);
        assert_eq!(chat_target(None, Some(id)), ChatTarget::ByEmail(id));
        let rule = existing_user_rule(&user(), ChatTarget::ByEmail(id), true);
        assert_eq!(rule.unwrap(), PasswordUse::MustMatch);
        assert!(ensure_link_password(true).is_ok());
        assert!(matches!(
            ensure_link_password(false),
            Err(ServiceError::Invalid(errors)) if errors.has("password")
        ));
    }

    #[test]
    fn an_existing_user_needs_a_password() {
        let rule = existing_user_rule(&user(), ChatTarget::ByEmail(UserId::new(7)), false);
        assert_eq!(invalid_field(rule), "password");
        let rule = existing_user_rule(&user(), ChatTarget::Linked(UserId::new(7)), false);
        assert_eq!(invalid_field(rule), "password");
    }

    #[test]
    fn an_account_linked_to_another_chat_id_is_not_linked_again() {
        let linked = User {
            chat_user_id: ChatUserId::parse("other").ok(),
            ..user()
        };
        let rule = existing_user_rule(&linked, ChatTarget::ByEmail(UserId::new(7)), true);
        assert_eq!(invalid_field(rule), "user_id");
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
                    invalid_field(existing_user_rule(&staff, target, true)),
                    "user_id"
                );
            }
        }
    }
}
