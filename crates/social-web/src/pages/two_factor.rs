//! The log-in's second step for accounts with two-factor authentication. A correct password
//! only earns a challenge: a random token in its own short-lived cookie, whose hash names an
//! entry in the cache (shared by every sociald on one Redis). The challenge grants nothing
//! (no session exists until the code is right), expires after [`CHALLENGE_TTL`], and dies
//! after [`CHALLENGE_ATTEMPTS`] wrong codes. A wrong code is a failed authentication
//! (`login_guard`: the fail2ban line and the failure limits).

use crate::AppState;
use crate::client_addr::ClientIp;
use crate::csrf;
use crate::error::WebResult;
use crate::extract::WebForm;
use crate::login_guard::{self, Failure};
use crate::pages::{anonymous, auth, form_error, with_cookie};
use crate::session::{self, MaybeUser};
use crate::util::{self, see_other};
use crate::views::forms::FormErrors;
use crate::views::security as view;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use social_core::totp::SecondFactor;
use social_core::{AccountId, ValidationError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long a challenge waits for its code.
pub const CHALLENGE_TTL: Duration = Duration::from_secs(300);
/// Wrong codes a challenge takes before the password must be typed again.
pub const CHALLENGE_ATTEMPTS: u32 = 5;

/// Name of the challenge cookie (`__Host-` prefixed under TLS).
pub fn cookie_name(tls: bool) -> &'static str {
    if tls { "__Host-login2fa" } else { "login2fa" }
}

#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Challenge {
    account_id: i64,
    next: String,
    attempts: u32,
    expires_at_ms: u64,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn cache_key(token: &str) -> String {
    format!("login2fa:{}", social_store::token_hash(token))
}

async fn save(state: &AppState, key: &str, c: &Challenge) {
    let left = Duration::from_millis(c.expires_at_ms.saturating_sub(now_ms()));
    if let Ok(bytes) = serde_json::to_vec(c) {
        state.store.cache().set(key, &bytes, left).await;
    }
}

/// The challenge named by the request's cookie, with its cache key.
async fn load(state: &AppState, headers: &HeaderMap) -> Option<(String, Challenge)> {
    let token = util::cookie(headers, cookie_name(state.config.tls))
        .filter(|t| !t.is_empty() && t.len() <= 128)?;
    let key = cache_key(token);
    let bytes = state.store.cache().get(&key).await?;
    let c: Challenge = serde_json::from_slice(&bytes).ok()?;
    (c.expires_at_ms > now_ms()).then_some((key, c))
}

fn clear_cookie(state: &AppState) -> axum::http::HeaderValue {
    session::set_cookie(cookie_name(state.config.tls), "", 0, state.config.tls)
}

/// After a correct password: a challenge, and a redirect to the code form.
pub async fn challenge(state: &AppState, account: AccountId, next: &str) -> WebResult<Response> {
    let token = util::random_token();
    let c = Challenge {
        account_id: account.0,
        next: next.to_owned(),
        attempts: 0,
        expires_at_ms: now_ms() + CHALLENGE_TTL.as_millis() as u64,
    };
    save(state, &cache_key(&token), &c).await;
    let cookie = session::set_cookie(
        cookie_name(state.config.tls),
        &token,
        CHALLENGE_TTL.as_secs() as u32,
        state.config.tls,
    );
    Ok(with_cookie(see_other("/login/two-factor"), Some(cookie)))
}

/// `GET /login/two-factor`.
pub async fn code_page(
    State(state): State<AppState>,
    user: MaybeUser,
    headers: HeaderMap,
) -> Response {
    if user.0.is_some() {
        return see_other("/home");
    }
    if load(&state, &headers).await.is_none() {
        return with_cookie(see_other("/login"), Some(clear_cookie(&state)));
    }
    let (token, cookie) = csrf::anon_token(&headers, state.config.tls);
    let page = view::login_code(&anonymous(&state), &token, &FormErrors::default());
    with_cookie(page.into_response(), cookie)
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

/// `POST /login/two-factor`.
pub async fn code_submit(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    WebForm(form): WebForm<CodeForm>,
) -> WebResult<Response> {
    let Some((key, mut c)) = load(&state, &headers).await else {
        return Ok(with_cookie(see_other("/login"), Some(clear_cookie(&state))));
    };
    let account = state
        .store
        .get_account_by_id(AccountId(c.account_id))
        .await?;
    // Checked again: the account may have been disabled (or purged) since the password.
    let account = match account {
        Some(a) if auth::login_access(&state, &a).await?.is_ok() => Some(a),
        _ => None,
    };
    let Some(account) = account else {
        state.store.cache().delete(&key).await;
        return Ok(with_cookie(see_other("/login"), Some(clear_cookie(&state))));
    };
    login_guard::check(&state, ip, &account.username).await?;
    let ok = match SecondFactor::parse(&form.code) {
        Some(factor) => state.store.check_second_factor(account.id, &factor).await?,
        None => false,
    };
    if ok {
        state.store.cache().delete(&key).await;
        let response = auth::start_session(&state, account.id, &headers, ip, &c.next).await?;
        return Ok(with_cookie(response, Some(clear_cookie(&state))));
    }
    login_guard::fail(&state, ip, &account.username, Failure::BadCode).await;
    c.attempts += 1;
    if c.attempts >= CHALLENGE_ATTEMPTS {
        state.store.cache().delete(&key).await;
        return Ok(with_cookie(see_other("/login"), Some(clear_cookie(&state))));
    }
    save(&state, &key, &c).await;
    let (token, _) = csrf::anon_token(&headers, state.config.tls);
    let error = ValidationError::new("code", "That code is not right, or was used already.");
    let page = view::login_code(&anonymous(&state), &token, &FormErrors::one(error.clone()));
    Ok(form_error(StatusCode::UNPROCESSABLE_ENTITY, &error, page))
}
