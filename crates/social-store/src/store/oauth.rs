//! The OAuth part of the `Store` API: client apps, authorization codes and access tokens.
//! Token lookups run on every API request: served from the cache like sessions, and revocation
//! drops the cached entry at once.

use super::Store;
use crate::backend::{Backend, now_ms};
use crate::cached::{self, TokenRow};
use crate::error::StoreResult;
use crate::model::*;
use crate::ops;
use crate::ops::pg::oauth::Exchanged as PgExchanged;
use crate::ops::sqlite::oauth::Exchanged as SqliteExchanged;
use crate::secrets;
use social_core::AccountId;
use std::time::Duration;

/// Authorization codes are valid this long (RFC 6749 recommends at most 10 minutes).
pub const CODE_LIFETIME_MS: i64 = 10 * 60 * 1000;
/// `last_used_at` of a token is written at most this often.
const TOKEN_TOUCH_MS: i64 = 3600 * 1000;

/// The outcome of a code exchange.
pub type ExchangeResult = Result<NewToken, CodeRefusal>;

impl Store {
    /// Registers a client app; the secret is returned once and stored hashed.
    pub async fn create_app(&self, insert: AppInsert) -> StoreResult<NewApp> {
        let client_id = secrets::random_token(32);
        let client_secret = secrets::random_token(32);
        let hash = secrets::token_hash(&client_secret);
        let app = dispatch!(
            self,
            oauth::insert_app(&client_id, &hash, &insert, now_ms())
        )?;
        Ok(NewApp { app, client_secret })
    }
    pub async fn get_app_by_client_id(&self, client_id: &str) -> StoreResult<Option<OAuthApp>> {
        if client_id.is_empty() || client_id.len() > 200 {
            return Ok(None);
        }
        Ok(dispatch!(self, oauth::get_app_by_client_id(client_id))?.map(|(app, _)| app))
    }
    pub async fn get_app(&self, id: i64) -> StoreResult<Option<OAuthApp>> {
        dispatch!(self, oauth::get_app(id))
    }
    /// The app when `client_secret` is its secret; None for an unknown client or a wrong
    /// secret (the comparison does not leak where they differ).
    pub async fn authenticate_app(
        &self,
        client_id: &str,
        client_secret: &str,
    ) -> StoreResult<Option<OAuthApp>> {
        if client_id.is_empty() || client_id.len() > 200 || client_secret.len() > 200 {
            return Ok(None);
        }
        let Some((app, hash)) = dispatch!(self, oauth::get_app_by_client_id(client_id))? else {
            return Ok(None);
        };
        let given = secrets::token_hash(client_secret);
        Ok(secrets::constant_time_eq(given.as_bytes(), hash.as_bytes()).then_some(app))
    }

    /// Issues an authorization code (valid [`CODE_LIFETIME_MS`], single use); returns it.
    pub async fn create_code(&self, insert: CodeInsert) -> StoreResult<String> {
        let code = secrets::random_token(32);
        let hash = secrets::token_hash(&code);
        let now = now_ms();
        dispatch!(
            self,
            oauth::insert_code(&hash, &insert, now, now + CODE_LIFETIME_MS)
        )?;
        Ok(code)
    }

    /// Exchanges a code for an access token. A code works once: a second exchange is refused
    /// and revokes the token the first one gave.
    pub async fn exchange_code(&self, exchange: CodeExchange<'_>) -> StoreResult<ExchangeResult> {
        if exchange.code.is_empty() || exchange.code.len() > 200 {
            return Ok(Err(CodeRefusal::Unknown));
        }
        let token = secrets::random_token(32);
        let hash = secrets::token_hash(&token);
        let now = now_ms();
        let (issued, revoked) = match &self.inner.backend {
            Backend::Sqlite { read, write, .. } => {
                let ctx = ops::sqlite::common::Ctx::new(
                    read,
                    write,
                    &self.inner.ids,
                    &self.inner.rows,
                    None,
                );
                match ops::sqlite::oauth::exchange_code(&ctx, &exchange, &hash, now).await? {
                    SqliteExchanged::Issued(row) => (Ok(row), Vec::new()),
                    SqliteExchanged::Refused(why, hashes) => (Err(why), hashes),
                }
            }
            Backend::Postgres { read, write, hot } => {
                let ctx = ops::pg::common::Ctx::new(
                    read,
                    write,
                    &self.inner.ids,
                    &self.inner.rows,
                    Some(hot),
                );
                let exchanged = ops::pg::oauth::exchange_code(&ctx, &exchange, &hash, now).await;
                if ctx.wrote() {
                    self.inner.pages.changed();
                }
                match exchanged? {
                    PgExchanged::Issued(row) => (Ok(row), Vec::new()),
                    PgExchanged::Refused(why, hashes) => (Err(why), hashes),
                }
            }
        };
        for h in revoked {
            self.cache.delete(&cached::token_key(&h)).await;
        }
        Ok(issued.map(|row| NewToken {
            token,
            info: info_of(&row),
        }))
    }

