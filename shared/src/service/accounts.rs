//! Creating accounts, for every contract: the username, e-mail and chat id guards, the
//! password hash and (for contracts that sign the new user in) the first session, in one
//! transaction. Contracts without usernames get one derived from their e-mail or chat id.

use super::{ServiceError, UniqueField};
use crate::auth::password;
use crate::auth::refresh::RefreshToken;
use crate::clock::Timestamp;
use crate::domain::{
    Avatar, Bio, Birthday, Category, ChatUserId, CountryCode, Device, DeviceKind, DisplayName,
    Email, Gender, NewUser, Password, PersonName, Phone, User, UserId, UserSummary, Username,
};
use crate::store::{CreateUserError, Store};

/// How many derived usernames are tried before giving up.
const DERIVED_USERNAME_ATTEMPTS: u32 = 4;

/// Everything a new account can start with. Build with [`NewAccount::new`] and set fields.
#[derive(Debug, Clone)]
pub struct NewAccount {
    /// The chosen username, or `None` to derive one from `username_seed`.
    pub username: Option<Username>,
    pub username_seed: String,
    pub email: Option<Email>,
    /// `None`: a random password nobody knows (the chat server creates users this way).
    pub password: Option<Password>,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub bio: Bio,
    pub display_name: Option<DisplayName>,
    pub avatar: Avatar,
    pub phone: Option<Phone>,
    pub gender: Option<Gender>,
    pub country: Option<CountryCode>,
    pub country_id: Option<u64>,
    pub city_id: Option<u64>,
    pub chat_user_id: Option<ChatUserId>,
    /// The app whose chat `login_or_register` creates the account.
    pub created_by_app: Option<String>,
    pub email_verified: bool,
    pub is_staff: bool,
    pub is_superuser: bool,
    /// No password at all: the account cannot sign in (push contract).
    pub unusable_password: bool,
}

impl NewAccount {
    pub fn new(username_seed: &str) -> Self {
        Self {
            username: None,
            username_seed: username_seed.to_owned(),
            email: None,
            password: None,
            first_name: PersonName::default(),
            last_name: PersonName::default(),
            bio: Bio::default(),
            display_name: None,
            avatar: Avatar::default(),
            phone: None,
            gender: None,
            country: None,
            country_id: None,
            city_id: None,
            chat_user_id: None,
            created_by_app: None,
            email_verified: true,
            is_staff: false,
            is_superuser: false,
            unusable_password: false,
        }
    }
}

impl From<NewUser> for NewAccount {
    fn from(new_user: NewUser) -> Self {
        Self {
            username: Some(new_user.username),
            email: Some(new_user.email),
            password: Some(new_user.password),
            first_name: new_user.first_name,
            last_name: new_user.last_name,
            bio: new_user.bio,
            ..Self::new("")
        }
    }
}

/// A username made from `seed` (the part of an e-mail before `@`), with a random suffix after
/// the first try.
fn derived_username(seed: &str, attempt: u32) -> Result<Username, ServiceError> {
    let local = seed.split('@').next().unwrap_or_default();
    let mut base: String = local
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-' | '_'))
        .take(20)
        .collect();
    // Too short, or a route word (`login@example.com`): prefix it so it parses.
    if base.len() < Username::MIN_LEN
        || Username::RESERVED.contains(&base.to_ascii_lowercase().as_str())
    {
        base = format!("user{base}");
    }
    let candidate = if attempt == 0 {
        base
    } else {
        format!(
            "{base}-{}",
            crate::auth::random_token(6)?.get(..8).unwrap_or("x")
        )
    };
    Username::parse(&candidate)
        .map_err(|e| ServiceError::Unexpected(format!("derived username: {e}").into()))
}

fn taken(username: bool, email: bool, chat_id: bool) -> ServiceError {
    let fields = [
        (username, UniqueField::Username),
        (email, UniqueField::Email),
        (chat_id, UniqueField::ChatUserId),
    ];
    ServiceError::Taken(
        fields
            .into_iter()
            .filter_map(|(taken, field)| taken.then_some(field))
            .collect(),
    )
}

