//! What the store keeps in the cache: accounts (`acct:<id>`) and sessions (`sess:<hash>`),
//! serialised as JSON. Losing any entry only costs a database query.

use crate::cache::Cache;
use social_core::{Account, AccountId, AccountStatus, Role};
use std::time::Duration;

pub(crate) const ACCOUNT_TTL: Duration = Duration::from_secs(60);
pub(crate) const SESSION_TTL: Duration = Duration::from_secs(300);

#[derive(serde::Serialize, serde::Deserialize)]
struct CachedAccount {
    id: i64,
    username: String,
    display_name: String,
    bio: String,
    role: Role,
    status: AccountStatus,
    locked: bool,
    signup_reason: String,
    created_at_ms: i64,
    followers_count: i64,
    following_count: i64,
    posts_count: i64,
}

pub(crate) fn account_key(id: AccountId) -> String {
    format!("acct:{}", id.0)
}

pub(crate) fn session_key(hash: &str) -> String {
    format!("sess:{hash}")
}

pub(crate) async fn get_account(cache: &Cache, id: AccountId) -> Option<Account> {
    let bytes = cache.get(&account_key(id)).await?;
    let c: CachedAccount = serde_json::from_slice(&bytes).ok()?;
    Some(Account {
        id: AccountId(c.id),
        username: c.username,
        display_name: c.display_name,
        bio: c.bio,
        role: c.role,
        status: c.status,
        locked: c.locked,
        signup_reason: c.signup_reason,
        created_at_ms: c.created_at_ms,
        followers_count: c.followers_count,
        following_count: c.following_count,
        posts_count: c.posts_count,
    })
}

pub(crate) async fn put_account(cache: &Cache, a: &Account) {
    let c = CachedAccount {
        id: a.id.0,
        username: a.username.clone(),
        display_name: a.display_name.clone(),
        bio: a.bio.clone(),
        role: a.role,
        status: a.status,
        locked: a.locked,
        signup_reason: a.signup_reason.clone(),
        created_at_ms: a.created_at_ms,
        followers_count: a.followers_count,
        following_count: a.following_count,
        posts_count: a.posts_count,
    };
    if let Ok(bytes) = serde_json::to_vec(&c) {
        cache.set(&account_key(a.id), &bytes, ACCOUNT_TTL).await;
    }
}

/// A stored session, as the store layer needs it (also its cached form).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct SessionRow {
    pub(crate) account_id: i64,
    pub(crate) csrf_token: String,
    pub(crate) created_at: i64,
    pub(crate) last_seen_at: i64,
    pub(crate) expires_at: i64,
}

pub(crate) const TOKEN_TTL: Duration = Duration::from_secs(300);

pub(crate) fn token_key(hash: &str) -> String {
    format!("tok:{hash}")
}

/// A live access token as stored (also its cached form).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub(crate) struct TokenRow {
    pub(crate) id: i64,
    pub(crate) app_id: i64,
    pub(crate) account_id: Option<i64>,
    pub(crate) scopes: String,
    pub(crate) created_at: i64,
    pub(crate) last_used_at: i64,
    pub(crate) expires_at: Option<i64>,
}
