//! The exact shape of every stored item, serialised with `serde_dynamo`. The tests pin each
//! shape attribute by attribute: changing one is a data migration, not a refactor.

use super::{keys, StoreError};
use crate::clock::Timestamp;
use crate::domain::{
    Address, AppCredential, Avatar, Ban, Bio, Birthday, ChatUserId, Counter, CounterChange,
    Counters, CountryCode, Device, DeviceKind, DisplayName, Distribution, Email, EmailCode,
    FollowEdge, Gender, HttpUrl, Invalid, LoginFailures, PersonName, Phone, PrivacySettings,
    Session, Share, StatsSnapshot, ThemeRange, Topic, TopicKind, TopicName, User, UserId, Username,
};
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;
use std::collections::BTreeMap;

pub const ENTITY_USER: &str = "USER";
pub const ENTITY_SESSION: &str = "SESSION";
pub const ENTITY_AUDIT: &str = "AUDIT";
pub const ENTITY_NOTE: &str = "NOTE";
pub const ENTITY_INBOX: &str = "INBOX";
pub const ENTITY_OUTBOX: &str = "OUTBOX";
pub const ENTITY_SEND_JOB: &str = "SEND_JOB";
pub const ENTITY_SEND_GUARD: &str = "SEND_GUARD";
pub const ENTITY_USERNAME_GUARD: &str = "USERNAME_GUARD";
pub const ENTITY_EMAIL_GUARD: &str = "EMAIL_GUARD";
pub const ENTITY_CHAT_ID_GUARD: &str = "CHAT_ID_GUARD";
pub const ENTITY_EMAIL_CODE: &str = "EMAIL_CODE";
pub const ENTITY_LOGIN_FAILURES: &str = "LOGIN_FAILURES";
pub const ENTITY_APP_CREDENTIAL: &str = "APP_CREDENTIAL";
pub const ENTITY_RATE_WINDOW: &str = "RATE_WINDOW";
pub const ENTITY_DEVICE_GUARD: &str = "DEVICE_GUARD";
pub const ENTITY_COUNTER: &str = "COUNTER";
pub const ENTITY_FOLLOWING: &str = "FOLLOWING";
pub const ENTITY_FOLLOWER: &str = "FOLLOWER";
pub const ENTITY_CHANNEL: &str = "CHANNEL";
pub const ENTITY_THEME: &str = "THEME";
pub const ENTITY_CHANNEL_NAME_GUARD: &str = "CHANNEL_NAME_GUARD";
pub const ENTITY_THEME_NAME_GUARD: &str = "THEME_NAME_GUARD";
pub const ENTITY_SUBSCRIPTION: &str = "SUBSCRIPTION";
pub const ENTITY_PREFERENCE: &str = "PREFERENCE";
pub const ENTITY_COUNTER_CHANGE: &str = "COUNTER_CHANGE";
pub const ENTITY_STATS_SNAPSHOT: &str = "STATS_SNAPSHOT";

/// `Debug` hides the password hash. An optional attribute that is `None` is left out of the
/// item (and read back as `None`).
#[skip_serializing_none]
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
    #[serde(default)]
    pub total_campaigns: u64,
    #[serde(default)]
    pub total_earnings: u64,
    /// A ban: its reason, start and optional end (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ban_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banned_at: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub banned_until: Option<String>,
    /// Campaign preference categories.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Campaign settings: language code, networks, privacy (absent: the defaults).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub networks: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy: Option<PrivacyItem>,
    #[serde(default = "verified_by_default")]
    pub email_verified: bool,
    /// The chat server's display name.
    pub display_name: Option<String>,
    /// The chat server's user id; its guard keeps it unique.
    pub chat_user_id: Option<String>,
    /// The app id whose chat `login_or_register` created the user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_by_app: Option<String>,
    /// E.164 phone number (accounts contract).
    pub phone: Option<String>,
    /// `M`, `F` or `O`.
    pub gender: Option<String>,
    /// ISO 3166-1 alpha-2 code.
    pub country: Option<String>,
    /// Reference-data country id (campaign contract).
    pub country_id: Option<u64>,
    /// Reference-data city id, of a city in `country_id`.
    pub city_id: Option<u64>,
    /// An http(s) URL.
    pub photo: Option<String>,
    /// Free text, at most 255 characters.
    pub address: Option<String>,
    /// `YYYY-MM-DD`.
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
            username: user.username.to_string(),
            username_lower: user.username.canonical(),
            email: user.email_text().to_owned(),
            email_lower: user.email_text().to_lowercase(),
            password_hash,
            first_name: user.first_name.to_string(),
            last_name: user.last_name.to_string(),
            bio: user.bio.to_string(),
            avatar: user.avatar.as_str().to_owned(),
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
            total_campaigns: user.total_campaigns,
            total_earnings: user.total_earnings,
            ban_reason: user.ban.as_ref().map(|b| b.reason.clone()),
            banned_at: user.ban.as_ref().map(|b| b.since.to_rfc3339()),
            banned_until: user
                .ban
                .as_ref()
                .and_then(|b| b.until)
                .map(Timestamp::to_rfc3339),
            categories: user.categories.clone(),
            language: user.language.clone(),
            networks: user.networks.clone(),
            privacy: (user.privacy != PrivacySettings::default()).then(|| user.privacy.into()),
            email_verified: user.email_verified,
            display_name: text_of(&user.display_name),
            chat_user_id: text_of(&user.chat_user_id),
            created_by_app: user.created_by_app.clone(),
            phone: text_of(&user.phone),
            gender: text_of(&user.gender),
            country: text_of(&user.country),
            country_id: user.country_id,
            city_id: user.city_id,
            devices: user
                .devices
                .iter()
                .map(|d| (d.id.to_string(), StoredDevice::from(d)))
                .collect(),
            photo: text_of(&user.photo),
            address: text_of(&user.address),
            birthday: text_of(&user.birthday),
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

    /// The e-mail device that follows the user's e-mail address, if the user has one.
    pub fn email_device(&self) -> Option<(&String, &StoredDevice)> {
        self.devices.iter().find(|(_, d)| {
            d.kind == DeviceKind::Email.as_str() && d.reference.to_lowercase() == self.email_lower
        })
    }
}

