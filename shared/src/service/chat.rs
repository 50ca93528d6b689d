//! The chat server's `login_or_register`: creates the user behind an external chat id, or
//! updates them. The chat id is unique (a guard item); a chat id that is the e-mail of an
//! existing user links to that user, so every contract keeps seeing one user.

use super::accounts::{self, NewAccount};
use super::ServiceError;
use crate::auth::password;
use crate::clock::Timestamp;
use crate::domain::{Email, Password, User, UserSummary};
use crate::store::{ChatUserUpdate, CreateUserError, DirectoryOrder, Store};

pub const PASSWORD_REQUIRED: &str = "password is required for an existing user";
pub const LINK_PASSWORD_MISMATCH: &str =
    "this e-mail belongs to an existing account; give that account's current password to link it";

#[derive(Debug, Clone)]
pub struct LoginOrRegister {
    pub chat_user_id: String,
    pub display_name: String,
    pub password: Option<Password>,
    pub avatar_url: Option<String>,
}

pub async fn login_or_register(
    store: &Store,
    request: LoginOrRegister,
) -> Result<User, ServiceError> {
    let email = Email::parse(&request.chat_user_id).ok();
    let (existing, link) = match store.user_id_by_chat_id(&request.chat_user_id).await? {
        Some(id) => (Some(id), false),
        None => match &email {
            Some(email) => (store.user_id_by_email(&email.canonical()).await?, true),
            None => (None, false),
        },
    };

    let Some(user_id) = existing else {
        let account = NewAccount {
            email,
            password: request.password,
            display_name: Some(request.display_name),
            avatar: request.avatar_url.unwrap_or_default(),
            chat_user_id: Some(request.chat_user_id.clone()),
            ..NewAccount::new(&request.chat_user_id)
        };
        return Ok(accounts::create(store, account, false).await?.0);
    };

    let stored = store
        .get_user(user_id)
        .await?
        .ok_or(ServiceError::NotFound)?;
    let user = stored.to_user();
    // App credentials never reach staff accounts.
    if user.is_staff || user.is_superuser {
        return Err(ServiceError::invalid("user_id", accounts::CHAT_ID_TAKEN));
    }
    if link && user.chat_user_id.is_some() {
        return Err(ServiceError::invalid(
            "user_id",
            "This e-mail belongs to a user with another chat id.",
        ));
    }
    let password = request
        .password
        .ok_or_else(|| ServiceError::invalid("password", PASSWORD_REQUIRED))?;
    // A user the chat server created gets the given password, as the contract says. An
    // account made elsewhere is only linked, and only with its own current password: an app
    // credential must not be able to take over any account by naming its e-mail.
    let hash = if link {
        if !password::verify(password, Some(stored.password_hash.clone())).await? {
            return Err(ServiceError::invalid("password", LINK_PASSWORD_MISMATCH));
        }
        None
    } else {
        Some(password::hash(password).await?)
    };
    let avatar = request.avatar_url.unwrap_or_else(|| user.avatar.clone());
    let update = ChatUserUpdate {
        user_id,
        display_name: &request.display_name,
        avatar: &avatar,
        password_hash: hash.as_deref(),
        link_chat_id: link.then_some(request.chat_user_id.as_str()),
        now: Timestamp::now(),
    };
    match store.update_chat_user(&update).await {
        Ok(()) => {}
        Err(CreateUserError::Taken { .. }) => {
            return Err(ServiceError::invalid("user_id", accounts::CHAT_ID_TAKEN));
        }
        Err(CreateUserError::Store(e)) => return Err(e.into()),
    }
    Ok(User {
        display_name: Some(request.display_name),
        avatar,
        chat_user_id: Some(request.chat_user_id),
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
    Ok(store
        .get_user(id)
        .await?
        .ok_or(ServiceError::NotFound)?
        .to_user())
}

/// A page of all users and how many there are (exactly).
pub async fn list(
    store: &Store,
    page: usize,
    limit: usize,
    order: DirectoryOrder,
    descending: bool,
) -> Result<(Vec<UserSummary>, u64), ServiceError> {
    let skip = page.saturating_sub(1).saturating_mul(limit);
    let total = store.user_count().await?;
    if u64::try_from(skip).unwrap_or(u64::MAX) >= total {
        return Ok((Vec::new(), total));
    }
    let users = store
        .directory_page(order, descending, skip, limit)
        .await?
        .users;
    Ok((users, total))
}
