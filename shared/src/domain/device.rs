//! Where a user is notified (push contract).

use super::Invalid;

/// The kind of a notification address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeviceKind {
    Email,
    Android,
    Ios,
}

impl DeviceKind {
    pub const ALL: [DeviceKind; 3] = [DeviceKind::Email, DeviceKind::Android, DeviceKind::Ios];

    /// `email`, `android` or `ios`: the name every contract and every stored item uses.
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Email => "email",
            DeviceKind::Android => "android",
            DeviceKind::Ios => "ios",
        }
    }

    pub fn parse(text: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == text.trim())
            .ok_or_else(|| Invalid::new(format!("\"{}\" is not a valid choice.", text.trim())))
    }

    /// The form a reference is unique in: e-mails regardless of case, tokens as given.
    pub fn canonical_reference(self, reference: &str) -> String {
        match self {
            DeviceKind::Email => reference.to_lowercase(),
            DeviceKind::Android | DeviceKind::Ios => reference.to_owned(),
        }
    }
}

impl std::fmt::Display for DeviceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for DeviceKind {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for DeviceKind {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl serde::Serialize for DeviceKind {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// A notification address of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub id: u64,
    pub kind: DeviceKind,
    pub reference: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_kinds_parse_and_serialise_as_their_lower_case_names() {
        for kind in DeviceKind::ALL {
            assert_eq!(DeviceKind::parse(kind.as_str()).unwrap(), kind);
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::json!(kind.as_str())
            );
        }
        assert!(DeviceKind::parse("fax").is_err());
        assert!(DeviceKind::parse("Email").is_err());
    }
}
