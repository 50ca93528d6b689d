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
//! ```
//! Bans, unbans and forced sign-outs are recorded in the user's audit trail under
//! `operator:<login>` (`USER`, else `operator`).
//! The table is `TABLE_NAME`; AWS settings come from the SDK's own variables.

use std::io::Write;
use users_shared::clock::Timestamp;
use users_shared::domain::{Email, Password, StaffAction, UserId, Username};
use users_shared::service::accounts::{self, NewAccount};
use users_shared::service::staff::{self, BanOrder, By};
use users_shared::service::{apps, delivery, ServiceError};
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

  userctl import <file.csv>   (columns: username,email,first_name,last_name,gender,birthday,categories,password_hash)";

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
                    entry.channels.join(","),
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
        _ => return Err(AdminError::Usage),
    }
    Ok(())
}
