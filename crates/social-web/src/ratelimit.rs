//! Rate limits (docs/web.md "Rate limits"): fixed-window counters in the cache seam, so they are
//! shared by every sociald on one Redis, and kept in-process without it. A request over a limit
//! gets 429 with `Retry-After`; API answers carry `X-RateLimit-Limit`, `X-RateLimit-Remaining`
//! and `X-RateLimit-Reset` as Mastodon sends them.
//!
//! Buckets: every API request, per access token (or per client address without one); and per
//! action: posts, follows and reports per account and per client address, media uploads per account, sign-ups per address,
//! failed log-ins per address and per account (`login_guard`),
//! confirmation and password-reset mails per client address and per e-mail address.
//! Counters live in a cache that may lose them: a restarted Redis forgives, it never blocks.

use crate::AppState;
use crate::api::ApiError;
use crate::client_addr::ClientIp;
use crate::error::WebError;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use social_store::Cache;
use std::fmt;
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// At most `max` events per `window`. Written `MAX/WINDOW`, the window a number and a unit
/// (`s`, `m`, `h`, `d`): `300/5m`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub max: u64,
    pub window: Duration,
}

impl Rule {
    pub const fn new(max: u64, window_secs: u64) -> Self {
        Self {
            max,
            window: Duration::from_secs(window_secs),
        }
    }
}

impl FromStr for Rule {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad =
            || format!("{s:?} is not a limit: write MAX/WINDOW, such as \"300/5m\", or \"off\"");
        let (max, window) = s.trim().split_once('/').ok_or_else(bad)?;
        let max: u64 = max.trim().parse().map_err(|_| bad())?;
        let window = window.trim();
        let unit_at = window.len().checked_sub(1).ok_or_else(bad)?;
        let (count, unit) = window.split_at(unit_at);
        let count: u64 = count.parse().map_err(|_| bad())?;
        let unit = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return Err(bad()),
        };
        if max == 0 || count == 0 || count > 366 * 86_400 / unit {
            return Err(bad());
        }
        Ok(Self::new(max, count * unit))
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.window.as_secs();
        let (n, unit) = [(86_400, "d"), (3600, "h"), (60, "m")]
            .into_iter()
            .find(|(u, _)| secs.is_multiple_of(*u))
            .map_or((secs, "s"), |(u, name)| (secs / u, name));
        write!(f, "{}/{n}{unit}", self.max)
    }
}

/// Parses a configured limit: `MAX/WINDOW`, or `off` (no limit).
pub fn parse_limit(s: &str) -> Result<Option<Rule>, String> {
    if s.trim().eq_ignore_ascii_case("off") {
        Ok(None)
    } else {
        s.parse().map(Some)
    }
}

/// The limits in force; `None` turns one off. [`RateLimits::default`] is sociald's default
/// configuration (Mastodon's figures); [`RateLimits::off`] is for tests and tools.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimits {
    /// Every API request with an access token, per token.
    pub api: Option<Rule>,
    /// Every API request without a token, per client address.
    pub api_anonymous: Option<Rule>,
    /// New posts (web and API), per account.
    pub posts: Option<Rule>,
    /// Follows (web and API), per account.
    pub follows: Option<Rule>,
    /// Media uploads, per account.
    pub media: Option<Rule>,
    /// Reports to the moderators (web form and API), per account.
    pub reports: Option<Rule>,
    /// New posts per client address, all accounts behind it together: a farm of accounts
    /// signed up from one address shares it (set it well above `posts`: people behind one
    /// NAT share it too).
    pub posts_per_address: Option<Rule>,
    /// Follows per client address, all accounts together.
    pub follows_per_address: Option<Rule>,
    /// Reports per client address, all accounts together.
    pub reports_per_address: Option<Rule>,
    /// Sign-ups, per client address.
    pub signups: Option<Rule>,
    /// Failed log-ins (password or second factor), per client address; past it the address
    /// may not try again until the window ends.
    pub logins: Option<Rule>,
    /// Failed log-ins per account (by the username tried), likewise.
    pub logins_per_account: Option<Rule>,
    /// Requests for a confirmation or password-reset mail, counted per client address and,
    /// separately, per e-mail address.
    pub email_links: Option<Rule>,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            api: Some(Rule::new(300, 300)),
            api_anonymous: Some(Rule::new(300, 300)),
            posts: Some(Rule::new(300, 3 * 3600)),
            follows: Some(Rule::new(400, 86_400)),
            media: Some(Rule::new(30, 1800)),
            // Mastodon has none; a dozen honest reports an hour is already a lot, and a
            // flood of them buries the queue the moderators read.
            reports: Some(Rule::new(10, 3600)),
            // Five accounts' worth: a household or office behind one address is not hit, a
            // swarm of fresh accounts on one address is.
            posts_per_address: Some(Rule::new(1500, 3 * 3600)),
            follows_per_address: Some(Rule::new(2000, 86_400)),
            reports_per_address: Some(Rule::new(50, 3600)),
            signups: Some(Rule::new(10, 1800)),
            logins: Some(Rule::new(20, 300)),
            logins_per_account: Some(Rule::new(5, 900)),
            email_links: Some(Rule::new(5, 3600)),
        }
    }
}

