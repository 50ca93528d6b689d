//! Each contract's request fields and response shapes, in one module per contract. Handlers
//! call these to turn a body into domain values and a domain value into that contract's JSON.

pub mod accounts;
pub mod campaign;
pub mod careers;
pub mod chat;
pub mod push;

use crate::domain::PersonName;
use crate::http::body::Fields;
use crate::service::profiles::ProfileChanges;
use crate::service::FieldErrors;

/// The first and last name a partial profile update sets, read alike by every contract that
/// takes them; the other changes start unset.
pub(crate) fn name_changes(fields: &Fields, errors: &mut FieldErrors) -> ProfileChanges {
    ProfileChanges {
        first_name: fields.given_value("first_name", errors, PersonName::parse),
        last_name: fields.given_value("last_name", errors, PersonName::parse),
        ..ProfileChanges::default()
    }
}

/// The sorted keys of a body's JSON object (empty for anything else): what the tests of each
/// contract's body types pin.
#[cfg(test)]
pub(crate) fn keys(value: &impl serde::Serialize) -> Vec<String> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(map)) => {
            let mut keys: Vec<String> = map.keys().cloned().collect();
            keys.sort();
            keys
        }
        _ => Vec::new(),
    }
}

/// A plain user, `ann`, with the given id: the fixture of the body tests.
#[cfg(test)]
pub(crate) fn sample_user(id: u64) -> crate::domain::User {
    crate::domain::User::new(
        crate::domain::UserId::new(id),
        crate::domain::Username::parse("ann").expect("a valid username"),
        crate::domain::Email::parse("ann@example.com").ok(),
        crate::clock::Timestamp::from_unix(0),
    )
}
