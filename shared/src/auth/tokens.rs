//! Access tokens: JWTs signed with Ed25519 (`alg: EdDSA`), 60 minutes, verified with the
//! public key alone. The claims name the user, the session (refresh family) and the user's
//! token version, so a deleted session or a raised version cuts the token off at once.

use super::keys::{self, KeyError};
use crate::clock::Timestamp;
use crate::domain::UserId;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Lifetime of an access token.
pub const ACCESS_TOKEN_SECONDS: i64 = 60 * 60;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    /// The user id, as a decimal string.
    pub sub: String,
    /// The session (refresh-token family) the token was issued for.
    pub sid: String,
    /// The user's token version at issue.
    pub ver: u64,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
    pub token_type: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not valid: {0}")]
    Invalid(String),
    #[error("the token could not be signed: {0}")]
    Signing(String),
}

/// Verifies access tokens; held by every function.
pub struct TokenVerifier {
    key: DecodingKey,
    validation: Validation,
    jwks: String,
    key_id: String,
    /// Tokens whose signature was checked lately (by their SHA-256) and their claims: a client
    /// that sends the same token again is not checked again, only its expiry is. At most
    /// [`VERIFIED_KEPT`]; when full it starts over.
    verified: std::sync::Mutex<HashMap<[u8; 32], AccessClaims>>,
}

/// How many verified tokens a process remembers.
const VERIFIED_KEPT: usize = 1024;

impl std::fmt::Debug for TokenVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenVerifier")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// The JWKS document (RFC 7517): the one public key tokens are verified with.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Jwks<'a> {
    keys: [Jwk<'a>; 1],
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Jwk<'a> {
    kty: &'a str,
    crv: &'a str,
    x: &'a str,
    kid: &'a str,
    alg: &'a str,
    #[serde(rename = "use")]
    use_: &'a str,
}

impl TokenVerifier {
    pub fn new(public_pem: &str, issuer: &str) -> Result<Self, KeyError> {
        let raw = keys::public_key_bytes(public_pem)?;
        let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
        // RFC 7638 thumbprint: the required members in lexicographic order, no spaces.
        let thumbprint_input = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
        let key_id = super::sha256_b64(&thumbprint_input);
        let jwks = serde_json::to_string(&Jwks {
            keys: [Jwk {
                kty: "OKP",
                crv: "Ed25519",
                x: &x,
                kid: &key_id,
                alg: "EdDSA",
                use_: "sig",
            }],
        })
        .map_err(|_| KeyError::Jwks)?;
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[issuer]);
        validation.set_required_spec_claims(&["exp", "iss", "sub"]);
        validation.leeway = 5;
        validation.validate_aud = false;
        Ok(Self {
            key: DecodingKey::from_ed_der(&raw),
            validation,
            jwks,
            key_id,
            verified: std::sync::Mutex::default(),
        })
    }

    /// The claims of a genuine, unexpired access token of this service.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let digest: [u8; 32] =
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes())
                .as_ref()
                .try_into()
                .expect("SHA-256 is 32 bytes");
        let now = jsonwebtoken::get_current_timestamp();
        let remembered = self.remembered().get(&digest).cloned();
        if let Some(claims) = remembered {
            if self.unexpired(&claims, now) {
                return Ok(claims);
            }
            return Err(TokenError::Invalid("ExpiredSignature".to_owned()));
        }
        let claims = self.check(token)?;
        let mut remembered = self.remembered();
        if remembered.len() >= VERIFIED_KEPT {
            remembered.clear();
        }
        remembered.insert(digest, claims.clone());
        Ok(claims)
    }

    fn remembered(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], AccessClaims>> {
        self.verified.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `claims` are still valid at `now` (seconds), with the same leeway as a full check.
    fn unexpired(&self, claims: &AccessClaims, now: u64) -> bool {
        u64::try_from(claims.exp).is_ok_and(|exp| exp.saturating_add(self.validation.leeway) >= now)
    }

    /// The full check: header, signature, issuer, expiry, token type.
    fn check(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let header =
            jsonwebtoken::decode_header(token).map_err(|e| TokenError::Invalid(e.to_string()))?;
        if header.alg != Algorithm::EdDSA || header.kid.as_deref() != Some(self.key_id.as_str()) {
            return Err(TokenError::Invalid(
                "unexpected algorithm or key id".to_owned(),
            ));
        }
        let data = jsonwebtoken::decode::<AccessClaims>(token, &self.key, &self.validation)
            .map_err(|e| TokenError::Invalid(e.to_string()))?;
        if data.claims.token_type != "access" {
            return Err(TokenError::Invalid("not an access token".to_owned()));
        }
        Ok(data.claims)
    }

    /// The JSON Web Key Set that publishes the verifying key.
    pub fn jwks_json(&self) -> &str {
        &self.jwks
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }
}

/// Signs access tokens; only the auth function has one.
pub struct TokenSigner {
    key: EncodingKey,
    header: Header,
    issuer: String,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSigner")
            .field("kid", &self.header.kid)
            .finish_non_exhaustive()
    }
}

impl TokenSigner {
    /// `verifier` must be built from the public half of `private_pem`.
    pub fn new(
        private_pem: &str,
        public_pem: &str,
        verifier: &TokenVerifier,
        issuer: &str,
    ) -> Result<Self, KeyError> {
        let der = keys::private_key_der(private_pem, public_pem)?;
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(verifier.key_id().to_owned());
        Ok(Self {
            key: EncodingKey::from_ed_der(&der),
            header,
            issuer: issuer.to_owned(),
        })
    }

