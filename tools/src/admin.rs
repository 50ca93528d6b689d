//! `userctl`: app credentials and staff users, from the command line.
//!
//! ```text
//! userctl app create <name>        prints the app id and its secret (shown once)
//! userctl app list                 every credential, revoked ones marked
//! userctl app revoke <app id>
//! userctl reference load <file>   countries, cities, categories, networks, languages
//!                                  (JSON as shared/data/reference.json; every key optional)
//! userctl staff create <username> <email> [--superuser]
//!                                  the password is read from USERCTL_PASSWORD or stdin
//! userctl ban <user id> [--until <RFC 3339 time>] [reason...]
//! userctl unban <user id> [reason...]
//! userctl force-logout <user id> [reason...]
//! userctl audit <user id>          the user's audit trail, oldest first
//! userctl deliveries dead          notifications whose delivery was given up on
//! userctl deliveries replay        makes them due again (the worker publishes them)
//! userctl import <file.csv>        users in bulk (columns in `crate::import`)
//! userctl stats now [--segments N] runs the stats job now (a progress bar over the Scan
//!                                  segments), then prints the three distributions
//! ```
//! Bans, unbans and forced sign-outs are recorded in the user's audit trail under
//! `operator:<login>` (`USER`, else `operator`).
//! The table is `TABLE_NAME`; AWS settings come from the SDK's own variables.

use std::io::Write;
use users_shared::clock::Timestamp;
use users_shared::domain::{Email, Password, StaffAction, UserId, Username};
use users_shared::service::accounts::{self, NewAccount};
use users_shared::service::staff::{self, BanOrder, By};
use users_shared::service::{apps, delivery, stats, ServiceError};
use users_shared::store::{ReferenceData, Store};

pub const USAGE: &str = "usage:
  userctl app create <name>
  userctl app list
  userctl app revoke <app id>
  userctl reference load <file.json>
  userctl staff create <username> <email> [--superuser]   (password from USERCTL_PASSWORD or stdin)
  userctl ban <user id> [--until <RFC 3339 time>] [reason...]
  userctl unban <user id> [reason...]
  userctl force-logout <user id> [reason...]
  userctl audit <user id>
  userctl deliveries dead
  userctl deliveries replay
  userctl import <file.csv>   (columns: username,email,first_name,last_name,gender,birthday,categories,password_hash)
  userctl stats now [--segments <1-64>]";

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("{USAGE}")]
    Usage,
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Service(#[from] ServiceError),
    #[error(transparent)]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Import(#[from] crate::import::ImportError),
}

/// The operator running the command, as the audit trail names them.
fn operator() -> By<'static> {
    static NAME: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    By::Operator(NAME.get_or_init(|| std::env::var("USER").unwrap_or_else(|_| "operator".into())))
}

fn user_id(text: &str) -> Result<UserId, AdminError> {
    UserId::parse(text).map_err(|e| invalid("user id", e))
}

fn invalid(field: &str, error: users_shared::domain::Invalid) -> AdminError {
    AdminError::Invalid(format!("{field}: {error}"))
}

