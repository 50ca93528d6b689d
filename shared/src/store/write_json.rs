//! Items of a transaction written straight as DynamoDB JSON from what they hold, with no SDK
//! builder and no attribute map in between: for a write on every request's path (a follow).
//! A transaction of these is a tuple of [`Op`]s, sent with `Wire::transact_write`; what it
//! writes is what the SDK's types would write for the same items (tested where they are made).

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use std::fmt::Display;

/// `{tag: value}`: one tagged attribute value.
fn tagged<S: Serializer, V: Serialize + ?Sized>(
    serializer: S,
    tag: &'static str,
    value: &V,
) -> Result<S::Ok, S::Error> {
    let mut map = serializer.serialize_map(Some(1))?;
    map.serialize_entry(tag, value)?;
    map.end()
}

/// A string attribute: `{"S": "text"}`.
pub(super) struct Text<'a>(pub &'a str);

impl Serialize for Text<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        tagged(serializer, "S", self.0)
    }
}

/// A number attribute: `{"N": "7"}`.
pub(super) struct Number<T>(pub T);

impl<T: Display> Serialize for Number<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        /// The number's digits as a JSON string, written without a `String` of their own.
        struct Digits<'a, T>(&'a T);
        impl<T: Display> Serialize for Digits<'_, T> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self.0)
            }
        }
        tagged(serializer, "N", &Digits(&self.0))
    }
}

/// A boolean attribute: `{"BOOL": true}`.
pub(super) struct Flag(pub bool);

impl Serialize for Flag {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        tagged(serializer, "BOOL", &self.0)
    }
}

/// An item's key.
#[derive(Serialize)]
pub(super) struct Key<'a> {
    #[serde(rename = "PK")]
    pub pk: Text<'a>,
    #[serde(rename = "SK")]
    pub sk: Text<'a>,
}

impl<'a> Key<'a> {
    pub fn of(pk: &'a str, sk: &'a str) -> Self {
        Self {
            pk: Text(pk),
            sk: Text(sk),
        }
    }
}

/// One item of `TransactItems`: `{"Put": …}`, `{"Update": …}` or `{"ConditionCheck": …}`.
#[derive(Serialize)]
pub(super) enum Op<T> {
    Put(T),
    Update(T),
    ConditionCheck(T),
}

/// A ConditionCheck of the item with `key`.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct Check<'a> {
    pub table_name: &'a str,
    pub key: Key<'a>,
    pub condition_expression: &'static str,
}

/// A Put of `item`, which must not exist yet.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PutNew<'a, I> {
    table_name: &'a str,
    item: I,
    condition_expression: &'static str,
}

impl<'a, I> PutNew<'a, I> {
    pub fn new(table_name: &'a str, item: I) -> Self {
        Self {
            table_name,
            item,
            condition_expression: "attribute_not_exists(PK)",
        }
    }
}

/// An Update of the item with `key`; `names` and `values` write the expressions' `#name` and
/// `:value` maps.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UpdateOf<'a, N, V> {
    pub table_name: &'a str,
    pub key: Key<'a>,
    pub update_expression: &'static str,
    pub condition_expression: &'static str,
    pub expression_attribute_names: N,
    pub expression_attribute_values: V,
}
