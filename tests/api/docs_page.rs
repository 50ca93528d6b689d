//! The OpenAPI document and the docs page, as a client and a browser see them: the document
//! served at `/openapi.json`, and `/docs` rendered by headless Chromium (Debian's `chromium`,
//! which `scripts/test.sh` installs) with every contract's tag and their operations, from files
//! the service serves itself. A screenshot is saved to `target/tmp/docs-page.png`.

use crate::support::TestApp;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const CONTRACT_TAGS: [&str; 6] = ["careers", "accounts", "campaign", "chat", "push", "service"];

fn chromium() -> String {
    std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".to_owned())
}

/// Headless Chromium with no network but loopback and a profile of its own.
fn headless(profile: &Path) -> Command {
    let mut command = Command::new(chromium());
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--virtual-time-budget=15000",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch folder");
    dir
}

#[tokio::test]
async fn the_document_is_served_as_openapi_3_1_json() {
    let app = TestApp::spawn().await;
    let response = app
        .http
        .get(format!("{}/openapi.json", app.base_url))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    let document: Value = response.json().await.expect("JSON");
    assert_eq!(document["openapi"], "3.1.0");
    let login = &document["paths"]["/careers/users/login"]["post"];
    assert_eq!(login["tags"][0], "careers");
    assert!(login["responses"]["200"]["content"]["application/json"]["schema"].is_object());
    let schemes = document["components"]["securitySchemes"]
        .as_object()
        .expect("security schemes");
    for scheme in [
        "bearer",
        "chatAppId",
        "chatSecret",
        "pushAppId",
        "pushAppAuth",
    ] {
        assert!(schemes.contains_key(scheme), "{scheme}");
    }
}

#[tokio::test]
async fn the_docs_page_serves_its_own_files() {
    let app = TestApp::spawn().await;
    for (path, media) in [
        ("/docs", "text/html; charset=utf-8"),
        ("/docs/", "text/html; charset=utf-8"),
        ("/docs/swagger-ui-bundle.js", "text/javascript"),
        ("/docs/swagger-ui.css", "text/css"),
        ("/docs/swagger-initializer.js", "text/javascript"),
    ] {
        let response = app
            .http
            .get(format!("{}{path}", app.base_url))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 200, "{path}");
        assert_eq!(response.headers()["content-type"], media, "{path}");
    }
    let initializer = app
        .http
        .get(format!("{}/docs/swagger-initializer.js", app.base_url))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("text");
    assert!(initializer.contains("\"/openapi.json\""), "{initializer}");
    // Only the files the page loads are served.
    for missing in ["nothing.js", "swagger-ui-es-bundle.js", "index.html"] {
        let response = app
            .http
            .get(format!("{}/docs/{missing}", app.base_url))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), 404, "{missing}");
    }
}

#[tokio::test]
async fn headless_chromium_renders_every_contract_on_the_docs_page() {
    let app = TestApp::spawn().await;
    let url = format!("{}/docs", app.base_url);
    let dir = scratch("docs-page");

    let dump = {
        let mut command = headless(&dir.join("profile-dom"));
        command.arg("--dump-dom").arg(&url);
        tokio::task::spawn_blocking(move || command.output())
            .await
            .expect("chromium task")
            .unwrap_or_else(|e| panic!("{} could not run: {e}", chromium()))
    };
    assert!(
        dump.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let dom = String::from_utf8_lossy(&dump.stdout);
    for tag in CONTRACT_TAGS {
        assert!(
            dom.contains(&format!("id=\"operations-tag-{tag}\"")),
            "the page shows no {tag} section"
        );
    }
    for operation in [
        "data-path=\"/careers/users/login\"",
        "data-path=\"/api/v1/accounts/users/{pk}\"",
        "data-path=\"/api/check/email\"",
        "data-path=\"/api/v2.1/rest/login_or_register\"",
        "data-path=\"/user/{id}/device\"",
    ] {
        assert!(dom.contains(operation), "the page shows no {operation}");
    }

    let screenshot = dir.join("../docs-page.png");
    let _ = std::fs::remove_file(&screenshot);
    let shot = {
        let mut command = headless(&dir.join("profile-shot"));
        command
            .arg("--window-size=1280,2000")
            .arg(format!("--screenshot={}", screenshot.display()))
            .arg(&url);
        tokio::task::spawn_blocking(move || command.output())
            .await
            .expect("chromium task")
            .expect("chromium runs")
    };
    assert!(
        shot.status.success(),
        "chromium: {}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let png = std::fs::read(&screenshot).expect("a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 50_000,
        "{} bytes",
        png.len()
    );
}