/// The stored text of an optional domain value.
fn text_of<T: std::ops::Deref<Target = str>>(value: &Option<T>) -> Option<String> {
    value.as_deref().map(str::to_owned)
}

/// A stored value the domain refuses: the item is malformed.
pub(super) fn parsed<T>(
    attribute: &'static str,
    value: Result<T, Invalid>,
) -> Result<T, StoreError> {
    value.map_err(|invalid| StoreError::Invalid {
        attribute,
        reason: invalid.0,
    })
}

pub(super) fn timestamp(attribute: &'static str, text: &str) -> Result<Timestamp, StoreError> {
    Timestamp::parse_rfc3339(text).ok_or_else(|| StoreError::Invalid {
        attribute,
        reason: format!("{text:?} is not an RFC 3339 time"),
    })
}

pub(super) fn optional<T>(
    attribute: &'static str,
    text: Option<&str>,
    parse: impl Fn(&str) -> Result<T, Invalid>,
) -> Result<Option<T>, StoreError> {
    text.map(|t| parsed(attribute, parse(t))).transpose()
}

/// `""` is stored for a user without an e-mail.
pub(super) fn stored_email(text: &str) -> Result<Option<Email>, StoreError> {
    optional("email", Some(text).filter(|t| !t.is_empty()), Email::parse)
}

/// The devices of a stored map, in id order; an unreadable id or kind is an error.
pub(super) fn stored_devices(
    devices: &BTreeMap<String, StoredDevice>,
) -> Result<Vec<Device>, StoreError> {
    let mut list = devices
        .iter()
        .map(|(id, device)| device.to_device(id))
        .collect::<Result<Vec<_>, _>>()?;
    list.sort_by_key(|d| d.id);
    Ok(list)
}

impl TryFrom<&UserItem> for User {
    type Error = StoreError;

    fn try_from(item: &UserItem) -> Result<Self, StoreError> {
        user_of(item).map_err(|e| e.in_item(&item.pk, &item.sk))
    }
}

/// The directory view of a stored user, from any item with the user's attributes (the user
/// item itself, or its projection in a directory index).
macro_rules! summary_of {
    ($item:expr) => {
        crate::domain::UserSummary {
            id: UserId::new($item.id),
            username: parsed("username", Username::parse(&$item.username))?,
            email: stored_email(&$item.email)?,
            first_name: parsed("first_name", PersonName::parse(&$item.first_name))?,
            last_name: parsed("last_name", PersonName::parse(&$item.last_name))?,
            bio: parsed("bio", Bio::parse(&$item.bio))?,
            avatar: parsed("avatar", Avatar::parse(&$item.avatar))?,
            display_name: optional(
                "display_name",
                $item.display_name.as_deref(),
                DisplayName::parse,
            )?,
            created_at: timestamp("created_at", &$item.created_at)?,
            updated_at: timestamp("updated_at", &$item.updated_at)?,
            devices: stored_devices(&$item.devices)?,
        }
    };
}
pub(super) use summary_of;

fn user_of(item: &UserItem) -> Result<User, StoreError> {
    Ok(User {
        summary: summary_of!(item),
        is_active: item.is_active,
        is_staff: item.is_staff,
        is_superuser: item.is_superuser,
        token_version: item.token_version,
        last_login: optional("last_login", item.last_login.as_deref(), |t| {
            Timestamp::parse_rfc3339(t).ok_or_else(|| Invalid::new("not an RFC 3339 time"))
        })?,
        posts_count: item.posts_count,
        followers_count: item.followers_count,
        following_count: item.following_count,
        likes_received: item.likes_received,
        comments_received: item.comments_received,
        total_campaigns: item.total_campaigns,
        total_earnings: item.total_earnings,
        ban: stored_ban(item)?,
        categories: item.categories.clone(),
        language: item.language.clone(),
        networks: item.networks.clone(),
        privacy: item.privacy.map(PrivacySettings::from).unwrap_or_default(),
        email_verified: item.email_verified,
        chat_user_id: optional(
            "chat_user_id",
            item.chat_user_id.as_deref(),
            ChatUserId::parse,
        )?,
        created_by_app: item.created_by_app.clone(),
        phone: optional("phone", item.phone.as_deref(), Phone::parse)?,
        gender: optional("gender", item.gender.as_deref(), Gender::parse)?,
        country: optional("country", item.country.as_deref(), CountryCode::parse)?,
        country_id: item.country_id,
        city_id: item.city_id,
        photo: optional("photo", item.photo.as_deref(), HttpUrl::parse)?,
        address: optional("address", item.address.as_deref(), Address::parse)?,
        birthday: optional("birthday", item.birthday.as_deref(), Birthday::parse)?,
    })
}

