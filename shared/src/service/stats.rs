//! User statistics: the distributions of every user by sex, by age band and by preference
//! category, counted by the stats job in one parallel Scan and kept as one snapshot item that
//! the staff routes read with one GetItem.
//!
//! - **Sex** (from `gender`): `male` (M), `female` (F), `other` (O); `unknown` for users who
//!   gave none. Percentages of all users.
//! - **Age** (from `birthday`, in whole years on the snapshot's UTC date): `under-18`,
//!   `18-24`, `25-34`, `35-44`, `45+`; `unknown` for users who gave no birthday (never
//!   guessed). Percentages of all users.
//! - **Preferences** (from `categories`, trimmed and lower-cased, each counted once per user):
//!   percentages of all selections, where a user who chose no category counts as one
//!   selection of `unknown`. Categories are shown as found, most chosen first, `unknown` last.
//!
//! Percentages are whole numbers rounded by the largest-remainder method, so each answer sums
//! to exactly 100 (all 0 when there are no users). Counts are kept beside them.

use super::ServiceError;
use crate::clock::Timestamp;
use crate::domain::{Breakdown, Distribution, Gender, Share, StatsSnapshot, UserTraits};
use crate::store::{OnProgress, Store};
use std::collections::BTreeMap;
use time::Date;

/// The key of users (or selections) with nothing to count.
pub const UNKNOWN: &str = "unknown";
/// The sex answer's keys, in the order shown.
pub const SEX_KEYS: [&str; 4] = ["male", "female", "other", UNKNOWN];
/// The age answer's keys, in the order shown.
pub const AGE_KEYS: [&str; 6] = ["under-18", "18-24", "25-34", "35-44", "45+", UNKNOWN];
/// Scan segments the job reads in parallel unless told otherwise.
pub const DEFAULT_SEGMENTS: u32 = 4;
/// The most segments a run may use (DynamoDB allows up to 1,000,000; more only adds calls).
pub const MAX_SEGMENTS: u32 = 64;

/// Where a user's gender puts them.
fn sex_index(gender: Option<&Gender>) -> usize {
    match gender.map(|g| g.as_str()) {
        Some("M") => 0,
        Some("F") => 1,
        Some(_) => 2,
        None => 3,
    }
}

/// Whole years from `born` to `on` (a birthday on 29 February falls on 1 March in other years).
pub fn age_on(born: Date, on: Date) -> i32 {
    let had_birthday = (on.month() as u8, on.day()) >= (born.month() as u8, born.day());
    on.year() - born.year() - i32::from(!had_birthday)
}

/// The `YYYY-MM-DD` of a stored birthday as a date.
fn date_of(birthday: &str) -> Option<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(birthday, format).ok()
}

/// Where a user's birthday puts them on `on`.
fn age_index(birthday: Option<&str>, on: Date) -> usize {
    let Some(born) = birthday.and_then(date_of) else {
        return 5;
    };
    match age_on(born, on) {
        ..=17 => 0,
        18..=24 => 1,
        25..=34 => 2,
        35..=44 => 3,
        _ => 4,
    }
}

/// The counts of a run so far; each scan segment keeps its own and they are merged.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    users: u64,
    sex: [u64; 4],
    age: [u64; 6],
    categories: BTreeMap<String, u64>,
    without_categories: u64,
}

impl Tally {
    /// Counts one user, their age taken on `on`.
    pub fn count(&mut self, user: &UserTraits, on: Date) {
        self.users += 1;
        self.sex[sex_index(user.gender.as_ref())] += 1;
        self.age[age_index(user.birthday.as_deref(), on)] += 1;
        let mut chosen: Vec<String> = user
            .categories
            .iter()
            .map(|c| c.trim().to_lowercase())
            .filter(|c| !c.is_empty())
            .collect();
        chosen.sort();
        chosen.dedup();
        if chosen.is_empty() {
            self.without_categories += 1;
        }
        for category in chosen {
            *self.categories.entry(category).or_default() += 1;
        }
    }

