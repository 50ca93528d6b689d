//! `userctl`: app credentials and staff users.

use crate::support::{TestApp, PASSWORD};
use users_tools::admin::AdminError;

#[tokio::test]
async fn app_credentials_are_created_listed_and_revoked() {
    let app = TestApp::spawn().await;

    let (app_id, secret) = app.app_credential("billing").await;
    let listed = app.admin(&["app", "list"], "").await.unwrap();
    assert!(
        listed.contains(&app_id) && listed.contains("billing") && listed.contains("active"),
        "{listed}"
    );
    assert!(!listed.contains(&secret), "the secret is never shown again");
    assert!(
        !format!("{:?}", app.all_items().await).contains(&secret),
        "the secret is stored only hashed"
    );

    app.admin(&["app", "revoke", &app_id], "").await.unwrap();
    assert!(app
        .admin(&["app", "list"], "")
        .await
        .unwrap()
        .contains("revoked"));
    assert!(matches!(
        app.admin(&["app", "revoke", "app_missing"], "").await,
        Err(AdminError::Service(_))
    ));
}

#[tokio::test]
async fn a_staff_user_is_created_with_the_given_password() {
    let app = TestApp::spawn().await;

    let out = app
        .admin(&["staff", "create", "boss", "boss@example.com"], PASSWORD)
        .await
        .unwrap();

    assert!(out.contains("created staff user boss"), "{out}");
    let users = app.items_of("USER").await;
    assert_eq!(users[0]["is_staff"].as_bool().unwrap(), &true);
    assert_eq!(users[0]["is_superuser"].as_bool().unwrap(), &false);
    let login = app.login_as("boss", PASSWORD).await;
    assert_eq!(login.status, reqwest::StatusCode::OK);
}

#[tokio::test]
async fn bad_commands_are_refused() {
    let app = TestApp::spawn().await;

    assert!(matches!(
        app.admin(&["nonsense"], "").await,
        Err(AdminError::Usage)
    ));
    assert!(matches!(
        app.admin(&["staff", "create", "x y", "a@example.com"], "password123")
            .await,
        Err(AdminError::Invalid(_))
    ));
    assert!(matches!(
        app.admin(&["staff", "create", "boss", "b@example.com"], "short")
            .await,
        Err(AdminError::Invalid(_))
    ));
    assert!(app.items_of("USER").await.is_empty());
}
