//! Sign-up with sign-in, credential checks (with rate limits and lockout), token refresh,
//! sign-out, and authenticating a request.

use super::accounts::{self, NewAccount};
use super::limits;
use super::ServiceError;
use crate::auth::password;
use crate::auth::refresh::{RefreshToken, REFRESH_TOKEN_SECONDS};
use crate::auth::tokens::{TokenSigner, TokenVerifier};
use crate::clock::Timestamp;
use crate::domain::{Password, User, UserId};
use crate::store::items::SessionItem;
use crate::store::Store;

/// A fresh access token and the refresh token that can replace it. `Debug` hides both.
pub struct Tokens {
    pub access: String,
    pub refresh: RefreshToken,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tokens")
            .field("refresh", &self.refresh)
            .finish_non_exhaustive()
    }
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

impl LoginName {
    fn canonical(&self) -> String {
        match self {
            LoginName::Username(name) | LoginName::Email(name) => name.trim().to_lowercase(),
        }
    }
}

/// No user has id 0: reading it is the stand-in read for a sign-in with an unknown name.
const UNKNOWN_USER: UserId = UserId::new(0);

/// Creates the account and signs it in.
pub async fn register(
    store: &Store,
    signer: &TokenSigner,
    account: NewAccount,
) -> Result<(User, Tokens), ServiceError> {
    let (user, refresh) = accounts::create(store, account, true).await?;
    let refresh =
        refresh.ok_or_else(|| ServiceError::Unexpected("sign-up returned no session".into()))?;
    let access = signer.sign(
        user.id,
        &refresh.session_id,
        user.token_version,
        user.created_at,
    )?;
    Ok((user, Tokens { access, refresh }))
}

async fn resolve(store: &Store, name: &LoginName) -> Result<Option<UserId>, ServiceError> {
    // Longer than any username or e-mail: no such account (and too long for a key).
    let text = match name {
        LoginName::Username(text) | LoginName::Email(text) => text,
    };
    if text.trim().chars().count() > crate::domain::Email::MAX_LEN {
        return Ok(None);
    }
    Ok(match name {
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
    })
}

/// The user whose name and password these are. Rate-limited per client address and per
/// account; after [`limits::FAILURES_BEFORE_LOCK`] failures the account is locked with a
/// growing back-off. Unknown names, wrong passwords, inactive and unverified accounts all get
/// the same answer after the same reads and argon2 work.
pub async fn check_credentials(
    store: &Store,
    name: LoginName,
    password: Password,
    client: &str,
) -> Result<User, ServiceError> {
    let now = Timestamp::now();
    limits::check(store, limits::SIGN_IN_PER_ADDRESS, client, now).await?;
    limits::check(store, limits::SIGN_IN_PER_ACCOUNT, &name.canonical(), now).await?;

    let user_id = resolve(store, &name).await?;
    let (stored, failures) = store
        .get_user_and_failures(user_id.unwrap_or(UNKNOWN_USER))
        .await?;
    let stored = stored.filter(|_| user_id.is_some());
    // The stand-in user's failures are only counted, never a lock.
    let failures = failures.filter(|_| user_id.is_some());
    if let Some(retry_after) = failures.as_ref().and_then(|f| limits::locked_for(f, now)) {
        return Err(ServiceError::RateLimited { retry_after });
    }
    let password_matches =
        password::verify(password, stored.as_ref().map(|u| u.password_hash.clone())).await?;
    match stored {
        Some(item) if password_matches && item.is_active && item.email_verified => {
            if failures.is_some() {
                store.clear_login_failures(UserId::new(item.id)).await?;
            }
            Ok(item.to_user())
        }
        Some(item) => {
            let recorded = store
                .record_login_failure(UserId::new(item.id), now)
                .await?;
            if recorded.failures >= limits::FAILURES_BEFORE_LOCK {
                tracing::warn!(
                    user_id = item.id,
                    failures = recorded.failures,
                    "account locked after failed sign-ins"
                );
            }
            Err(ServiceError::InvalidCredentials)
        }
        None => {
            // The same write a known account's failure costs, so the refusal takes as long.
            store.record_login_failure(UNKNOWN_USER, now).await?;
            Err(ServiceError::InvalidCredentials)
        }
    }
}

/// The user these credentials belong to, or `None` when they are wrong; limits and lockout
/// apply as to a sign-in.
pub async fn validate(
    store: &Store,
    name: LoginName,
    password: Password,
    client: &str,
) -> Result<Option<User>, ServiceError> {
    match check_credentials(store, name, password, client).await {
        Ok(user) => Ok(Some(user)),
        Err(ServiceError::InvalidCredentials) => Ok(None),
        Err(other) => Err(other),
    }
}

/// Checks the credentials and starts a new session.
pub async fn login(
    store: &Store,
    signer: &TokenSigner,
    name: LoginName,
    password: Password,
    client: &str,
) -> Result<(User, Tokens), ServiceError> {
    let user = check_credentials(store, name, password, client).await?;
    let now = Timestamp::now();
    let refresh = RefreshToken::new_family(user.id)?;
    let session = SessionItem::new(
        user.id,
        &refresh.session_id,
        refresh.hash(),
        user.token_version,
        now,
        now.plus_seconds(REFRESH_TOKEN_SECONDS),
    );
    store.start_session(&session, now).await?;
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
            let invalid = || ServiceError::invalid("refresh", "Token is invalid or expired");
            let token = RefreshToken::parse(text.trim())
                .filter(|t| t.user_id == caller.user.id)
                .ok_or_else(invalid)?;
            // Only the family's current, unexpired token counts; anything else revokes nothing.
            let (_, session) = store
                .get_user_and_session(caller.user.id, &token.session_id)
                .await?;
            let current = session
                .filter(|s| {
                    token.matches_hash(&s.token_hash) && s.expires_at > Timestamp::now().unix()
                })
                .is_some();
            if !current {
                return Err(invalid());
            }
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

/// The caller's id if the request carries a bearer token, which must then be valid (DRF's
/// behaviour on views open to anyone); `None` without a token.
pub async fn caller_if_token(
    store: &Store,
    verifier: &TokenVerifier,
    bearer: Option<&str>,
) -> Result<Option<UserId>, ServiceError> {
    match bearer {
        None => Ok(None),
        token => Ok(Some(authenticate(store, verifier, token).await?.user.id)),
    }
}

/// The caller if the request carries a valid token, `None` if it carries none or an invalid
/// one; storage failures are still errors.
pub async fn optional_caller(
    store: &Store,
    verifier: &TokenVerifier,
    bearer: Option<&str>,
) -> Result<Option<Caller>, ServiceError> {
    match authenticate(store, verifier, bearer).await {
        Ok(caller) => Ok(Some(caller)),
        Err(ServiceError::NotAuthenticated | ServiceError::InvalidToken) => Ok(None),
        Err(other) => Err(other),
    }
}
