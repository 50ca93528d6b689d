//! Countries and cities (campaign contract): ids must name shipped or loaded reference data,
//! and a city must lie in the given country.

use super::{FieldErrors, ServiceError};
use crate::store::{ReferenceData, Store};

/// The reference data the project ships.
pub const SHIPPED: &str = include_str!("../../data/reference.json");

pub fn shipped() -> Result<ReferenceData, serde_json::Error> {
    serde_json::from_str(SHIPPED)
}

fn missing(id: u64) -> String {
    format!("Invalid pk \"{id}\" - object does not exist.")
}

/// Checks that the ids exist and agree.
pub async fn check(
    store: &Store,
    country_id: Option<u64>,
    city_id: Option<u64>,
) -> Result<(), ServiceError> {
    let (country, city) = store.country_and_city(country_id, city_id).await?;
    let mut errors = FieldErrors::default();
    if let (Some(id), None) = (country_id, &country) {
        errors.add("country", missing(id));
    }
    if let (Some(id), None) = (city_id, &city) {
        errors.add("city", missing(id));
    }
    if let (Some(country), Some(city)) = (&country, &city) {
        if city.country_id != country.id {
            errors.add("city", "This city is not in the given country.");
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ServiceError::Invalid(errors))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_data_is_consistent() {
        let data = super::shipped().unwrap();
        assert!(data.countries.len() >= 10);
        for city in &data.cities {
            assert!(
                data.countries.iter().any(|c| c.id == city.country_id),
                "{city:?}"
            );
        }
        let mut ids: Vec<u64> = data.countries.iter().map(|c| c.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), data.countries.len());
    }
}