    /// Issues a token directly: app-only (`account` None, client_credentials) or for an
    /// account (tests and tools).
    pub async fn create_token(
        &self,
        app_id: i64,
        account: Option<AccountId>,
        scopes: &str,
    ) -> StoreResult<NewToken> {
        let token = secrets::random_token(32);
        let hash = secrets::token_hash(&token);
        let now = now_ms();
        let row = TokenRow {
            id: self.inner.ids.next(),
            app_id,
            account_id: account.map(|a| a.0),
            scopes: scopes.to_owned(),
            created_at: now,
            last_used_at: now,
            expires_at: None,
        };
        dispatch!(self, oauth::insert_token(&hash, &row))?;
        Ok(NewToken {
            token,
            info: info_of(&row),
        })
    }

    /// A live token and its account. None for an unknown, revoked or expired token, or one
    /// whose account is gone. The account is returned whatever its status: the caller
    /// refuses disabled or pending accounts with a message.
    pub async fn get_token(&self, token: &str) -> StoreResult<Option<TokenAuth>> {
        if token.is_empty() || token.len() > 200 {
            return Ok(None);
        }
        let hash = secrets::token_hash(token);
        let key = cached::token_key(&hash);
        let now = now_ms();
        let from_cache = match self.cache.get(&key).await {
            Some(bytes) => serde_json::from_slice::<TokenRow>(&bytes).ok(),
            None => None,
        };
        let mut row = match from_cache {
            Some(r) => r,
            None => match dispatch!(self, oauth::get_token(&hash))? {
                Some(r) => {
                    self.cache_token(&key, &r, now).await;
                    r
                }
                None => return Ok(None),
            },
        };
        if row.expires_at.is_some_and(|e| e <= now) {
            self.cache.delete(&key).await;
            return Ok(None);
        }
        if now - row.last_used_at >= TOKEN_TOUCH_MS {
            row.last_used_at = now;
            dispatch!(self, oauth::touch_token(&hash, now))?;
            self.cache_token(&key, &row, now).await;
        }
        let account = match row.account_id {
            None => None,
            Some(id) => {
                let id = AccountId(id);
                match cached::get_account(&self.cache, id).await {
                    Some(a) => Some(a),
                    None => match dispatch!(self, accounts::get_account_by_id(id.0))? {
                        Some(a) => {
                            cached::put_account(&self.cache, &a).await;
                            Some(a)
                        }
                        None => return Ok(None),
                    },
                }
            }
        };
        Ok(Some(TokenAuth {
            info: info_of(&row),
            account,
        }))
    }

    /// Revokes `token` if it was issued to `app_id` (RFC 7009); whether it did. It stops
    /// working at once, cache included.
    pub async fn revoke_token(&self, token: &str, app_id: i64) -> StoreResult<bool> {
        if token.is_empty() || token.len() > 200 {
            return Ok(false);
        }
        let hash = secrets::token_hash(token);
        let done = dispatch!(self, oauth::revoke_token(&hash, app_id, now_ms()))?;
        self.cache.delete(&cached::token_key(&hash)).await;
        Ok(done)
    }

    /// Revokes every token of an account (password change, account removal).
    pub async fn revoke_tokens_of_account(&self, account: AccountId) -> StoreResult<()> {
        let hashes = dispatch!(self, oauth::revoke_tokens_of_account(account.0, now_ms()))?;
        for h in hashes {
            self.cache.delete(&cached::token_key(&h)).await;
        }
        Ok(())
    }

    async fn cache_token(&self, key: &str, row: &TokenRow, now: i64) {
        let mut ttl = cached::TOKEN_TTL;
        if let Some(expires) = row.expires_at {
            let left = u64::try_from(expires - now).unwrap_or(0);
            ttl = ttl.min(Duration::from_millis(left));
        }
        if let Ok(bytes) = serde_json::to_vec(row) {
            self.cache.set(key, &bytes, ttl).await;
        }
    }
}

fn info_of(row: &TokenRow) -> TokenInfo {
    TokenInfo {
        id: row.id,
        app_id: row.app_id,
        account_id: row.account_id.map(AccountId),
        scopes: row.scopes.clone(),
        created_at_ms: row.created_at,
    }
}
