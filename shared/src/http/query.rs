//! Query strings: decoded once, read by name. A repeated key (`user_ids=a&user_ids=b`) is a
//! list; `name[]` is the same key as `name` (the form some SDKs send lists in).

use super::Request;

/// The decoded query string of a request, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query(Vec<(String, String)>);

impl Query {
    pub fn of(request: &Request) -> Self {
        request.uri().query().map(Self::parse).unwrap_or_default()
    }

    /// Decodes `a=1&b=2` (without the leading `?`).
    pub fn parse(text: &str) -> Self {
        let pairs = form_urlencoded::parse(text.as_bytes())
            .map(|(k, v)| {
                let key = k.strip_suffix("[]").unwrap_or(&k).to_owned();
                (key, v.into_owned())
            })
            .collect();
        Self(pairs)
    }

    /// The first value of `name`, if the query has it.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, trimmed; `None` when absent or blank.
    pub fn non_blank(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    /// The first value of `name` as a number: `Ok(None)` when absent or blank, `Err` when it
    /// is not a number of type `T`.
    pub fn number<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, NotANumber> {
        self.non_blank(name)
            .map(|text| text.parse().map_err(|_| NotANumber))
            .transpose()
    }

    /// Every value of `name`, in order.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A query parameter that should be a number and is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotANumber;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_decoded_and_read_by_name() {
        let query = Query::parse("search=J%C3%BCrgen+K&page=2&blank=%20");
        assert_eq!(query.get("search"), Some("Jürgen K"));
        assert_eq!(query.get("page"), Some("2"));
        assert_eq!(query.non_blank("blank"), None);
        assert_eq!(query.get("missing"), None);
    }

    #[test]
    fn numbers_are_absent_when_blank_and_refused_when_not_numbers() {
        let query = Query::parse("page=2&limit=&size=x&neg=-1");
        assert_eq!(query.number::<usize>("page"), Ok(Some(2)));
        assert_eq!(query.number::<usize>("limit"), Ok(None));
        assert_eq!(query.number::<usize>("missing"), Ok(None));
        assert_eq!(query.number::<usize>("size"), Err(NotANumber));
        assert_eq!(query.number::<usize>("neg"), Err(NotANumber));
    }

    #[test]
    fn repeated_and_bracketed_keys_are_one_list() {
        let query = Query::parse("user_ids=a&user_ids%5B%5D=b&user_ids[]=c");
        assert_eq!(query.all("user_ids").collect::<Vec<_>>(), ["a", "b", "c"]);
    }
}
