//! The sign-up proof of work on the web side (`social_core::pow` does the cryptography): the
//! challenge a sign-up page carries, and the check of a submitted one with replay protection.
//!
//! It applies in open registration mode only: there a sign-up is published without anyone
//! looking at it. In approval mode a moderator reviews every account; in invite mode the
//! invite code is the proof. A sign-up without a proof (no JavaScript: the nonce is empty) is
//! not refused but waits for a moderator's approval, as in approval mode; a wrong, expired or
//! replayed proof is refused (see `signup::register`).

use crate::AppState;
use social_core::RegistrationMode;
use social_core::pow::{self, Challenge, PowError};
use social_store::StoreResult;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The hidden field holding the signed challenge.
pub const TOKEN_FIELD: &str = "pow_token";
/// The hidden field `pow.js` fills with the nonce it found.
pub const NONCE_FIELD: &str = "pow_nonce";
/// The id of the live status line; the form's error summary links to it.
pub const STATUS_ID: &str = "pow-status";

/// The proof-of-work settings (`WebConfig::signup_pow`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignupPow {
    /// Leading zero bits the SHA-256 must have: 16 takes a browser about a second.
    pub bits: u8,
    /// How long a challenge stays valid, in seconds (the time to fill in the form).
    pub max_age_s: u64,
}

impl Default for SignupPow {
    fn default() -> Self {
        Self {
            bits: pow::DEFAULT_DIFFICULTY_BITS,
            max_age_s: pow::DEFAULT_MAX_AGE_S,
        }
    }
}

/// A challenge for a sign-up page.
#[derive(Clone, Debug)]
pub struct Issued {
    pub token: String,
    pub bits: u8,
}

/// What a submitted sign-up proved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Proof {
    /// The work was done: the account may be active at once.
    Solved,
    /// No nonce (the browser ran no JavaScript): the account waits for approval.
    Missing,
}

/// The settings when sign-ups in `mode` need the proof: open mode with it configured.
pub fn required(state: &AppState, mode: RegistrationMode) -> Option<&SignupPow> {
    state
        .config
        .signup_pow
        .as_ref()
        .filter(|_| mode == RegistrationMode::Open)
}

fn now_s() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A fresh signed challenge.
pub async fn issue(state: &AppState, cfg: &SignupPow) -> StoreResult<Issued> {
    let secret = state.store.signup_pow_secret().await?;
    let random: [u8; 16] = rand::random();
    let bits = cfg.bits.min(pow::MAX_DIFFICULTY_BITS);
    Ok(Issued {
        token: Challenge::issue(&secret, now_s(), bits, random),
        bits,
    })
}

/// Checks a submitted challenge and nonce: `Missing` when the nonce is empty; otherwise the
/// signature, age and work (at least the configured bits, so raising them voids easier
/// challenges still out), then marks the token used for as long as it could still pass. A
/// second use within that time is `Replayed`. The mark lives in the cache (Redis when
/// configured, shared by every sociald; in-process otherwise or while Redis fails).
pub async fn check(
    state: &AppState,
    cfg: &SignupPow,
    token: &str,
    nonce: &str,
) -> StoreResult<Result<Proof, PowError>> {
    if nonce.is_empty() {
        return Ok(Ok(Proof::Missing));
    }
    let secret = state.store.signup_pow_secret().await?;
    let now = now_s();
    if let Err(e) = pow::verify(&secret, token, nonce, now, cfg.max_age_s) {
        return Ok(Err(e));
    }
    // Verified, so the token parses.
    let Ok(challenge) = Challenge::parse(token) else {
        return Ok(Err(PowError::Malformed));
    };
    if challenge.difficulty_bits < cfg.bits.min(pow::MAX_DIFFICULTY_BITS) {
        return Ok(Err(PowError::InsufficientWork));
    }
    // One second more than the remaining validity: `verify` accepts the last second too.
    let ttl = Duration::from_secs(challenge.remaining_s(now, cfg.max_age_s) + 1);
    let key = format!("signup_pow:{}", challenge.random_hex());
    if state.store.cache().hit(&key, ttl).await.count > 1 {
        return Ok(Err(PowError::Replayed));
    }
    Ok(Ok(Proof::Solved))
}