impl RateLimits {
    /// No limit at all.
    pub fn off() -> Self {
        Self {
            api: None,
            api_anonymous: None,
            posts: None,
            follows: None,
            media: None,
            reports: None,
            posts_per_address: None,
            follows_per_address: None,
            reports_per_address: None,
            signups: None,
            logins: None,
            logins_per_account: None,
            email_links: None,
        }
    }
}

/// Where a counter stands after one more event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub limit: u64,
    pub remaining: u64,
    pub reset_in: Duration,
    /// This event was over the limit (and refused).
    pub exceeded: bool,
}

impl Quota {
    /// Seconds to wait before retrying, as `Retry-After` says it (at least 1).
    pub fn retry_after(&self) -> u64 {
        self.reset_in.as_millis().div_ceil(1000).max(1) as u64
    }

    /// `X-RateLimit-Limit`, `-Remaining` and `-Reset` (ISO 8601, when the window ends).
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        let reset = SystemTime::now() + self.reset_in;
        let ms = reset
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        for (name, value) in [
            ("x-ratelimit-limit", self.limit.to_string()),
            ("x-ratelimit-remaining", self.remaining.to_string()),
            ("x-ratelimit-reset", crate::api::entities::iso_ms(ms)),
        ] {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(name, v);
            }
        }
    }
}

/// Counts one event of `bucket` for `subject` against `rule`.
pub async fn take(cache: &Cache, bucket: &str, subject: &str, rule: Rule) -> Quota {
    let hit = cache
        .hit(&format!("rl:{bucket}:{subject}"), rule.window)
        .await;
    Quota {
        limit: rule.max,
        remaining: rule.max.saturating_sub(hit.count),
        reset_in: hit.reset_in,
        exceeded: hit.count > rule.max,
    }
}

/// One action's limit for a page or API handler: `Err(WebError::TooManyRequests)` past it.
pub async fn check(
    state: &AppState,
    bucket: &str,
    rule: Option<Rule>,
    subject: impl fmt::Display,
) -> Result<(), Limited> {
    let Some(rule) = rule else { return Ok(()) };
    let quota = take(state.store.cache(), bucket, &subject.to_string(), rule).await;
    if quota.exceeded {
        tracing::info!(target: "social::ratelimit", bucket, "rate limit reached");
        Err(Limited(quota))
    } else {
        Ok(())
    }
}

/// An account's action (posting, following, reporting), limited twice: per account
/// (`bucket`), and per client address for all accounts behind it together (`bucket-ip`).
pub async fn check_action(
    state: &AppState,
    bucket: &str,
    (per_account, account): (Option<Rule>, i64),
    (per_address, ip): (Option<Rule>, std::net::IpAddr),
) -> Result<(), Limited> {
    check(state, bucket, per_account, account).await?;
    check(state, &format!("{bucket}-ip"), per_address, ip).await
}

/// An action refused by its rate limit; converts into the page or the API error.
#[derive(Clone, Copy, Debug)]
pub struct Limited(pub Quota);

