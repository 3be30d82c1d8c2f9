//! Password hashing (argon2id, off the async runtime) and random tokens.

use crate::error::{StoreError, StoreResult};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Hash of a random password nobody knows, checked when the username does not exist so a
/// login for a missing user costs as much as one for an existing user. Made once, with the same
/// parameters as real hashes.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn dummy_hash() -> &'static str {
    DUMMY_HASH.get_or_init(|| {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(random_token(24).as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

pub(crate) async fn hash_password(password: &str) -> StoreResult<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Internal(format!("hashing a password: {e}")))
    })
    .await
    .map_err(|e| StoreError::Internal(format!("hash task: {e}")))?
}

/// Checks `password` against `hash` (or the dummy hash when `None`, then always false).
pub(crate) async fn verify_password(password: &str, hash: Option<String>) -> StoreResult<bool> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let real = hash.is_some();
        let stored = hash.unwrap_or_else(|| dummy_hash().to_owned());
        let ok = match PasswordHash::new(&stored) {
            Ok(parsed) => Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok(),
            Err(_) => false,
        };
        ok && real
    })
    .await
    .map_err(|e| StoreError::Internal(format!("verify task: {e}")))
}

/// `bytes` random bytes, base64url without padding.
pub(crate) fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// SHA-256 of a session token, lower-case hex: what the database stores.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// PKCE (RFC 7636) S256: whether base64url(SHA-256(verifier)) equals the challenge. The
/// verifier must be 43 to 128 characters of the unreserved set.
pub(crate) fn pkce_s256_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'));
    if !well_formed {
        return false;
    }
    let digest = Sha256::digest(verifier.as_bytes());
    let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
    constant_time_eq(expected.as_bytes(), challenge.as_bytes())
}

/// Compares two secrets (or their hashes) in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash_password("correct horse").await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            verify_password("correct horse", Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(!verify_password("wrong", Some(h)).await.unwrap());
        assert!(!verify_password("anything", None).await.unwrap());
        assert!(PasswordHash::new(dummy_hash()).is_ok());
    }

    #[test]
    fn tokens() {
        let t = random_token(32);
        assert_eq!(t.len(), 43);
        assert_ne!(t, random_token(32));
        assert_eq!(token_hash("x").len(), 64);
    }

    #[test]
    fn pkce() {
        // RFC 7636 appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_s256_matches(verifier, challenge));
        assert!(!pkce_s256_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK",
            challenge
        ));
        assert!(!pkce_s256_matches("short", challenge));
        assert!(constant_time_eq(b"ab", b"ab"));
        assert!(!constant_time_eq(b"ab", b"abc"));
    }
}
