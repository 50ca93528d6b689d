//! Sign-up, sign-in, token refresh, sign-out, and authenticating a request.

use super::{FieldErrors, ServiceError};
use crate::auth::password;
use crate::auth::refresh::{RefreshToken, REFRESH_TOKEN_SECONDS};
use crate::auth::tokens::{TokenSigner, TokenVerifier};
use crate::clock::Timestamp;
use crate::domain::{NewUser, Password, User, UserId};
use crate::store::items::{SessionItem, UserItem};
use crate::store::{CreateUserError, Store};

/// A fresh access token and the refresh token that can replace it.
#[derive(Debug)]
pub struct Tokens {
    pub access: String,
    pub refresh: RefreshToken,
}

/// Who a request is from: an active user and the live session its token names.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub session_id: String,
}

/// How a user names themselves at sign-in.
#[derive(Debug, Clone)]
pub enum LoginName {
    Username(String),
    Email(String),
}

/// No user has id 0: reading it is the stand-in read for a sign-in with an unknown name.
const UNKNOWN_USER: UserId = UserId::new(0);

pub const USERNAME_TAKEN: &str = "A user with that username already exists.";
pub const EMAIL_TAKEN: &str = "A user with that email already exists.";

/// Creates the user, their guards and a first session in one transaction, and signs them in.
pub async fn register(
    store: &Store,
    signer: &TokenSigner,
    new_user: NewUser,
) -> Result<(User, Tokens), ServiceError> {
    let username_lower = new_user.username.canonical();
    let email_lower = new_user.email.canonical();
    // Cheap early answer for the common case; the transaction below is what guarantees it.
    let (username_owner, email_owner) = tokio::try_join!(
        store.user_id_by_username(&username_lower),
        store.user_id_by_email(&email_lower)
    )?;
    if username_owner.is_some() || email_owner.is_some() {
        return Err(taken(username_owner.is_some(), email_owner.is_some()));
    }

    let password_hash = password::hash(new_user.password).await?;
    let id = store.next_user_id().await?;
    let now = Timestamp::now();
    let user = User {
        id,
        username: new_user.username.as_str().to_owned(),
        email: new_user.email.as_str().to_owned(),
        first_name: new_user.first_name.into_string(),
        last_name: new_user.last_name.into_string(),
        bio: new_user.bio.into_string(),
        avatar: String::new(),
        is_active: true,
        is_staff: false,
        is_superuser: false,
        token_version: 0,
        created_at: now,
        updated_at: now,
        last_login: Some(now),
        posts_count: 0,
        followers_count: 0,
        following_count: 0,
        likes_received: 0,
        comments_received: 0,
    };
    let refresh = RefreshToken::new_family(id)?;
    let session = new_session(&user, &refresh, now);
    match store
        .create_user(&UserItem::new(&user, password_hash), &session)
        .await
    {
        Ok(()) => {}
        Err(CreateUserError::Taken { username, email }) => return Err(taken(username, email)),
        Err(CreateUserError::Store(e)) => return Err(e.into()),
    }
    let access = signer.sign(id, &refresh.session_id, user.token_version, now)?;
    Ok((user, Tokens { access, refresh }))
}

fn taken(username: bool, email: bool) -> ServiceError {
    let mut errors = FieldErrors::default();
    if username {
        errors.add("username", USERNAME_TAKEN);
    }
    if email {
        errors.add("email", EMAIL_TAKEN);
    }
    ServiceError::Invalid(errors)
}

fn new_session(user: &User, refresh: &RefreshToken, now: Timestamp) -> SessionItem {
    SessionItem::new(
        user.id,
        &refresh.session_id,
        refresh.hash(),
        user.token_version,
        now,
        now.plus_seconds(REFRESH_TOKEN_SECONDS),
    )
}

