//! Sign-up with sign-in, credential checks (with rate limits and lockout), token refresh,
//! sign-out, and authenticating a request.

use super::accounts::{self, NewAccount};
use super::limits;
use super::ServiceError;
use crate::auth::password;
use crate::auth::refresh::{RefreshToken, REFRESH_TOKEN_SECONDS};
use crate::auth::tokens::{TokenSigner, TokenVerifier};
use crate::clock::Timestamp;
use crate::domain::{LoginFailures, Password, Session, User, UserId};
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

/// The session a new refresh-token family starts: its first token current for 7 days.
pub(super) fn new_session(refresh: &RefreshToken, token_version: u64, now: Timestamp) -> Session {
    Session {
        user_id: refresh.user_id,
        session_id: refresh.session_id.clone(),
        token_hash: refresh.hash(),
        token_version,
        created_at: now,
        rotated_at: now,
        expires_at: now.plus_seconds(REFRESH_TOKEN_SECONDS),
    }
}

/// No user has id 0: reading it is the stand-in read for a sign-in with an unknown name.
const UNKNOWN_USER: UserId = UserId::new(0);

/// Creates the account and signs it in; limited per client address like every sign-up.
pub async fn register(
    store: &Store,
    signer: &TokenSigner,
    account: NewAccount,
    client: &str,
) -> Result<(User, Tokens), ServiceError> {
    limits::existence_check(store, client).await?;
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

/// The user whose name and password these are. Rate-limited per client address; after
/// [`limits::FAILURES_BEFORE_LOCK`] failures of one account from one client address the
/// account is locked for that address, with a growing back-off. Unknown names are locked the
/// same way, after the same reads, argon2 work and writes, so the answers tell nobody which
/// accounts exist; inactive and unverified accounts get the same refusal as a wrong password.
pub async fn check_credentials(
    store: &Store,
    name: LoginName,
    password: Password,
    client: &str,
) -> Result<User, ServiceError> {
    limits::check(store, limits::SIGN_IN_PER_ADDRESS, client, Timestamp::now()).await?;
    let user_id = resolve(store, &name).await?;
    let account = match user_id {
        Some(id) => account_subject(id),
        None => format!("name:{}", name.canonical()),
    };
    let attempt = Attempt {
        user_id,
        account: &account,
        client,
    };
    attempt.check(store, password, sign_in_accepted).await
}

/// The current password of the known account `user_id`, checked under the same per-address
/// limit and per-account lock as a sign-in (used where another contract proves a password).
pub async fn check_password_of(
    store: &Store,
    user_id: UserId,
    password: Password,
    client: &str,
) -> Result<User, ServiceError> {
    limits::check(store, limits::SIGN_IN_PER_ADDRESS, client, Timestamp::now()).await?;
    let account = account_subject(user_id);
    let attempt = Attempt {
        user_id: Some(user_id),
        account: &account,
        client,
    };
    attempt
        .check(store, password, |user, matches| user.is_some() && matches)
        .await
}

/// How the failures of an account are named: by its id, so every name it signs in with counts.
fn account_subject(id: UserId) -> String {
    format!("user:{id}")
}

/// One password check of an account (or of an unknown name) from one client address.
struct Attempt<'a> {
    user_id: Option<UserId>,
    /// Whose failures count: the account, or the name typed for an unknown one.
    account: &'a str,
    client: &'a str,
}

impl Attempt<'_> {
    /// Refused while locked; otherwise the same reads, argon2 work and failure write whether
    /// or not the account exists. `accept` decides on the user and whether the password matched.
    async fn check(
        &self,
        store: &Store,
        password: Password,
        accept: impl Fn(Option<&User>, bool) -> bool,
    ) -> Result<User, ServiceError> {
        let now = Timestamp::now();
        let (stored, failures) = store
            .get_credentials_and_failures(
                self.user_id.unwrap_or(UNKNOWN_USER),
                self.account,
                self.client,
            )
            .await?;
        let stored = stored.filter(|_| self.user_id.is_some());
        ensure_unlocked(failures.as_ref(), now)?;
        let matches =
            password::verify(password, stored.as_ref().map(|c| c.password_hash.clone())).await?;
        let user = stored.map(|c| c.user);
        if let Some(ban) = user.as_ref().and_then(|u| u.ban.as_ref()) {
            // Only someone who knows the password learns of the ban.
            if matches && ban.holds_at(now) {
                return Err(ServiceError::Banned { until: ban.until });
            }
        }
        if accept(user.as_ref(), matches) {
            let user = user.ok_or(ServiceError::InvalidCredentials)?;
            if failures.is_some() {
                store
                    .clear_login_failures(self.account, self.client)
                    .await?;
            }
            return Ok(user);
        }
        let recorded = store
            .record_login_failure(self.account, self.client, now)
            .await?;
        if recorded.failures >= limits::FAILURES_BEFORE_LOCK {
            tracing::warn!(
                failures = recorded.failures,
                "sign-ins locked for an account at one client address"
            );
        }
        Err(ServiceError::InvalidCredentials)
    }
}

