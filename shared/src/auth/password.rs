//! argon2id password hashing with the OWASP parameters (m = 19 MiB, t = 2, p = 1), run on
//! tokio's blocking pool so a hash never stalls the executor.

use crate::domain::Password;
use argon2::{Algorithm, Argon2, Params, PasswordHasher as _, PasswordVerifier as _, Version};

const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const PARALLELISM: u32 = 1;

/// A well-formed hash, same parameters, whose password nobody knows. Unknown users are checked
/// against it, so a sign-in takes as long whether or not the account exists.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$YHiVqGiPxBJ6IVh2DOeL6A$6q8vBDQ7lOOEdT7h0bSSm4pT7c0cAuH1WbYkuAf2sVk";

/// Stored for accounts that have no password (created by a server contract): no password
/// matches it.
pub const UNUSABLE: &str = "!";

/// A password hash kept by another system, as it is kept here: an argon2 (`argon2id`,
/// `argon2i` or `argon2d`) PHC string, with any parameters (they are read from the hash when
/// it is verified). Django's form, `argon2$argon2id$...`, is accepted and stored without its
/// `argon2` prefix.
pub fn imported_hash(text: &str) -> Result<String, crate::domain::Invalid> {
    let text = text.trim();
    let phc = text.strip_prefix("argon2").unwrap_or(text);
    let parsed = argon2::PasswordHash::new(phc).map_err(|_| {
        crate::domain::Invalid::new(
            "Not a PHC password hash ($argon2id$v=19$m=...,t=...,p=...$salt$hash).",
        )
    })?;
    let algorithm = parsed.algorithm.as_str();
    if !["argon2id", "argon2i", "argon2d"].contains(&algorithm) || parsed.hash.is_none() {
        return Err(crate::domain::Invalid::new(format!(
            "Only argon2 hashes can be imported, not {algorithm}."
        )));
    }
    Ok(phc.to_owned())
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("argon2 failed: {0}")]
    Argon2(String),
    #[error("the hashing task did not complete")]
    Join(#[from] tokio::task::JoinError),
}

fn hasher() -> Result<Argon2<'static>, PasswordError> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .map_err(|e| PasswordError::Argon2(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

/// The PHC string of a new hash with a fresh random salt.
pub async fn hash(password: Password) -> Result<String, PasswordError> {
    tokio::task::spawn_blocking(move || {
        let hash = hasher()?
            .hash_password(password.expose().as_bytes())
            .map_err(|e| PasswordError::Argon2(e.to_string()))?;
        Ok(hash.to_string())
    })
    .await?
}

/// Whether `password` matches `stored`; with no stored hash (unknown user) the dummy hash is
/// checked instead and the answer is always `false`.
pub async fn verify(password: Password, stored: Option<String>) -> Result<bool, PasswordError> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        let matches = hasher()?
            .verify_password(password.expose().as_bytes(), phc.as_str())
            .is_ok();
        Ok(known && matches)
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pw(text: &str) -> Password {
        Password::parse_new(text).unwrap()
    }

    #[tokio::test]
    async fn hashes_with_argon2id_and_the_owasp_parameters() {
        let phc = hash(pw("correct horse")).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
    }

    #[tokio::test]
    async fn verifies_the_right_password_only() {
        let phc = hash(pw("correct horse")).await.unwrap();
        assert!(verify(pw("correct horse"), Some(phc.clone()))
            .await
            .unwrap());
        assert!(!verify(pw("wrong horse!"), Some(phc)).await.unwrap());
    }

    #[tokio::test]
    async fn an_imported_argon2_hash_with_other_parameters_verifies() {
        let phc = tokio::task::spawn_blocking(|| {
            let params = Params::new(4096, 3, 1, None).unwrap();
            Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                .hash_password(b"migrated secret")
                .unwrap()
                .to_string()
        })
        .await
        .unwrap();
        let django = format!("argon2{phc}");

        let stored = imported_hash(&django).unwrap();

        assert_eq!(stored, phc);
        assert!(verify(pw("migrated secret"), Some(stored.clone()))
            .await
            .unwrap());
        assert!(!verify(pw("another secret"), Some(stored)).await.unwrap());
    }

    #[test]
    fn only_argon2_phc_hashes_can_be_imported() {
        assert!(imported_hash(DUMMY_HASH).is_ok());
        for bad in [
            "",
            "plain text",
            "pbkdf2_sha256$600000$salt$hash",
            "$pbkdf2-sha256$i=1000$c2FsdA$aGFzaA",
            "$argon2id$v=19$m=19456,t=2,p=1$YHiVqGiPxBJ6IVh2DOeL6A",
        ] {
            assert!(imported_hash(bad).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn an_unusable_password_never_matches() {
        assert!(!verify(pw("anything at all"), Some(UNUSABLE.to_owned()))
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn unknown_users_never_match_but_still_pay_for_a_hash() {
        assert!(DUMMY_HASH.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(argon2::PasswordHash::new(DUMMY_HASH).is_ok());
        assert!(!verify(pw("anything at all"), None).await.unwrap());
    }
}
