//! E-mail verification by one-time code: 6 digits, stored only hashed, valid 10 minutes,
//! 5 attempts, single use, a new one at most every 60 seconds. The code is stored before it is
//! published, so a failed publish loses nothing: a resend sends a new one.

use super::{limits, ServiceError};
use crate::clock::Timestamp;
use crate::domain::{Email, EmailCode, User, UserId};
use crate::notify::{Channel, Message, Notifier};
use crate::store::Store;
use serde_json::json;

pub const CODE_SECONDS: i64 = 10 * 60;
pub const MAX_ATTEMPTS: u32 = 5;
pub const RESEND_SECONDS: i64 = 60;
pub const MESSAGE_TYPE: &str = "email_verification";
pub const INVALID_CODE: &str = "Invalid or expired code.";

/// Whether the code reached the topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    Published,
    /// Stored but not published (the topic failed); a resend will try again.
    NotPublished,
}

fn code_hash(user_id: UserId, code: &str) -> String {
    crate::auth::sha256_b64(&format!("{user_id}:{code}"))
}

/// A uniformly random 6-digit code.
fn new_code() -> Result<String, ServiceError> {
    loop {
        let mut bytes = [0u8; 4];
        aws_lc_rs::rand::fill(&mut bytes)?;
        let value = u32::from_le_bytes(bytes);
        // Reject the top sliver so every code is equally likely.
        if value < u32::MAX - (u32::MAX % 1_000_000) {
            return Ok(format!("{:06}", value % 1_000_000));
        }
    }
}

/// Stores a new code for the user and publishes it to the e-mail channel.
pub async fn send_code(
    store: &Store,
    notifier: &Notifier,
    user: &User,
) -> Result<Sent, ServiceError> {
    let now = Timestamp::now();
    let code = new_code()?;
    let item = EmailCode {
        user_id: user.id,
        code_hash: code_hash(user.id, &code),
        attempts: 0,
        sent_at: now,
        expires_at: now.plus_seconds(CODE_SECONDS),
    };
    if let Err(refused) = store
        .put_email_code(&item, now.plus_seconds(-RESEND_SECONDS))
        .await?
    {
        let retry_after = (refused.sent_at + RESEND_SECONDS - now.unix()).max(1) as u64;
        return Err(ServiceError::RateLimited { retry_after });
    }
    let message = Message {
        channel: Channel::Email,
        kind: MESSAGE_TYPE.into(),
        user_id: user.id,
        idempotency_key: None,
        body: json!({
            "type": MESSAGE_TYPE,
            "user_id": user.id.get(),
            "to": user.email,
            "subject": "Your verification code",
            "code": code,
            "expires_in_seconds": CODE_SECONDS,
        }),
    };
    match notifier.publish(&message).await {
        Ok(()) => Ok(Sent::Published),
        Err(e) => {
            tracing::error!(user_id = %user.id, error = %e, "verification code stored but not published");
            Ok(Sent::NotPublished)
        }
    }
}

/// Confirms the e-mail with the code sent to it. Every way of being wrong (unknown e-mail,
/// no code, wrong, expired, used, out of attempts) gets the same answer.
pub async fn verify(store: &Store, email: &Email, code: &str) -> Result<(), ServiceError> {
    let invalid = || ServiceError::invalid("code", INVALID_CODE);
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let Some(user_id) = store.user_id_by_email(&email.canonical()).await? else {
        return Err(invalid());
    };
    let now = Timestamp::now();
    let Some(stored) = store.attempt_email_code(user_id, MAX_ATTEMPTS, now).await? else {
        return Err(invalid());
    };
    let presented = code_hash(user_id, code);
    if !crate::auth::constant_time_eq(&presented, &stored.code_hash) {
        return Err(invalid());
    }
    if !store.consume_email_code(user_id, &presented, now).await? {
        return Err(invalid());
    }
    Ok(())
}

/// Sends a new code to an unverified account. Says nothing about whether the e-mail is known
/// or already verified: those requests succeed without sending anything.
pub async fn resend(
    store: &Store,
    notifier: &Notifier,
    email: &Email,
    client: &str,
) -> Result<(), ServiceError> {
    let now = Timestamp::now();
    // The caller's own limit is told; everything about the address is silent, so the answer
    // is the same for an unknown, a verified and an unverified address.
    limits::check(store, limits::CODE_PER_ADDRESS, client, now).await?;
    let sent = match limits::check(store, limits::CODE_PER_ACCOUNT, &email.canonical(), now).await {
        Ok(()) => resend_if_unverified(store, notifier, email).await,
        Err(refused) => Err(refused),
    };
    match sent {
        Ok(()) | Err(ServiceError::RateLimited { .. }) => Ok(()),
        Err(other) => Err(other),
    }
}

async fn resend_if_unverified(
    store: &Store,
    notifier: &Notifier,
    email: &Email,
) -> Result<(), ServiceError> {
    let Some(user_id) = store.user_id_by_email(&email.canonical()).await? else {
        return Ok(());
    };
    match store.get_user(user_id).await? {
        Some(user) if !user.email_verified => send_code(store, notifier, &user).await.map(|_| ()),
        _ => Ok(()),
    }
}

/// The accounts contract's sign-up: rate-limited per client address, the account created
/// unverified, and a code e-mailed to it.
pub async fn sign_up(
    store: &Store,
    notifier: &Notifier,
    account: super::accounts::NewAccount,
    client: &str,
) -> Result<(User, Sent), ServiceError> {
    limits::existence_check(store, client).await?;
    limits::check(store, limits::CODE_PER_ADDRESS, client, Timestamp::now()).await?;
    let (user, _) = super::accounts::create(store, account, false).await?;
    let sent = send_code(store, notifier, &user).await?;
    Ok((user, sent))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let code = new_code().unwrap();
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn the_stored_hash_depends_on_the_user() {
        assert_ne!(
            code_hash(UserId::new(1), "123456"),
            code_hash(UserId::new(2), "123456")
        );
        assert!(!code_hash(UserId::new(1), "123456").contains("123456"));
    }
}
