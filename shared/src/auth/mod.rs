//! Authentication: argon2id passwords, Ed25519-signed access tokens (JWT) with their JWKS,
//! opaque rotating refresh tokens, and the keys behind them.

pub mod keys;
pub mod password;
pub mod refresh;
pub mod sealing;
pub mod tokens;

/// Random bytes from the system's secure generator, as unpadded base64url.
pub fn random_token(bytes: usize) -> Result<String, aws_lc_rs::error::Unspecified> {
    use base64::Engine as _;
    let mut buffer = vec![0u8; bytes];
    aws_lc_rs::rand::fill(&mut buffer)?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buffer))
}

/// SHA-256 of `text`, as unpadded base64url: how secrets are stored.
pub fn sha256_b64(text: &str) -> String {
    use base64::Engine as _;
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, text.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
}

/// Equality that takes the same time wherever the inputs differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    aws_lc_rs::constant_time::verify_slices_are_equal(a.as_bytes(), b.as_bytes()).is_ok()
}
