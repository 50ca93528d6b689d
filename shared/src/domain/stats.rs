//! The user statistics the campaign backend shows: what the stats job reads of each user, and
//! the snapshot it leaves (counts and whole percentages per answer).

use super::{Birthday, Gender};
use crate::clock::Timestamp;

/// What the statistics read of one user: nothing else of the user item is fetched.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserTraits {
    pub gender: Option<Gender>,
    pub birthday: Option<Birthday>,
    /// Campaign preference categories, as the user chose them.
    pub categories: Vec<String>,
}

/// One answer of a distribution: its key (`male`, `25-34`, `fashion`, `unknown`), how many
/// users (or selections) it counts and its whole percentage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    pub key: String,
    pub count: u64,
    pub percent: u64,
}

/// One distribution, its shares in the order they are shown; the percentages sum to exactly
/// 100 unless every count is zero (then every percentage is 0).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Distribution {
    pub shares: Vec<Share>,
}

impl Distribution {
    /// The sum of the counts: users for sex and age, selections for preferences.
    pub fn total(&self) -> u64 {
        self.shares.iter().map(|s| s.count).sum()
    }

    pub fn count_of(&self, key: &str) -> Option<u64> {
        self.shares.iter().find(|s| s.key == key).map(|s| s.count)
    }
}

/// The three distributions of every user at one moment, as the stats job left them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatsSnapshot {
    /// When the job that took it started reading: it reflects every user written before.
    /// `None` for the empty snapshot answered before any job has run.
    pub taken_at: Option<Timestamp>,
    /// Users counted.
    pub users: u64,
    pub sex: Distribution,
    pub age: Distribution,
    pub preferences: Distribution,
}

/// Which distribution a route asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    Sex,
    Age,
    Preferences,
}

impl StatsSnapshot {
    pub fn distribution(&self, breakdown: Breakdown) -> &Distribution {
        match breakdown {
            Breakdown::Sex => &self.sex,
            Breakdown::Age => &self.age,
            Breakdown::Preferences => &self.preferences,
        }
    }
}
