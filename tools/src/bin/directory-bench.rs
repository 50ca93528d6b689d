//! `directory-bench [users]`: how much of the index a user list reads, with 10,000 users by
//! default. Seeds a fresh table on the local stack (users written directly, without guards,
//! 25 per BatchWriteItem), then reads pages in every order and a search (one request at several
//! scan caps, and the whole index by cursor), and prints a Markdown table of entries read, read
//! capacity units (as DynamoDB Local reports them) and time.

use std::time::Instant;
use users_shared::clock::Timestamp;
use users_shared::domain::{Bio, Email, PersonName, User, UserId, Username};
use users_shared::store::{DirectoryOrder, FilteredRead, Store};
use users_tools::provision;
use users_tools::template::Template;

type Error = Box<dyn std::error::Error + Send + Sync>;

const FIRST_NAMES: &[&str] = &[
    "Alice", "Bruno", "Chen", "Dana", "Emeka", "Fatima", "Goran", "Hana", "Ivan", "Jia",
];
const LAST_NAMES: &[&str] = &[
    "Smith", "Garcia", "Okafor", "Novak", "Tanaka", "Silva", "Kowalski", "Haddad", "Lee", "Moreau",
];

fn user(id: u64, created_at: Timestamp) -> Result<User, Error> {
    let index = usize::try_from(id).unwrap_or(0);
    let mut user = User::new(
        UserId::new(id),
        Username::parse(&format!("user{id:05}"))?,
        Some(Email::parse(&format!("user{id:05}@example.com"))?),
        created_at,
    );
    user.first_name = PersonName::parse(FIRST_NAMES[index % FIRST_NAMES.len()])?;
    user.last_name = PersonName::parse(LAST_NAMES[(index / 10) % LAST_NAMES.len()])?;
    user.bio = Bio::parse(&format!("Bio of user {id}"))?;
    Ok(user)
}

async fn seed(store: &Store, users: u64) -> Result<(), Error> {
    let start = Timestamp::from_unix(1_700_000_000);
    let mut batches = tokio::task::JoinSet::new();
    let ids: Vec<u64> = (1..=users).collect();
    for chunk in ids.chunks(25) {
        let users = chunk
            .iter()
            .map(|&id| user(id, start.plus_seconds(id as i64)))
            .collect::<Result<Vec<_>, _>>()?;
        let store = store.clone();
        batches.spawn(async move { store.import_users_unguarded(&users).await });
        while batches.len() >= 8 {
            if let Some(done) = batches.join_next().await {
                done??;
            }
        }
    }
    while let Some(done) = batches.join_next().await {
        done??;
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let users: u64 = std::env::args()
        .nth(1)
        .map(|n| n.parse())
        .transpose()?
        .unwrap_or(10_000);
    let sdk = users_shared::config::aws_sdk_config().await;
    let client = aws_sdk_dynamodb::Client::new(&sdk);
    let table = format!("directory-bench-{}", std::process::id());
    let template = Template::parse(users_tools::TEMPLATE_YAML)?;
    provision::create_table(&client, &table, &template.table).await?;
    let store = Store::new(&sdk, table.as_str());
    let started = Instant::now();
    seed(&store, users).await?;
    eprintln!(
        "seeded {users} users in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    println!("Users: {users}; page size 10.\n");
    println!("| read | order | entries read | read capacity units | ms |");
    println!("|---|---|---|---|---|");
    let orders = [
        ("created_at", DirectoryOrder::SignUp),
        ("username", DirectoryOrder::Username),
        ("first_name", DirectoryOrder::FirstName),
        ("last_name", DirectoryOrder::LastName),
    ];
    for (name, order) in orders {
        for descending in [false, true] {
            for (label, batch) in [("page 1", 0usize), ("page 10", 9), ("page 100", 99)] {
                let started = Instant::now();
                let page = store
                    .directory_page(order, descending, batch * 10, 10)
                    .await?;
                let millis = started.elapsed().as_secs_f64() * 1000.0;
                let sign = if descending { "-" } else { "" };
                println!(
                    "| {label} | {sign}{name} | {} | {:.1} | {millis:.1} |",
                    page.entries_read, page.capacity_units
                );
            }
        }
    }
    // A search examines at most its cap of entries per request; the rest follows by cursor.
    let keep = |text: &str, _: &str, _: &str| text.contains("user0001");
    for cap in [500, 1_000, 2_000, usize::MAX] {
        let read = FilteredRead {
            order: DirectoryOrder::Username,
            descending: false,
            after: None,
            matched_before: 0,
            skip: 0,
            take: 10,
            cap,
        };
        let started = Instant::now();
        let searched = store.directory_filtered(read, keep).await?;
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        let cap_label = if cap == usize::MAX {
            "no cap".to_owned()
        } else {
            format!("cap {cap}")
        };
        let outcome = if searched.resume.is_some() {
            "cursor"
        } else {
            "complete"
        };
        println!(
            "| search \"user0001\", {cap_label} (page 1, {} matches, {outcome}) | username | {} | {:.1} | {millis:.1} |",
            searched.matched.unwrap_or(0),
            searched.entries_read,
            searched.capacity_units
        );
    }
    // The whole index by cursor, as a client following `next` would read it.
    for cap in [1_000, 2_000] {
        let (mut after, mut matched, mut requests, mut entries, mut units) = (None, 0, 0, 0, 0.0);
        let started = Instant::now();
        loop {
            let read = FilteredRead {
                order: DirectoryOrder::Username,
                descending: false,
                after: after.as_ref(),
                matched_before: matched,
                skip: 0,
                take: 10,
                cap,
            };
            let page = store.directory_filtered(read, keep).await?;
            requests += 1;
            entries += page.entries_read;
            units += page.capacity_units;
            matched = page.matched.unwrap_or(0);
            after = page.resume;
            if after.is_none() {
                break;
            }
        }
        let millis = started.elapsed().as_secs_f64() * 1000.0;
        println!(
            "| search \"user0001\" to the end by cursor, cap {cap} ({requests} requests, {matched} matches) | username | {entries} | {units:.1} | {millis:.1} |"
        );
    }
    Ok(())
}
