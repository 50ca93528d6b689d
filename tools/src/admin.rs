//! `userctl`: app credentials and staff users, from the command line.
//!
//! ```text
//! userctl app create <name>        prints the app id and its secret (shown once)
//! userctl app list                 every credential, revoked ones marked
//! userctl app revoke <app id>
//! userctl reference load <file>   countries and cities (JSON as shared/data/reference.json)
//! userctl staff create <username> <email> [--superuser]
//!                                  the password is read from USERCTL_PASSWORD or stdin
//! userctl import <file.csv>        users in bulk (columns in `crate::import`)
//! ```
//! The table is `TABLE_NAME`; AWS settings come from the SDK's own variables.

use std::io::Write;
use users_shared::domain::{Email, Password, Username};
use users_shared::service::accounts::{self, NewAccount};
use users_shared::service::{apps, ServiceError};
use users_shared::store::{ReferenceData, Store};

pub const USAGE: &str = "usage:
  userctl app create <name>
  userctl app list
  userctl app revoke <app id>
  userctl reference load <file.json>
  userctl staff create <username> <email> [--superuser]   (password from USERCTL_PASSWORD or stdin)
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
                "loaded {} countries and {} cities ({written} items)",
                data.countries.len(),
                data.cities.len()
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
            writeln!(out, "created staff user {} (id {})", user.username, user.id)?;
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
