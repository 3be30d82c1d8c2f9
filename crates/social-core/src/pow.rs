//! Sign-up proof of work without a third-party service: the server signs a challenge, the
//! browser (`pow.js` in social-web's assets) searches for a nonce whose SHA-256 together
//! with the challenge starts with enough zero bits, and the server checks both.
//!
//! A token is `v1.<issued unix seconds>.<difficulty bits>.<32 hex random>.<64 hex HMAC>`,
//! the HMAC-SHA-256 under the server's secret of everything before the last dot. It is
//! stateless: the server keeps nothing until a sign-up succeeds. Replay is the caller's to
//! stop: it records the random part ([`Challenge::random_hex`]) of each token used and
//! refuses it a second time while the token could still be valid.
//!
//! This does not stop a determined spammer; it makes each account cost a few seconds of CPU,
//! which turns scripted mass sign-ups from free into expensive.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Zero bits a browser finds in about one to three seconds (2^16 hashes expected).
pub const DEFAULT_DIFFICULTY_BITS: u8 = 16;
/// Above this a browser would need minutes; [`Challenge::issue`] clamps to it.
pub const MAX_DIFFICULTY_BITS: u8 = 28;
/// How long a challenge stays valid by default: long enough to fill in the form slowly.
pub const DEFAULT_MAX_AGE_S: u64 = 3600;
/// Clock skew tolerated for a token issued "in the future" (another node's clock).
pub const MAX_FUTURE_SKEW_S: u64 = 60;
/// Longest nonce accepted; [`solve`] and `pow.js` write decimal counters, far shorter.
pub const MAX_NONCE_LEN: usize = 32;

const VERSION: &str = "v1";

/// Why a proof of work was refused. The messages can be shown to the person signing up.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PowError {
    #[error("The sign-up check is missing or damaged. Please reload the page and try again.")]
    Malformed,
    #[error("The sign-up check was not issued by this server. Please reload the page.")]
    BadSignature,
    #[error("The sign-up check has expired. Please reload the page and try again.")]
    Expired,
    #[error("The sign-up check is not valid yet; is this computer's clock right?")]
    FromTheFuture,
    #[error("The sign-up check was not completed. Please wait for it to finish.")]
    InsufficientWork,
    /// Not returned by [`verify`]: the caller's replay check found the token used before.
    #[error("This sign-up check was already used. Please reload the page and try again.")]
    Replayed,
}

/// The fields of a token (signature not checked: use [`verify`] for that).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    pub issued_s: u64,
    pub difficulty_bits: u8,
    pub random: [u8; 16],
}

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], signed: &str) -> HmacSha256 {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC accepts keys of every length");
    mac.update(signed.as_bytes());
    mac
}

impl Challenge {
    /// A new signed token. `random` must come from a CSPRNG (it makes tokens unique, which
    /// replay protection relies on); `difficulty_bits` is clamped to [`MAX_DIFFICULTY_BITS`].
    pub fn issue(secret: &[u8], now_s: u64, difficulty_bits: u8, random: [u8; 16]) -> String {
        let bits = difficulty_bits.min(MAX_DIFFICULTY_BITS);
        let signed = format!("{VERSION}.{now_s}.{bits}.{}", hex(&random));
        let tag = mac(secret, &signed).finalize().into_bytes();
        format!("{signed}.{}", hex(&tag))
    }

    /// Reads a token's fields without checking its signature.
    pub fn parse(token: &str) -> Result<Self, PowError> {
        Self::split(token).map(|(c, _, _)| c)
    }

    /// The random part as it appears in the token: the key for replay protection.
    pub fn random_hex(&self) -> String {
        hex(&self.random)
    }

    /// How long, from `now_s`, a token with this challenge may still pass [`verify`] with
    /// `max_age_s`: how long its random part must be remembered to stop a replay.
    pub fn remaining_s(&self, now_s: u64, max_age_s: u64) -> u64 {
        self.issued_s
            .saturating_add(max_age_s)
            .saturating_sub(now_s)
    }

