//! A list's first page reads about a page of the index, in every order: never the whole
//! user set. Searches read the whole index (their cost is documented as growing with users).

use crate::support::TestApp;
use reqwest::StatusCode;
use serde_json::json;
use users_shared::store::DirectoryOrder;

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
    let searched = store
        .directory_filtered(DirectoryOrder::Username, false, 0, 10, |text, _, _| {
            text.contains("seed00")
        })
        .await
        .unwrap();
    assert_eq!(searched.matched, Some(10));
    assert_eq!(searched.entries_read, 120, "a search reads every entry");
}
