//! The user and the values that make one up.

use super::text::text_type;
use super::{
    Address, Avatar, Birthday, ChatUserId, CountryCode, Device, DisplayName, Gender, HttpUrl,
    Invalid, Phone,
};
use crate::clock::Timestamp;
use std::fmt;

fn at_least(min: usize) -> Invalid {
    Invalid::new(format!("Ensure this field has at least {min} characters."))
}

fn at_most(max: usize) -> Invalid {
    Invalid::new(format!(
        "Ensure this field has no more than {max} characters."
    ))
}

/// `text`, if it has at most `max` characters.
pub(super) fn bounded(text: &str, max: usize) -> Result<String, Invalid> {
    no_longer_than(text, max).map(|()| text.to_owned())
}

/// Refuses `text` if it has more than `max` characters.
fn no_longer_than(text: &str, max: usize) -> Result<(), Invalid> {
    if text.chars().count() > max {
        Err(at_most(max))
    } else {
        Ok(())
    }
}

/// The numeric id every contract shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(u64);

impl UserId {
    pub const fn new(value: u64) -> Self {
        Self(value)
    }

    pub fn get(self) -> u64 {
        self.0
    }

    /// A positive decimal number, as found in a path or a token subject.
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        match text.parse::<u64>() {
            Ok(value) if value > 0 && !text.starts_with('+') => Ok(Self(value)),
            _ => Err(Invalid::new("A valid integer is required.")),
        }
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl serde::Serialize for UserId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(self.0)
    }
}

text_type!(Username, Email, PersonName, Bio);

/// 3 to 30 characters of ASCII letters, digits and `@ . + - _`.
/// Unique regardless of letter case; shown as the user typed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub const MIN_LEN: usize = 3;
    pub const MAX_LEN: usize = 30;
    /// Path segments of `/careers/users/...` routes: a user of that name could not be reached
    /// at `/careers/users/<username>/`.
    pub const RESERVED: &'static [&'static str] = &[
        "me",
        "following",
        "follow",
        "register",
        "login",
        "logout",
        "token",
        "update",
        "stats",
        "followers",
    ];

    pub fn parse(text: &str) -> Result<Self, Invalid> {
        if text.chars().count() < Self::MIN_LEN {
            return Err(at_least(Self::MIN_LEN));
        }
        no_longer_than(text, Self::MAX_LEN)?;
        let allowed =
            |c: char| c.is_ascii_alphanumeric() || matches!(c, '@' | '.' | '+' | '-' | '_');
        if !text.chars().all(allowed) {
            return Err(Invalid::new(
                "Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.",
            ));
        }
        if Self::RESERVED.contains(&text.to_ascii_lowercase().as_str()) {
            return Err(Invalid::new("This username is reserved."));
        }
        Ok(Self(text.to_owned()))
    }

    /// The form uniqueness is decided on.
    pub fn canonical(&self) -> String {
        self.0.to_ascii_lowercase()
    }
}

/// An e-mail address; unique regardless of letter case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let text = text.trim();
        no_longer_than(text, Self::MAX_LEN)?;
        let valid = email_address::EmailAddress::parse_with_options(
            text,
            email_address::Options::default()
                .without_display_text()
                .without_domain_literal(),
        )
        .is_ok()
            && text
                .rsplit_once('@')
                .is_some_and(|(_, domain)| domain.contains('.'));
        if !valid {
            return Err(Invalid::new("Enter a valid email address."));
        }
        Ok(Self(text.to_owned()))
    }

    /// The form uniqueness is decided on.
    pub fn canonical(&self) -> String {
        self.0.to_lowercase()
    }
}

/// A password as typed. Never printed: `Debug` is redacted.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    pub const MIN_LEN: usize = 8;
    /// Bounds the work a single request can ask argon2 to do.
    pub const MAX_LEN: usize = 256;

    /// A password for a new account: 8 to 256 characters.
    pub fn parse_new(text: &str) -> Result<Self, Invalid> {
        if text.chars().count() < Self::MIN_LEN {
            return Err(at_least(Self::MIN_LEN));
        }
        Self::parse_attempt(text)
    }

    /// A password offered at sign-in: any length up to the maximum, checked against the hash.
    pub fn parse_attempt(text: &str) -> Result<Self, Invalid> {
        no_longer_than(text, Self::MAX_LEN)?;
        Ok(Self(text.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password([redacted])")
    }
}

/// A first or last name: at most 150 characters, may be empty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_LEN: usize = 150;

    /// Surrounding white space is dropped.
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        bounded(text.trim(), Self::MAX_LEN).map(Self)
    }
}

