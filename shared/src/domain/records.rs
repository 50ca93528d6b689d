//! Facts the service keeps besides users: sessions, sign-in failures, e-mail codes, app
//! credentials and follows, in the terms the service uses (the store maps them to items).

use super::{UserId, Username};
use crate::clock::Timestamp;

/// One refresh-token family (a sign-in on one device). Only the SHA-256 of the current
/// refresh token is kept. `Debug` hides the hash.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    pub user_id: UserId,
    pub session_id: String,
    pub token_hash: String,
    /// The user's token version when the family was created.
    pub token_version: u64,
    pub created_at: Timestamp,
    pub rotated_at: Timestamp,
    pub expires_at: Timestamp,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user_id", &self.user_id)
            .field("session_id", &self.session_id)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Failed sign-ins of one account since its last successful one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailures {
    pub failures: u32,
    pub last_failed_at: Timestamp,
}

/// A pending e-mail verification code, as stored: only its hash. `Debug` hides the hash.
#[derive(Clone, PartialEq, Eq)]
pub struct EmailCode {
    pub user_id: UserId,
    pub code_hash: String,
    pub attempts: u32,
    pub sent_at: Timestamp,
    pub expires_at: Timestamp,
}

impl std::fmt::Debug for EmailCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailCode")
            .field("user_id", &self.user_id)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// An app (server-to-server) credential: the SHA-256 of the secret and, for credentials made
/// since the push client's daily token is accepted, the secret sealed (AES-256-GCM, never in
/// clear). Older credentials have only the hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppCredential {
    pub app_id: String,
    pub name: String,
    pub secret_hash: String,
    pub sealed_secret: Option<String>,
    pub created_at: Timestamp,
    pub revoked: bool,
}

/// One follow: `follower` follows `following`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowEdge {
    /// The follow's own id, shown by the careers contract.
    pub follow_id: u64,
    pub follower: UserId,
    pub following: UserId,
    pub follower_username: Username,
    pub following_username: Username,
    pub created_at: Timestamp,
}

impl FollowEdge {
    pub fn new(
        follow_id: u64,
        follower: (UserId, &Username),
        following: (UserId, &Username),
        now: Timestamp,
    ) -> Self {
        Self {
            follow_id,
            follower: follower.0,
            following: following.0,
            follower_username: follower.1.clone(),
            following_username: following.1.clone(),
            created_at: now,
        }
    }
}

/// One side of a user's follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowSide {
    /// The users who follow the user.
    Followers,
    /// The users the user follows.
    Following,
}

/// The orders a user directory can be listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryOrder {
    SignUp,
    Username,
    FirstName,
    LastName,
}