/// Refuses a sign-in while the account is locked by its failures, saying for how long.
pub fn ensure_unlocked(
    failures: Option<&LoginFailures>,
    now: Timestamp,
) -> Result<(), ServiceError> {
    match failures.and_then(|f| limits::locked_for(f, now)) {
        Some(retry_after) => Err(ServiceError::RateLimited { retry_after }),
        None => Ok(()),
    }
}

/// Whether a sign-in succeeds: the password is right for an active account whose e-mail is
/// verified. Everything else gets the same refusal.
pub fn sign_in_accepted(user: Option<&User>, password_matches: bool) -> bool {
    user.is_some_and(|u| password_matches && u.is_active && u.email_verified)
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
    let tokens = open_session(store, signer, &user, now).await?;
    Ok((
        User {
            last_login: Some(now),
            ..user
        },
        tokens,
    ))
}

/// Starts a new session (a refresh-token family) for `user` and signs its first access token.
pub async fn open_session(
    store: &Store,
    signer: &TokenSigner,
    user: &User,
    now: Timestamp,
) -> Result<Tokens, ServiceError> {
    let refresh = RefreshToken::new_family(user.id)?;
    let session = new_session(&refresh, user.token_version, now);
    store.start_session(&session, now).await?;
    let access = signer.sign(user.id, &refresh.session_id, user.token_version, now)?;
    Ok(Tokens { access, refresh })
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
    match refresh_decision(&presented, &session, &user, now) {
        RefreshDecision::Rotate => {}
        decision => {
            if decision == RefreshDecision::RevokeReused {
                tracing::warn!(user_id = %user_id, "refresh token reused; revoking its family");
            }
            store.delete_session(user_id, &session_id).await?;
            return Err(ServiceError::InvalidRefreshToken);
        }
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

/// What a presented refresh token earns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefreshDecision {
    /// The family's current token, unexpired, for an active user at the same token version:
    /// it is exchanged for the next one.
    Rotate,
    /// Another token of the family (used before, or stolen and used first): the family is
    /// revoked.
    RevokeReused,
    /// The current token, but expired, or its user deactivated or re-versioned since: the
    /// family ends.
    RevokeExpired,
}

pub fn refresh_decision(
    presented: &RefreshToken,
    session: &Session,
    user: &User,
    now: Timestamp,
) -> RefreshDecision {
    if !presented.matches_hash(&session.token_hash) {
        RefreshDecision::RevokeReused
    } else if session_live(session, now)
        && user.is_active
        && !user.is_banned_at(now)
        && user.token_version == session.token_version
    {
        RefreshDecision::Rotate
    } else {
        RefreshDecision::RevokeExpired
    }
}

fn session_live(session: &Session, now: Timestamp) -> bool {
    session.expires_at > now
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
                .filter(|s| token.matches_hash(&s.token_hash) && session_live(s, Timestamp::now()))
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
        (Some(user), Some(_))
            if user.is_active
                && !user.is_banned_at(Timestamp::now())
                && user.token_version == claims.ver =>
        {
            Ok(Caller {
                user,
                session_id: claims.sid,
            })
        }
        _ => Err(ServiceError::InvalidToken),
    }
}

/// The caller's id if the request carries a bearer token, which must then be valid (DRF's
/// behaviour on views open to anyone); `None` without a token.
pub async fn caller_if_token(
    store: &Store,
    verifier: &TokenVerifier,
    bearer: Option<&str>,
) -> Result<Option<Viewer>, ServiceError> {
    match bearer {
        None => Ok(None),
        token => {
            let caller = authenticate(store, verifier, token).await?;
            Ok(Some(Viewer {
                id: caller.user.id,
                follows_anyone: caller.user.following_count > 0,
            }))
        }
    }
}

