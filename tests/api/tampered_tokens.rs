//! Access tokens that were not issued as they stand are refused with 401.

use crate::support::{text, user_id, TestApp, CAREERS_ME as ME};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{json, Value};
use users_shared::auth::keys::generate_ed25519;
use users_shared::auth::tokens::{TokenSigner, TokenVerifier};
use users_shared::clock::Timestamp;
use users_shared::domain::UserId;

struct Signed {
    access: String,
    user_id: u64,
    session_id: String,
}

async fn signed_up(app: &TestApp, username: &str) -> Signed {
    let body = app.register(username).await;
    Signed {
        access: text(&body, "access"),
        user_id: user_id(&body),
        session_id: text(&body, "refresh").split('.').nth(1).unwrap().to_owned(),
    }
}

impl Signed {
    /// A token for this user's session, issued now by `signer`.
    fn signed_by(&self, signer: &TokenSigner) -> String {
        signer
            .sign(
                UserId::new(self.user_id),
                &self.session_id,
                0,
                Timestamp::now(),
            )
            .unwrap()
    }
}

/// A signer with a key pair of its own, under the service's issuer.
fn forger(app: &TestApp) -> TokenSigner {
    let (private_pem, public_pem) = generate_ed25519().unwrap();
    let verifier = TokenVerifier::new(&public_pem, &app.config.issuer).unwrap();
    TokenSigner::new(&private_pem, &public_pem, &verifier, &app.config.issuer).unwrap()
}

fn parts(token: &str) -> (Value, Value, String) {
    let mut it = token.split('.');
    let decode = |p: Option<&str>| {
        serde_json::from_slice::<Value>(&URL_SAFE_NO_PAD.decode(p.unwrap()).unwrap()).unwrap()
    };
    let header = decode(it.next());
    let payload = decode(it.next());
    (header, payload, it.next().unwrap().to_owned())
}

fn encode(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

async fn assert_refused(app: &TestApp, token: &str, what: &str) {
    let reply = app.get(ME, Some(token)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{what}");
    assert_eq!(reply.body["code"], "token_not_valid", "{what}");
}

#[tokio::test]
async fn alg_none_is_refused() {
    let app = TestApp::spawn().await;
    let alice = signed_up(&app, "alice").await;
    let (mut header, payload, _) = parts(&alice.access);
    header["alg"] = json!("none");

    assert_refused(
        &app,
        &format!("{}.{}.", encode(&header), encode(&payload)),
        "alg none",
    )
    .await;
}

#[tokio::test]
async fn a_token_signed_with_another_key_is_refused() {
    let app = TestApp::spawn().await;
    let alice = signed_up(&app, "alice").await;

    let forged = alice.signed_by(&forger(&app));

    assert_refused(&app, &forged, "another key").await;
}

#[tokio::test]
async fn a_forged_token_under_the_services_key_id_is_refused() {
    let app = TestApp::spawn().await;
    let alice = signed_up(&app, "alice").await;
    let forged = alice.signed_by(&forger(&app));
    let (mut header, payload, signature) = parts(&forged);
    let (real_header, _, _) = parts(&alice.access);
    header["kid"] = real_header["kid"].clone();

    let relabelled = format!("{}.{}.{signature}", encode(&header), encode(&payload));

    assert_refused(&app, &relabelled, "another key, our kid").await;
}

#[tokio::test]
async fn an_edited_payload_is_refused() {
    let app = TestApp::spawn().await;
    let alice = signed_up(&app, "alice").await;
    let bob = signed_up(&app, "bob").await;
    let (header, mut payload, signature) = parts(&alice.access);
    payload["sub"] = json!(bob.user_id.to_string());

    let edited = format!("{}.{}.{signature}", encode(&header), encode(&payload));

    assert_refused(&app, &edited, "edited sub").await;
    let me = app.get(ME, Some(&bob.access)).await;
    assert_eq!(me.body["username"], "bob");
}

#[tokio::test]
async fn a_token_of_another_issuer_is_refused() {
    let app = TestApp::spawn().await;
    let alice = signed_up(&app, "alice").await;
    let verifier = app.config.verifier().unwrap();
    let other_stage = TokenSigner::new(
        app.config.private_key_pem.as_deref().unwrap(),
        &app.config.public_key_pem,
        &verifier,
        "users-service-other-stage",
    )
    .unwrap();

    let token = alice.signed_by(&other_stage);

    assert_refused(&app, &token, "other issuer").await;
}

#[tokio::test]
async fn garbage_is_refused() {
    let app = TestApp::spawn().await;
    for token in ["garbage", "a.b.c", "eyJhbGciOiJub25lIn0.e30."] {
        assert_refused(&app, token, token).await;
    }
}

#[tokio::test]
async fn a_valid_signature_for_a_session_that_does_not_exist_is_refused() {
    let app = TestApp::spawn().await;
    let alice = signed_up(&app, "alice").await;
    let verifier = app.config.verifier().unwrap();
    let signer = app.config.signer(&verifier).unwrap();

    let token = signer
        .sign(
            UserId::new(alice.user_id),
            "AAAAAAAAAAAAAAAAAAAAAA",
            0,
            Timestamp::now(),
        )
        .unwrap();

    assert_refused(&app, &token, "unknown session").await;
}
