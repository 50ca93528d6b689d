//! Secrets that must be recoverable (an app's secret, from which its client derives a daily
//! token) are kept sealed: AES-256-GCM under a key the functions get from the environment
//! (`APP_SECRET_KEY`, 32 random bytes in base64), a fresh random nonce per seal, and the owner's
//! id as associated data, so a sealed value moved onto another item does not open.

use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use base64::Engine as _;
use std::sync::Arc;

/// The key; `Debug` never shows it.
#[derive(Clone)]
pub struct SealingKey(Arc<LessSafeKey>);

#[derive(Debug, thiserror::Error)]
pub enum SealingError {
    #[error("the key is not 32 bytes of base64")]
    BadKey,
    #[error("the value could not be sealed")]
    Seal,
}

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey([redacted])")
    }
}

impl SealingKey {
    /// A key from its base64 form (standard or URL-safe, padded or not).
    pub fn from_base64(text: &str) -> Result<Self, SealingError> {
        let text = text.trim().trim_end_matches('=');
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(text)
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text))
            .map_err(|_| SealingError::BadKey)?;
        if bytes.len() != 32 {
            return Err(SealingError::BadKey);
        }
        let key = UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| SealingError::BadKey)?;
        Ok(Self(Arc::new(LessSafeKey::new(key))))
    }

    /// A new random key, in the base64 form [`SealingKey::from_base64`] reads.
    pub fn generate_base64() -> Result<String, SealingError> {
        let mut bytes = [0u8; 32];
        aws_lc_rs::rand::fill(&mut bytes).map_err(|_| SealingError::Seal)?;
        Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    /// `plaintext` sealed for `owner`: base64url of nonce, ciphertext and tag.
    pub fn seal(&self, owner: &str, plaintext: &str) -> Result<String, SealingError> {
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce).map_err(|_| SealingError::Seal)?;
        let mut buffer = plaintext.as_bytes().to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(owner.as_bytes()),
                &mut buffer,
            )
            .map_err(|_| SealingError::Seal)?;
        let mut sealed = nonce.to_vec();
        sealed.extend_from_slice(&buffer);
        Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sealed))
    }

    /// The plaintext, if `sealed` was sealed by this key for `owner`.
    pub fn open(&self, owner: &str, sealed: &str) -> Option<String> {
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(sealed)
            .ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, rest) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut buffer = rest.to_vec();
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(owner.as_bytes()), &mut buffer)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> SealingKey {
        SealingKey::from_base64(&SealingKey::generate_base64().unwrap()).unwrap()
    }

    #[test]
    fn a_sealed_value_opens_only_with_its_key_and_owner_and_never_shows_the_plaintext() {
        let key = key();
        let sealed = key.seal("app_1", "the-secret").unwrap();
        assert!(!sealed.contains("the-secret"));
        assert_ne!(
            sealed,
            key.seal("app_1", "the-secret").unwrap(),
            "fresh nonce"
        );
        assert_eq!(key.open("app_1", &sealed).as_deref(), Some("the-secret"));
        assert_eq!(key.open("app_2", &sealed), None);
        assert_eq!(self::key().open("app_1", &sealed), None);
        assert_eq!(key.open("app_1", "garbage"), None);
        assert!(!format!("{key:?}").contains("the-secret"));
    }

    #[test]
    fn keys_must_be_32_bytes() {
        assert!(SealingKey::from_base64("c2hvcnQ=").is_err());
        assert!(SealingKey::from_base64("not base64 !").is_err());
    }
}
