//! `userctl import <file.csv>`: creates users in bulk, as sign-up does (each user with its
//! username and e-mail guards and its e-mail device in one transaction), with passwords kept
//! as the argon2 hashes they were migrated with.
//!
//! The file has a header row naming its columns, in any order; `username` and `email` are
//! required, the others may be left out or empty:
//!
//! | column          | value                                                               |
//! |-----------------|---------------------------------------------------------------------|
//! | `username`      | as at sign-up                                                       |
//! | `email`         | as at sign-up                                                       |
//! | `first_name`    | as at sign-up                                                       |
//! | `last_name`     | as at sign-up                                                       |
//! | `gender`        | `M`, `F` or `O`                                                     |
//! | `birthday`      | `YYYY-MM-DD`                                                        |
//! | `categories`    | category codes separated by `;` (`fashion;beauty`)                  |
//! | `password_hash` | an argon2 PHC string (or Django's `argon2$argon2id$...`); empty: the account cannot sign in until its password is set anew |
//!
//! Cells are CSV: one with a comma (every PHC hash has them) is quoted, as any CSV writer does.
//! An invalid row is reported by its line and skipped; a row whose username or e-mail belongs
//! to a user already is counted as already present, so running the same file again creates
//! nothing twice. Users are created `CONCURRENCY` at a time, their ids taken in blocks.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashMap;
use std::io::Read;
use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use users_shared::auth::password;
use users_shared::domain::{
    Birthday, Category, Email, Gender, Invalid, PersonName, UserId, Username,
};
use users_shared::service::accounts::{self, Imported, ImportedAccount};
use users_shared::service::ServiceError;
use users_shared::store::{Store, StoreError};

/// The columns a file may have.
pub const COLUMNS: [&str; 8] = [
    "username",
    "email",
    "first_name",
    "last_name",
    "gender",
    "birthday",
    "categories",
    "password_hash",
];

/// How many users are being created at once.
pub const CONCURRENCY: usize = 32;

/// How many ids are taken from a counter in one call.
const ID_BLOCK: u64 = 1_000;

/// Why a whole file could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("the file cannot be read as CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("the header row {0}")]
    Header(String),
    #[error(transparent)]
    Service(#[from] ServiceError),
}

/// A row that was not imported: its line in the file, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub line: u64,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Summary {
    pub created: u64,
    /// Created without a password hash: they cannot sign in until their password is set.
    pub created_without_password: u64,
    pub already_present: u64,
    /// Rows that are not valid, in line order.
    pub invalid: Vec<Skipped>,
    /// Valid rows whose creation failed (a storage error); running the file again retries them.
    pub failed: Vec<Skipped>,
    pub elapsed: Duration,
}

/// The valid rows of a file (with their lines) and the invalid ones.
#[derive(Debug, Default)]
pub struct Rows {
    pub valid: Vec<(u64, ImportedAccount)>,
    pub invalid: Vec<Skipped>,
}

