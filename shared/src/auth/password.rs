//! argon2id password hashing with the OWASP parameters (m = 19 MiB, t = 2, p = 1), run on
//! tokio's blocking pool so a hash never stalls the executor.

use crate::domain::Password;
use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};

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

fn argon2_error(error: impl std::fmt::Display) -> PasswordError {
    PasswordError::Argon2(error.to_string())
}

fn params() -> Result<Params, PasswordError> {
    Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).map_err(argon2_error)
}

/// argon2's memory (19 MiB), kept between hashes: a fresh buffer for each hash costs about a
/// third of the hash's CPU in page faults and zeroing (`benches/argon2-buffer`). Hashes run at
/// most one per core ([`running`]), so at most that many buffers are ever kept (one in a
/// Lambda); a hash that needs another size (an imported hash's parameters) takes its own.
static BUFFERS: std::sync::Mutex<Vec<Vec<Block>>> = std::sync::Mutex::new(Vec::new());

/// Hashes at a time: one per core. More would only share the cores, each with a 19 MiB buffer
/// of its own; the others wait their turn.
fn running() -> &'static tokio::sync::Semaphore {
    static RUNNING: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    RUNNING.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        tokio::sync::Semaphore::new(cores)
    })
}

/// Runs `work` (a hash) on the blocking pool once a core is free for it.
async fn hashing<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, PasswordError> + Send + 'static,
) -> Result<T, PasswordError> {
    let _turn = running()
        .acquire()
        .await
        .map_err(|_| argon2_error("the hashing queue is closed"))?;
    tokio::task::spawn_blocking(work).await?
}

fn with_memory<T>(blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
    let kept = BUFFERS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .pop()
        .filter(|buffer| buffer.len() == blocks);
    let mut buffer = kept.unwrap_or_else(|| vec![Block::default(); blocks]);
    let result = work(&mut buffer);
    if blocks == params().map_or(0, |p| p.block_count()) {
        BUFFERS
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(buffer);
    }
    result
}

/// The argon2 output of `password` with `salt` under `hasher`, into `out`.
fn compute(
    hasher: &Argon2<'_>,
    blocks: usize,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), PasswordError> {
    with_memory(blocks, |memory| {
        hasher.hash_password_into_with_memory(password, salt, out, memory)
    })
    .map_err(argon2_error)
}

/// The PHC string of a new hash with a fresh random salt.
pub async fn hash(password: Password) -> Result<String, PasswordError> {
    hashing(move || {
        let params = params()?;
        let mut salt = [0u8; 16];
        aws_lc_rs::rand::fill(&mut salt).map_err(|_| argon2_error("no random salt"))?;
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        compute(
            &hasher,
            params.block_count(),
            password.expose().as_bytes(),
            &salt,
            &mut out,
        )?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params).map_err(argon2_error)?,
            salt: Some(Salt::new(&salt).map_err(argon2_error)?),
            hash: Some(Output::new(&out).map_err(argon2_error)?),
        };
        Ok(phc.to_string())
    })
    .await
}

/// Whether `password` gives the hash `phc` holds, under the algorithm, version and parameters
/// it names; the comparison takes the same time wherever the outputs differ.
fn matches(password: &[u8], phc: &str) -> Result<bool, PasswordError> {
    let parsed = PasswordHash::new(phc).map_err(argon2_error)?;
    let algorithm = Algorithm::try_from(parsed.algorithm.as_str()).map_err(argon2_error)?;
    let version = match parsed.version {
        Some(version) => Version::try_from(version).map_err(argon2_error)?,
        None => Version::default(),
    };
    let params = Params::try_from(&parsed).map_err(argon2_error)?;
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return Ok(false);
    };
    let mut out = vec![0u8; expected.len()];
    let hasher = Argon2::new(algorithm, version, params.clone());
    compute(
        &hasher,
        params.block_count(),
        password,
        salt.as_ref(),
        &mut out,
    )?;
    Ok(Output::new(&out).map_err(argon2_error)? == *expected)
}

/// Whether `password` matches `stored`; with no stored hash (unknown user) the dummy hash is
/// checked instead and the answer is always `false`.
pub async fn verify(password: Password, stored: Option<String>) -> Result<bool, PasswordError> {
    hashing(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| DUMMY_HASH.to_owned());
        // An unusable or malformed stored hash matches no password.
        let matched = matches(password.expose().as_bytes(), &phc).unwrap_or(false);
        Ok(known && matched)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordHasher as _;

    fn pw(text: &str) -> Password {
        Password::parse_new(text).unwrap()
    }

    #[tokio::test]
    async fn hashes_with_argon2id_and_the_owasp_parameters() {
        let phc = hash(pw("correct horse")).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
    }

    #[tokio::test]
    async fn a_hash_is_one_the_argon2_crate_itself_verifies() {
        use argon2::PasswordVerifier as _;
        let phc = hash(pw("correct horse")).await.unwrap();
        let parsed = PasswordHash::new(&phc).unwrap();
        let argon2 = Argon2::default();
        assert!(argon2.verify_password(b"correct horse", &parsed).is_ok());
        assert!(argon2.verify_password(b"wrong horse!", &parsed).is_err());
        // And `verify` takes it, of course.
        assert!(verify(pw("correct horse"), Some(phc)).await.unwrap());
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
