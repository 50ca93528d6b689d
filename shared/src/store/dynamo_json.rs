//! Items read straight from DynamoDB's JSON into our types: `{"id": {"N": "7"}, "name":
//! {"S": "ann"}}` read as a struct with `id: u64` and `name: String`, with no attribute map
//! and no `AttributeValue` in between. Used where a read's items are many and all of one type
//! (a page of the directory); it reads what `serde_dynamo::from_item` reads from the same item.

use serde::de::{
    self, value::StrDeserializer, DeserializeSeed, Deserializer, IgnoredAny, IntoDeserializer,
    MapAccess, SeqAccess, Visitor,
};
use serde::Deserialize;
use std::fmt;

/// One item of DynamoDB JSON, read as `T`.
pub(crate) struct ItemAs<T>(pub T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ItemAs<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(Attributes(deserializer)).map(ItemAs)
    }
}

/// A map of attributes (an item, or the value of an `M`): its values are tagged.
struct Attributes<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Attributes<D> {
    type Error = D::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(Untagging(visitor))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        visitor.visit_some(self)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

/// Hands a visitor the map with each value untagged.
struct Untagging<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for Untagging<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map of DynamoDB attribute values")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.0.visit_map(UntaggedMap(map))
    }
}

struct UntaggedMap<A>(A);

impl<'de, A: MapAccess<'de>> MapAccess<'de> for UntaggedMap<A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.0.next_key_seed(seed)
    }

    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, A::Error> {
        self.0.next_value_seed(ValueSeed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

/// The type tags of DynamoDB JSON.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::upper_case_acronyms)]
pub(super) enum Tag {
    S,
    N,
    B,
    BOOL,
    NULL,
    M,
    L,
    SS,
    NS,
    BS,
}

/// One tagged value (`{"S": "ann"}`), read by `S` for what its tag holds.
struct ValueSeed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for ValueSeed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        deserializer.deserialize_map(TagVisitor(self.0))
    }
}

struct TagVisitor<S>(S);

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for TagVisitor<S> {
    type Value = S::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a DynamoDB attribute value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<S::Value, A::Error> {
        let tag: Tag = map
            .next_key()?
            .ok_or_else(|| de::Error::custom("an attribute value without a type"))?;
        let value = self.0.deserialize(Tagged { tag, map: &mut map })?;
        while map.next_key::<IgnoredAny>()?.is_some() {
            map.next_value::<IgnoredAny>()?;
        }
        Ok(value)
    }
}

/// A value whose tag was read; what follows in `map` is what the tag holds.
struct Tagged<'a, A> {
    tag: Tag,
    map: &'a mut A,
}

impl<'de, A: MapAccess<'de>> Deserializer<'de> for Tagged<'_, A> {
    type Error = A::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        match self.tag {
            // Strings, booleans and string sets are what the JSON holds.
            Tag::S | Tag::BOOL | Tag::SS => self.map.next_value_seed(Plain(visitor)),
            Tag::N => self.map.next_value_seed(NumberSeed(visitor)),
            Tag::NULL => {
                self.map.next_value::<IgnoredAny>()?;
                visitor.visit_unit()
            }
            Tag::M => self.map.next_value_seed(MapSeed(visitor)),
            Tag::L => self.map.next_value_seed(ListSeed {
                visitor,
                numbers: false,
            }),
            Tag::NS => self.map.next_value_seed(ListSeed {
                visitor,
                numbers: true,
            }),
            Tag::B => {
                let text: String = self.map.next_value()?;
                visitor.visit_byte_buf(blob(&text)?)
            }
            Tag::BS => {
                let texts: Vec<String> = self.map.next_value()?;
                let blobs = texts
                    .iter()
                    .map(|text| blob(text))
                    .collect::<Result<Vec<_>, _>>()?;
                visitor.visit_seq(Blobs(blobs.into_iter(), std::marker::PhantomData))
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, A::Error> {
        if self.tag == Tag::NULL {
            self.map.next_value::<IgnoredAny>()?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        match self.tag {
            Tag::S => self.map.next_value_seed(EnumSeed {
                name,
                variants,
                visitor,
            }),
            _ => self.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// The blobs of a `BS`, decoded.
struct Blobs<E>(std::vec::IntoIter<Vec<u8>>, std::marker::PhantomData<E>);

impl<'de, E: de::Error> SeqAccess<'de> for Blobs<E> {
    type Error = E;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Self::Error> {
        self.0
            .next()
            .map(|bytes| seed.deserialize(de::value::BytesDeserializer::new(&bytes)))
            .transpose()
    }
}

fn blob<E: de::Error>(text: &str) -> Result<Vec<u8>, E> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(E::custom)
}

/// What the JSON holds, as it is.
struct Plain<V>(V);

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for Plain<V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        deserializer.deserialize_any(self.0)
    }
}

/// A unit variant named by a string.
struct EnumSeed<V> {
    name: &'static str,
    variants: &'static [&'static str],
    visitor: V,
}

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for EnumSeed<V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        deserializer.deserialize_enum(self.name, self.variants, self.visitor)
    }
}