/// A short free-text biography: at most 500 characters, may be empty.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Bio(String);

impl Bio {
    pub const MAX_LEN: usize = 500;

    pub fn parse(text: &str) -> Result<Self, Invalid> {
        bounded(text, Self::MAX_LEN).map(Self)
    }
}

/// What sign-up needs, already validated.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: Username,
    pub email: Email,
    pub password: Password,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub bio: Bio,
}

/// A stored user, as the service sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// What every directory shows of the user; its fields read as the user's own
    /// (`user.username`) through `Deref`.
    pub summary: UserSummary,
    pub is_active: bool,
    pub is_staff: bool,
    pub is_superuser: bool,
    /// Raised by logout-everywhere, bans and password changes: tokens carrying an older
    /// version stop working at once.
    pub token_version: u64,
    pub last_login: Option<Timestamp>,
    pub posts_count: u64,
    pub followers_count: u64,
    pub following_count: u64,
    pub likes_received: u64,
    pub comments_received: u64,
    /// Campaign counters, kept by the campaign service through the counters route.
    pub total_campaigns: u64,
    pub total_earnings: u64,
    /// Set by staff; refuses sign-in until lifted or until it expires.
    pub ban: Option<Ban>,
    /// Campaign preference categories (reference-data codes).
    pub categories: Vec<String>,
    /// Campaign settings: the chosen language (`None`: never chosen), networks, privacy.
    pub language: Option<String>,
    pub networks: Vec<String>,
    pub privacy: super::PrivacySettings,
    /// False only for accounts signed up through a contract that verifies e-mail, until the
    /// code is confirmed; such a user cannot sign in.
    pub email_verified: bool,
    /// The chat server's external user id (unique; often an e-mail).
    pub chat_user_id: Option<ChatUserId>,
    /// The app credential whose chat `login_or_register` created the user: the only one that
    /// may set the user's password. `None` for users made any other way.
    pub created_by_app: Option<String>,
    pub phone: Option<Phone>,
    pub gender: Option<Gender>,
    /// ISO 3166 alpha-2 code (accounts contract).
    pub country: Option<CountryCode>,
    /// Reference-data ids (campaign contract).
    pub country_id: Option<u64>,
    pub city_id: Option<u64>,
    /// Accounts contract: photo URL, postal address, birthday.
    pub photo: Option<HttpUrl>,
    pub address: Option<Address>,
    pub birthday: Option<Birthday>,
}

/// A ban set by staff: the reason, when, and an optional expiry after which it lifts by itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ban {
    pub reason: String,
    pub since: Timestamp,
    pub until: Option<Timestamp>,
}

impl Ban {
    /// Whether the ban still holds at `now`.
    pub fn holds_at(&self, now: Timestamp) -> bool {
        self.until.is_none_or(|until| now < until)
    }
}

/// What a user directory shows of a user (the index projection).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub id: UserId,
    pub username: Username,
    /// `None` only for users the chat server created under an id that is not an e-mail.
    pub email: Option<Email>,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub bio: Bio,
    pub avatar: Avatar,
    /// The chat server's display name.
    pub display_name: Option<DisplayName>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Where the user is notified (push contract), in id order.
    pub devices: Vec<Device>,
}

impl UserSummary {
    /// The e-mail address, or `""` for a user without one (as every contract shows it).
    pub fn email_text(&self) -> &str {
        self.email.as_deref().unwrap_or_default()
    }
}

/// What a list of users shows of each: who they are, and their avatar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserCard {
    pub id: UserId,
    pub username: Username,
    pub first_name: PersonName,
    pub last_name: PersonName,
    pub avatar: Avatar,
}

impl From<UserSummary> for UserCard {
    fn from(user: UserSummary) -> Self {
        Self {
            id: user.id,
            username: user.username,
            first_name: user.first_name,
            last_name: user.last_name,
            avatar: user.avatar,
        }
    }
}