/// Checks the password and starts a new session. Unknown names, wrong passwords and inactive
/// accounts all get the same answer, after the same argon2 work.
pub async fn login(
    store: &Store,
    signer: &TokenSigner,
    name: LoginName,
    password: Password,
) -> Result<(User, Tokens), ServiceError> {
    let user_id = match &name {
        LoginName::Email(email) => store.user_id_by_email(&email.trim().to_lowercase()).await?,
        LoginName::Username(username) => {
            let canonical = username.trim().to_ascii_lowercase();
            match store.user_id_by_username(&canonical).await? {
                Some(id) => Some(id),
                None if canonical.contains('@') => {
                    store
                        .user_id_by_email(&username.trim().to_lowercase())
                        .await?
                }
                None => None,
            }
        }
    };
    // An unknown name still costs the user read and the argon2 work a known one does, so the
    // answer's timing does not tell whether the account exists.
    let stored = store
        .get_user(user_id.unwrap_or(UNKNOWN_USER))
        .await?
        .filter(|_| user_id.is_some());
    let password_matches =
        password::verify(password, stored.as_ref().map(|u| u.password_hash.clone())).await?;
    let user = match stored {
        Some(item) if password_matches && item.is_active => item.to_user(),
        _ => return Err(ServiceError::InvalidCredentials),
    };

    let now = Timestamp::now();
    let refresh = RefreshToken::new_family(user.id)?;
    store
        .start_session(&new_session(&user, &refresh, now), now)
        .await?;
    let access = signer.sign(user.id, &refresh.session_id, user.token_version, now)?;
    Ok((
        User {
            last_login: Some(now),
            ..user
        },
        Tokens { access, refresh },
    ))
}

/// Exchanges a refresh token for a new pair. A token that is not the family's current one
/// (already used, or stolen and used by someone else first) revokes the whole family.
pub async fn refresh(
    store: &Store,
    signer: &TokenSigner,
    presented: &str,
) -> Result<Tokens, ServiceError> {
    let presented =
        RefreshToken::parse(presented.trim()).ok_or(ServiceError::InvalidRefreshToken)?;
    let (user_id, session_id) = (presented.user_id, presented.session_id.clone());
    let (user, session) = store.get_user_and_session(user_id, &session_id).await?;
    let (Some(user), Some(session)) = (user, session) else {
        return Err(ServiceError::InvalidRefreshToken);
    };
    let now = Timestamp::now();
    let current = presented.matches_hash(&session.token_hash);
    let live = session.expires_at > now.unix()
        && user.is_active
        && user.token_version == session.token_version;
    if !current || !live {
        if !current {
            tracing::warn!(user_id = %user_id, "refresh token reused; revoking its family");
        }
        store.delete_session(user_id, &session_id).await?;
        return Err(ServiceError::InvalidRefreshToken);
    }

    let next = RefreshToken::next_in_family(user_id, &session_id)?;
    let rotated = store
        .rotate_session(
            user_id,
            &session_id,
            &session.token_hash,
            &next.hash(),
            now,
            now.plus_seconds(REFRESH_TOKEN_SECONDS),
        )
        .await?;
    if !rotated {
        // Another request rotated this token first: the same token was used twice.
        tracing::warn!(user_id = %user_id, "refresh token raced; revoking its family");
        store.delete_session(user_id, &session_id).await?;
        return Err(ServiceError::InvalidRefreshToken);
    }
    let access = signer.sign(user_id, &session_id, user.token_version, now)?;
    Ok(Tokens {
        access,
        refresh: next,
    })
}

/// Ends the caller's session, and the session of `refresh` if one is given (it must be one of
/// the caller's own, current tokens).
pub async fn logout(
    store: &Store,
    caller: &Caller,
    refresh: Option<&str>,
) -> Result<(), ServiceError> {
    let other_session = match refresh {
        None => None,
        Some(text) => {
            let token = RefreshToken::parse(text.trim())
                .filter(|t| t.user_id == caller.user.id)
                .ok_or_else(|| ServiceError::invalid("refresh", "Token is invalid or expired"))?;
            (token.session_id != caller.session_id).then_some(token.session_id)
        }
    };
    store
        .delete_session(caller.user.id, &caller.session_id)
        .await?;
    if let Some(session_id) = other_session {
        store.delete_session(caller.user.id, &session_id).await?;
    }
    Ok(())
}

/// The caller behind a bearer token: the token must verify, and its user must be active, at the
/// same token version, with the named session still live. One read of two items.
pub async fn authenticate(
    store: &Store,
    verifier: &TokenVerifier,
    bearer: Option<&str>,
) -> Result<Caller, ServiceError> {
    let token = bearer.ok_or(ServiceError::NotAuthenticated)?;
    let claims = verifier
        .verify(token)
        .map_err(|_| ServiceError::InvalidToken)?;
    let user_id = UserId::parse(&claims.sub).map_err(|_| ServiceError::InvalidToken)?;
    let (user, session) = store.get_user_and_session(user_id, &claims.sid).await?;
    match (user, session) {
        (Some(user), Some(_)) if user.is_active && user.token_version == claims.ver => Ok(Caller {
            user: user.to_user(),
            session_id: claims.sid,
        }),
        _ => Err(ServiceError::InvalidToken),
    }
}
