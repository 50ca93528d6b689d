//! A list's first page reads about a page of the index, in every order: never the whole
//! user set. A search examines at most its scan cap of entries per request, and continues
//! after the last one it examined.

use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::json;
use users_shared::store::{DirectoryOrder, FilteredRead};

async fn seed(app: &TestApp, count: usize) {
    let push = app.push_client("seed").await;
    let emails: Vec<String> = (0..count)
        .map(|i| format!("seed{i:03}@example.com"))
        .collect();
    for chunk in emails.chunks(100) {
        let reply = push.post_json("/users", &json!({ "emails": chunk })).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_first_page_reads_a_page_in_every_order_and_deeper_pages_read_their_depth() {
    let app = TestApp::spawn().await;
    seed(&app, 120).await;
    let store = &app.api.functions().users.store;

    for order in [
        DirectoryOrder::SignUp,
        DirectoryOrder::Username,
        DirectoryOrder::FirstName,
        DirectoryOrder::LastName,
    ] {
        for descending in [false, true] {
            let first = store
                .directory_page(order, descending, 0, 10)
                .await
                .unwrap();
            assert_eq!(first.users.len(), 10, "{order:?} {descending}");
            assert_eq!(
                first.entries_read, 10,
                "{order:?} {descending}: a first page reads one page"
            );
            let third = store
                .directory_page(order, descending, 20, 10)
                .await
                .unwrap();
            assert_eq!(
                third.entries_read, 30,
                "{order:?} {descending}: page 3 reads three pages"
            );
        }
    }
    assert_eq!(store.user_count().await.unwrap(), 120);
    let search = |after, matched_before, cap| FilteredRead {
        order: DirectoryOrder::Username,
        descending: false,
        after,
        matched_before,
        skip: 0,
        take: 10,
        cap,
    };
    let keep = |text: &str, _: &str, _: &str| text.contains("seed00");
    let whole = store
        .directory_filtered(search(None, 0, 1_000), keep)
        .await
        .unwrap();
    assert_eq!(whole.matched, Some(10));
    assert_eq!(
        whole.entries_read, 120,
        "under the cap a search reads every entry"
    );
    assert!(whole.resume.is_none());
    let capped = store
        .directory_filtered(search(None, 0, 50), keep)
        .await
        .unwrap();
    assert_eq!(capped.entries_read, 50, "a search reads at most its cap");
    let resume = capped.resume.expect("where to continue");
    let rest = store
        .directory_filtered(search(Some(&resume), capped.matched.unwrap(), 100), keep)
        .await
        .unwrap();
    assert_eq!(
        rest.entries_read, 70,
        "it continues after the last entry examined"
    );
    assert_eq!(rest.matched, Some(10));
    assert!(rest.resume.is_none());
}