/// Runs one command; `password` supplies the staff password when one is needed.
pub async fn run(
    store: &Store,
    args: &[String],
    password: impl FnOnce() -> std::io::Result<String>,
    out: &mut impl Write,
) -> Result<(), AdminError> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["app", "create", name] => {
            let (app, secret) = apps::create(store, name).await?;
            writeln!(
                out,
                "app id: {}\nsecret: {}\n(the secret is shown only now)",
                app.app_id,
                secret.expose()
            )?;
        }
        ["app", "list"] => {
            for app in apps::list(store).await? {
                let state = if app.revoked { "revoked" } else { "active" };
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}",
                    app.app_id, app.name, app.created_at, state
                )?;
            }
        }
        ["app", "revoke", app_id] => {
            apps::revoke(store, app_id).await?;
            writeln!(out, "revoked {app_id}")?;
        }
        ["reference", "load", path] => {
            let text = std::fs::read_to_string(path)?;
            let data: ReferenceData = serde_json::from_str(&text)
                .map_err(|e| AdminError::Invalid(format!("{path}: {e}")))?;
            let written = store
                .load_reference(&data)
                .await
                .map_err(ServiceError::from)?;
            writeln!(
                out,
                "loaded {} countries, {} cities, {} categories, {} networks and {} languages ({written} items)",
                data.countries.len(),
                data.cities.len(),
                data.categories.len(),
                data.networks.len(),
                data.languages.len()
            )?;
        }
        ["staff", "create", username, email, rest @ ..] => {
            let superuser = match rest {
                [] => false,
                ["--superuser"] => true,
                _ => return Err(AdminError::Usage),
            };
            let username = Username::parse(username).map_err(|e| invalid("username", e))?;
            let email = Email::parse(email).map_err(|e| invalid("email", e))?;
            let password = Password::parse_new(password()?.trim_end_matches(['\r', '\n']))
                .map_err(|e| invalid("password", e))?;
            let account = NewAccount {
                username: Some(username),
                email: Some(email),
                password: Some(password),
                is_staff: true,
                is_superuser: superuser,
                ..NewAccount::new("")
            };
            let (user, _) = accounts::create(store, account, false).await?;
            let detail = superuser.then(|| "superuser".to_owned());
            staff::record(
                store,
                operator(),
                user.id,
                StaffAction::StaffCreated,
                detail,
            )
            .await?;
            writeln!(out, "created staff user {} (id {})", user.username, user.id)?;
        }
        ["ban", id, rest @ ..] => {
            let (until, reason) = match rest {
                ["--until", time, reason @ ..] => {
                    let until = Timestamp::parse_rfc3339(time).ok_or_else(|| {
                        AdminError::Invalid(format!("--until: {time:?} is not an RFC 3339 time"))
                    })?;
                    (Some(until), reason.join(" "))
                }
                reason => (None, reason.join(" ")),
            };
            let order = BanOrder {
                user_id: user_id(id)?,
                banned: true,
                reason,
                until,
            };
            staff::set_ban(store, operator(), order).await?;
            writeln!(out, "banned user {id}")?;
        }
        ["unban", id, reason @ ..] => {
            let order = BanOrder {
                user_id: user_id(id)?,
                banned: false,
                reason: reason.join(" "),
                until: None,
            };
            staff::set_ban(store, operator(), order).await?;
            writeln!(out, "unbanned user {id}")?;
        }
        ["force-logout", id, reason @ ..] => {
            staff::force_logout(store, operator(), user_id(id)?, reason.join(" ")).await?;
            writeln!(out, "ended every session of user {id}")?;
        }
        ["deliveries", "dead"] => {
            for entry in delivery::dead_entries(store).await? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    entry.note_id,
                    entry.user_id,
                    entry.kind,
                    unsent(&entry).join(","),
                    entry.attempts
                )?;
            }
        }
        ["deliveries", "replay"] => {
            let revived = delivery::replay_dead(store, None).await?;
            writeln!(out, "{revived} deliveries are due again")?;
        }
        ["audit", id] => {
            for entry in staff::trail(store, user_id(id)?).await? {
                writeln!(
                    out,
                    "{}\t{}\t{}\t{}\t{}",
                    entry.at.to_rfc3339(),
                    entry.actor.text(),
                    entry.action.as_str(),
                    entry.reason,
                    entry.detail.unwrap_or_default()
                )?;
            }
        }
        ["import", path] => {
            let file = std::fs::File::open(path)?;
            let rows = crate::import::read_rows(std::io::BufReader::new(file))?;
            let bar = crate::import::progress_bar((rows.valid.len() + rows.invalid.len()) as u64);
            let summary = crate::import::import(store, rows, &bar).await?;
            write!(out, "{}", summary.report())?;
        }
        ["stats", "now", rest @ ..] => {
            let segments = match rest {
                [] => stats::DEFAULT_SEGMENTS,
                ["--segments", n] => n
                    .parse()
                    .ok()
                    .filter(|n| (1..=stats::MAX_SEGMENTS).contains(n))
                    .ok_or_else(|| {
                        AdminError::Invalid(format!(
                            "--segments: a number from 1 to {}",
                            stats::MAX_SEGMENTS
                        ))
                    })?,
                _ => return Err(AdminError::Usage),
            };
            let report = stats::run_job(store, segments, scan_progress_bar(segments)).await?;
            print_statistics(out, &report)?;
        }
        _ => return Err(AdminError::Usage),
    }
    Ok(())
}

/// A progress bar on standard error over the Scan segments, with the users read so far (drawn
/// only on a terminal).
fn scan_progress_bar(segments: u32) -> users_shared::store::OnProgress {
    let bar = indicatif::ProgressBar::new(u64::from(segments));
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} scanning [{bar:30}] {pos}/{len} segments, {msg} users read",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let read = std::sync::Mutex::new(vec![0u64; segments as usize]);
    std::sync::Arc::new(move |progress: users_shared::store::ScanProgress| {
        let total: u64 = match read.lock() {
            Ok(mut read) => {
                if let Some(slot) = read.get_mut(progress.segment as usize) {
                    *slot = progress.users;
                }
                read.iter().sum()
            }
            Err(_) => 0,
        };
        bar.set_message(total.to_string());
        if progress.finished {
            bar.inc(1);
            if bar.position() >= bar.length().unwrap_or(0) {
                bar.finish_and_clear();
            }
        }
    })
}

/// The snapshot a run took: when, how many users, then one line per distribution of each
/// key's count and percentage.
fn print_statistics(out: &mut impl Write, report: &stats::JobReport) -> std::io::Result<()> {
    let snapshot = &report.snapshot;
    let taken_at = snapshot.taken_at.map(Timestamp::to_rfc3339);
    writeln!(
        out,
        "snapshot taken at {}: {} users{}",
        taken_at.unwrap_or_default(),
        snapshot.users,
        if report.stored {
            ""
        } else {
            " (a run that started later had already stored its snapshot)"
        }
    )?;
    for (name, distribution) in [
        ("sex", &snapshot.sex),
        ("age", &snapshot.age),
        ("preferences", &snapshot.preferences),
    ] {
        let shares: Vec<String> = distribution
            .shares
            .iter()
            .map(|s| format!("{} {} ({}%)", s.key, s.count, s.percent))
            .collect();
        writeln!(out, "{name}\t{}", shares.join("\t"))?;
    }
    Ok(())
}

/// The channels of an outbox entry not published yet.
fn unsent(entry: &users_shared::store::OutboxEntry) -> Vec<&str> {
    entry
        .channels
        .iter()
        .filter(|channel| !entry.sent.contains(channel))
        .map(String::as_str)
        .collect()
}
