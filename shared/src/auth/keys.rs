//! Ed25519 key material in PEM: PKCS#8 for the signing key, SubjectPublicKeyInfo for the
//! verifying key. Only the auth function is given the signing key.

use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair as _};

/// The DER prefix of every Ed25519 SubjectPublicKeyInfo; the 32 key bytes follow it.
const ED25519_SPKI_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("not a PEM document with label {0}")]
    NotPem(&'static str),
    #[error("not an Ed25519 {0}")]
    NotEd25519(&'static str),
    #[error("the public key does not belong to the signing key")]
    Mismatch,
    #[error("the system random generator failed")]
    Random,
    #[error("the JWKS document could not be written")]
    Jwks,
}

/// Environment variables often carry PEM with `\n` escapes instead of line breaks.
fn unescape(pem_text: &str) -> String {
    pem_text.trim().replace("\\n", "\n")
}

fn pem_contents(pem_text: &str, label: &'static str) -> Result<Vec<u8>, KeyError> {
    let parsed = pem::parse(unescape(pem_text)).map_err(|_| KeyError::NotPem(label))?;
    if parsed.tag() != label {
        return Err(KeyError::NotPem(label));
    }
    Ok(parsed.into_contents())
}

/// The 32 raw bytes of an Ed25519 public key given as a `PUBLIC KEY` PEM.
pub fn public_key_bytes(public_pem: &str) -> Result<[u8; 32], KeyError> {
    let der = pem_contents(public_pem, "PUBLIC KEY")?;
    match der.strip_prefix(&ED25519_SPKI_PREFIX[..]) {
        Some(raw) if raw.len() == 32 => {
            let mut out = [0u8; 32];
            out.copy_from_slice(raw);
            Ok(out)
        }
        _ => Err(KeyError::NotEd25519("public key")),
    }
}

/// The PKCS#8 DER of an Ed25519 signing key given as a `PRIVATE KEY` PEM, after checking
/// that `public_pem` is its public half.
pub fn private_key_der(private_pem: &str, public_pem: &str) -> Result<Vec<u8>, KeyError> {
    let der = pem_contents(private_pem, "PRIVATE KEY")?;
    let pair = Ed25519KeyPair::from_pkcs8(&der).map_err(|_| KeyError::NotEd25519("private key"))?;
    if pair.public_key().as_ref() != public_key_bytes(public_pem)?.as_slice() {
        return Err(KeyError::Mismatch);
    }
    Ok(der)
}

/// A fresh key pair as `(private PEM, public PEM)`: for local runs and tests.
pub fn generate_ed25519() -> Result<(String, String), KeyError> {
    let rng = aws_lc_rs::rand::SystemRandom::new();
    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).map_err(|_| KeyError::Random)?;
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|_| KeyError::Random)?;
    let mut spki = ED25519_SPKI_PREFIX.to_vec();
    spki.extend_from_slice(pair.public_key().as_ref());
    let private_pem = pem::encode(&pem::Pem::new("PRIVATE KEY", pkcs8.as_ref().to_vec()));
    let public_pem = pem::encode(&pem::Pem::new("PUBLIC KEY", spki));
    Ok((private_pem, public_pem))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_load_and_match() {
        let (private_pem, public_pem) = generate_ed25519().unwrap();
        assert_eq!(public_key_bytes(&public_pem).unwrap().len(), 32);
        assert!(private_key_der(&private_pem, &public_pem).is_ok());
    }

    #[test]
    fn escaped_newlines_are_accepted() {
        let (private_pem, public_pem) = generate_ed25519().unwrap();
        let escaped = public_pem.replace('\n', "\\n");
        assert!(private_key_der(&private_pem, &escaped).is_ok());
    }

    #[test]
    fn a_public_key_of_another_pair_is_refused() {
        let (private_pem, _) = generate_ed25519().unwrap();
        let (_, other_public) = generate_ed25519().unwrap();
        assert!(matches!(
            private_key_der(&private_pem, &other_public),
            Err(KeyError::Mismatch)
        ));
    }
}
