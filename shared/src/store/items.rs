//! The exact shape of every stored item, serialised with `serde_dynamo`. The tests pin each
//! shape attribute by attribute: changing one is a data migration, not a refactor.

use super::keys;
use crate::clock::Timestamp;
use crate::domain::{Device, User, UserId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const ENTITY_USER: &str = "USER";
pub const ENTITY_SESSION: &str = "SESSION";
pub const ENTITY_USERNAME_GUARD: &str = "USERNAME_GUARD";
pub const ENTITY_EMAIL_GUARD: &str = "EMAIL_GUARD";
pub const ENTITY_CHAT_ID_GUARD: &str = "CHAT_ID_GUARD";
pub const ENTITY_EMAIL_CODE: &str = "EMAIL_CODE";
pub const ENTITY_LOGIN_FAILURES: &str = "LOGIN_FAILURES";
pub const ENTITY_APP_CREDENTIAL: &str = "APP_CREDENTIAL";
pub const ENTITY_RATE_WINDOW: &str = "RATE_WINDOW";
pub const ENTITY_DEVICE: &str = "DEVICE";
pub const ENTITY_DEVICE_GUARD: &str = "DEVICE_GUARD";

/// `Debug` hides the password hash.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct UserItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: String,
    #[serde(rename = "GSI2PK")]
    pub gsi2pk: String,
    #[serde(rename = "GSI2SK")]
    pub gsi2sk: String,
    #[serde(rename = "GSI3PK")]
    pub gsi3pk: String,
    #[serde(rename = "GSI3SK")]
    pub gsi3sk: String,
    #[serde(rename = "GSI4PK")]
    pub gsi4pk: String,
    #[serde(rename = "GSI4SK")]
    pub gsi4sk: String,
    /// Lower-cased username, names and bio: what a directory search looks in.
    pub search_text: String,
    pub entity: String,
    pub id: u64,
    pub username: String,
    pub username_lower: String,
    pub email: String,
    pub email_lower: String,
    pub password_hash: String,
    pub first_name: String,
    pub last_name: String,
    pub bio: String,
    pub avatar: String,
    pub is_active: bool,
    pub is_staff: bool,
    pub is_superuser: bool,
    pub token_version: u64,
    pub created_at: String,
    pub updated_at: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login: Option<String>,
    #[serde(default)]
    pub posts_count: u64,
    #[serde(default)]
    pub followers_count: u64,
    #[serde(default)]
    pub following_count: u64,
    #[serde(default)]
    pub likes_received: u64,
    #[serde(default)]
    pub comments_received: u64,
    #[serde(default = "verified_by_default")]
    pub email_verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chat_user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city_id: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub photo: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birthday: Option<String>,
    /// Set when the user's deletion starts: from then on nothing new may attach to the user.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleting: bool,
    /// Raised by every profile update; an update applies only to the revision it read.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub revision: u64,
    /// Devices by id (decimal string): see [`StoredDevice`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub devices: BTreeMap<String, StoredDevice>,
}

impl std::fmt::Debug for UserItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserItem")
            .field("id", &self.id)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

fn is_zero(value: &u64) -> bool {
    *value == 0
}

fn verified_by_default() -> bool {
    true
}

