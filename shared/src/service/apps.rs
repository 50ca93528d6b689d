//! App credentials for the server-to-server contracts: an app id and a secret (32 random
//! bytes). The table keeps the secret's SHA-256 and the secret sealed with `APP_SECRET_KEY`
//! (AES-256-GCM), never in clear: the push client proves itself with a daily token,
//! `md5(app name + "YYYY-MM-DD" + secret)`, which needs the secret itself. Every comparison is
//! in constant time.

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
    let key = store.sealing_key().ok_or_else(|| {
        ServiceError::Unexpected("APP_SECRET_KEY is not set: app secrets cannot be sealed".into())
    })?;
    let app_id = format!("app_{}", crate::auth::random_token(12)?);
    let secret = crate::auth::random_token(32)?;
    let sealed = key
        .seal(&app_id, &secret)
        .map_err(|e| ServiceError::Unexpected(e.into()))?;
    let app = AppCredential {
        app_id,
        name: name.to_owned(),
        secret_hash: crate::auth::sha256_b64(&secret),
        sealed_secret: Some(sealed),
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

/// The app these headers name, if `presented` is its secret (or, where the contract allows it,
/// its daily token for the UTC date, the day before or the day after) and it is not revoked. `NotAuthenticated` when
/// either header is missing, `InvalidCredentials` otherwise.
pub async fn authenticate(
    store: &Store,
    app_id: Option<&str>,
    presented: Option<&str>,
    daily_token: bool,
) -> Result<App, ServiceError> {
    let (Some(app_id), Some(presented)) = (app_id, presented) else {
        return Err(ServiceError::NotAuthenticated);
    };
    let stored = if app_id.len() <= 64 {
        store.get_app_credential(app_id).await?
    } else {
        None
    };
    let matches = stored.as_ref().is_some_and(|app| {
        proves(
            app,
            store.sealing_key().filter(|_| daily_token),
            presented,
            Timestamp::now().unix(),
        )
    });
    match stored {
        Some(app) if matches && !app.revoked => Ok(app.into()),
        _ => Err(ServiceError::InvalidCredentials),
    }
}

/// How far either side of the UTC date a daily token is accepted (the client's time zone).
pub const TOKEN_DAYS_EITHER_SIDE: i64 = 1;

/// Whether `presented` is `app`'s secret or one of its daily tokens around `now` (Unix
/// seconds). Every candidate is compared, in constant time, whichever matches.
fn proves(
    app: &AppCredential,
    key: Option<&crate::auth::sealing::SealingKey>,
    presented: &str,
    now: i64,
) -> bool {
    let mut matched =
        crate::auth::constant_time_eq(&crate::auth::sha256_b64(presented), &app.secret_hash);
    let secret = match (key, app.sealed_secret.as_deref()) {
        (Some(key), Some(sealed)) => key.open(&app.app_id, sealed).map(Secret),
        _ => None,
    };
    if let Some(secret) = secret {
        for day in -TOKEN_DAYS_EITHER_SIDE..=TOKEN_DAYS_EITHER_SIDE {
            let token = daily_token(&app.name, &utc_date(now + day * 86_400), secret.expose());
            matched |= crate::auth::constant_time_eq(presented, &token);
        }
    }
    matched
}

/// `YYYY-MM-DD` of the UTC day holding `unix` seconds.
pub fn utc_date(unix: i64) -> String {
    let date = time::OffsetDateTime::from_unix_timestamp(unix)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH)
        .date();
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

/// The push client's daily token: lower-case hex of `md5(name + date + secret)`.
pub fn daily_token(name: &str, date: &str, secret: &str) -> String {
    use md5::{Digest, Md5};
    let mut hasher = Md5::new();
    hasher.update(name.as_bytes());
    hasher.update(date.as_bytes());
    hasher.update(secret.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::sealing::SealingKey;

    const NOW: i64 = 1_795_651_200; // 2026-11-26T00:00:00Z

    fn app(key: &SealingKey) -> AppCredential {
        AppCredential {
            app_id: "app_1".into(),
            name: "shop".into(),
            secret_hash: crate::auth::sha256_b64("s3cret"),
            sealed_secret: Some(key.seal("app_1", "s3cret").unwrap()),
            created_at: Timestamp::from_unix(NOW),
            revoked: false,
        }
    }

    #[test]
    fn the_daily_token_is_the_php_clients_md5() {
        assert_eq!(utc_date(NOW), "2026-11-26");
        // md5("shop2026-11-26s3cret"), as PHP's md5() prints it.
        assert_eq!(
            daily_token("shop", "2026-11-26", "s3cret"),
            "92101bde904b20c56f0548c21b5ef8a4"
        );
    }

    #[test]
    fn the_secret_and_the_tokens_of_yesterday_today_and_tomorrow_prove_the_app() {
        let key = SealingKey::from_base64(&SealingKey::generate_base64().unwrap()).unwrap();
        let app = app(&key);
        let token = |days: i64| daily_token("shop", &utc_date(NOW + days * 86_400), "s3cret");
        assert!(proves(&app, Some(&key), "s3cret", NOW));
        for days in [-1, 0, 1] {
            assert!(proves(&app, Some(&key), &token(days), NOW), "{days}");
        }
        for days in [-3, -2, 2] {
            assert!(!proves(&app, Some(&key), &token(days), NOW), "{days}");
        }
        assert!(!proves(&app, Some(&key), "wrong", NOW));
        assert!(!proves(&app, None, &token(0), NOW), "no key, no token");
    }

    #[test]
    fn a_credential_with_only_a_hash_accepts_its_plain_secret() {
        let key = SealingKey::from_base64(&SealingKey::generate_base64().unwrap()).unwrap();
        let old = AppCredential {
            sealed_secret: None,
            ..app(&key)
        };
        assert!(proves(&old, Some(&key), "s3cret", NOW));
        let token = daily_token("shop", &utc_date(NOW), "s3cret");
        assert!(!proves(&old, Some(&key), &token, NOW));
    }
}
