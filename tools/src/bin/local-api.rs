//! `local-api`: serves every function of `template.yaml` on 127.0.0.1 (port 3000 unless
//! `PORT` says otherwise), against the local stack that `scripts/stack.sh` runs.
//!
//! Creates the table, the topic and a queue subscribed to it if they are missing. Keys come
//! from `JWT_PRIVATE_KEY` / `JWT_PUBLIC_KEY` and `APP_SECRET_KEY`, else from `.local/keys/`,
//! generated on first run.
//! With `--provision-only` it creates what is missing and exits without serving.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use users_shared::auth::keys::generate_ed25519;
use users_shared::config::{aws_sdk_config, Config, DEFAULT_ISSUER};
use users_tools::server::{serve, Functions, LocalApi};
use users_tools::template::Template;
use users_tools::{provision, TEMPLATE_YAML};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// The signing key pair of local runs, kept in the ignored `.local/keys/` folder.
fn local_keys(dir: &Path) -> Result<(String, String), Error> {
    let (private_path, public_path) = (dir.join("jwt-private.pem"), dir.join("jwt-public.pem"));
    if let (Ok(private_pem), Ok(public_pem)) = (
        std::fs::read_to_string(&private_path),
        std::fs::read_to_string(&public_path),
    ) {
        return Ok((private_pem, public_pem));
    }
    std::fs::create_dir_all(dir)?;
    let (private_pem, public_pem) = generate_ed25519()?;
    std::fs::write(&private_path, &private_pem)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&private_path, std::fs::Permissions::from_mode(0o600))?;
    }
    std::fs::write(&public_path, &public_pem)?;
    Ok((private_pem, public_pem))
}

/// Ctrl-C or SIGTERM; handled explicitly so a signal ignored by the parent still stops us.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// One thread, as each Lambda instance runs its handler (`users_shared::lambda::run`): the
/// handlers' CPU is measured as in AWS, without wake-ups between worker threads (argon2 still
/// runs on tokio's blocking pool).
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let log = users_tools::gathered_log::GatheredLog::default();
    users_shared::process::init_with_writer(log.clone());
    tokio::spawn(log.clone().flush_periodically());
    let served = serve_until_stopped().await;
    log.flush();
    served
}

async fn serve_until_stopped() -> Result<(), Error> {
    let local_dir = PathBuf::from(env_or("USERS_LOCAL_DIR", ".local"));
    let port: u16 = env_or("PORT", "3000").parse()?;
    let table_name = env_or("TABLE_NAME", "users-local");
    let (private_pem, public_pem) = match (
        std::env::var("JWT_PRIVATE_KEY"),
        std::env::var("JWT_PUBLIC_KEY"),
    ) {
        (Ok(private_pem), Ok(public_pem)) => (private_pem, public_pem),
        _ => local_keys(&local_dir.join("keys"))?,
    };
    let mut config = Config {
        table_name: table_name.clone(),
        issuer: env_or("JWT_ISSUER", DEFAULT_ISSUER),
        public_key_pem: public_pem,
        private_key_pem: Some(private_pem),
        topic_arn: None,
        app_secret_key: Some(users_tools::local_app_secret_key()?),
        directory_scan_cap: users_shared::service::directory::SCAN_CAP,
    };

    let template = Template::parse(TEMPLATE_YAML)?;
    let sdk = aws_sdk_config().await;
    provision::create_table(
        &aws_sdk_dynamodb::Client::new(&sdk),
        &table_name,
        &template.table,
    )
    .await?;
    let store = users_shared::store::Store::new(&sdk, table_name.as_str());
    store
        .load_reference(&users_shared::service::reference::shipped()?)
        .await?;
    let sns = aws_sdk_sns::Client::new(&sdk);
    let sqs = aws_sdk_sqs::Client::new(&sdk);
    let mut topics = Vec::new();
    for topic in &template.topics {
        let arn = provision::create_topic(&sns, &format!("{table_name}-{topic}")).await?;
        let queue =
            provision::subscribe_queue(&sns, &sqs, &arn, &format!("{table_name}-{topic}-inbox"))
                .await?;
        topics.push((arn, queue));
    }

    config.topic_arn = topics.first().map(|(arn, _)| arn.clone());

    if std::env::args().any(|arg| arg == "--provision-only") {
        for (arn, _) in &topics {
            println!("TOPIC_ARN={arn}");
        }
        return Ok(());
    }

    let functions = Functions::new(&config, &sdk)?;
    // The delivery worker, as the schedule and the table's stream run it in AWS: a sweep a
    // second (publishing the outbox to the local topic, working off send jobs).
    let worker = delivery_function::Worker::new(&config, &sdk)?;
    tokio::spawn(async move {
        loop {
            match worker.sweep().await {
                Ok(report) if report != Default::default() => {
                    tracing::info!(?report, "delivery sweep");
                }
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "delivery sweep failed"),
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    });
    let (demo_app, demo_secret) =
        users_shared::service::apps::create(&functions.auth.store, "demo").await?;
    let api = Arc::new(LocalApi::new(template, functions)?);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let base = format!("http://{}", listener.local_addr()?);

    println!("Users API on {base} (table {table_name})");
    for (arn, queue) in &topics {
        println!("  topic {arn}\n    published messages land in SQS queue {queue}");
    }
    println!("  the delivery worker publishes new notifications within a second (scripts/inbox.sh shows them)");
    println!(
        "\nDemo app credential (chat server: QISCUS_SDK_APP_ID / QISCUS_SDK_SECRET; push: X-App-Id / X-App-Auth):\n  app id: {}\n  secret: {}",
        demo_app.app_id,
        demo_secret.expose()
    );
    // For scripts and the README's examples: `source .local/demo-app.env`.
    let demo_file = std::path::Path::new(".local/demo-app.env");
    if demo_file.parent().is_some_and(std::path::Path::is_dir) {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let written = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(demo_file)
            .and_then(|mut file| {
                writeln!(
                    file,
                    "APP_ID={}\nAPP_SECRET={}",
                    demo_app.app_id,
                    demo_secret.expose()
                )
            });
        match written {
            Ok(()) => println!("  (also in {}: source it)", demo_file.display()),
            Err(error) => tracing::warn!(%error, "the demo credential file was not written"),
        }
    }
    println!("\nThe API's OpenAPI document: {base}/openapi.json; its docs page: {base}/docs");
    println!(
        "\nRegister a user:\n  curl -s -X POST {base}/careers/users/register/ -H 'Content-Type: application/json' \\\n    -d '{{\"username\":\"alice\",\"email\":\"alice@example.com\",\"password\":\"password123\",\"password_confirm\":\"password123\",\"first_name\":\"Alice\",\"last_name\":\"Smith\"}}'\n"
    );
    tokio::select! {
        () = serve(listener, api) => {}
        () = shutdown_signal() => println!("stopping"),
    }
    Ok(())
}