impl UserItem {
    /// A new, active, non-staff user with every counter at zero.
    pub fn new(user: &User, password_hash: String) -> Self {
        let created_at = user.created_at.to_rfc3339();
        Self {
            pk: keys::user_pk(user.id),
            sk: keys::PROFILE_SK.to_owned(),
            gsi1pk: keys::USER_DIRECTORY.to_owned(),
            gsi1sk: keys::user_directory_sk(&created_at, user.id),
            gsi2pk: keys::USER_DIRECTORY.to_owned(),
            gsi2sk: String::new(),
            gsi3pk: keys::USER_DIRECTORY.to_owned(),
            gsi3sk: String::new(),
            gsi4pk: keys::USER_DIRECTORY.to_owned(),
            gsi4sk: String::new(),
            search_text: String::new(),
            entity: ENTITY_USER.to_owned(),
            id: user.id.get(),
            username: user.username.clone(),
            username_lower: user.username.to_ascii_lowercase(),
            email: user.email.clone(),
            email_lower: user.email.to_lowercase(),
            password_hash,
            first_name: user.first_name.clone(),
            last_name: user.last_name.clone(),
            bio: user.bio.clone(),
            avatar: user.avatar.clone(),
            is_active: user.is_active,
            is_staff: user.is_staff,
            is_superuser: user.is_superuser,
            token_version: user.token_version,
            created_at,
            updated_at: user.updated_at.to_rfc3339(),
            last_login: user.last_login.map(Timestamp::to_rfc3339),
            posts_count: user.posts_count,
            followers_count: user.followers_count,
            following_count: user.following_count,
            likes_received: user.likes_received,
            comments_received: user.comments_received,
            email_verified: user.email_verified,
            display_name: user.display_name.clone(),
            chat_user_id: user.chat_user_id.clone(),
            phone: user.phone.clone(),
            gender: user.gender.clone(),
            country: user.country.clone(),
            country_id: user.country_id,
            city_id: user.city_id,
            devices: user
                .devices
                .iter()
                .map(|d| {
                    (
                        d.id.to_string(),
                        StoredDevice {
                            kind: d.kind.clone(),
                            reference: d.reference.clone(),
                        },
                    )
                })
                .collect(),
            photo: user.photo.clone(),
            address: user.address.clone(),
            birthday: user.birthday.clone(),
            revision: 0,
            deleting: false,
        }
        .derived()
    }

    /// Recomputes every attribute derived from others: the lower-cased forms, the search text
    /// and the index sort keys. Every write of profile fields goes through it.
    pub fn derived(mut self) -> Self {
        let id = UserId::new(self.id);
        self.username_lower = self.username.to_ascii_lowercase();
        self.email_lower = self.email.to_lowercase();
        self.gsi2sk = keys::ordered_by(&self.username_lower, id);
        self.gsi3sk = keys::ordered_by(&self.first_name.to_lowercase(), id);
        self.gsi4sk = keys::ordered_by(&self.last_name.to_lowercase(), id);
        self.search_text = [&self.username, &self.first_name, &self.last_name, &self.bio]
            .iter()
            .map(|part| part.to_lowercase())
            .collect::<Vec<_>>()
            .join("\n");
        self
    }

    /// The user's devices as (id, device), in id order.
    pub fn device_list(&self) -> Vec<(u64, &StoredDevice)> {
        let mut list: Vec<(u64, &StoredDevice)> = self
            .devices
            .iter()
            .filter_map(|(id, d)| id.parse().ok().map(|id| (id, d)))
            .collect();
        list.sort_by_key(|(id, _)| *id);
        list
    }

    pub fn to_user(&self) -> User {
        let parse = |s: &str| Timestamp::parse_rfc3339(s).unwrap_or(Timestamp::from_unix(0));
        User {
            id: UserId::new(self.id),
            username: self.username.clone(),
            email: self.email.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            bio: self.bio.clone(),
            avatar: self.avatar.clone(),
            is_active: self.is_active,
            is_staff: self.is_staff,
            is_superuser: self.is_superuser,
            token_version: self.token_version,
            created_at: parse(&self.created_at),
            updated_at: parse(&self.updated_at),
            last_login: self.last_login.as_deref().map(parse),
            posts_count: self.posts_count,
            followers_count: self.followers_count,
            following_count: self.following_count,
            likes_received: self.likes_received,
            comments_received: self.comments_received,
            email_verified: self.email_verified,
            display_name: self.display_name.clone(),
            chat_user_id: self.chat_user_id.clone(),
            phone: self.phone.clone(),
            gender: self.gender.clone(),
            country: self.country.clone(),
            country_id: self.country_id,
            city_id: self.city_id,
            devices: self
                .device_list()
                .into_iter()
                .map(|(id, d)| Device {
                    id,
                    kind: d.kind.clone(),
                    reference: d.reference.clone(),
                })
                .collect(),
            photo: self.photo.clone(),
            address: self.address.clone(),
            birthday: self.birthday.clone(),
        }
    }
}

/// Reserves a unique value (a username or an e-mail) for one user. Written in the same
/// transaction as the user, under `attribute_not_exists(PK)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuardItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub user_id: u64,
}

impl GuardItem {
    pub fn username(canonical_username: &str, user_id: UserId) -> Self {
        Self {
            pk: keys::username_guard_pk(canonical_username),
            sk: keys::GUARD_SK.to_owned(),
            entity: ENTITY_USERNAME_GUARD.to_owned(),
            user_id: user_id.get(),
        }
    }