    pub fn sign(
        &self,
        user_id: UserId,
        session_id: &str,
        token_version: u64,
        now: Timestamp,
    ) -> Result<String, TokenError> {
        let jti = super::random_token(16)
            .map_err(|_| TokenError::Signing("random generator failed".to_owned()))?;
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            sub: user_id.to_string(),
            sid: session_id.to_owned(),
            ver: token_version,
            iat: now.unix(),
            exp: now.plus_seconds(ACCESS_TOKEN_SECONDS).unix(),
            jti,
            token_type: "access".to_owned(),
        };
        jsonwebtoken::encode(&self.header, &claims, &self.key)
            .map_err(|e| TokenError::Signing(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::keys::generate_ed25519;

    const ISSUER: &str = "users-test";

    fn pair() -> (TokenSigner, TokenVerifier) {
        let (private_pem, public_pem) = generate_ed25519().unwrap();
        let verifier = TokenVerifier::new(&public_pem, ISSUER).unwrap();
        let signer = TokenSigner::new(&private_pem, &public_pem, &verifier, ISSUER).unwrap();
        (signer, verifier)
    }

    /// A token of user 5, session `sid`, version 0, signed now.
    fn fresh_token(signer: &TokenSigner) -> String {
        signer
            .sign(UserId::new(5), "sid", 0, Timestamp::now())
            .unwrap()
    }

    fn b64(bytes: &[u8]) -> String {
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    #[test]
    fn a_signed_token_verifies_and_carries_its_claims() {
        let (signer, verifier) = pair();
        let token = signer
            .sign(UserId::new(5), "sid", 2, Timestamp::now())
            .unwrap();
        let claims = verifier.verify(&token).unwrap();
        assert_eq!(
            (claims.sub.as_str(), claims.sid.as_str(), claims.ver),
            ("5", "sid", 2)
        );
        assert_eq!(claims.exp - claims.iat, 3600);
    }

    #[test]
    fn a_token_seen_before_is_answered_from_memory_until_it_expires() {
        let (signer, verifier) = pair();
        let token = fresh_token(&signer);
        let first = verifier.verify(&token).unwrap();
        assert_eq!(verifier.remembered().len(), 1);
        assert_eq!(verifier.verify(&token).unwrap(), first);

        // Once its expiry (and the leeway) has passed, the remembered token is refused too.
        let digest: [u8; 32] =
            aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, token.as_bytes())
                .as_ref()
                .try_into()
                .unwrap();
        let now = jsonwebtoken::get_current_timestamp() as i64;
        verifier.remembered().get_mut(&digest).unwrap().exp = now - 6;
        assert!(verifier.verify(&token).is_err());
        verifier.remembered().get_mut(&digest).unwrap().exp = now - 4;
        assert!(verifier.verify(&token).is_ok());

        // A tampered token is never taken for a remembered one.
        let mut tampered = token.clone();
        tampered.pop();
        assert!(verifier.verify(&tampered).is_err());
    }

    #[test]
    fn an_expired_token_is_refused() {
        let (signer, verifier) = pair();
        let token = signer
            .sign(
                UserId::new(5),
                "sid",
                0,
                Timestamp::now().plus_seconds(-3700),
            )
            .unwrap();
        assert!(verifier.verify(&token).is_err());
    }

    #[test]
    fn a_token_signed_by_another_key_is_refused() {
        let (signer, _) = pair();
        let (_, other_verifier) = pair();
        let token = fresh_token(&signer);
        assert!(other_verifier.verify(&token).is_err());
    }

    #[test]
    fn an_edited_payload_is_refused() {
        let (signer, verifier) = pair();
        let token = fresh_token(&signer);
        let parts: Vec<&str> = token.split('.').collect();
        let payload = String::from_utf8(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(parts[1])
                .unwrap(),
        )
        .unwrap()
        .replace("\"sub\":\"5\"", "\"sub\":\"6\"");
        let forged = format!("{}.{}.{}", parts[0], b64(payload.as_bytes()), parts[2]);
        assert!(verifier.verify(&forged).is_err());
    }

    #[test]
    fn alg_none_is_refused() {
        let (signer, verifier) = pair();
        let token = fresh_token(&signer);
        let payload = token.split('.').nth(1).unwrap();
        let header = b64(format!(
            r#"{{"alg":"none","typ":"JWT","kid":"{}"}}"#,
            verifier.key_id()
        )
        .as_bytes());
        assert!(verifier.verify(&format!("{header}.{payload}.")).is_err());
    }

    #[test]
    fn jwks_publishes_the_key_under_its_thumbprint() {
        let (_, verifier) = pair();
        let jwks: serde_json::Value = serde_json::from_str(verifier.jwks_json()).unwrap();
        let key = &jwks["keys"][0];
        assert_eq!(key["kty"], "OKP");
        assert_eq!(key["crv"], "Ed25519");
        assert_eq!(key["alg"], "EdDSA");
        assert_eq!(key["kid"], verifier.key_id());
        let x = key["x"].as_str().unwrap();
        assert_eq!(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(x)
                .unwrap()
                .len(),
            32
        );
    }
}