/// The value of an `M`.
struct MapSeed<V>(V);

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for MapSeed<V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        deserializer.deserialize_map(Untagging(self.0))
    }
}

/// The value of an `L` (each element tagged) or of an `NS` (each a number written as a string).
struct ListSeed<V> {
    visitor: V,
    numbers: bool,
}

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for ListSeed<V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, V: Visitor<'de>> Visitor<'de> for ListSeed<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of DynamoDB attribute values or a set of numbers")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        self.visitor.visit_seq(Elements {
            seq,
            numbers: self.numbers,
        })
    }
}

struct Elements<A> {
    seq: A,
    numbers: bool,
}

impl<'de, A: SeqAccess<'de>> SeqAccess<'de> for Elements<A> {
    type Error = A::Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, A::Error> {
        if self.numbers {
            self.seq.next_element_seed(NumberElement(seed))
        } else {
            self.seq.next_element_seed(ValueSeed(seed))
        }
    }

    fn size_hint(&self) -> Option<usize> {
        self.seq.size_hint()
    }
}

/// One element of an `NS`.
struct NumberElement<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for NumberElement<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        let text = String::deserialize(deserializer)?;
        let number: StrDeserializer<'_, D::Error> = text.as_str().into_deserializer();
        self.0.deserialize(NumberOf(number))
    }
}

/// A number, which DynamoDB JSON writes as a string: handed on as the narrowest of `u64`,
/// `i64` and `f64` that holds it.
struct NumberSeed<V>(V);

impl<'de, V: Visitor<'de>> DeserializeSeed<'de> for NumberSeed<V> {
    type Value = V::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<V::Value, D::Error> {
        deserializer.deserialize_str(NumberText(self.0))
    }
}

struct NumberText<V>(V);

impl<'de, V: Visitor<'de>> Visitor<'de> for NumberText<V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number written as a string")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<V::Value, E> {
        if let Ok(n) = text.parse::<u64>() {
            self.0.visit_u64(n)
        } else if let Ok(n) = text.parse::<i64>() {
            self.0.visit_i64(n)
        } else if let Ok(n) = text.parse::<f64>() {
            self.0.visit_f64(n)
        } else {
            Err(E::invalid_value(de::Unexpected::Str(text), &"a number"))
        }
    }
}

/// A number held as text, read as a number.
struct NumberOf<'a, E>(StrDeserializer<'a, E>);

