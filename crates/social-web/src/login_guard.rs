//! Failed log-ins: the fail2ban log line and the two limits on them (`[rate_limits]` `logins`
//! per client address, `logins_per_account` per username tried). Counters go through
//! `ratelimit::take`, so they are cluster-wide on Redis. Once a counter reaches its limit,
//! a block key is set until its window ends: every attempt then gets 429 with `Retry-After`,
//! before any password is checked. Successful log-ins do not count, so people behind one NAT
//! are not locked out by their neighbours' ordinary use.

use crate::AppState;
use crate::error::WebError;
use crate::ratelimit::{self, Rule};
use std::net::IpAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Why an authentication failed, as the log line says it (`docs/logging.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    UnknownUser,
    BadPassword,
    /// A wrong, replayed or used-up second-factor code.
    BadCode,
}

impl Failure {
    fn reason(self) -> &'static str {
        match self {
            Self::UnknownUser => "unknown_user",
            Self::BadPassword => "bad_password",
            Self::BadCode => "bad_code",
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The subjects a log-in attempt counts against: its address and the username tried.
fn subjects(ip: IpAddr, username: &str) -> [(&'static str, String); 2] {
    [
        ("login-ip", ip.to_string()),
        (
            "login-account",
            // Bounded: whatever was typed becomes a cache key.
            social_core::validate::username_key(&username.chars().take(64).collect::<String>()),
        ),
    ]
}

fn block_key(bucket: &str, subject: &str) -> String {
    format!("rl-block:{bucket}:{subject}")
}

fn rules(state: &AppState) -> [Option<Rule>; 2] {
    let limits = &state.config.rate_limits;
    [limits.logins, limits.logins_per_account]
}

/// 429 when the address or the account is blocked after too many failures.
pub async fn check(state: &AppState, ip: IpAddr, username: &str) -> Result<(), WebError> {
    let cache = state.store.cache();
    for ((bucket, subject), rule) in subjects(ip, username).iter().zip(rules(state)) {
        if rule.is_none() {
            continue;
        }
        if let Some(until) = cache.get(&block_key(bucket, subject)).await {
            let until: u64 = std::str::from_utf8(&until)
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(0);
            let wait = until.saturating_sub(now_ms()).div_ceil(1000).max(1);
            tracing::info!(target: "social::ratelimit", bucket, "log-in refused: too many failures");
            return Err(WebError::TooManyRequests {
                retry_after: Some(wait),
            });
        }
    }
    Ok(())
}

/// Records a failed authentication: writes the fail2ban line (its format is a contract: see
/// `docs/logging.md`) and counts it against the address and the account, blocking either
/// once it reaches its limit.
pub async fn fail(state: &AppState, ip: IpAddr, username: &str, failure: Failure) {
    let reason = failure.reason();
    tracing::warn!(target: "social::auth", remote_addr = %ip, user = ?username, "authentication failure: client={ip} reason={reason} user={username:?}");
    let cache = state.store.cache();
    for ((bucket, subject), rule) in subjects(ip, username).iter().zip(rules(state)) {
        let Some(rule) = rule else { continue };
        let quota = ratelimit::take(cache, bucket, subject, rule).await;
        if quota.remaining == 0 {
            let until = now_ms() + u64::try_from(quota.reset_in.as_millis()).unwrap_or(0);
            let ttl = quota.reset_in.max(Duration::from_secs(1));
            cache
                .set(
                    &block_key(bucket, subject),
                    until.to_string().as_bytes(),
                    ttl,
                )
                .await;
        }
    }
}
