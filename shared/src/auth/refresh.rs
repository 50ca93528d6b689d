//! Refresh tokens: opaque to clients, `<user id>.<session id>.<secret>`. The user and session
//! ids let one read find the family; only the SHA-256 of the whole token is stored.

use crate::domain::UserId;

/// Lifetime of a refresh token; every rotation starts a new one.
pub const REFRESH_TOKEN_SECONDS: i64 = 7 * 24 * 60 * 60;

const SESSION_ID_BYTES: usize = 16;
const SECRET_BYTES: usize = 32;

/// A refresh token as presented or issued. `Debug` hides the secret.
pub struct RefreshToken {
    pub user_id: UserId,
    pub session_id: String,
    text: String,
}

impl std::fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RefreshToken")
            .field("user_id", &self.user_id)
            .field("session_id", &self.session_id)
            .finish_non_exhaustive()
    }
}

impl RefreshToken {
    /// The first token of a new family.
    pub fn new_family(user_id: UserId) -> Result<Self, aws_lc_rs::error::Unspecified> {
        let session_id = super::random_token(SESSION_ID_BYTES)?;
        Self::next_in_family(user_id, &session_id)
    }

    /// The token that replaces the current one of a family.
    pub fn next_in_family(
        user_id: UserId,
        session_id: &str,
    ) -> Result<Self, aws_lc_rs::error::Unspecified> {
        let secret = super::random_token(SECRET_BYTES)?;
        Ok(Self {
            user_id,
            session_id: session_id.to_owned(),
            text: format!("{user_id}.{session_id}.{secret}"),
        })
    }

    /// A token as a client sent it, if it has the right form.
    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.split('.');
        let (user, session, secret) = (parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let b64url = |s: &str, len: usize| {
            s.len() == len
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        // 16 bytes encode to 22 characters, 32 bytes to 43.
        if !b64url(session, 22) || !b64url(secret, 43) {
            return None;
        }
        let user_id = UserId::parse(user).ok()?;
        Some(Self {
            user_id,
            session_id: session.to_owned(),
            text: text.to_owned(),
        })
    }

    /// What the client is given.
    pub fn expose(&self) -> &str {
        &self.text
    }

    /// What is stored.
    pub fn hash(&self) -> String {
        super::sha256_b64(&self.text)
    }

    pub fn matches_hash(&self, stored_hash: &str) -> bool {
        super::constant_time_eq(&self.hash(), stored_hash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issued_token_parses_back_to_its_family() {
        let token = RefreshToken::new_family(UserId::new(9)).unwrap();
        let parsed = RefreshToken::parse(token.expose()).unwrap();
        assert_eq!(parsed.user_id, UserId::new(9));
        assert_eq!(parsed.session_id, token.session_id);
        assert!(parsed.matches_hash(&token.hash()));
    }

    #[test]
    fn the_next_token_keeps_the_family_but_not_the_hash() {
        let first = RefreshToken::new_family(UserId::new(9)).unwrap();
        let second = RefreshToken::next_in_family(UserId::new(9), &first.session_id).unwrap();
        assert_eq!(first.session_id, second.session_id);
        assert!(!second.matches_hash(&first.hash()));
    }

    #[test]
    fn malformed_tokens_do_not_parse() {
        for bad in [
            "",
            "a.b.c",
            "1.x.y",
            "0.aaaaaaaaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "eyJhbGciOi.x.y.z",
        ] {
            assert!(RefreshToken::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn debug_does_not_show_the_secret() {
        let token = RefreshToken::new_family(UserId::new(9)).unwrap();
        let secret = token.expose().rsplit('.').next().unwrap().to_owned();
        assert!(!format!("{token:?}").contains(&secret));
    }
}
