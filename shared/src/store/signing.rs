//! SigV4 for the store's own DynamoDB calls. They all have one shape (a POST to `/`, no query,
//! the same four headers and the session token), so their canonical request is written
//! directly, and the day's signing key (four HMACs of the secret) is derived once a day instead
//! of for every call; the key and the signature are `aws-sigv4`'s own
//! (`generate_signing_key`, `calculate_signature`). Any other shape is signed by
//! `aws-sigv4`'s general signer (`Wire::request`), which a test holds this one equal to.

use aws_sdk_dynamodb::config::Credentials;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::SystemTime;

/// The content type of DynamoDB's JSON protocol.
pub(super) const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

const SERVICE: &str = "dynamodb";

/// The day's signing key of one secret.
struct DayKey {
    day: String,
    secret: String,
    key: Vec<u8>,
}

/// Signs the calls to one region's endpoint.
pub(super) struct Signer {
    region: String,
    day_key: Mutex<Option<DayKey>>,
}

/// The headers a signed call adds: `x-amz-date` and `authorization` (and, with temporary
/// credentials, `x-amz-security-token`, the credentials' token).
pub(super) struct Signed {
    pub date: String,
    pub authorization: String,
}

impl Signer {
    pub fn new(region: &str) -> Self {
        Self {
            region: region.to_owned(),
            day_key: Mutex::new(None),
        }
    }

    /// Signs a POST to `/` of `host` with `x-amz-target: target`, the content type of
    /// DynamoDB's JSON, and `body`, at `now`.
    pub fn sign(
        &self,
        credentials: &Credentials,
        (host, target): (&str, &str),
        body: &[u8],
        now: SystemTime,
    ) -> Signed {
        let date = amz_date(now);
        let day = &date[..8];
        let token = credentials.session_token();
        let signed_headers = if token.is_some() {
            "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
        } else {
            "content-type;host;x-amz-date;x-amz-target"
        };
        let mut canonical = String::with_capacity(512 + token.map_or(0, str::len));
        let _ = write!(
            canonical,
            "POST\n/\n\ncontent-type:{CONTENT_TYPE}\nhost:{host}\nx-amz-date:{date}\n"
        );
        if let Some(token) = token {
            let _ = writeln!(canonical, "x-amz-security-token:{}", token.trim());
        }
        let _ = write!(
            canonical,
            "x-amz-target:{target}\n\n{signed_headers}\n{}",
            sha256_hex(body)
        );
        let scope = format!("{day}/{}/{SERVICE}/aws4_request", self.region);
        let to_sign = format!(
            "AWS4-HMAC-SHA256\n{date}\n{scope}\n{}",
            sha256_hex(canonical.as_bytes())
        );
        let signature = {
            let mut cached = self.day_key.lock().unwrap_or_else(|e| e.into_inner());
            let secret = credentials.secret_access_key();
            let current = cached
                .as_ref()
                .is_some_and(|k| k.day == day && k.secret == secret);
            if !current {
                let key =
                    aws_sigv4::sign::v4::generate_signing_key(secret, now, &self.region, SERVICE);
                *cached = Some(DayKey {
                    day: day.to_owned(),
                    secret: secret.to_owned(),
                    key: key.as_ref().to_vec(),
                });
            }
            let key = cached.as_ref().map_or(&[][..], |k| &k.key[..]);
            aws_sigv4::sign::v4::calculate_signature(key, to_sign.as_bytes())
        };
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
            credentials.access_key_id()
        );
        Signed {
            date,
            authorization,
        }
    }
}

/// `20261126T170000Z`, the time a request is signed at.
fn amz_date(now: SystemTime) -> String {
    let t = time::OffsetDateTime::from(now);
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn sha256_hex(bytes: &[u8]) -> String {
    hex(aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes).as_ref())
}

/// Lower-case hex digits of `bytes`.
pub(super) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    bytes
        .iter()
        .flat_map(|b| [b >> 4, b & 0xf].map(|d| char::from(DIGITS[usize::from(d)])))
        .collect()
}