    /// Adds another segment's counts to these.
    pub fn merge(&mut self, other: Tally) {
        self.users += other.users;
        for (mine, theirs) in self.sex.iter_mut().zip(other.sex) {
            *mine += theirs;
        }
        for (mine, theirs) in self.age.iter_mut().zip(other.age) {
            *mine += theirs;
        }
        for (category, count) in other.categories {
            *self.categories.entry(category).or_default() += count;
        }
        self.without_categories += other.without_categories;
    }

    /// The snapshot of these counts, taken at `taken_at`.
    pub fn snapshot(self, taken_at: Option<Timestamp>) -> StatsSnapshot {
        let fixed = |keys: &[&str], counts: &[u64]| {
            distribution(
                keys.iter()
                    .map(|k| (*k).to_owned())
                    .zip(counts.iter().copied()),
            )
        };
        let mut categories = self.categories;
        // A category literally named `unknown` is shown as the one `unknown` key.
        let unknown = self.without_categories + categories.remove(UNKNOWN).unwrap_or(0);
        let mut categories: Vec<(String, u64)> = categories.into_iter().collect();
        // Most chosen first; ties in name order, so every run orders them alike.
        categories.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        categories.push((UNKNOWN.to_owned(), unknown));
        StatsSnapshot {
            taken_at,
            users: self.users,
            sex: fixed(&SEX_KEYS, &self.sex),
            age: fixed(&AGE_KEYS, &self.age),
            preferences: distribution(categories),
        }
    }
}

/// Whole percentages of `counts` that sum to exactly 100 (all 0 when every count is 0), by
/// the largest-remainder method: each share gets the whole part of its exact percentage, and
/// the points still missing go one each to the largest remainders; ties go to the larger
/// count, then to the earlier share, so the result depends on the counts alone.
pub fn whole_percentages(counts: &[u64]) -> Vec<u64> {
    let total: u128 = counts.iter().map(|c| u128::from(*c)).sum();
    if total == 0 {
        return vec![0; counts.len()];
    }
    let exact: Vec<(u128, u128)> = counts
        .iter()
        .map(|c| {
            let scaled = u128::from(*c) * 100;
            (scaled / total, scaled % total)
        })
        .collect();
    let mut percentages: Vec<u64> = exact.iter().map(|(whole, _)| *whole as u64).collect();
    let missing = 100 - percentages.iter().sum::<u64>();
    let mut order: Vec<usize> = (0..counts.len()).collect();
    order.sort_by(|&a, &b| {
        exact[b]
            .1
            .cmp(&exact[a].1)
            .then_with(|| counts[b].cmp(&counts[a]))
            .then_with(|| a.cmp(&b))
    });
    for &index in order.iter().take(missing as usize) {
        percentages[index] += 1;
    }
    percentages
}

/// A distribution of these counts, in this order.
fn distribution(counts: impl IntoIterator<Item = (String, u64)>) -> Distribution {
    let (keys, counts): (Vec<String>, Vec<u64>) = counts.into_iter().unzip();
    let percentages = whole_percentages(&counts);
    Distribution {
        shares: keys
            .into_iter()
            .zip(counts)
            .zip(percentages)
            .map(|((key, count), percent)| Share {
                key,
                count,
                percent,
            })
            .collect(),
    }
}

/// What the staff routes answer before the job has ever run: the snapshot of no users (every
/// percentage 0) and no time.
pub fn empty_snapshot() -> StatsSnapshot {
    Tally::default().snapshot(None)
}

/// The UTC date of a moment.
fn date_at(moment: Timestamp) -> Date {
    time::OffsetDateTime::from_unix_timestamp(moment.unix())
        .map(|t| t.date())
        .unwrap_or(Date::MIN)
}

/// How one run of the job ended.
#[derive(Debug, Clone)]
pub struct JobReport {
    pub snapshot: StatsSnapshot,
    /// False when a run that started later had already stored its snapshot: that one stands.
    pub stored: bool,
}

