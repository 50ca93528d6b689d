//! The counters other services keep on a user (careers posts, likes and comments; campaign
//! participations and earnings), and a change to them as another service asks for it.

use super::{Invalid, User, UserId};
use std::collections::BTreeMap;

/// A counter another service owns; the user item keeps it under [`Counter::name`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Counter {
    PostsCount,
    LikesReceived,
    CommentsReceived,
    TotalCampaigns,
    TotalEarnings,
}

impl Counter {
    pub const ALL: [Counter; 5] = [
        Counter::PostsCount,
        Counter::LikesReceived,
        Counter::CommentsReceived,
        Counter::TotalCampaigns,
        Counter::TotalEarnings,
    ];

    /// The counter's name, in requests, answers and the user item alike.
    pub fn name(self) -> &'static str {
        match self {
            Counter::PostsCount => "posts_count",
            Counter::LikesReceived => "likes_received",
            Counter::CommentsReceived => "comments_received",
            Counter::TotalCampaigns => "total_campaigns",
            Counter::TotalEarnings => "total_earnings",
        }
    }

    pub fn parse(name: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|counter| counter.name() == name)
            .ok_or_else(|| Invalid::new(format!("\"{name}\" is not a counter.")))
    }

    /// The counter's value on `user`.
    pub fn of(self, user: &User) -> u64 {
        match self {
            Counter::PostsCount => user.posts_count,
            Counter::LikesReceived => user.likes_received,
            Counter::CommentsReceived => user.comments_received,
            Counter::TotalCampaigns => user.total_campaigns,
            Counter::TotalEarnings => user.total_earnings,
        }
    }
}

/// The amount one request may add to or take from one counter, either way.
pub const MAX_COUNTER_DELTA: i64 = 1_000_000_000_000;

/// The id a calling service gives a change so that sending it again changes nothing:
/// 1 to 128 printable ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RequestId(String);

impl RequestId {
    pub const MAX_LEN: usize = 128;

    pub fn parse(text: &str) -> Result<Self, Invalid> {
        if text.is_empty() || text.len() > Self::MAX_LEN {
            return Err(Invalid::new(format!(
                "Give a request id of 1 to {} characters.",
                Self::MAX_LEN
            )));
        }
        if !text.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(Invalid::new(
                "A request id holds printable ASCII characters only, without spaces.",
            ));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Amounts to add to counters of one user (negative to take away); at least one, none zero
/// counted twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterChange {
    pub request_id: RequestId,
    pub user_id: UserId,
    pub deltas: BTreeMap<Counter, i64>,
}

impl CounterChange {
    /// A delta within [`MAX_COUNTER_DELTA`] either way.
    pub fn check_delta(delta: i64) -> Result<i64, Invalid> {
        if delta.unsigned_abs() > MAX_COUNTER_DELTA.unsigned_abs() {
            Err(Invalid::new(format!(
                "A change may be at most {MAX_COUNTER_DELTA} either way."
            )))
        } else {
            Ok(delta)
        }
    }
}

/// Every counter of a user, as a change left them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counters {
    pub posts_count: u64,
    pub likes_received: u64,
    pub comments_received: u64,
    pub total_campaigns: u64,
    pub total_earnings: u64,
}

impl Counters {
    pub fn of(user: &User) -> Self {
        Self {
            posts_count: user.posts_count,
            likes_received: user.likes_received,
            comments_received: user.comments_received,
            total_campaigns: user.total_campaigns,
            total_earnings: user.total_earnings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_counter_parses_from_its_name() {
        for counter in Counter::ALL {
            assert_eq!(Counter::parse(counter.name()), Ok(counter));
        }
        assert!(Counter::parse("followers_count").is_err());
    }

    #[test]
    fn a_request_id_is_short_printable_ascii() {
        assert!(RequestId::parse("order-42:2024-08-01").is_ok());
        assert!(RequestId::parse("").is_err());
        assert!(RequestId::parse("has space").is_err());
        assert!(RequestId::parse(&"x".repeat(129)).is_err());
        assert!(RequestId::parse(&"x".repeat(128)).is_ok());
    }

    #[test]
    fn a_delta_is_bounded_either_way() {
        assert!(CounterChange::check_delta(MAX_COUNTER_DELTA).is_ok());
        assert!(CounterChange::check_delta(-MAX_COUNTER_DELTA).is_ok());
        assert!(CounterChange::check_delta(MAX_COUNTER_DELTA + 1).is_err());
        assert!(CounterChange::check_delta(i64::MIN).is_err());
    }
}
