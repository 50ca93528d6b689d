//! Reference data of the campaign contract: countries and cities by numeric id.

use super::plumbing::{has, key, to_item, Item};
use super::{keys, Store, StoreError};
use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use serde::{Deserialize, Serialize};

pub const ENTITY_COUNTRY: &str = "REF_COUNTRY";
pub const ENTITY_CITY: &str = "REF_CITY";

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

/// A set of reference data, as the shipped `shared/data/reference.json` holds it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ReferenceData {
    pub countries: Vec<Country>,
    pub cities: Vec<City>,
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
        let written = requests.len();
        self.batch_write(requests).await?;
        Ok(written)
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