    /// The challenge, the signed text and the decoded tag.
    fn split(token: &str) -> Result<(Self, &str, [u8; 32]), PowError> {
        let (signed, tag_hex) = token.rsplit_once('.').ok_or(PowError::Malformed)?;
        let mut parts = signed.split('.');
        let (Some(VERSION), Some(issued), Some(bits), Some(random), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(PowError::Malformed);
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(issued) || !digits(bits) {
            return Err(PowError::Malformed);
        }
        let challenge = Challenge {
            issued_s: issued.parse().map_err(|_| PowError::Malformed)?,
            difficulty_bits: bits.parse().map_err(|_| PowError::Malformed)?,
            random: unhex(random).ok_or(PowError::Malformed)?,
        };
        let tag = unhex(tag_hex).ok_or(PowError::Malformed)?;
        Ok((challenge, signed, tag))
    }
}

/// Checks a solved challenge: the token is well-formed and signed with `secret`, was issued
/// at most `max_age_s` before `now_s` (and at most [`MAX_FUTURE_SKEW_S`] after), and
/// SHA-256 of `token:nonce` starts with the token's number of zero bits. Cheap checks and
/// the signature come first, so a forged token costs the server one HMAC.
pub fn verify(
    secret: &[u8],
    token: &str,
    nonce: &str,
    now_s: u64,
    max_age_s: u64,
) -> Result<(), PowError> {
    let (challenge, signed, tag) = Challenge::split(token)?;
    // `verify_slice` compares in constant time.
    mac(secret, signed)
        .verify_slice(&tag)
        .map_err(|_| PowError::BadSignature)?;
    if challenge.issued_s > now_s.saturating_add(MAX_FUTURE_SKEW_S) {
        return Err(PowError::FromTheFuture);
    }
    if now_s.saturating_sub(challenge.issued_s) > max_age_s {
        return Err(PowError::Expired);
    }
    if nonce.is_empty()
        || nonce.len() > MAX_NONCE_LEN
        || !nonce.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return Err(PowError::InsufficientWork);
    }
    if leading_zero_bits(&work_hash(token, nonce)) < u32::from(challenge.difficulty_bits) {
        return Err(PowError::InsufficientWork);
    }
    Ok(())
}

/// The first nonce (a decimal counter from 0, as `pow.js` counts) that satisfies
/// `difficulty_bits` for `token`. Expect about 2^difficulty_bits hashes.
pub fn solve(token: &str, difficulty_bits: u8) -> String {
    let need = u32::from(difficulty_bits);
    let mut n: u64 = 0;
    loop {
        let nonce = n.to_string();
        if leading_zero_bits(&work_hash(token, &nonce)) >= need {
            return nonce;
        }
        n = n.wrapping_add(1);
    }
}

fn work_hash(token: &str, nonce: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(token.as_bytes());
    h.update(b":");
    h.update(nonce.as_bytes());
    h.finalize().into()
}

