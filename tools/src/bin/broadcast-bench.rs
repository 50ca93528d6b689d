//! `broadcast-bench [users]`: a broadcast `/send` to every user of a fresh table on the local
//! stack (10,000 by default, each with an e-mail device and a preference for the theme), worked
//! off by the delivery worker's sweeps until every notification is published. Prints how long
//! the send took to answer and to be delivered, and every DynamoDB and SNS call it made (counted
//! by an SDK interceptor), per operation and per recipient.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::FinalizerInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use users_shared::clock::Timestamp;
use users_shared::domain::{
    Device, DeviceKind, Email, ThemeRange, TopicKind, TopicName, User, UserId, Username,
};
use users_shared::notify::Notifier;
use users_shared::service::{delivery, notifications, topics};
use users_shared::store::Store;
use users_tools::provision;
use users_tools::template::Template;

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Counts each SDK call by service and operation.
#[derive(Debug, Clone, Default)]
struct Calls(Arc<Mutex<BTreeMap<String, u64>>>);

impl Intercept for Calls {
    fn name(&self) -> &'static str {
        "Calls"
    }

    fn read_after_execution(
        &self,
        _context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if let Some(metadata) = cfg.load::<Metadata>() {
            let name = format!("{} {}", metadata.service(), metadata.name());
            if let Ok(mut calls) = self.0.lock() {
                *calls.entry(name).or_default() += 1;
            }
        }
        Ok(())
    }
}

impl Calls {
    /// A call the store made outside the SDK.
    fn add(&self, operation: &str) {
        if let Ok(mut calls) = self.0.lock() {
            *calls.entry(format!("DynamoDB {operation}")).or_default() += 1;
        }
    }

    fn take(&self) -> BTreeMap<String, u64> {
        self.0
            .lock()
            .map(|mut c| std::mem::take(&mut *c))
            .unwrap_or_default()
    }
}

fn user(id: u64, now: Timestamp) -> Result<User, Error> {
    let email = format!("user{id:06}@example.com");
    let mut user = User::new(
        UserId::new(id),
        Username::parse(&format!("user{id:06}"))?,
        Some(Email::parse(&email)?),
        now,
    );
    user.devices = vec![Device {
        id,
        kind: DeviceKind::Email,
        reference: email,
    }];
    Ok(user)
}

async fn seed(store: &Store, users: u64, theme: u64) -> Result<(), Error> {
    let now = Timestamp::now();
    let ids: Vec<u64> = (1..=users).collect();
    let mut tasks = tokio::task::JoinSet::new();
    for chunk in ids.chunks(25) {
        let batch = chunk
            .iter()
            .map(|&id| user(id, now))
            .collect::<Result<Vec<_>, _>>()?;
        let store = store.clone();
        tasks.spawn(async move {
            store.import_users_unguarded(&batch).await?;
            for user in &batch {
                store
                    .set_preferences(user.id, &[(theme, 3)])
                    .await
                    .map_err(|e| -> Error { e.to_string().into() })?;
            }
            Ok::<(), Error>(())
        });
        while tasks.len() >= 8 {
            if let Some(done) = tasks.join_next().await {
                done??;
            }
        }
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(())
}

fn print_calls(title: &str, calls: &BTreeMap<String, u64>, recipients: u64) {
    println!("\n{title}\n\n| call | count | per recipient |\n|---|---:|---:|");
    for (name, count) in calls {
        println!(
            "| {name} | {count} | {:.2} |",
            *count as f64 / recipients.max(1) as f64
        );
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let users: u64 = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(10_000);
    let sdk = users_shared::config::aws_sdk_config().await;
    let calls = Calls::default();
    let dynamodb = aws_sdk_dynamodb::Client::from_conf(
        aws_sdk_dynamodb::config::Builder::from(&sdk)
            .interceptor(calls.clone())
            .build(),
    );
    let sns = aws_sdk_sns::Client::from_conf(
        aws_sdk_sns::config::Builder::from(&sdk)
            .interceptor(calls.clone())
            .build(),
    );
    let table = format!("broadcast-bench-{}", std::process::id());
    let template = Template::parse(users_tools::TEMPLATE_YAML)?;
    provision::create_table(&dynamodb, &table, &template.table).await?;
    let topic = provision::create_topic(&sns, &format!("{table}-topic")).await?;
    let counted = calls.clone();
    let store = Store::new(&sdk, table.as_str())
        .with_client(dynamodb)
        .observing_calls(Arc::new(move |operation| counted.add(operation)));
    let notifier = Notifier::new(sns, topic);

    let name = TopicName::parse("everyone")?;
    let theme = topics::create(
        &store,
        TopicKind::Theme,
        name.clone(),
        Some(ThemeRange::Broadcast),
    )
    .await?;
    let started = Instant::now();
    seed(&store, users, theme.id).await?;
    eprintln!(
        "seeded {users} users with an e-mail device and a preference in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    calls.take();

    let sent = Instant::now();
    let accepted = notifications::push_send(
        &store,
        notifications::PushSend {
            theme: name,
            message: "Hello, everyone".into(),
            subject: "News".into(),
            user_id: None,
            channel: None,
        },
    )
    .await?;
    let answered = sent.elapsed();
    let send_calls = calls.take();
    let mut sweeps = 0;
    let mut delivered = 0;
    let mut job_pages = 0;
    loop {
        let report = delivery::sweep(&store, &notifier, None, Timestamp::now()).await?;
        sweeps += 1;
        delivered += report.delivered;
        job_pages += report.job_pages;
        if report == delivery::Sweep::default() {
            break;
        }
    }
    let total = sent.elapsed();
    let worker_calls = calls.take();

    println!("Broadcast to {users} users (each with one e-mail device and option 3), DynamoDB Local and moto, {}.\n", Timestamp::now().to_rfc3339());
    println!("| measure | value |\n|---|---:|");
    println!(
        "| `/send` answered (result {accepted}) | {:.1} ms |",
        answered.as_secs_f64() * 1000.0
    );
    println!(
        "| every notification published | {:.1} s |",
        total.as_secs_f64()
    );
    println!(
        "| throughput | {:.0} notifications/s |",
        delivered as f64 / total.as_secs_f64()
    );
    println!("| worker sweeps (send-job pages) | {sweeps} ({job_pages}) |");
    println!("| notifications published | {delivered} |");
    print_calls("Calls of the `/send` request", &send_calls, users);
    print_calls("Calls of the delivery worker", &worker_calls, users);
    Ok(())
}
