//! `userctl`: see `users_tools::admin` for the commands.

use users_shared::config::aws_sdk_config;
use users_shared::store::Store;
use users_tools::admin::{run, AdminError};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Ok(table) = std::env::var("TABLE_NAME") else {
        eprintln!("TABLE_NAME is not set");
        std::process::exit(2);
    };
    let sdk = aws_sdk_config().await;
    // App secrets are sealed with APP_SECRET_KEY (else the local run's key in .local/keys/).
    let key = match users_tools::local_app_secret_key() {
        Ok(key) => key,
        Err(e) => {
            eprintln!("userctl: {e}");
            std::process::exit(2);
        }
    };
    let store = Store::new(&sdk, table).with_sealing_key(Some(key));
    let password = || match std::env::var("USERCTL_PASSWORD") {
        Ok(password) => Ok(password),
        Err(_) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            Ok(line)
        }
    };
    match run(&store, &args, password, &mut std::io::stdout()).await {
        Ok(()) => {}
        Err(AdminError::Usage) => {
            eprintln!("{}", users_tools::admin::USAGE);
            std::process::exit(2);
        }
        Err(e) => {
            eprintln!("userctl: {e}");
            std::process::exit(1);
        }
    }
}