/// A user's privacy settings, stored as a map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PrivacyItem {
    pub profile_public: bool,
    pub show_earnings: bool,
    pub show_campaigns: bool,
}

impl From<PrivacySettings> for PrivacyItem {
    fn from(p: PrivacySettings) -> Self {
        Self {
            profile_public: p.profile_public,
            show_earnings: p.show_earnings,
            show_campaigns: p.show_campaigns,
        }
    }
}

impl From<PrivacyItem> for PrivacySettings {
    fn from(p: PrivacyItem) -> Self {
        Self {
            profile_public: p.profile_public,
            show_earnings: p.show_earnings,
            show_campaigns: p.show_campaigns,
        }
    }
}

/// The ban of a stored user: present when `banned_at` is.
fn stored_ban(item: &UserItem) -> Result<Option<Ban>, StoreError> {
    let Some(since) = item.banned_at.as_deref() else {
        return Ok(None);
    };
    Ok(Some(Ban {
        reason: item.ban_reason.clone().unwrap_or_default(),
        since: timestamp("banned_at", since)?,
        until: item
            .banned_until
            .as_deref()
            .map(|t| timestamp("banned_until", t))
            .transpose()?,
    }))
}

impl TryFrom<UserItem> for User {
    type Error = StoreError;

    fn try_from(item: UserItem) -> Result<Self, StoreError> {
        User::try_from(&item)
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
    /// A username guard's username as its owner writes it, so that a lookup by username
    /// needs no second read for it (a follow); absent on other guards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

impl GuardItem {
    fn new(pk: String, entity: &str, user_id: UserId) -> Self {
        Self {
            pk,
            sk: keys::GUARD_SK.to_owned(),
            entity: entity.to_owned(),
            user_id: user_id.get(),
            username: None,
        }
    }

    /// The guard of `username` (kept under its lower-case form).
    pub fn username(username: &str, user_id: UserId) -> Self {
        let pk = keys::username_guard_pk(&username.to_ascii_lowercase());
        Self {
            username: Some(username.to_owned()),
            ..Self::new(pk, ENTITY_USERNAME_GUARD, user_id)
        }
    }

    pub fn email(canonical_email: &str, user_id: UserId) -> Self {
        Self::new(
            keys::email_guard_pk(canonical_email),
            ENTITY_EMAIL_GUARD,
            user_id,
        )
    }

    pub fn chat_id(chat_user_id: &str, user_id: UserId) -> Self {
        Self::new(
            keys::chat_id_guard_pk(chat_user_id),
            ENTITY_CHAT_ID_GUARD,
            user_id,
        )
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
        let reference = if self.kind == DeviceKind::Email.as_str() {
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

impl From<&Device> for StoredDevice {
    fn from(device: &Device) -> Self {
        Self {
            kind: device.kind.as_str().to_owned(),
            reference: device.reference.clone(),
        }
    }
}

impl StoredDevice {
    /// The domain device stored under the map key `id`.
    fn to_device(&self, id: &str) -> Result<Device, StoreError> {
        Ok(Device {
            id: id.parse().map_err(|_| StoreError::Invalid {
                attribute: "devices",
                reason: format!("{id:?} is not a device id"),
            })?,
            kind: parsed("devices", DeviceKind::parse(&self.kind))?,
            reference: self.reference.clone(),
        })
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
    /// The secret sealed with `APP_SECRET_KEY` (absent on credentials made before it was kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_sealed: Option<String>,
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
            secret_sealed: None,
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
    /// The item of a new family (the shape the tests pin).
    #[cfg(test)]
    pub fn new(
        user_id: UserId,
        session_id: &str,
        token_hash: String,
        token_version: u64,
        now: Timestamp,
        expires_at: Timestamp,
    ) -> Self {
        Self::from(&Session {
            user_id,
            session_id: session_id.to_owned(),
            token_hash,
            token_version,
            created_at: now,
            rotated_at: now,
            expires_at,
        })
    }
}

impl From<&Session> for SessionItem {
    fn from(session: &Session) -> Self {
        Self {
            pk: keys::user_pk(session.user_id),
            sk: keys::session_sk(&session.session_id),
            entity: ENTITY_SESSION.to_owned(),
            user_id: session.user_id.get(),
            session_id: session.session_id.clone(),
            token_hash: session.token_hash.clone(),
            token_version: session.token_version,
            created_at: session.created_at.to_rfc3339(),
            rotated_at: session.rotated_at.to_rfc3339(),
            expires_at: session.expires_at.unix(),
        }
    }
}

impl TryFrom<SessionItem> for Session {
    type Error = StoreError;

    fn try_from(item: SessionItem) -> Result<Self, StoreError> {
        Ok(Session {
            user_id: UserId::new(item.user_id),
            created_at: timestamp("created_at", &item.created_at)?,
            rotated_at: timestamp("rotated_at", &item.rotated_at)?,
            expires_at: Timestamp::from_unix(item.expires_at),
            session_id: item.session_id,
            token_hash: item.token_hash,
            token_version: item.token_version,
        })
    }
}

impl From<LoginFailuresItem> for LoginFailures {
    fn from(item: LoginFailuresItem) -> Self {
        LoginFailures {
            failures: item.failures,
            last_failed_at: Timestamp::from_unix(item.last_failed_at),
        }
    }
}

impl From<EmailCodeItem> for EmailCode {
    fn from(item: EmailCodeItem) -> Self {
        EmailCode {
            user_id: UserId::new(item.user_id),
            code_hash: item.code_hash,
            attempts: item.attempts,
            sent_at: Timestamp::from_unix(item.sent_at),
            expires_at: Timestamp::from_unix(item.expires_at),
        }
    }
}

impl From<&AppCredential> for AppCredentialItem {
    fn from(app: &AppCredential) -> Self {
        Self {
            revoked: app.revoked,
            secret_sealed: app.sealed_secret.clone(),
            ..AppCredentialItem::new(
                &app.app_id,
                &app.name,
                app.secret_hash.clone(),
                app.created_at,
            )
        }
    }
}

impl TryFrom<AppCredentialItem> for AppCredential {
    type Error = StoreError;

    fn try_from(item: AppCredentialItem) -> Result<Self, StoreError> {
        Ok(AppCredential {
            created_at: timestamp("created_at", &item.created_at)?,
            app_id: item.app_id,
            name: item.name,
            secret_hash: item.secret_hash,
            sealed_secret: item.secret_sealed,
            revoked: item.revoked,
        })
    }
}

/// One side of a follow: the follower's `FOLLOWING#` edge or the followed user's
/// `FOLLOWER#` edge. Both sides carry the same attributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FollowEdgeItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub follow_id: u64,
    pub follower: u64,
    pub following: u64,
    pub follower_username: String,
    pub following_username: String,
    pub created_at: String,
}

impl FollowEdgeItem {
    /// The follower's side, in the follower's partition.
    pub fn following_side(edge: &FollowEdge) -> Self {
        Self {
            pk: keys::user_pk(edge.follower),
            sk: keys::following_sk(edge.following),
            entity: ENTITY_FOLLOWING.to_owned(),
            follow_id: edge.follow_id,
            follower: edge.follower.get(),
            following: edge.following.get(),
            follower_username: edge.follower_username.to_string(),
            following_username: edge.following_username.to_string(),
            created_at: edge.created_at.to_rfc3339(),
        }
    }

    /// The followed user's side, in the followed user's partition.
    pub fn follower_side(edge: &FollowEdge) -> Self {
        Self {
            pk: keys::user_pk(edge.following),
            sk: keys::follower_sk(edge.follower),
            entity: ENTITY_FOLLOWER.to_owned(),
            ..Self::following_side(edge)
        }
    }
}

impl TryFrom<FollowEdgeItem> for FollowEdge {
    type Error = StoreError;

    fn try_from(item: FollowEdgeItem) -> Result<Self, StoreError> {
        let (pk, sk) = (item.pk.clone(), item.sk.clone());
        edge_of(item).map_err(|e| e.in_item(&pk, &sk))
    }
}

fn edge_of(item: FollowEdgeItem) -> Result<FollowEdge, StoreError> {
    Ok(FollowEdge {
        follow_id: item.follow_id,
        follower: UserId::new(item.follower),
        following: UserId::new(item.following),
        follower_username: parsed(
            "follower_username",
            Username::parse(&item.follower_username),
        )?,
        following_username: parsed(
            "following_username",
            Username::parse(&item.following_username),
        )?,
        created_at: timestamp("created_at", &item.created_at)?,
    })
}

/// A push channel or theme, in the one partition of its kind (listed in id order); a theme
/// is also in GSI1 under its range.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub id: u64,
    pub name: String,
    pub name_lower: String,
    pub range: Option<String>,
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: Option<String>,
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: Option<String>,
}

impl TopicItem {
    pub fn new(topic: &Topic) -> Self {
        let entity = match topic.kind {
            TopicKind::Channel => ENTITY_CHANNEL,
            TopicKind::Theme => ENTITY_THEME,
        };
        Self {
            pk: keys::topics_pk(topic.kind).to_owned(),
            sk: keys::topic_sk(topic.kind, topic.id),
            entity: entity.to_owned(),
            id: topic.id,
            name: topic.name.as_str().to_owned(),
            name_lower: topic.name.canonical(),
            range: topic.range.map(|r| r.as_str().to_owned()),
            gsi1pk: topic.range.map(keys::themes_in_range_pk),
            gsi1sk: topic.range.map(|_| keys::id_order_sk(topic.id)),
        }
    }

    pub fn into_topic(self) -> Result<Topic, StoreError> {
        let kind = if self.entity == ENTITY_THEME {
            TopicKind::Theme
        } else {
            TopicKind::Channel
        };
        let range = match (&self.range, kind) {
            (Some(range), TopicKind::Theme) => Some(parsed("range", ThemeRange::parse(range))?),
            (None, TopicKind::Theme) => return Err(StoreError::MissingAttribute("range")),
            (_, TopicKind::Channel) => None,
        };
        Ok(Topic {
            kind,
            id: self.id,
            name: parsed("name", TopicName::parse(&self.name))?,
            range,
        })
    }

    /// The guard that keeps this name unique among topics of its kind.
    pub fn guard(&self, kind: TopicKind) -> TopicNameGuardItem {
        TopicNameGuardItem::new(kind, &self.name_lower, self.id)
    }
}

/// Reserves a channel or theme name (lower case) for one id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicNameGuardItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub id: u64,
}

impl TopicNameGuardItem {
    pub fn new(kind: TopicKind, canonical_name: &str, id: u64) -> Self {
        let entity = match kind {
            TopicKind::Channel => ENTITY_CHANNEL_NAME_GUARD,
            TopicKind::Theme => ENTITY_THEME_NAME_GUARD,
        };
        Self {
            pk: keys::topic_name_guard_pk(kind, canonical_name),
            sk: keys::GUARD_SK.to_owned(),
            entity: entity.to_owned(),
            id,
        }
    }
}

/// The record of one counter change an app asked for, keyed by the app and its request id:
/// put in the change's transaction (only if absent), so a repeated request id changes nothing.
/// `counters` (the user's counters right after the change) is added once the change is made;
/// a repeat answers them. Expires after [`COUNTER_CHANGE_TTL_SECONDS`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CounterChangeItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub app_id: String,
    pub request_id: String,
    pub user_id: u64,
    /// Counter name to the amount added (negative: taken away).
    pub changes: BTreeMap<String, i64>,
    pub created_at: String,
    pub expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counters: Option<BTreeMap<String, u64>>,
}

/// How long a request id is remembered: a retry later than this would be counted again.
pub const COUNTER_CHANGE_TTL_SECONDS: i64 = 7 * 24 * 60 * 60;

impl CounterChangeItem {
    pub fn new(app_id: &str, change: &CounterChange, now: Timestamp) -> Self {
        Self {
            pk: keys::counter_change_pk(app_id, change.request_id.as_str()),
            sk: keys::COUNTER_CHANGE_SK.to_owned(),
            entity: ENTITY_COUNTER_CHANGE.to_owned(),
            app_id: app_id.to_owned(),
            request_id: change.request_id.as_str().to_owned(),
            user_id: change.user_id.get(),
            changes: change
                .deltas
                .iter()
                .map(|(counter, delta)| (counter.name().to_owned(), *delta))
                .collect(),
            created_at: now.to_rfc3339(),
            expires_at: now.unix() + COUNTER_CHANGE_TTL_SECONDS,
            counters: None,
        }
    }

    /// Whether this record is of the same change (same user, same amounts).
    pub fn records(&self, change: &CounterChange) -> bool {
        self.user_id == change.user_id.get()
            && self.changes.len() == change.deltas.len()
            && change
                .deltas
                .iter()
                .all(|(counter, delta)| self.changes.get(counter.name()) == Some(delta))
    }

    /// The counters stored after the change, if they were.
    pub fn counters(&self) -> Option<Counters> {
        let stored = self.counters.as_ref()?;
        let value = |counter: Counter| stored.get(counter.name()).copied().unwrap_or(0);
        Some(Counters {
            posts_count: value(Counter::PostsCount),
            likes_received: value(Counter::LikesReceived),
            comments_received: value(Counter::CommentsReceived),
            total_campaigns: value(Counter::TotalCampaigns),
            total_earnings: value(Counter::TotalEarnings),
        })
    }
}

/// Counters as the `counters` map of a [`CounterChangeItem`].
pub fn counters_map(counters: &Counters) -> BTreeMap<String, u64> {
    [
        (Counter::PostsCount, counters.posts_count),
        (Counter::LikesReceived, counters.likes_received),
        (Counter::CommentsReceived, counters.comments_received),
        (Counter::TotalCampaigns, counters.total_campaigns),
        (Counter::TotalEarnings, counters.total_earnings),
    ]
    .into_iter()
    .map(|(counter, value)| (counter.name().to_owned(), value))
    .collect()
}

/// What the stats job reads of a user item: the Scan projects these attributes only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserTraitsItem {
    #[serde(rename = "PK")]
    pub pk: String,
    pub gender: Option<String>,
    pub birthday: Option<String>,
    #[serde(default)]
    pub categories: Vec<String>,
}

/// One share of a stored distribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredShare {
    pub key: String,
    pub count: u64,
    pub percent: u64,
}