/// Creates the account. With `sign_in`, its first session is written in the same transaction
/// and its refresh token returned.
pub async fn create(
    store: &Store,
    account: NewAccount,
    sign_in: bool,
) -> Result<(User, Option<RefreshToken>), ServiceError> {
    let email_lower = account.email.as_ref().map(Email::canonical);
    // Cheap early answers for the common case; the transaction is what guarantees them.
    let (username_owner, email_owner, chat_owner) = tokio::try_join!(
        async {
            match &account.username {
                Some(username) => store.user_id_by_username(&username.canonical()).await,
                None => Ok(None),
            }
        },
        async {
            match &email_lower {
                Some(email) => store.user_id_by_email(email).await,
                None => Ok(None),
            }
        },
        async {
            match &account.chat_user_id {
                Some(chat) => store.user_id_by_chat_id(chat).await,
                None => Ok(None),
            }
        },
    )?;
    if username_owner.is_some() || email_owner.is_some() || chat_owner.is_some() {
        return Err(taken(
            username_owner.is_some(),
            email_owner.is_some(),
            chat_owner.is_some(),
        ));
    }

    let password_hash = if account.unusable_password {
        password::UNUSABLE.to_owned()
    } else {
        let password = match account.password.clone() {
            Some(password) => password,
            None => Password::parse_new(&crate::auth::random_token(24)?)
                .map_err(|e| ServiceError::Unexpected(e.0.into()))?,
        };
        password::hash(password).await?
    };
    // Every user with an e-mail is notified there: its first device (push contract).
    let (id, email_device_id) = tokio::try_join!(store.next_user_id(), async {
        match &account.email {
            Some(_) => store.next_device_id().await.map(Some),
            None => Ok(None),
        }
    })?;

    for attempt in 0..DERIVED_USERNAME_ATTEMPTS {
        let username = match &account.username {
            Some(username) => username.clone(),
            None => derived_username(&account.username_seed, attempt)?,
        };
        let now = Timestamp::now();
        let user = build_user(id, username, &account, email_device_id, now, sign_in);
        let refresh = if sign_in {
            Some(RefreshToken::new_family(id)?)
        } else {
            None
        };
        let session = refresh
            .as_ref()
            .map(|r| super::sessions::new_session(r, 0, now));
        match store
            .create_user(&user, &password_hash, session.as_ref())
            .await
        {
            Ok(()) => return Ok((user, refresh)),
            // Only a derived username is ours to change; try another.
            Err(CreateUserError::Taken {
                username: true,
                email: false,
                chat_id: false,
                device: false,
            }) if account.username.is_none() => continue,
            Err(CreateUserError::Taken {
                username,
                email,
                chat_id,
                device,
            }) => return Err(taken(username, email || device, chat_id)),
            Err(CreateUserError::Store(e)) => return Err(e.into()),
        }
    }
    Err(ServiceError::Unexpected(
        "no free username could be derived".into(),
    ))
}

/// An account moved from another system: what it had there, and its password hash as it was
/// kept there (`None`: it cannot sign in until its password is set anew).
#[derive(Debug, Clone)]
pub struct ImportedAccount {
    pub username: Username,
    pub email: Email,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub gender: Option<Gender>,
    pub birthday: Option<Birthday>,
    pub categories: Vec<Category>,
    /// Checked by `password::imported_hash`.
    pub password_hash: Option<String>,
}

/// What an import of one account did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    Created(UserId),
    /// Its username or e-mail belongs to a user already: nothing was written.
    AlreadyPresent,
}

/// Whether the account's username or e-mail already belongs to a user (two reads): lets a
/// re-run skip it without spending an id.
pub async fn already_present(
    store: &Store,
    account: &ImportedAccount,
) -> Result<bool, ServiceError> {
    let (username, email) = (account.username.canonical(), account.email.canonical());
    let (by_username, by_email) = tokio::try_join!(
        store.user_id_by_username(&username),
        store.user_id_by_email(&email),
    )?;
    Ok(by_username.is_some() || by_email.is_some())
}

/// Creates an imported account with the ids given (taken in blocks by the importer), as
/// sign-up does: the user, its guards and its e-mail device in one transaction. A username or
/// e-mail taken meanwhile is `AlreadyPresent`, not an error.
pub async fn import(
    store: &Store,
    account: &ImportedAccount,
    id: UserId,
    email_device_id: u64,
) -> Result<Imported, ServiceError> {
    let new = NewAccount {
        username: Some(account.username.clone()),
        email: Some(account.email.clone()),
        first_name: account.first_name.clone(),
        last_name: account.last_name.clone(),
        gender: account.gender.clone(),
        ..NewAccount::new("")
    };
    let mut user = build_user(
        id,
        account.username.clone(),
        &new,
        Some(email_device_id),
        Timestamp::now(),
        false,
    );
    user.birthday = account.birthday.clone();
    user.categories = account
        .categories
        .iter()
        .map(|c| c.as_str().to_owned())
        .collect();
    let hash = account
        .password_hash
        .as_deref()
        .unwrap_or(password::UNUSABLE);
    match store.create_user(&user, hash, None).await {
        Ok(()) => Ok(Imported::Created(id)),
        Err(CreateUserError::Taken { .. }) => Ok(Imported::AlreadyPresent),
        Err(CreateUserError::Store(e)) => Err(e.into()),
    }
}