impl std::ops::Deref for User {
    type Target = UserSummary;
    fn deref(&self) -> &UserSummary {
        &self.summary
    }
}

impl std::ops::DerefMut for User {
    fn deref_mut(&mut self) -> &mut UserSummary {
        &mut self.summary
    }
}

impl User {
    /// A new, active, verified, non-staff user with every counter at zero and no optional data.
    pub fn new(id: UserId, username: Username, email: Option<Email>, now: Timestamp) -> Self {
        Self {
            summary: UserSummary {
                id,
                username,
                email,
                first_name: PersonName::default(),
                last_name: PersonName::default(),
                bio: Bio::default(),
                avatar: Avatar::default(),
                display_name: None,
                created_at: now,
                updated_at: now,
                devices: Vec::new(),
            },
            is_active: true,
            is_staff: false,
            is_superuser: false,
            token_version: 0,
            last_login: None,
            posts_count: 0,
            followers_count: 0,
            following_count: 0,
            likes_received: 0,
            comments_received: 0,
            total_campaigns: 0,
            total_earnings: 0,
            ban: None,
            categories: Vec::new(),
            language: None,
            networks: Vec::new(),
            privacy: super::PrivacySettings::default(),
            email_verified: true,
            chat_user_id: None,
            created_by_app: None,
            phone: None,
            gender: None,
            country: None,
            country_id: None,
            city_id: None,
            photo: None,
            address: None,
            birthday: None,
        }
    }

    /// Whether a ban holds at `now`.
    pub fn is_banned_at(&self, now: Timestamp) -> bool {
        self.ban.as_ref().is_some_and(|ban| ban.holds_at(now))
    }

    pub fn summary(&self) -> UserSummary {
        self.summary.clone()
    }

    /// The e-mail address, or `""` for a user without one (as every contract shows it).
    pub fn email_text(&self) -> &str {
        self.email.as_deref().unwrap_or_default()
    }

    /// A plain user `<username>@example.com` created at the epoch, for unit tests.
    #[cfg(test)]
    pub(crate) fn example(id: u64, username: &str) -> User {
        let email = Email::parse(&format!("{username}@example.com")).ok();
        let username = Username::parse(username).expect("an example username is valid");
        User::new(UserId::new(id), username, email, Timestamp::from_unix(0))
    }

    /// The chat server's name for the user: the display name, else the username.
    pub fn chat_name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.username)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn username_accepts_letters_digits_and_the_five_symbols() {
        assert!(Username::parse("al.ice+1@x-y_z").is_ok());
    }

    #[test]
    fn username_refuses_spaces_and_other_symbols() {
        for bad in ["ali ce", "alice!", "al/ice", "ålice"] {
            assert!(Username::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn username_length_is_3_to_30() {
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("abc").is_ok());
        assert!(Username::parse(&"a".repeat(30)).is_ok());
        assert!(Username::parse(&"a".repeat(31)).is_err());
    }

    #[test]
    fn route_words_are_reserved() {
        for reserved in ["me", "Following", "LOGIN"] {
            assert!(Username::parse(reserved).is_err(), "{reserved}");
        }
    }

    #[test]
    fn username_canonical_form_ignores_case() {
        let a = Username::parse("Alice").unwrap();
        assert_eq!(a.as_str(), "Alice");
        assert_eq!(a.canonical(), "alice");
    }

    #[test]
    fn email_is_validated_and_compared_lower_cased() {
        let e = Email::parse("Alice@Example.COM").unwrap();
        assert_eq!(e.canonical(), "alice@example.com");
        for bad in [
            "alice",
            "alice@",
            "@example.com",
            "alice@localhost",
            "a b@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn password_needs_eight_characters() {
        assert!(Password::parse_new("1234567").is_err());
        assert!(Password::parse_new("12345678").is_ok());
    }

    #[test]
    fn password_debug_is_redacted() {
        let p = Password::parse_new("hunter2hunter2").unwrap();
        assert!(!format!("{p:?}").contains("hunter2"));
    }

    #[test]
    fn user_id_is_a_positive_decimal() {
        assert_eq!(UserId::parse("42").unwrap().get(), 42);
        for bad in ["0", "-1", "+1", "1.0", "abc", ""] {
            assert!(UserId::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