/// The user statistics snapshot: one item, replaced by each run of the stats job unless a
/// run that started later has stored its own (`taken_at_unix` decides). Each distribution is
/// a list, so the order it is shown in is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatsSnapshotItem {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub taken_at: String,
    pub taken_at_unix: i64,
    pub users: u64,
    pub sex: Vec<StoredShare>,
    pub age: Vec<StoredShare>,
    pub preferences: Vec<StoredShare>,
}

fn stored_shares(distribution: &Distribution) -> Vec<StoredShare> {
    distribution
        .shares
        .iter()
        .map(|share| StoredShare {
            key: share.key.clone(),
            count: share.count,
            percent: share.percent,
        })
        .collect()
}

fn distribution_of(shares: Vec<StoredShare>) -> Distribution {
    Distribution {
        shares: shares
            .into_iter()
            .map(|share| Share {
                key: share.key,
                count: share.count,
                percent: share.percent,
            })
            .collect(),
    }
}

impl StatsSnapshotItem {
    pub fn new(taken_at: Timestamp, snapshot: &StatsSnapshot) -> Self {
        Self {
            pk: keys::STATS_PK.to_owned(),
            sk: keys::STATS_SNAPSHOT_SK.to_owned(),
            entity: ENTITY_STATS_SNAPSHOT.to_owned(),
            taken_at: taken_at.to_rfc3339(),
            taken_at_unix: taken_at.unix(),
            users: snapshot.users,
            sex: stored_shares(&snapshot.sex),
            age: stored_shares(&snapshot.age),
            preferences: stored_shares(&snapshot.preferences),
        }
    }
}

