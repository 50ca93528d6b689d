//! Reference data of the campaign contract: countries and cities by numeric id.

use super::plumbing::{has, key, to_item, Item};
use super::{keys, Store, StoreError};
use crate::domain::CodeKind;
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

pub const ENTITY_COUNTRY: &str = "REF_COUNTRY";
pub const ENTITY_CITY: &str = "REF_CITY";
pub const ENTITY_CODE: &str = "REF_CODE";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Country {
    pub id: u64,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct City {
    pub id: u64,
    pub name: String,
    pub country_id: u64,
}

/// A category, network or language: its code (what requests carry) and its name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedCode {
    pub code: String,
    pub name: String,
}

/// A set of reference data, as the shipped `shared/data/reference.json` holds it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReferenceData {
    #[serde(default)]
    pub countries: Vec<Country>,
    #[serde(default)]
    pub cities: Vec<City>,
    #[serde(default)]
    pub categories: Vec<NamedCode>,
    #[serde(default)]
    pub networks: Vec<NamedCode>,
    #[serde(default)]
    pub languages: Vec<NamedCode>,
}

impl ReferenceData {
    /// How many entries it holds in all.
    pub fn len(&self) -> usize {
        self.countries.len()
            + self.cities.len()
            + self.categories.len()
            + self.networks.len()
            + self.languages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A reference item: the value's attributes under its key, with its entity type.
fn reference_item<T: Serialize>(
    value: &T,
    key: Item,
    entity: &str,
) -> Result<WriteRequest, StoreError> {
    let mut item = to_item(value)?;
    item.extend(key);
    item.insert(
        keys::ENTITY.to_owned(),
        AttributeValue::S(entity.to_owned()),
    );
    Ok(WriteRequest::builder()
        .put_request(PutRequest::builder().set_item(Some(item)).build()?)
        .build())
}

impl Store {
    /// Writes (or overwrites) every country and city of `data`.
    pub async fn load_reference(&self, data: &ReferenceData) -> Result<usize, StoreError> {
        let mut requests = Vec::new();
        for country in &data.countries {
            let key = key(keys::COUNTRY_PK.to_owned(), keys::reference_sk(country.id));
            requests.push(reference_item(country, key, ENTITY_COUNTRY)?);
        }
        for city in &data.cities {
            let key = key(keys::CITY_PK.to_owned(), keys::reference_sk(city.id));
            requests.push(reference_item(city, key, ENTITY_CITY)?);
        }
        for (kind, codes) in [
            (CodeKind::Category, &data.categories),
            (CodeKind::Network, &data.networks),
            (CodeKind::Language, &data.languages),
        ] {
            for code in codes {
                let key = key(keys::reference_codes_pk(kind).to_owned(), code.code.clone());
                requests.push(reference_item(code, key, ENTITY_CODE)?);
            }
        }
        let written = requests.len();
        self.batch_write(requests).await?;
        Ok(written)
    }

    /// Which of `codes` are known codes of `kind` (one BatchGetItem).
    pub async fn known_codes(
        &self,
        kind: CodeKind,
        codes: &[String],
    ) -> Result<HashSet<String>, StoreError> {
        if codes.is_empty() {
            return Ok(HashSet::new());
        }
        let unique: HashSet<&String> = codes.iter().collect();
        let wanted = unique
            .into_iter()
            .map(|code| key(keys::reference_codes_pk(kind).to_owned(), code.clone()))
            .collect();
        let mut known = HashSet::new();
        for item in self.batch_get(wanted).await? {
            if let Some(AttributeValue::S(code)) = item.get(keys::SK) {
                known.insert(code.clone());
            }
        }
        Ok(known)
    }

    /// The country and the city with these ids, when they exist (one BatchGetItem).
    pub async fn country_and_city(
        &self,
        country_id: Option<u64>,
        city_id: Option<u64>,
    ) -> Result<(Option<Country>, Option<City>), StoreError> {
        let mut wanted = Vec::new();
        if let Some(id) = country_id {
            wanted.push(key(keys::COUNTRY_PK.to_owned(), keys::reference_sk(id)));
        }
        if let Some(id) = city_id {
            wanted.push(key(keys::CITY_PK.to_owned(), keys::reference_sk(id)));
        }
        if wanted.is_empty() {
            return Ok((None, None));
        }
        let mut country = None;
        let mut city = None;
        for item in self.batch_get(wanted).await? {
            if has(&item, keys::PK, keys::COUNTRY_PK) {
                country = Some(serde_dynamo::from_item(item)?);
            } else {
                city = Some(serde_dynamo::from_item(item)?);
            }
        }
        Ok((country, city))
    }
}