    pub fn email(canonical_email: &str, user_id: UserId) -> Self {
        Self {
            pk: keys::email_guard_pk(canonical_email),
            sk: keys::GUARD_SK.to_owned(),
            entity: ENTITY_EMAIL_GUARD.to_owned(),
            user_id: user_id.get(),
        }
    }

    pub fn chat_id(chat_user_id: &str, user_id: UserId) -> Self {
        Self {
            pk: keys::chat_id_guard_pk(chat_user_id),
            sk: keys::GUARD_SK.to_owned(),
            entity: ENTITY_CHAT_ID_GUARD.to_owned(),
            user_id: user_id.get(),
        }
    }
}

/// An address a user is notified at (push contract): an e-mail, or an Android or iOS token.
/// Kept in the user item's `devices` map under its numeric id, so a user and all their
/// devices are one read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredDevice {
    /// `email`, `android` or `ios`.
    pub kind: String,
    pub reference: String,
}

impl StoredDevice {
    /// The guard that keeps this reference unique among devices of its kind.
    pub fn guard(&self, device_id: u64, user_id: UserId) -> DeviceGuardItem {
        let reference = if self.kind == "email" {
            self.reference.to_lowercase()
        } else {
            self.reference.clone()
        };
        DeviceGuardItem {
            pk: keys::device_guard_pk(&self.kind, &reference),
            sk: keys::GUARD_SK.to_owned(),
            entity: ENTITY_DEVICE_GUARD.to_owned(),
            user_id: user_id.get(),
            device_id,
        }
    }
}

/// Reserves a device reference for one device of one user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceGuardItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub user_id: u64,
    pub device_id: u64,
}

/// A pending e-mail verification code. Only a hash of the code is kept; it allows a bounded
/// number of attempts and expires (also through the table's TTL). `Debug` hides the hash: a
/// hash of one of a million codes is as good as the code.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct EmailCodeItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub user_id: u64,
    pub code_hash: String,
    pub attempts: u32,
    /// Epoch seconds of the last send; a new code waits for the resend interval.
    pub sent_at: i64,
    pub expires_at: i64,
}

impl std::fmt::Debug for EmailCodeItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailCodeItem")
            .field("user_id", &self.user_id)
            .field("attempts", &self.attempts)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl EmailCodeItem {
    pub fn new(user_id: UserId, code_hash: String, now: Timestamp, expires_at: Timestamp) -> Self {
        Self {
            pk: keys::user_pk(user_id),
            sk: keys::EMAIL_CODE_SK.to_owned(),
            entity: ENTITY_EMAIL_CODE.to_owned(),
            user_id: user_id.get(),
            code_hash,
            attempts: 0,
            sent_at: now.unix(),
            expires_at: expires_at.unix(),
        }
    }
}

/// Failed sign-ins of one account since its last successful one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoginFailuresItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub failures: u32,
    pub last_failed_at: i64,
    pub expires_at: i64,
}

/// An app (server-to-server) credential. Only the SHA-256 of the secret is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppCredentialItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub app_id: String,
    pub name: String,
    pub secret_hash: String,
    pub created_at: String,
    pub revoked: bool,
}

impl AppCredentialItem {
    pub fn new(app_id: &str, name: &str, secret_hash: String, now: Timestamp) -> Self {
        Self {
            pk: keys::APPS_PK.to_owned(),
            sk: keys::app_sk(app_id),
            entity: ENTITY_APP_CREDENTIAL.to_owned(),
            app_id: app_id.to_owned(),
            name: name.to_owned(),
            secret_hash,
            created_at: now.to_rfc3339(),
            revoked: false,
        }
    }
}

/// One refresh-token family (a sign-in on one device). Only the SHA-256 of the current
/// refresh token is kept; presenting any other token of the family deletes the item,
/// which revokes the family and every access token that names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub user_id: u64,
    pub session_id: String,
    pub token_hash: String,
    /// The user's token version when the family was created.
    pub token_version: u64,
    pub created_at: String,
    pub rotated_at: String,
    /// Epoch seconds; also the table's TTL attribute.
    pub expires_at: i64,
}