impl From<StatsSnapshotItem> for StatsSnapshot {
    fn from(item: StatsSnapshotItem) -> Self {
        Self {
            taken_at: Some(Timestamp::from_unix(item.taken_at_unix)),
            users: item.users,
            sex: distribution_of(item.sex),
            age: distribution_of(item.age),
            preferences: distribution_of(item.preferences),
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
    /// The item of exactly these attributes.
    fn attributes<const N: usize>(pairs: [(&str, AttributeValue); N]) -> Item {
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    }

    /// Asserts that `value` is stored as exactly these attributes.
    fn assert_stored_as<T: Serialize, const N: usize>(
        value: T,
        pairs: [(&str, AttributeValue); N],
    ) {
        let item: Item = serde_dynamo::to_item(value).unwrap();
        assert_eq!(item, attributes(pairs));
    }

    /// The time the pinned items are written at: 2024-01-15T10:30:00Z.
    fn pinned_now() -> Timestamp {
        Timestamp::from_unix(1_705_314_600)
    }

    fn sample_user() -> User {
        let mut user = User::new(
            UserId::new(7),
            Username::parse("Alice").unwrap(),
            Email::parse("Alice@Example.com").ok(),
            Timestamp::from_unix(1_705_314_600),
        );
        user.first_name = PersonName::parse("Alice").unwrap();
        user.last_name = PersonName::parse("Smith").unwrap();
        user.bio = Bio::parse("Hi").unwrap();
        user
    }

    #[test]
    fn user_item_shape_is_pinned() {
        let item: Item =
            serde_dynamo::to_item(UserItem::new(&sample_user(), "$argon2id$x".into())).unwrap();
        let expected = attributes([
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
            ("total_campaigns", n(0)),
            ("total_earnings", n(0)),
            ("email_verified", AttributeValue::Bool(true)),
        ]);
        assert_eq!(item, expected);
    }

    #[test]
    fn user_item_round_trips_to_the_domain_user() {
        let user = sample_user();
        let item = UserItem::new(&user, "h".into());
        let stored: Item = serde_dynamo::to_item(&item).unwrap();
        let back: UserItem = serde_dynamo::from_item(stored).unwrap();
        assert_eq!(User::try_from(back).unwrap(), user);
    }

    #[test]
    fn guard_item_shapes_are_pinned() {
        let item: Item =
            serde_dynamo::to_item(GuardItem::username("Alice", UserId::new(7))).unwrap();
        let expected = attributes([
            ("PK", s("USERNAME#alice")),
            ("SK", s("GUARD")),
            ("entity", s("USERNAME_GUARD")),
            ("user_id", n(7)),
            ("username", s("Alice")),
        ]);
        assert_eq!(item, expected);

        let item: Item =
            serde_dynamo::to_item(GuardItem::email("a@example.com", UserId::new(7))).unwrap();
        assert_eq!(item["PK"], s("EMAIL#a@example.com"));
        assert_eq!(item["entity"], s("EMAIL_GUARD"));
        assert!(!item.contains_key("username"));
    }

    #[test]
    fn optional_user_attributes_are_stored_only_when_set() {
        let user = User {
            chat_user_id: ChatUserId::parse("chat-1").ok(),
            country: CountryCode::parse("US").ok(),
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
        let now = pinned_now();
        let code = EmailCodeItem::new(UserId::new(7), "h".into(), now, now.plus_seconds(600));
        assert_stored_as(
            code,
            [
                ("PK", s("USER#7")),
                ("SK", s("EMAIL_CODE")),
                ("entity", s("EMAIL_CODE")),
                ("user_id", n(7)),
                ("code_hash", s("h")),
                ("attempts", n(0)),
                ("sent_at", n(1_705_314_600)),
                ("expires_at", n(1_705_315_200)),
            ],
        );

        let app: Item =
            serde_dynamo::to_item(AppCredentialItem::new("app1", "chat", "h".into(), now)).unwrap();
        let expected = attributes([
            ("PK", s("APPS")),
            ("SK", s("APP#app1")),
            ("entity", s("APP_CREDENTIAL")),
            ("app_id", s("app1")),
            ("name", s("chat")),
            ("secret_hash", s("h")),
            ("created_at", s("2024-01-15T10:30:00Z")),
            ("revoked", AttributeValue::Bool(false)),
        ]);
        assert_eq!(app, expected);
        let sealed: Item = serde_dynamo::to_item(AppCredentialItem {
            secret_sealed: Some("sealed".into()),
            ..AppCredentialItem::new("app1", "chat", "h".into(), now)
        })
        .unwrap();
        assert_eq!(sealed["secret_sealed"], s("sealed"));

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
        let expected = attributes([
            ("PK", s("DEVICEREF#email#a@example.com")),
            ("SK", s("GUARD")),
            ("entity", s("DEVICE_GUARD")),
            ("user_id", n(7)),
            ("device_id", n(3)),
        ]);
        assert_eq!(guard, expected);
    }

    #[test]
    fn session_item_shape_is_pinned() {
        let now = pinned_now();
        let session = SessionItem::new(
            UserId::new(7),
            "sid",
            "hash".into(),
            3,
            now,
            now.plus_seconds(60),
        );
        assert_stored_as(
            session,
            [
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
            ],
        );
    }

    #[test]
    fn a_user_with_every_optional_value_round_trips() {
        let mut user = User {
            phone: Phone::parse("+1234567890").ok(),
            gender: Gender::parse("F").ok(),
            photo: HttpUrl::parse("https://cdn.example.com/p.png").ok(),
            address: Address::parse("1 Main St").ok(),
            birthday: Birthday::parse("1990-02-03").ok(),
            last_login: Some(Timestamp::from_unix(1_705_400_000)),
            ..sample_user()
        };
        user.avatar = Avatar::parse("https://cdn.example.com/a.png").unwrap();
        user.devices = vec![Device {
            id: 3,
            kind: DeviceKind::Ios,
            reference: "token".into(),
        }];
        let item: Item = serde_dynamo::to_item(UserItem::new(&user, "h".into())).unwrap();
        let back: UserItem = serde_dynamo::from_item(item).unwrap();
        assert_eq!(User::try_from(back).unwrap(), user);
    }

    #[test]
    fn a_user_without_an_e_mail_is_stored_with_an_empty_one() {
        let mut user = sample_user();
        user.email = None;
        let item = UserItem::new(&user, "h".into());
        assert_eq!((item.email.as_str(), item.email_lower.as_str()), ("", ""));
        assert_eq!(User::try_from(item).unwrap().email, None);
    }

    fn stored(edit: impl FnOnce(&mut UserItem)) -> Result<User, StoreError> {
        let mut item = UserItem::new(&sample_user(), "h".into());
        edit(&mut item);
        User::try_from(item)
    }

    #[test]
    fn a_bad_stored_timestamp_is_an_error_not_epoch_zero() {
        let error = stored(|item| item.created_at = "yesterday".into()).unwrap_err();
        assert!(
            matches!(
                error,
                StoreError::Invalid {
                    attribute: "created_at",
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(
            error.to_string().contains("USER#7"),
            "names the item: {error}"
        );
        assert!(stored(|item| item.last_login = Some("soon".into())).is_err());
    }

    #[test]
    fn a_device_with_a_bad_id_or_unknown_kind_is_an_error_not_dropped() {
        let device = |kind: &str| StoredDevice {
            kind: kind.into(),
            reference: "r".into(),
        };
        let error = stored(|item| {
            item.devices.insert("three".into(), device("ios"));
        })
        .unwrap_err();
        assert!(matches!(
            error,
            StoreError::Invalid {
                attribute: "devices",
                ..
            }
        ));
        let error = stored(|item| {
            item.devices.insert("3".into(), device("fax"));
        })
        .unwrap_err();
        assert!(matches!(
            error,
            StoreError::Invalid {
                attribute: "devices",
                ..
            }
        ));
    }

    #[test]
    fn an_invalid_stored_value_is_an_error() {
        assert!(stored(|item| item.username = "a b".into()).is_err());
        assert!(stored(|item| item.email = "not-an-email".into()).is_err());
        assert!(stored(|item| item.country = Some("XX".into())).is_err());
        assert!(stored(|item| item.avatar = "ftp://x".into()).is_err());
    }

    #[test]
    fn follow_edge_shapes_are_pinned() {
        let edge = FollowEdge::new(
            9,
            (UserId::new(1), &Username::parse("alice").unwrap()),
            (UserId::new(2), &Username::parse("bob").unwrap()),
            Timestamp::from_unix(1_705_314_600),
        );
        let item: Item = serde_dynamo::to_item(FollowEdgeItem::following_side(&edge)).unwrap();
        assert_eq!(item["PK"], s("USER#1"));
        assert_eq!(item["SK"], s("FOLLOWING#00000000000000000002"));
        assert_eq!(item["entity"], s("FOLLOWING"));
        assert_eq!(item["follow_id"], n(9));
        assert_eq!(item["following_username"], s("bob"));
        assert_eq!(item["created_at"], s("2024-01-15T10:30:00Z"));
        assert_eq!(item.len(), 9);
        let mirror: Item = serde_dynamo::to_item(FollowEdgeItem::follower_side(&edge)).unwrap();
        assert_eq!(mirror["PK"], s("USER#2"));
        assert_eq!(mirror["SK"], s("FOLLOWER#00000000000000000001"));
        assert_eq!(mirror["entity"], s("FOLLOWER"));
        let back: FollowEdgeItem = serde_dynamo::from_item(mirror).unwrap();
        assert_eq!(FollowEdge::try_from(back).unwrap(), edge);
    }

    #[test]
    fn channel_theme_and_name_guard_shapes_are_pinned() {
        let channel = Topic {
            kind: TopicKind::Channel,
            id: 7,
            name: TopicName::parse("News").unwrap(),
            range: None,
        };
        let item: Item = serde_dynamo::to_item(TopicItem::new(&channel)).unwrap();
        let expected = attributes([
            ("PK", s("CHANNELS")),
            ("SK", s("CHANNEL#00000000000000000007")),
            ("entity", s("CHANNEL")),
            ("id", n(7)),
            ("name", s("News")),
            ("name_lower", s("news")),
        ]);
        assert_eq!(item, expected);
        let back: TopicItem = serde_dynamo::from_item(item).unwrap();
        assert_eq!(back.into_topic().unwrap(), channel);

        let theme = Topic {
            kind: TopicKind::Theme,
            id: 3,
            name: TopicName::parse("Likes").unwrap(),
            range: Some(ThemeRange::Multicast),
        };
        let item: Item = serde_dynamo::to_item(TopicItem::new(&theme)).unwrap();
        let expected = attributes([
            ("PK", s("THEMES")),
            ("SK", s("THEME#00000000000000000003")),
            ("entity", s("THEME")),
            ("id", n(3)),
            ("name", s("Likes")),
            ("name_lower", s("likes")),
            ("range", s("multicast")),
            ("GSI1PK", s("THEMES#multicast")),
            ("GSI1SK", s("00000000000000000003")),
        ]);
        assert_eq!(item, expected);
        let back: TopicItem = serde_dynamo::from_item(item).unwrap();
        assert_eq!(back.into_topic().unwrap(), theme);

        let guard: Item =
            serde_dynamo::to_item(TopicItem::new(&channel).guard(TopicKind::Channel)).unwrap();
        let expected = attributes([
            ("PK", s("CHANNELNAME#news")),
            ("SK", s("GUARD")),
            ("entity", s("CHANNEL_NAME_GUARD")),
            ("id", n(7)),
        ]);
        assert_eq!(guard, expected);
    }

    #[test]
    fn counter_change_item_shape_is_pinned() {
        let change = CounterChange {
            request_id: crate::domain::RequestId::parse("order-7").unwrap(),
            user_id: UserId::new(7),
            deltas: [(Counter::PostsCount, 1), (Counter::TotalEarnings, -250)].into(),
        };
        let record = CounterChangeItem::new("app_x", &change, pinned_now());
        assert!(record.records(&change));
        let changes = AttributeValue::M(
            [("posts_count", n(1)), ("total_earnings", n(-250))]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        );
        assert_stored_as(
            record.clone(),
            [
                ("PK", s("CHANGE#app_x#order-7")),
                ("SK", s("COUNTER_CHANGE")),
                ("entity", s("COUNTER_CHANGE")),
                ("app_id", s("app_x")),
                ("request_id", s("order-7")),
                ("user_id", n(7)),
                ("changes", changes),
                ("created_at", s("2024-01-15T10:30:00Z")),
                ("expires_at", n(1_705_314_600 + 7 * 24 * 60 * 60)),
            ],
        );
        let after = Counters {
            posts_count: 3,
            ..Counters::default()
        };
        let done = CounterChangeItem {
            counters: Some(counters_map(&after)),
            ..record
        };
        let item: Item = serde_dynamo::to_item(&done).unwrap();
        let AttributeValue::M(stored) = &item["counters"] else {
            panic!("counters is a map");
        };
        assert_eq!(stored.len(), 5);
        assert_eq!(stored["posts_count"], n(3));
        assert_eq!(done.counters(), Some(after));
    }

    #[test]
    fn stats_snapshot_item_shape_is_pinned() {
        let share = |key: &str, count: u64, percent: u64| Share {
            key: key.to_owned(),
            count,
            percent,
        };
        let snapshot = StatsSnapshot {
            taken_at: Some(pinned_now()),
            users: 5,
            sex: Distribution {
                shares: vec![share("male", 3, 60), share("unknown", 2, 40)],
            },
            age: Distribution {
                shares: vec![share("45+", 5, 100)],
            },
            preferences: Distribution::default(),
        };
        let stored_share = |key: &str, count: i64, percent: i64| {
            AttributeValue::M(attributes([
                ("key", s(key)),
                ("count", n(count)),
                ("percent", n(percent)),
            ]))
        };
        assert_stored_as(
            StatsSnapshotItem::new(pinned_now(), &snapshot),
            [
                ("PK", s("STATS")),
                ("SK", s("SNAPSHOT")),
                ("entity", s("STATS_SNAPSHOT")),
                ("taken_at", s("2024-01-15T10:30:00Z")),
                ("taken_at_unix", n(1_705_314_600)),
                ("users", n(5)),
                (
                    "sex",
                    AttributeValue::L(vec![
                        stored_share("male", 3, 60),
                        stored_share("unknown", 2, 40),
                    ]),
                ),
                ("age", AttributeValue::L(vec![stored_share("45+", 5, 100)])),
                ("preferences", AttributeValue::L(vec![])),
            ],
        );
        let item = StatsSnapshotItem::new(pinned_now(), &snapshot);
        assert_eq!(StatsSnapshot::from(item), snapshot);
    }
}
