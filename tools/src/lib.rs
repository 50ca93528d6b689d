//! Local tooling, never deployed: the local API server (the same handlers the Lambdas run,
//! mounted through the route table of `template.yaml`) and provisioning of the local stack
//! (the table and topic `template.yaml` declares, created on DynamoDB Local and moto).

pub mod admin;
pub mod gathered_log;
pub mod import;
pub mod provision;
pub mod server;
pub mod template;

/// The SAM template, compiled in: the one list of routes, the table and the topic.
pub const TEMPLATE_YAML: &str = include_str!("../../template.yaml");

/// The key that seals app secrets for local runs: `APP_SECRET_KEY` if set, else
/// `<local dir>/keys/app-secret.key` (`USERS_LOCAL_DIR`, default `.local`), generated on first
/// use with mode 0600, as the local signing keys are.
pub fn local_app_secret_key() -> Result<users_shared::auth::sealing::SealingKey, LocalKeyError> {
    use users_shared::auth::sealing::SealingKey;
    if let Ok(text) = std::env::var("APP_SECRET_KEY") {
        if !text.trim().is_empty() {
            return SealingKey::from_base64(&text).map_err(|_| LocalKeyError::Invalid);
        }
    }
    let dir = std::path::PathBuf::from(
        std::env::var("USERS_LOCAL_DIR")
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| ".local".to_owned()),
    )
    .join("keys");
    let path = dir.join("app-secret.key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return SealingKey::from_base64(&text).map_err(|_| LocalKeyError::Invalid);
    }
    std::fs::create_dir_all(&dir)?;
    let text = SealingKey::generate_base64().map_err(|_| LocalKeyError::Invalid)?;
    std::fs::write(&path, &text)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    }
    SealingKey::from_base64(&text).map_err(|_| LocalKeyError::Invalid)
}

/// Why the local app-secret key could not be had.
#[derive(Debug, thiserror::Error)]
pub enum LocalKeyError {
    #[error("APP_SECRET_KEY (or .local/keys/app-secret.key) is not 32 bytes of base64")]
    Invalid,
    #[error("the local key file could not be read or written: {0}")]
    Io(#[from] std::io::Error),
}