impl From<Limited> for WebError {
    fn from(l: Limited) -> Self {
        WebError::TooManyRequests {
            retry_after: Some(l.0.retry_after()),
        }
    }
}

impl From<Limited> for ApiError {
    fn from(l: Limited) -> Self {
        ApiError::rate_limited(l.0)
    }
}

/// Middleware on the API routes: counts every request (per token, or per client address
/// without one) and sends the `X-RateLimit-*` headers; 429 past the limit.
pub async fn api(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if req.method() == Method::OPTIONS {
        return next.run(req).await;
    }
    let limits = &state.config.rate_limits;
    // A malformed header counts as none here; the handler's extractor answers it with 401.
    let token = crate::api::auth::bearer(req.headers()).ok().flatten();
    let (bucket, subject, rule) = match token {
        // The hash: a token never becomes a cache key.
        Some(token) => ("api", social_store::token_hash(token), limits.api),
        None => {
            let (mut parts, body) = req.into_parts();
            let Ok(ClientIp(ip)) = ClientIp::from_request_parts(&mut parts, &state).await;
            let req = Request::from_parts(parts, body);
            return limited(
                &state,
                "api-ip",
                ip.to_string(),
                limits.api_anonymous,
                req,
                next,
            )
            .await;
        }
    };
    limited(&state, bucket, subject, rule, req, next).await
}

async fn limited(
    state: &AppState,
    bucket: &str,
    subject: String,
    rule: Option<Rule>,
    req: Request,
    next: Next,
) -> Response {
    let Some(rule) = rule else {
        return next.run(req).await;
    };
    let quota = take(state.store.cache(), bucket, &subject, rule).await;
    let mut response = if quota.exceeded {
        ApiError::rate_limited(quota).into_response()
    } else {
        next.run(req).await
    };
    quota.write_headers(response.headers_mut());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_parse_and_print() {
        let ok = [
            ("300/5m", 300, 300, "300/5m"),
            ("5/30m", 5, 1800, "5/30m"),
            (" 400 / 24h ", 400, 86_400, "400/1d"),
            ("1/90s", 1, 90, "1/90s"),
            ("10/2d", 10, 172_800, "10/2d"),
        ];
        for (text, max, secs, shown) in ok {
            let rule: Rule = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!((rule.max, rule.window.as_secs()), (max, secs), "{text}");
            assert_eq!(rule.to_string(), shown);
        }
        for bad in [
            "", "300", "0/5m", "5/0m", "5/5", "5/5w", "x/5m", "5/m", "-1/5m", "5/400d",
        ] {
            assert!(bad.parse::<Rule>().is_err(), "{bad:?} must be refused");
        }
        assert_eq!(parse_limit("off"), Ok(None));
        assert_eq!(parse_limit("OFF"), Ok(None));
        assert_eq!(parse_limit("2/1s"), Ok(Some(Rule::new(2, 1))));
        assert!(parse_limit("fast").unwrap_err().contains("MAX/WINDOW"));
    }

    #[tokio::test]
    async fn counts_to_the_limit_then_refuses() {
        let cache = Cache::in_process(100);
        let rule = Rule::new(2, 60);
        let first = take(&cache, "t", "a", rule).await;
        assert_eq!((first.remaining, first.exceeded), (1, false));
        let second = take(&cache, "t", "a", rule).await;
        assert_eq!((second.remaining, second.exceeded), (0, false));
        let third = take(&cache, "t", "a", rule).await;
        assert_eq!((third.remaining, third.exceeded), (0, true));
        assert!((59..=60).contains(&third.retry_after()), "{third:?}");
        let other = take(&cache, "t", "b", rule).await;
        assert!(!other.exceeded, "another subject has its own counter");
        let mut headers = HeaderMap::new();
        third.write_headers(&mut headers);
        assert_eq!(headers["x-ratelimit-limit"], "2");
        assert_eq!(headers["x-ratelimit-remaining"], "0");
        assert!(
            headers["x-ratelimit-reset"]
                .to_str()
                .is_ok_and(|v| v.ends_with('Z'))
        );
    }
}