/// The user an account becomes: with its e-mail as its first device, if it has one.
fn build_user(
    id: UserId,
    username: Username,
    account: &NewAccount,
    email_device_id: Option<u64>,
    now: Timestamp,
    signed_in: bool,
) -> User {
    let email_device = account
        .email
        .as_ref()
        .zip(email_device_id)
        .map(|(email, device_id)| Device {
            id: device_id,
            kind: DeviceKind::Email,
            reference: email.to_string(),
        });
    let new = User::new(id, username, account.email.clone(), now);
    User {
        summary: UserSummary {
            first_name: account.first_name.clone(),
            last_name: account.last_name.clone(),
            bio: account.bio.clone(),
            avatar: account.avatar.clone(),
            display_name: account.display_name.clone(),
            devices: email_device.into_iter().collect(),
            ..new.summary
        },
        is_staff: account.is_staff,
        is_superuser: account.is_superuser,
        last_login: signed_in.then_some(now),
        email_verified: account.email_verified,
        chat_user_id: account.chat_user_id.clone(),
        created_by_app: account.created_by_app.clone(),
        phone: account.phone.clone(),
        gender: account.gender.clone(),
        country: account.country.clone(),
        country_id: account.country_id,
        city_id: account.city_id,
        ..new
    }
}

/// The user an e-mail address (any letter case) belongs to.
pub async fn email_owner(store: &Store, email: &Email) -> Result<Option<UserId>, ServiceError> {
    Ok(store.user_id_by_email(&email.canonical()).await?)
}

/// What `POST /api/check/email/` may tell its caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailCheck {
    /// Staff learn who holds the address.
    ForStaff { owner: Option<UserId> },
    /// Anyone else learns only whether it is taken, within the per-address and per-address
    /// -checked limits.
    ForAnyone { exists: bool },
}

/// Whether `email` is taken. Callers who are not staff are rate-limited per client address and
/// per address checked, so the check cannot enumerate accounts.
pub async fn check_email(
    store: &Store,
    email: &Email,
    staff: bool,
    client: &str,
) -> Result<EmailCheck, ServiceError> {
    if !staff {
        let now = Timestamp::now();
        super::limits::check(store, super::limits::EMAIL_CHECK_PER_ADDRESS, client, now).await?;
        let checked = email.canonical();
        super::limits::check(store, super::limits::EMAIL_CHECK_PER_ACCOUNT, &checked, now).await?;
    }
    let owner = email_owner(store, email).await?;
    Ok(if staff {
        EmailCheck::ForStaff { owner }
    } else {
        EmailCheck::ForAnyone {
            exists: owner.is_some(),
        }
    })
}

/// A campaign sign-up: the country and city must exist and agree; no session is opened.
pub async fn register_without_session(
    store: &Store,
    account: NewAccount,
    client: &str,
) -> Result<User, ServiceError> {
    super::limits::existence_check(store, client).await?;
    super::reference::check(store, account.country_id, account.city_id).await?;
    Ok(create(store, account, false).await?.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_with_an_e_mail_starts_with_it_as_an_email_device() {
        let account = NewAccount {
            email: Email::parse("Ann@Example.com").ok(),
            ..NewAccount::new("ann")
        };
        let user = build_user(
            UserId::new(7),
            Username::parse("ann").unwrap(),
            &account,
            Some(3),
            Timestamp::from_unix(0),
            false,
        );
        assert_eq!(
            user.devices,
            [Device {
                id: 3,
                kind: DeviceKind::Email,
                reference: "Ann@Example.com".into(),
            }]
        );
    }

    #[test]
    fn an_account_without_an_e_mail_starts_without_devices() {
        let user = build_user(
            UserId::new(7),
            Username::parse("chatter").unwrap(),
            &NewAccount::new("chatter"),
            None,
            Timestamp::from_unix(0),
            false,
        );
        assert!(user.devices.is_empty() && user.email.is_none());
    }

    #[test]
    fn usernames_are_derived_from_the_local_part_of_an_e_mail() {
        assert_eq!(
            derived_username("john.doe@example.com", 0)
                .unwrap()
                .as_str(),
            "john.doe"
        );
        assert_eq!(
            derived_username("Johnny Cage", 0).unwrap().as_str(),
            "JohnnyCage"
        );
        assert_eq!(derived_username("a@b.c", 0).unwrap().as_str(), "usera");
        assert_eq!(
            derived_username("login@example.com", 0).unwrap().as_str(),
            "userlogin"
        );
        let retry = derived_username("john.doe@example.com", 1).unwrap();
        assert!(retry.starts_with("john.doe-"));
        assert!(
            retry.as_str().starts_with("john.doe-") && retry.as_str().len() <= Username::MAX_LEN
        );
    }
}