/// Reads and checks every row. A username or e-mail that an earlier row of the file has
/// makes the row invalid.
pub fn read_rows(reader: impl Read) -> Result<Rows, ImportError> {
    let mut csv = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let columns = Columns::of(csv.headers()?)?;
    let mut rows = Rows::default();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for record in csv.records() {
        let record = match record {
            Ok(record) => record,
            Err(error) => {
                let line = error.position().map_or(0, csv::Position::line);
                rows.invalid.push(Skipped {
                    line,
                    reason: error.to_string(),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, csv::Position::line);
        let checked = columns.account(&record).and_then(|account| {
            for (what, key) in [
                ("username", format!("u:{}", account.username.canonical())),
                ("email", format!("e:{}", account.email.canonical())),
            ] {
                if let Some(first) = seen.get(&key) {
                    return Err(format!("{what}: the same as on line {first}"));
                }
                seen.insert(key, line);
            }
            Ok(account)
        });
        match checked {
            Ok(account) => rows.valid.push((line, account)),
            Err(reason) => rows.invalid.push(Skipped { line, reason }),
        }
    }
    Ok(rows)
}

/// Where each known column is in the file's rows.
struct Columns(HashMap<&'static str, usize>);

impl Columns {
    fn of(header: &csv::StringRecord) -> Result<Self, ImportError> {
        let mut found = HashMap::new();
        for (index, name) in header.iter().enumerate() {
            let Some(column) = COLUMNS.iter().find(|c| c.eq_ignore_ascii_case(name)) else {
                return Err(ImportError::Header(format!(
                    "has an unknown column \"{name}\" (known: {})",
                    COLUMNS.join(", ")
                )));
            };
            if found.insert(*column, index).is_some() {
                return Err(ImportError::Header(format!("has \"{name}\" twice")));
            }
        }
        for required in ["username", "email"] {
            if !found.contains_key(required) {
                return Err(ImportError::Header(format!(
                    "lacks the column \"{required}\""
                )));
            }
        }
        Ok(Self(found))
    }

    /// The value of `column` in `record`; `""` if the file has no such column.
    fn value<'r>(&self, record: &'r csv::StringRecord, column: &str) -> &'r str {
        self.0
            .get(column)
            .and_then(|index| record.get(*index))
            .unwrap_or_default()
    }

    /// The account a row describes, or the first reason it does not describe one.
    fn account(&self, record: &csv::StringRecord) -> Result<ImportedAccount, String> {
        let value = |column| self.value(record, column);
        let required = |column: &str| match self.value(record, column) {
            "" => Err(format!("{column}: required")),
            text => Ok(text),
        };
        Ok(ImportedAccount {
            username: check("username", Username::parse(required("username")?))?,
            email: check("email", Email::parse(required("email")?))?,
            first_name: check("first_name", PersonName::parse(value("first_name")))?,
            last_name: check("last_name", PersonName::parse(value("last_name")))?,
            gender: optional("gender", value("gender"), Gender::parse)?,
            birthday: optional("birthday", value("birthday"), Birthday::parse)?,
            categories: value("categories")
                .split(';')
                .map(str::trim)
                .filter(|code| !code.is_empty())
                .map(|code| check("categories", Category::parse(code)))
                .collect::<Result<_, _>>()?,
            password_hash: optional(
                "password_hash",
                value("password_hash"),
                password::imported_hash,
            )?,
        })
    }
}

/// A parsed value, or why `column` is not valid.
fn check<T>(column: &str, parsed: Result<T, Invalid>) -> Result<T, String> {
    parsed.map_err(|invalid| format!("{column}: {invalid}"))
}

/// `None` for an empty cell, else the parsed value.
fn optional<T>(
    column: &str,
    text: &str,
    parse: impl FnOnce(&str) -> Result<T, Invalid>,
) -> Result<Option<T>, String> {
    if text.is_empty() {
        Ok(None)
    } else {
        check(column, parse(text)).map(Some)
    }
}

/// Ids taken from a counter a block at a time, handed out one by one.
struct IdBlocks {
    store: Store,
    block: u64,
    users: Mutex<Range<u64>>,
    devices: Mutex<Range<u64>>,
}

impl IdBlocks {
    /// A user id and an e-mail device id.
    async fn next(&self) -> Result<(UserId, u64), StoreError> {
        let user = {
            let mut users = self.users.lock().await;
            if users.is_empty() {
                *users = self.store.reserve_user_ids(self.block).await?;
            }
            users.next()
        };
        let device = {
            let mut devices = self.devices.lock().await;
            if devices.is_empty() {
                *devices = self.store.reserve_device_ids(self.block).await?;
            }
            devices.next()
        };
        match (user, device) {
            (Some(user), Some(device)) => Ok((UserId::new(user), device)),
            _ => Err(StoreError::MissingAttribute("value")),
        }
    }
}

/// How one row ended.
enum Outcome {
    Created { with_password: bool },
    AlreadyPresent,
    Failed(String),
}

async fn import_one(store: &Store, ids: &IdBlocks, account: &ImportedAccount) -> Outcome {
    let created = async {
        if accounts::already_present(store, account).await? {
            return Ok(Imported::AlreadyPresent);
        }
        let (id, device_id) = ids.next().await?;
        accounts::import(store, account, id, device_id).await
    };
    match created.await {
        Ok(Imported::Created(_)) => Outcome::Created {
            with_password: account.password_hash.is_some(),
        },
        Ok(Imported::AlreadyPresent) => Outcome::AlreadyPresent,
        Err(error) => Outcome::Failed(error_chain(&error)),
    }
}

/// An error and its causes, on one line, for the operator.
fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The progress bar of `total` rows, on standard error (drawn only on a terminal).
pub fn progress_bar(total: u64) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{elapsed_precise} [{wide_bar}] {pos}/{len} rows ({per_sec}, {eta} left) {msg}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Imports every valid row of `rows`, `CONCURRENCY` at a time, advancing `bar` per row.
pub async fn import(store: &Store, rows: Rows, bar: &ProgressBar) -> Result<Summary, ImportError> {
    let started = Instant::now();
    let mut summary = Summary {
        invalid: rows.invalid,
        ..Summary::default()
    };
    bar.inc(summary.invalid.len() as u64);
    let ids = Arc::new(IdBlocks {
        store: store.clone(),
        block: (rows.valid.len() as u64).clamp(1, ID_BLOCK),
        users: Mutex::new(0..0),
        devices: Mutex::new(0..0),
    });
    let mut running = tokio::task::JoinSet::new();
    let record = |summary: &mut Summary, (line, outcome): (u64, Outcome)| {
        match outcome {
            Outcome::Created { with_password } => {
                summary.created += 1;
                summary.created_without_password += u64::from(!with_password);
            }
            Outcome::AlreadyPresent => summary.already_present += 1,
            Outcome::Failed(reason) => summary.failed.push(Skipped { line, reason }),
        }
        bar.inc(1);
    };
    for (line, account) in rows.valid {
        while running.len() >= CONCURRENCY {
            if let Some(done) = running.join_next().await {
                record(&mut summary, done.map_err(unexpected)?);
            }
        }
        let (store, ids) = (store.clone(), ids.clone());
        running.spawn(async move { (line, import_one(&store, &ids, &account).await) });
    }
    while let Some(done) = running.join_next().await {
        record(&mut summary, done.map_err(unexpected)?);
    }
    summary.failed.sort_by_key(|skipped| skipped.line);
    summary.elapsed = started.elapsed();
    bar.finish_and_clear();
    Ok(summary)
}

fn unexpected(error: tokio::task::JoinError) -> ServiceError {
    ServiceError::Unexpected(Box::new(error))
}

impl Summary {
    /// The report printed at the end: every skipped row, then the counts and the time.
    pub fn report(&self) -> String {
        let mut text = String::new();
        for skipped in &self.invalid {
            text.push_str(&format!(
                "line {}: invalid: {}\n",
                skipped.line, skipped.reason
            ));
        }
        for skipped in &self.failed {
            text.push_str(&format!(
                "line {}: failed: {}\n",
                skipped.line, skipped.reason
            ));
        }
        text.push_str(&format!(
            "created {} ({} without a password hash: they cannot sign in until it is set), \
             already present {}, invalid {}, failed {}, in {:.1} s\n",
            self.created,
            self.created_without_password,
            self.already_present,
            self.invalid.len(),
            self.failed.len(),
            self.elapsed.as_secs_f64()
        ));
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$YHiVqGiPxBJ6IVh2DOeL6A$6q8vBDQ7lOOEdT7h0bSSm4pT7c0cAuH1WbYkuAf2sVk";

    fn lines(rows: &Rows) -> (Vec<u64>, Vec<u64>) {
        (
            rows.valid.iter().map(|(line, _)| *line).collect(),
            rows.invalid.iter().map(|s| s.line).collect(),
        )
    }

    #[test]
    fn rows_are_checked_with_the_domain_types_and_reported_by_line() {
        let file = format!(
            "username,email,first_name,last_name,gender,birthday,categories,password_hash\n\
             alice,alice@example.com,Alice,Smith,F,1990-02-03,fashion;beauty,\"{HASH}\"\n\
             bob,not-an-email,,,,,,\n\
             carol,carol@example.com,,,X,,,\n\
             dave,dave@example.com,,,,1990-02-30,,\n\
             erin,erin@example.com,,,,,,plain\n\
             alice,alice2@example.com,,,,,,\n\
             frank,frank@example.com,,,,,,\n"
        );

        let rows = read_rows(file.as_bytes()).unwrap();

        assert_eq!(lines(&rows), (vec![2, 8], vec![3, 4, 5, 6, 7]));
        let reasons: Vec<&str> = rows.invalid.iter().map(|s| s.reason.as_str()).collect();
        assert!(reasons[0].starts_with("email: "), "{reasons:?}");
        assert!(reasons[1].starts_with("gender: "), "{reasons:?}");
        assert!(reasons[2].starts_with("birthday: "), "{reasons:?}");
        assert!(reasons[3].starts_with("password_hash: "), "{reasons:?}");
        assert_eq!(reasons[4], "username: the same as on line 2");
        let alice = &rows.valid[0].1;
        assert_eq!(alice.categories.len(), 2);
        assert_eq!(alice.password_hash.as_deref(), Some(HASH));
        assert_eq!(rows.valid[1].1.password_hash, None);
    }

    #[test]
    fn columns_may_come_in_any_order_and_only_username_and_email_are_needed() {
        let rows = read_rows("email,username\nalice@example.com,alice\n".as_bytes()).unwrap();
        assert_eq!(lines(&rows), (vec![2], vec![]));
    }

    #[test]
    fn an_unknown_or_missing_column_refuses_the_file() {
        assert!(read_rows("username,email,password\n".as_bytes()).is_err());
        assert!(read_rows("username,first_name\n".as_bytes()).is_err());
    }
}