impl<'de, E: de::Error> Deserializer<'de> for NumberOf<'_, E> {
    type Error = E;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        self.0.deserialize_str(NumberText(visitor))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum
        identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::de::DeserializeOwned;
    use serde_json::json;
    use std::collections::{BTreeMap, HashMap};

    /// What `serde_dynamo` reads from the same item, through the store's own attribute maps.
    fn through_maps<T: DeserializeOwned>(item: &serde_json::Value) -> T {
        let attributes = super::super::wire::read_item(&item.to_string()).unwrap();
        serde_dynamo::from_item(attributes).unwrap()
    }

    fn straight<T: DeserializeOwned>(item: &serde_json::Value) -> T {
        serde_json::from_str::<ItemAs<T>>(&item.to_string())
            .unwrap()
            .0
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Device {
        kind: String,
        reference: String,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Colour {
        Red,
        Blue,
    }

    #[derive(Debug, PartialEq, Deserialize)]
    struct Id(u64);

    #[derive(Debug, PartialEq, Deserialize)]
    struct Everything {
        id: u64,
        newtype: Id,
        negative: i64,
        ratio: f64,
        name: String,
        flag: bool,
        #[serde(default)]
        missing: String,
        #[serde(default)]
        absent: Option<String>,
        nothing: Option<String>,
        present: Option<u32>,
        colour: Colour,
        devices: BTreeMap<String, Device>,
        list: Vec<serde_json::Value>,
        tags: Vec<String>,
        numbers: Vec<u64>,
        raw: serde_json::Value,
        #[serde(rename = "PK")]
        pk: String,
    }

    #[test]
    fn every_kind_of_value_reads_as_serde_dynamo_reads_it() {
        let item = json!({
            "PK": {"S": "USER#7"},
            "id": {"N": "7"},
            "newtype": {"N": "12"},
            "negative": {"N": "-3"},
            "ratio": {"N": "2.5"},
            "name": {"S": "Ann \"the\" \\ first"},
            "flag": {"BOOL": true},
            "nothing": {"NULL": true},
            "present": {"N": "4"},
            "colour": {"S": "blue"},
            "devices": {"M": {
                "1": {"M": {"kind": {"S": "email"}, "reference": {"S": "ann@example.com"}}},
                "2": {"M": {"kind": {"S": "android"}, "reference": {"S": "APA91"}}}
            }},
            "list": {"L": [{"S": "a"}, {"N": "1"}, {"BOOL": false}, {"M": {"k": {"S": "v"}}}]},
            "tags": {"SS": ["x", "y"]},
            "numbers": {"NS": ["1", "20"]},
            "raw": {"M": {"n": {"N": "5"}, "s": {"S": "t"}, "l": {"L": [{"NULL": true}]}}},
            "ignored": {"B": "AAEC"}
        });
        let read: Everything = straight(&item);
        assert_eq!(read, through_maps::<Everything>(&item));
        assert_eq!(read.id, 7);
        assert_eq!(read.newtype, Id(12));
        assert_eq!(read.negative, -3);
        assert_eq!(read.nothing, None);
        assert_eq!(read.present, Some(4));
        assert_eq!(read.colour, Colour::Blue);
        assert_eq!(read.devices["2"].reference, "APA91");
        assert_eq!(
            read.list,
            vec![json!("a"), json!(1), json!(false), json!({"k": "v"})]
        );
        assert_eq!(read.raw, json!({"n": 5, "s": "t", "l": [null]}));
        assert_eq!(read.numbers, vec![1, 20]);
    }

    #[test]
    fn bytes_and_maps_of_any_value_read_as_serde_dynamo_reads_them() {
        #[derive(Debug, PartialEq, Deserialize)]
        struct Blobs {
            #[serde(with = "serde_bytes_vec")]
            blob: Vec<u8>,
            rest: HashMap<String, serde_json::Value>,
        }
        mod serde_bytes_vec {
            pub fn deserialize<'de, D: serde::Deserializer<'de>>(
                d: D,
            ) -> Result<Vec<u8>, D::Error> {
                struct Bytes;
                impl serde::de::Visitor<'_> for Bytes {
                    type Value = Vec<u8>;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str("bytes")
                    }
                    fn visit_byte_buf<E>(self, v: Vec<u8>) -> Result<Vec<u8>, E> {
                        Ok(v)
                    }
                    fn visit_bytes<E>(self, v: &[u8]) -> Result<Vec<u8>, E> {
                        Ok(v.to_vec())
                    }
                }
                d.deserialize_byte_buf(Bytes)
            }
        }
        let item = json!({
            "blob": {"B": "AAEC"},
            "rest": {"M": {"a": {"N": "1.5"}, "b": {"SS": ["p"]}, "c": {"NULL": true}}}
        });
        let read: Blobs = straight(&item);
        assert_eq!(read, through_maps::<Blobs>(&item));
        assert_eq!(read.blob, vec![0, 1, 2]);
    }

    #[test]
    fn a_value_without_a_type_or_a_number_that_is_not_one_is_refused() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct One {
            n: u64,
        }
        for item in [
            json!({"n": {}}),
            json!({"n": {"X": "1"}}),
            json!({"n": {"N": "seven"}}),
            json!({"n": {"S": "7"}}),
        ] {
            assert!(
                serde_json::from_str::<ItemAs<One>>(&item.to_string()).is_err(),
                "{item}"
            );
        }
    }
}
