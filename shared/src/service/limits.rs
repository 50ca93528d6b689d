//! Rate limits and account lockout, kept in DynamoDB so they hold across every function
//! instance. A refusal is [`ServiceError::RateLimited`]: 429 with `Retry-After`.

use super::ServiceError;
use crate::clock::Timestamp;
use crate::domain::LoginFailures;
use crate::store::Store;

/// At most `max` requests of one subject per fixed window of `window_seconds`.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub scope: &'static str,
    pub max: u64,
    pub window_seconds: i64,
}

impl Limit {
    const fn new(scope: &'static str, max: u64, window_seconds: i64) -> Self {
        Self {
            scope,
            max,
            window_seconds,
        }
    }
}

/// Sign-in attempts (any contract) from one client address.
pub const SIGN_IN_PER_ADDRESS: Limit = Limit::new("signin-ip", 30, 60);
/// Requests that can answer "already exists" (sign-ups in every contract, e-mail changes)
/// from one client address: enough for a family or an office behind one address, too few to
/// test thousands of addresses.
pub const SIGN_UP_PER_ADDRESS: Limit = Limit::new("signup-ip", 100, 3600);
/// E-mail existence checks by callers who are not staff, from one client address.
pub const EMAIL_CHECK_PER_ADDRESS: Limit = Limit::new("email-check-ip", 10, 60);
/// E-mail existence checks by callers who are not staff, about one address.
pub const EMAIL_CHECK_PER_ACCOUNT: Limit = Limit::new("email-check-account", 5, 60);
/// Verification-code requests (sign-ups that send one, and resends) from one client address.
pub const CODE_PER_ADDRESS: Limit = Limit::new("code-ip", 10, 600);
/// Verification-code requests for one account (besides the 60-second resend interval).
pub const CODE_PER_ACCOUNT: Limit = Limit::new("code-account", 5, 3600);

/// Filtered user lists (careers `search`, `first_name`, `last_name`) from one client address:
/// each examines up to [`super::directory::SCAN_CAP`] index entries (about 35 read units), so
/// one address reads at most about 1,050 read units a minute this way.
pub const DIRECTORY_SEARCH_PER_ADDRESS: Limit = Limit::new("search-ip", 30, 60);

/// Counts a request that may answer "already exists" from `client` against
/// [`SIGN_UP_PER_ADDRESS`].
pub async fn existence_check(store: &Store, client: &str) -> Result<(), ServiceError> {
    check(store, SIGN_UP_PER_ADDRESS, client, Timestamp::now()).await
}

/// Failed sign-ins an account may have before it is locked.
pub const FAILURES_BEFORE_LOCK: u32 = 5;
const FIRST_LOCK_SECONDS: i64 = 60;
const LONGEST_LOCK_SECONDS: i64 = 60 * 60;

/// Counts this request against `limit` for `subject`; refuses it past the limit.
pub async fn check(
    store: &Store,
    limit: Limit,
    subject: &str,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let window_start = now.unix() - now.unix().rem_euclid(limit.window_seconds);
    // Subjects can be e-mails: keep only a hash of them in keys.
    let subject = crate::auth::sha256_b64(subject);
    let count = store
        .count_in_window(limit.scope, &subject, window_start, limit.window_seconds)
        .await?;
    if count > limit.max {
        let retry_after = (window_start + limit.window_seconds - now.unix()).max(1) as u64;
        return Err(ServiceError::RateLimited { retry_after });
    }
    Ok(())
}

/// How long an account stays locked after `failures`: none below the threshold, then a
/// minute, doubling with each further failure, at most an hour.
pub fn lock_seconds(failures: u32) -> i64 {
    if failures < FAILURES_BEFORE_LOCK {
        return 0;
    }
    let doublings = (failures - FAILURES_BEFORE_LOCK).min(10);
    (FIRST_LOCK_SECONDS << doublings).min(LONGEST_LOCK_SECONDS)
}

/// Seconds left on the account's lock, if it is locked now.
pub fn locked_for(failures: &LoginFailures, now: Timestamp) -> Option<u64> {
    let until = failures.last_failed_at.unix() + lock_seconds(failures.failures);
    (until > now.unix()).then(|| (until - now.unix()) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_starts_at_the_fifth_failure_and_grows() {
        assert_eq!(lock_seconds(4), 0);
        assert_eq!(lock_seconds(5), 60);
        assert_eq!(lock_seconds(6), 120);
        assert_eq!(lock_seconds(7), 240);
        assert_eq!(lock_seconds(50), 3600);
    }
}