impl SessionItem {
    pub fn new(
        user_id: UserId,
        session_id: &str,
        token_hash: String,
        token_version: u64,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Self {
        Self {
            pk: keys::user_pk(user_id),
            sk: keys::session_sk(session_id),
            entity: ENTITY_SESSION.to_owned(),
            user_id: user_id.get(),
            session_id: session_id.to_owned(),
            token_hash,
            token_version,
            created_at: now.to_rfc3339(),
            rotated_at: now.to_rfc3339(),
            expires_at: expires_at.unix(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_dynamodb::types::AttributeValue;
    use std::collections::HashMap;

    type Item = HashMap<String, AttributeValue>;

    fn s(v: &str) -> AttributeValue {
        AttributeValue::S(v.to_owned())
    }
    fn n(v: i64) -> AttributeValue {
        AttributeValue::N(v.to_string())
    }

    fn sample_user() -> User {
        User {
            first_name: "Alice".into(),
            last_name: "Smith".into(),
            bio: "Hi".into(),
            ..User::new(
                UserId::new(7),
                "Alice".into(),
                "Alice@Example.com".into(),
                Timestamp::from_unix(1_705_314_600),
            )
        }
    }

    #[test]
    fn user_item_shape_is_pinned() {
        let item: Item =
            serde_dynamo::to_item(UserItem::new(&sample_user(), "$argon2id$x".into())).unwrap();
        let expected: Item = [
            ("PK", s("USER#7")),
            ("SK", s("PROFILE")),
            ("GSI1PK", s("USERS")),
            ("GSI1SK", s("2024-01-15T10:30:00Z#00000000000000000007")),
            ("GSI2PK", s("USERS")),
            ("GSI2SK", s("alice#00000000000000000007")),
            ("GSI3PK", s("USERS")),
            ("GSI3SK", s("alice#00000000000000000007")),
            ("GSI4PK", s("USERS")),
            ("GSI4SK", s("smith#00000000000000000007")),
            ("search_text", s("alice\nalice\nsmith\nhi")),
            ("entity", s("USER")),
            ("id", n(7)),
            ("username", s("Alice")),
            ("username_lower", s("alice")),
            ("email", s("Alice@Example.com")),
            ("email_lower", s("alice@example.com")),
            ("password_hash", s("$argon2id$x")),
            ("first_name", s("Alice")),
            ("last_name", s("Smith")),
            ("bio", s("Hi")),
            ("avatar", s("")),
            ("is_active", AttributeValue::Bool(true)),
            ("is_staff", AttributeValue::Bool(false)),
            ("is_superuser", AttributeValue::Bool(false)),
            ("token_version", n(0)),
            ("created_at", s("2024-01-15T10:30:00Z")),
            ("updated_at", s("2024-01-15T10:30:00Z")),
            ("posts_count", n(0)),
            ("followers_count", n(0)),
            ("following_count", n(0)),
            ("likes_received", n(0)),
            ("comments_received", n(0)),
            ("email_verified", AttributeValue::Bool(true)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(item, expected);
    }

    #[test]
    fn user_item_round_trips_to_the_domain_user() {
        let user = sample_user();
        let item = UserItem::new(&user, "h".into());
        let stored: Item = serde_dynamo::to_item(&item).unwrap();
        let back: UserItem = serde_dynamo::from_item(stored).unwrap();
        assert_eq!(back.to_user(), user);
    }

    #[test]
    fn guard_item_shapes_are_pinned() {
        let item: Item =
            serde_dynamo::to_item(GuardItem::username("alice", UserId::new(7))).unwrap();
        let expected: Item = [
            ("PK", s("USERNAME#alice")),
            ("SK", s("GUARD")),
            ("entity", s("USERNAME_GUARD")),
            ("user_id", n(7)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(item, expected);

        let item: Item =
            serde_dynamo::to_item(GuardItem::email("a@example.com", UserId::new(7))).unwrap();
        assert_eq!(item["PK"], s("EMAIL#a@example.com"));
        assert_eq!(item["entity"], s("EMAIL_GUARD"));
    }

    #[test]
    fn optional_user_attributes_are_stored_only_when_set() {
        let user = User {
            chat_user_id: Some("chat-1".into()),
            country: Some("US".into()),
            city_id: Some(3),
            email_verified: false,
            ..sample_user()
        };
        let item: Item = serde_dynamo::to_item(UserItem::new(&user, "h".into())).unwrap();
        assert_eq!(item["chat_user_id"], s("chat-1"));
        assert_eq!(item["country"], s("US"));
        assert_eq!(item["city_id"], n(3));
        assert_eq!(item["email_verified"], AttributeValue::Bool(false));
        assert!(!item.contains_key("phone") && !item.contains_key("display_name"));
    }

    #[test]
    fn an_item_written_before_verification_existed_reads_as_verified() {
        let mut item: Item =
            serde_dynamo::to_item(UserItem::new(&sample_user(), "h".into())).unwrap();
        item.remove("email_verified");
        let back: UserItem = serde_dynamo::from_item(item).unwrap();
        assert!(back.email_verified);
    }

    #[test]
    fn new_item_shapes_are_pinned() {
        let now = Timestamp::from_unix(1_705_314_600);
        let code: Item = serde_dynamo::to_item(EmailCodeItem::new(
            UserId::new(7),
            "h".into(),
            now,
            now.plus_seconds(600),
        ))
        .unwrap();
        let expected: Item = [
            ("PK", s("USER#7")),
            ("SK", s("EMAIL_CODE")),
            ("entity", s("EMAIL_CODE")),
            ("user_id", n(7)),
            ("code_hash", s("h")),
            ("attempts", n(0)),
            ("sent_at", n(1_705_314_600)),
            ("expires_at", n(1_705_315_200)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(code, expected);

        let app: Item =
            serde_dynamo::to_item(AppCredentialItem::new("app1", "chat", "h".into(), now)).unwrap();
        let expected: Item = [
            ("PK", s("APPS")),
            ("SK", s("APP#app1")),
            ("entity", s("APP_CREDENTIAL")),
            ("app_id", s("app1")),
            ("name", s("chat")),
            ("secret_hash", s("h")),
            ("created_at", s("2024-01-15T10:30:00Z")),
            ("revoked", AttributeValue::Bool(false)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(app, expected);

        let guard: Item =
            serde_dynamo::to_item(GuardItem::chat_id("x@example.com", UserId::new(7))).unwrap();
        assert_eq!(guard["PK"], s("CHATID#x@example.com"));
        assert_eq!(guard["entity"], s("CHAT_ID_GUARD"));
    }

    #[test]
    fn devices_are_a_map_on_the_user_item_and_their_guards_are_pinned() {
        let mut user = UserItem::new(&sample_user(), "h".into());
        let device = StoredDevice {
            kind: "email".into(),
            reference: "A@Example.com".into(),
        };
        user.devices.insert("3".into(), device.clone());
        let item: Item = serde_dynamo::to_item(&user).unwrap();
        let expected_device: HashMap<String, AttributeValue> = [
            ("kind".to_owned(), s("email")),
            ("reference".to_owned(), s("A@Example.com")),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            item["devices"],
            AttributeValue::M(
                [("3".to_owned(), AttributeValue::M(expected_device))]
                    .into_iter()
                    .collect()
            )
        );
        let guard: Item = serde_dynamo::to_item(device.guard(3, UserId::new(7))).unwrap();
        let expected: Item = [
            ("PK", s("DEVICEREF#email#a@example.com")),
            ("SK", s("GUARD")),
            ("entity", s("DEVICE_GUARD")),
            ("user_id", n(7)),
            ("device_id", n(3)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(guard, expected);
    }

    #[test]
    fn session_item_shape_is_pinned() {
        let now = Timestamp::from_unix(1_705_314_600);
        let item: Item = serde_dynamo::to_item(SessionItem::new(
            UserId::new(7),
            "sid",
            "hash".into(),
            3,
            now,
            now.plus_seconds(60),
        ))
        .unwrap();
        let expected: Item = [
            ("PK", s("USER#7")),
            ("SK", s("SESSION#sid")),
            ("entity", s("SESSION")),
            ("user_id", n(7)),
            ("session_id", s("sid")),
            ("token_hash", s("hash")),
            ("token_version", n(3)),
            ("created_at", s("2024-01-15T10:30:00Z")),
            ("rotated_at", s("2024-01-15T10:30:00Z")),
            ("expires_at", n(1_705_314_660)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(item, expected);
    }
}