/// Runs the stats job: reads every user in `segments` parallel Scan segments (reporting each
/// page to `progress`), counts them and stores the snapshot unless a later one is stored
/// already. Running it twice at once leaves one snapshot of the same counts.
pub async fn run_job(
    store: &Store,
    segments: u32,
    progress: OnProgress,
) -> Result<JobReport, ServiceError> {
    let segments = segments.clamp(1, MAX_SEGMENTS);
    let taken_at = Timestamp::now();
    let on = date_at(taken_at);
    let tallies = store
        .scan_user_traits(
            segments,
            move |tally: &mut Tally, user| tally.count(&user, on),
            progress,
        )
        .await?;
    let mut total = Tally::default();
    for tally in tallies {
        total.merge(tally);
    }
    let snapshot = total.snapshot(Some(taken_at));
    let stored = store.put_stats_snapshot(taken_at, &snapshot).await?;
    tracing::info!(
        users = snapshot.users,
        stored,
        taken_at = %taken_at.to_rfc3339(),
        "user statistics counted"
    );
    Ok(JobReport { snapshot, stored })
}

/// The latest snapshot (one GetItem), or [`empty_snapshot`] before the first run.
pub async fn latest(store: &Store) -> Result<StatsSnapshot, ServiceError> {
    Ok(store.stats_snapshot().await?.unwrap_or_else(empty_snapshot))
}

