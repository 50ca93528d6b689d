//! Profile values of the accounts contract: phone, gender, country.

use super::text::text_type;
use super::Invalid;

text_type!(Phone, Gender, CountryCode);

/// A phone number in E.164: `+`, then 8 to 15 digits, the first not 0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let text = text.trim();
        let digits = text.strip_prefix('+').unwrap_or_default();
        let valid = (8..=15).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.starts_with('0');
        if valid {
            Ok(Self(text.to_owned()))
        } else {
            Err(Invalid::new(
                "Enter a valid phone number in international format, e.g. +1234567890.",
            ))
        }
    }
}

/// `M`, `F` or `O`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gender(String);

impl Gender {
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        match text.trim() {
            "M" | "F" | "O" => Ok(Self(text.trim().to_owned())),
            other => Err(Invalid::new(format!("\"{other}\" is not a valid choice."))),
        }
    }
}

/// Every ISO 3166-1 alpha-2 code.
const ISO_3166_ALPHA_2: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ \
BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ \
FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM \
JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT \
MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB \
SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ \
VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// An ISO 3166-1 alpha-2 country code, upper case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountryCode(String);

impl CountryCode {
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let code = text.trim().to_ascii_uppercase();
        if code.len() == 2 && ISO_3166_ALPHA_2.split(' ').any(|c| c == code) {
            Ok(Self(code))
        } else {
            Err(Invalid::new(format!(
                "\"{}\" is not a valid choice.",
                text.trim()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_country_list_has_all_249_codes_once() {
        let mut codes: Vec<&str> = ISO_3166_ALPHA_2.split(' ').collect();
        assert_eq!(codes.len(), 249);
        codes.dedup();
        assert_eq!(codes.len(), 249);
        assert!(codes.windows(2).all(|w| w[0] < w[1]), "sorted");
    }

    #[test]
    fn countries_are_iso_codes_in_any_case() {
        assert_eq!(CountryCode::parse("us").unwrap().into_string(), "US");
        assert!(CountryCode::parse("XX").is_err());
        assert!(CountryCode::parse("USA").is_err());
    }

    #[test]
    fn phones_are_e164() {
        assert!(Phone::parse("+1234567890").is_ok());
        for bad in [
            "1234567890",
            "+0123456789",
            "+12",
            "+1234567890123456",
            "+12 345 678",
        ] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn gender_is_one_of_three_choices() {
        assert!(Gender::parse("F").is_ok());
        assert!(Gender::parse("female").is_err());
    }
}
