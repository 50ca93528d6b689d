//! App credentials for the server-to-server contracts: an app id and a secret; only the
//! SHA-256 of the secret (32 random bytes) is stored, and it is compared in constant time.

use super::ServiceError;
use crate::clock::Timestamp;
use crate::domain::AppCredential;
use crate::store::Store;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    pub app_id: String,
    pub name: String,
    pub created_at: String,
    pub revoked: bool,
}

impl From<AppCredential> for App {
    fn from(app: AppCredential) -> Self {
        Self {
            app_id: app.app_id,
            name: app.name,
            created_at: app.created_at.to_rfc3339(),
            revoked: app.revoked,
        }
    }
}

/// The secret of a new credential: shown once, never stored. `Debug` hides it.
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Creates a credential named `name`.
pub async fn create(store: &Store, name: &str) -> Result<(App, Secret), ServiceError> {
    let name = name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(ServiceError::invalid(
            "name",
            "Give a name of 1 to 100 characters.",
        ));
    }
    let app_id = format!("app_{}", crate::auth::random_token(12)?);
    let secret = crate::auth::random_token(32)?;
    let app = AppCredential {
        app_id,
        name: name.to_owned(),
        secret_hash: crate::auth::sha256_b64(&secret),
        created_at: Timestamp::now(),
        revoked: false,
    };
    store.put_app_credential(&app).await?;
    Ok((app.into(), Secret(secret)))
}

pub async fn list(store: &Store) -> Result<Vec<App>, ServiceError> {
    Ok(store
        .list_app_credentials()
        .await?
        .into_iter()
        .map(App::from)
        .collect())
}

/// `NotFound` if there is no such credential.
pub async fn revoke(store: &Store, app_id: &str) -> Result<(), ServiceError> {
    super::found(store.revoke_app_credential(app_id).await?)
}

/// The app these headers name, if the secret is its own and it is not revoked.
/// `NotAuthenticated` when either header is missing, `InvalidCredentials` otherwise.
pub async fn authenticate(
    store: &Store,
    app_id: Option<&str>,
    secret: Option<&str>,
) -> Result<App, ServiceError> {
    let (Some(app_id), Some(secret)) = (app_id, secret) else {
        return Err(ServiceError::NotAuthenticated);
    };
    let presented = crate::auth::sha256_b64(secret);
    let stored = if app_id.len() <= 64 {
        store.get_app_credential(app_id).await?
    } else {
        None
    };
    // Compare against something either way, so an unknown id costs the same.
    let expected = stored
        .as_ref()
        .map(|a| a.secret_hash.as_str())
        .unwrap_or("unknown-app-placeholder-hash");
    let matches = crate::auth::constant_time_eq(&presented, expected);
    match stored {
        Some(app) if matches && !app.revoked => Ok(app.into()),
        _ => Err(ServiceError::InvalidCredentials),
    }
}