/// Who looks at a list of people: the signed-in caller, and whether they follow anyone (if
/// not, no list needs to read which of its people they follow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub id: UserId,
    pub follows_anyone: bool,
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

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_705_314_600;

    fn user() -> User {
        User::example(7, "alice")
    }

    /// A family whose current token is `current`, expiring in a minute.
    fn family(current: &RefreshToken) -> Session {
        let now = Timestamp::from_unix(NOW);
        Session {
            expires_at: now.plus_seconds(60),
            ..new_session(current, 0, now)
        }
    }

    #[test]
    fn the_current_token_rotates() {
        let current = RefreshToken::new_family(UserId::new(7)).unwrap();
        let decision = refresh_decision(
            &current,
            &family(&current),
            &user(),
            Timestamp::from_unix(NOW),
        );
        assert_eq!(decision, RefreshDecision::Rotate);
    }

    #[test]
    fn a_rotated_token_of_the_family_revokes_it() {
        let first = RefreshToken::new_family(UserId::new(7)).unwrap();
        let second = RefreshToken::next_in_family(UserId::new(7), &first.session_id).unwrap();
        let decision =
            refresh_decision(&first, &family(&second), &user(), Timestamp::from_unix(NOW));
        assert_eq!(decision, RefreshDecision::RevokeReused);
    }

    #[test]
    fn an_expired_token_is_refused() {
        let current = RefreshToken::new_family(UserId::new(7)).unwrap();
        let later = Timestamp::from_unix(NOW + 60);
        let decision = refresh_decision(&current, &family(&current), &user(), later);
        assert_eq!(decision, RefreshDecision::RevokeExpired);
    }

    #[test]
    fn a_token_of_an_older_token_version_or_an_inactive_user_is_refused() {
        let current = RefreshToken::new_family(UserId::new(7)).unwrap();
        let now = Timestamp::from_unix(NOW);
        let bumped = User {
            token_version: 1,
            ..user()
        };
        let inactive = User {
            is_active: false,
            ..user()
        };
        for user in [bumped, inactive] {
            let decision = refresh_decision(&current, &family(&current), &user, now);
            assert_eq!(decision, RefreshDecision::RevokeExpired);
        }
    }

    fn failures(failures: u32, seconds_ago: i64) -> LoginFailures {
        LoginFailures {
            failures,
            last_failed_at: Timestamp::from_unix(NOW - seconds_ago),
        }
    }

    #[test]
    fn four_failures_do_not_lock() {
        assert!(ensure_unlocked(Some(&failures(4, 0)), Timestamp::from_unix(NOW)).is_ok());
        assert!(ensure_unlocked(None, Timestamp::from_unix(NOW)).is_ok());
    }

    #[test]
    fn the_fifth_failure_locks_for_a_minute_then_lets_go() {
        let now = Timestamp::from_unix(NOW);
        assert!(matches!(
            ensure_unlocked(Some(&failures(5, 0)), now),
            Err(ServiceError::RateLimited { retry_after: 60 })
        ));
        assert!(matches!(
            ensure_unlocked(Some(&failures(5, 45)), now),
            Err(ServiceError::RateLimited { retry_after: 15 })
        ));
        assert!(ensure_unlocked(Some(&failures(5, 60)), now).is_ok());
    }

    #[test]
    fn each_further_failure_doubles_the_lock() {
        let now = Timestamp::from_unix(NOW);
        assert!(matches!(
            ensure_unlocked(Some(&failures(6, 61)), now),
            Err(ServiceError::RateLimited { retry_after: 59 })
        ));
        assert!(matches!(
            ensure_unlocked(Some(&failures(30, 0)), now),
            Err(ServiceError::RateLimited { retry_after: 3600 })
        ));
    }

    #[test]
    fn only_an_active_verified_account_with_the_right_password_signs_in() {
        assert!(sign_in_accepted(Some(&user()), true));
        assert!(!sign_in_accepted(Some(&user()), false));
        assert!(!sign_in_accepted(None, true));
        let unverified = User {
            email_verified: false,
            ..user()
        };
        let inactive = User {
            is_active: false,
            ..user()
        };
        assert!(!sign_in_accepted(Some(&unverified), true));
        assert!(!sign_in_accepted(Some(&inactive), true));
    }
}