fn leading_zero_bits(hash: &[u8]) -> u32 {
    let mut bits = 0;
    for &b in hash {
        bits += b.leading_zeros();
        if b != 0 {
            break;
        }
    }
    bits
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Lowercase hex of exactly `N` bytes.
fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    if s.len() != 2 * N {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; N];
    for (o, pair) in out.iter_mut().zip(s.as_bytes().chunks_exact(2)) {
        *o = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"server secret for tests";
    const NOW: u64 = 1_700_000_000;
    const RANDOM: [u8; 16] = [7; 16];
    /// Low so the tests run fast, high enough that a random nonce rarely passes.
    const BITS: u8 = 10;

    fn issued() -> (String, String) {
        let token = Challenge::issue(SECRET, NOW, BITS, RANDOM);
        let nonce = solve(&token, BITS);
        (token, nonce)
    }

    #[test]
    fn token_has_the_documented_shape() {
        let token = Challenge::issue(SECRET, NOW, BITS, RANDOM);
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(
            parts[..4],
            ["v1", "1700000000", "10", "07070707070707070707070707070707"]
        );
        assert_eq!(parts[4].len(), 64);
        let c = Challenge::parse(&token).unwrap();
        assert_eq!(
            (c.issued_s, c.difficulty_bits, c.random),
            (NOW, BITS, RANDOM)
        );
        assert_eq!(c.random_hex(), parts[3]);
    }

    #[test]
    fn token_and_nonce_match_the_other_implementations() {
        // Token computed independently (Python's hmac); nonce found by `pow.js` under Node
        // for the same token. Pinned so a change of format breaks here, not in browsers.
        let token = Challenge::issue(SECRET, NOW, BITS, RANDOM);
        assert_eq!(
            token,
            "v1.1700000000.10.07070707070707070707070707070707.\
             936413e148d589566d9560a78bbf882695fd93c00d7fac23b39fecf6e9d0e39a"
        );
        assert_eq!(solve(&token, BITS), "132");
    }

    #[test]
    fn solved_challenge_verifies() {
        let (token, nonce) = issued();
        assert_eq!(
            verify(SECRET, &token, &nonce, NOW + 30, DEFAULT_MAX_AGE_S),
            Ok(())
        );
        assert!(leading_zero_bits(&work_hash(&token, &nonce)) >= u32::from(BITS));
    }

    #[test]
    fn wrong_nonce_is_refused() {
        let (token, nonce) = issued();
        // The first nonce that works is the solution; every smaller counter fails.
        let n: u64 = nonce.parse().unwrap();
        assert!(n > 0, "pick another RANDOM: the first counter solved it");
        for wrong in (0..n).take(50) {
            let wrong = wrong.to_string();
            assert_eq!(
                verify(SECRET, &token, &wrong, NOW, DEFAULT_MAX_AGE_S),
                Err(PowError::InsufficientWork)
            );
        }
        for bad in ["", "12 3", "x".repeat(MAX_NONCE_LEN + 1).as_str()] {
            assert_eq!(
                verify(SECRET, &token, bad, NOW, 60),
                Err(PowError::InsufficientWork)
            );
        }
    }

    #[test]
    fn tampered_token_is_refused() {
        let (token, nonce) = issued();
        // Lower difficulty, other time, other random, other secret: all break the signature.
        let easier = token.replacen(".10.", ".0.", 1);
        assert_eq!(
            verify(SECRET, &easier, "0", NOW, 60),
            Err(PowError::BadSignature)
        );
        let later = token.replacen("1700000000", "1700000999", 1);
        assert_eq!(
            verify(SECRET, &later, &nonce, NOW, 60),
            Err(PowError::BadSignature)
        );
        let other = token.replacen("0707", "0708", 1);
        assert_eq!(
            verify(SECRET, &other, &nonce, NOW, 60),
            Err(PowError::BadSignature)
        );
        assert_eq!(
            verify(b"other", &token, &nonce, NOW, 60),
            Err(PowError::BadSignature)
        );
    }

    #[test]
    fn malformed_tokens_are_refused() {
        let (token, nonce) = issued();
        let v2 = token.replacen("v1.", "v2.", 1);
        let short_tag = &token[..token.len() - 2];
        let upper = token.to_uppercase().replacen("V1", "v1", 1);
        let extra = format!("x.{token}");
        for bad in [
            "",
            "v1",
            "v1.1.1.00.00",
            v2.as_str(),
            short_tag,
            upper.as_str(),
            &extra,
        ] {
            assert_eq!(
                verify(SECRET, bad, &nonce, NOW, 60),
                Err(PowError::Malformed),
                "{bad}"
            );
        }
        let big_bits = token.replacen(".10.", ".300.", 1);
        assert_eq!(Challenge::parse(&big_bits), Err(PowError::Malformed));
    }

    #[test]
    fn expired_and_future_tokens_are_refused() {
        let (token, nonce) = issued();
        let ok = |now| verify(SECRET, &token, &nonce, now, 600);
        assert_eq!(ok(NOW + 600), Ok(()));
        assert_eq!(ok(NOW + 601), Err(PowError::Expired));
        assert_eq!(ok(NOW - MAX_FUTURE_SKEW_S), Ok(()));
        assert_eq!(
            ok(NOW - MAX_FUTURE_SKEW_S - 1),
            Err(PowError::FromTheFuture)
        );
    }

    #[test]
    fn remaining_validity() {
        let c = Challenge::parse(&Challenge::issue(SECRET, NOW, BITS, RANDOM)).unwrap();
        assert_eq!(c.remaining_s(NOW, 600), 600);
        assert_eq!(c.remaining_s(NOW + 599, 600), 1);
        assert_eq!(c.remaining_s(NOW + 601, 600), 0);
        // Issued "in the future" by a node whose clock is ahead: valid for longer.
        assert_eq!(c.remaining_s(NOW - 30, 600), 630);
    }

    #[test]
    fn difficulty_is_clamped() {
        let token = Challenge::issue(SECRET, NOW, 200, RANDOM);
        assert_eq!(
            Challenge::parse(&token).unwrap().difficulty_bits,
            MAX_DIFFICULTY_BITS
        );
    }

    #[test]
    fn zero_bits_accept_any_nonce() {
        let token = Challenge::issue(SECRET, NOW, 0, RANDOM);
        assert_eq!(solve(&token, 0), "0");
        assert_eq!(verify(SECRET, &token, "anything1", NOW, 60), Ok(()));
    }

    #[test]
    fn leading_zero_bits_counts_across_bytes() {
        assert_eq!(leading_zero_bits(&[0, 0, 0b0000_1000, 0xff]), 20);
        assert_eq!(leading_zero_bits(&[0x80]), 0);
        assert_eq!(leading_zero_bits(&[0; 32]), 256);
    }
}