/// One distribution of the latest snapshot, with the snapshot's time.
pub async fn breakdown(
    store: &Store,
    breakdown: Breakdown,
) -> Result<(Distribution, Option<Timestamp>), ServiceError> {
    let snapshot = latest(store).await?;
    Ok((snapshot.distribution(breakdown).clone(), snapshot.taken_at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Birthday;
    use time::macros::date;

    fn user(gender: Option<&str>, birthday: Option<&str>, categories: &[&str]) -> UserTraits {
        UserTraits {
            gender: gender.map(|g| Gender::parse(g).unwrap()),
            birthday: birthday.map(|b| Birthday::parse(b).unwrap()),
            categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    fn answer(distribution: &Distribution) -> Vec<(&str, u64)> {
        distribution
            .shares
            .iter()
            .map(|s| (s.key.as_str(), s.percent))
            .collect()
    }

    fn counts(distribution: &Distribution) -> Vec<(&str, u64)> {
        distribution
            .shares
            .iter()
            .map(|s| (s.key.as_str(), s.count))
            .collect()
    }

    const ON: Date = date!(2024 - 06 - 15);

    #[test]
    fn whole_percentages_always_sum_to_100() {
        // A small deterministic generator: many shapes of counts, none special-cased.
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..5_000 {
            let len = (next() % 12 + 1) as usize;
            let counts: Vec<u64> = (0..len)
                .map(|_| match next() % 4 {
                    0 => 0,
                    1 => next() % 3,
                    2 => next() % 1_000,
                    _ => next() % 10_000_000,
                })
                .collect();
            let percentages = whole_percentages(&counts);
            let sum: u64 = percentages.iter().sum();
            if counts.iter().all(|c| *c == 0) {
                assert_eq!(sum, 0, "{counts:?}");
            } else {
                assert_eq!(sum, 100, "{counts:?} -> {percentages:?}");
            }
            let total: u64 = counts.iter().sum();
            for (count, percent) in counts.iter().zip(&percentages) {
                // Never more than one point away from the exact share.
                let exact = *count as f64 * 100.0 / total.max(1) as f64;
                assert!((*percent as f64 - exact).abs() < 1.0, "{counts:?}");
            }
        }
    }

    #[test]
    fn the_missing_points_go_to_the_largest_remainders() {
        // 1/3 each: 33.33 for all, the one point left to the first.
        assert_eq!(whole_percentages(&[1, 1, 1]), [34, 33, 33]);
        // 66.67 / 16.67 / 16.67 -> 67 / 17 / 16 (equal remainders: the earlier share).
        assert_eq!(whole_percentages(&[4, 1, 1]), [67, 17, 16]);
        assert_eq!(whole_percentages(&[0, 0, 0]), [0, 0, 0]);
        assert_eq!(whole_percentages(&[3, 2]), [60, 40]);
    }

    #[test]
    fn sex_comes_from_gender_and_users_without_one_are_unknown() {
        let mut tally = Tally::default();
        for g in [Some("M"), Some("M"), Some("F"), Some("O"), None] {
            tally.count(&user(g, None, &[]), ON);
        }
        let snapshot = tally.snapshot(None);
        assert_eq!(
            counts(&snapshot.sex),
            [("male", 2), ("female", 1), ("other", 1), ("unknown", 1)]
        );
        assert_eq!(
            answer(&snapshot.sex),
            [("male", 40), ("female", 20), ("other", 20), ("unknown", 20)]
        );
    }

    #[test]
    fn age_bands_are_whole_years_on_the_snapshot_date() {
        let mut tally = Tally::default();
        for birthday in [
            Some("2006-06-16"), // 17: a day short of 18
            Some("2006-06-15"), // 18 that day
            Some("1999-06-16"), // 24
            Some("1999-06-15"), // 25
            Some("1980-01-01"), // 44
            Some("1979-06-15"), // 45
            None,
        ] {
            tally.count(&user(None, birthday, &[]), ON);
        }
        let snapshot = tally.snapshot(None);
        assert_eq!(
            counts(&snapshot.age),
            [
                ("under-18", 1),
                ("18-24", 2),
                ("25-34", 1),
                ("35-44", 1),
                ("45+", 1),
                ("unknown", 1)
            ]
        );
    }

    #[test]
    fn a_leap_day_birthday_is_reached_on_the_first_of_march() {
        let born = date!(2004 - 02 - 29);
        assert_eq!(age_on(born, date!(2022 - 02 - 28)), 17);
        assert_eq!(age_on(born, date!(2022 - 03 - 01)), 18);
    }

    #[test]
    fn preferences_are_shares_of_all_selections_and_a_user_without_any_is_one_unknown() {
        let mut tally = Tally::default();
        tally.count(&user(None, None, &["fashion", "beauty"]), ON);
        tally.count(&user(None, None, &["Fashion ", "fashion"]), ON);
        tally.count(&user(None, None, &[]), ON);
        let snapshot = tally.snapshot(None);
        assert_eq!(
            counts(&snapshot.preferences),
            [("fashion", 2), ("beauty", 1), ("unknown", 1)]
        );
        assert_eq!(
            answer(&snapshot.preferences),
            [("fashion", 50), ("beauty", 25), ("unknown", 25)]
        );
    }

    #[test]
    fn merged_segments_count_as_one_tally() {
        let people = [
            user(Some("M"), Some("1990-01-01"), &["food"]),
            user(Some("F"), None, &["travel", "food"]),
            user(None, Some("2010-05-05"), &[]),
        ];
        let mut whole = Tally::default();
        let (mut left, mut right) = (Tally::default(), Tally::default());
        for (i, person) in people.iter().enumerate() {
            whole.count(person, ON);
            if i % 2 == 0 { &mut left } else { &mut right }.count(person, ON);
        }
        left.merge(right);
        assert_eq!(left, whole);
    }

    #[test]
    fn with_no_users_every_answer_is_zero_and_keeps_its_keys() {
        let snapshot = empty_snapshot();
        assert_eq!(snapshot.users, 0);
        assert!(snapshot.sex.shares.iter().all(|s| s.percent == 0));
        assert_eq!(snapshot.sex.shares.len(), 4);
        assert_eq!(snapshot.age.shares.len(), 6);
        assert_eq!(answer(&snapshot.preferences), [("unknown", 0)]);
    }
}
