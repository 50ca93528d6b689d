//! Reference data of the campaign contract: countries and cities by numeric id.

use super::sessions::key;
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

impl Store {
    /// Writes (or overwrites) every country and city of `data`.
    pub async fn load_reference(&self, data: &ReferenceData) -> Result<usize, StoreError> {
        let mut requests = Vec::new();
        for country in &data.countries {
            let mut item: super::sessions::Key = serde_dynamo::to_item(country)?;
            item.extend(key(
                keys::COUNTRY_PK.to_owned(),
                keys::reference_sk(country.id),
            ));
            item.insert(
                keys::ENTITY.to_owned(),
                AttributeValue::S(ENTITY_COUNTRY.to_owned()),
            );
            requests.push(
                WriteRequest::builder()
                    .put_request(PutRequest::builder().set_item(Some(item)).build()?)
                    .build(),
            );
        }
        for city in &data.cities {
            let mut item: super::sessions::Key = serde_dynamo::to_item(city)?;
            item.extend(key(keys::CITY_PK.to_owned(), keys::reference_sk(city.id)));
            item.insert(
                keys::ENTITY.to_owned(),
                AttributeValue::S(ENTITY_CITY.to_owned()),
            );
            requests.push(
                WriteRequest::builder()
                    .put_request(PutRequest::builder().set_item(Some(item)).build()?)
                    .build(),
            );
        }
        let written = requests.len();
        for chunk in requests.chunks(25) {
            let mut pending = chunk.to_vec();
            let mut attempt = 0;
            while !pending.is_empty() {
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(self.table_name(), pending)
                    .send()
                    .await
                    .map_err(|e| StoreError::sdk("BatchWriteItem", e))?;
                pending = output
                    .unprocessed_items
                    .and_then(|mut u| u.remove(self.table_name()))
                    .unwrap_or_default();
                if !pending.is_empty() {
                    if attempt >= 8 {
                        return Err(StoreError::Contended);
                    }
                    super::conflict_backoff(attempt).await;
                    attempt += 1;
                }
            }
        }
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
            let is_country =
                matches!(item.get(keys::PK), Some(AttributeValue::S(pk)) if pk == keys::COUNTRY_PK);
            if is_country {
                country = Some(serde_dynamo::from_item(item)?);
            } else {
                city = Some(serde_dynamo::from_item(item)?);
            }
        }
        Ok((country, city))
    }
}
