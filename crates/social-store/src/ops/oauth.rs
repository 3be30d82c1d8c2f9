//! OAuth 2 client apps, authorization codes and access tokens. Only SHA-256 hashes of the
//! client secrets, codes and tokens are stored.

use super::common::{Ctx, DbRow};
use crate::cached::TokenRow;
use crate::error::{StoreError, StoreResult};
use crate::model::{AppInsert, CodeExchange, CodeInsert, CodeRefusal, OAuthApp};
use crate::secrets;
use sqlx::Row;

const APP_COLS: &str = "id, client_id, name, website, redirect_uris, scopes, created_at";

fn app_from_row(r: &DbRow) -> Result<OAuthApp, sqlx::Error> {
    let uris: String = r.try_get("redirect_uris")?;
    Ok(OAuthApp {
        id: r.try_get("id")?,
        client_id: r.try_get("client_id")?,
        name: r.try_get("name")?,
        website: r.try_get("website")?,
        redirect_uris: uris.lines().map(str::to_owned).collect(),
        scopes: r.try_get("scopes")?,
        created_at_ms: r.try_get("created_at")?,
    })
}

pub(crate) async fn insert_app(
    ctx: &Ctx<'_>,
    client_id: &str,
    secret_hash: &str,
    insert: &AppInsert,
    now: i64,
) -> StoreResult<OAuthApp> {
    let row = sqlx::query(&format!(
        "INSERT INTO oauth_apps (id, client_id, secret_hash, name, website, redirect_uris, \
         scopes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {APP_COLS}"
    ))
    .bind(ctx.next_id())
    .bind(client_id)
    .bind(secret_hash)
    .bind(&insert.name)
    .bind(&insert.website)
    .bind(insert.redirect_uris.join("\n"))
    .bind(&insert.scopes)
    .bind(now)
    .fetch_one(ctx.write())
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict { what: "client_id" }
        }
        _ => e.into(),
    })?;
    Ok(app_from_row(&row)?)
}

/// The app and its secret hash.
pub(crate) async fn get_app_by_client_id(
    ctx: &Ctx<'_>,
    client_id: &str,
) -> StoreResult<Option<(OAuthApp, String)>> {
    let row = sqlx::query(&format!(
        "SELECT {APP_COLS}, secret_hash FROM oauth_apps WHERE client_id = $1"
    ))
    .bind(client_id)
    .fetch_optional(ctx.read)
    .await?;
    match row {
        Some(r) => Ok(Some((app_from_row(&r)?, r.try_get("secret_hash")?))),
        None => Ok(None),
    }
}

pub(crate) async fn get_app(ctx: &Ctx<'_>, id: i64) -> StoreResult<Option<OAuthApp>> {
    let row = sqlx::query(&format!("SELECT {APP_COLS} FROM oauth_apps WHERE id = $1"))
        .bind(id)
        .fetch_optional(ctx.read)
        .await?;
    Ok(row.as_ref().map(app_from_row).transpose()?)
}

/// Stores a code; drops codes that expired over a day ago (kept that long so a replay is
/// still recognised and revokes what the code gave).
pub(crate) async fn insert_code(
    ctx: &Ctx<'_>,
    code_hash: &str,
    insert: &CodeInsert,
    now: i64,
    expires_at: i64,
) -> StoreResult<()> {
    let mut tx = ctx.begin().await?;
    sqlx::query("DELETE FROM oauth_codes WHERE expires_at < $1")
        .bind(now - 24 * 3600 * 1000)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO oauth_codes (code_hash, app_id, account_id, scopes, redirect_uri, \
         code_challenge, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(code_hash)
    .bind(insert.app_id)
    .bind(insert.account_id.0)
    .bind(&insert.scopes)
    .bind(&insert.redirect_uri)
    .bind(&insert.code_challenge)
    .bind(now)
    .bind(expires_at)
    .execute(&mut *tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
        _ => e.into(),
    })?;
    tx.commit().await?;
    Ok(())
}

/// What a code exchange did.
pub(crate) enum Exchanged {
    Issued(TokenRow),
    /// Refused; the hashes of tokens revoked because of a replay (to drop from the cache).
    Refused(CodeRefusal, Vec<String>),
}

/// Exchanges a code for a token in one transaction: the code is marked used whatever the
/// outcome of the checks after it, so a code gives at most one try.
pub(crate) async fn exchange_code(
    ctx: &Ctx<'_>,
    ex: &CodeExchange<'_>,
    token_hash: &str,
    now: i64,
) -> StoreResult<Exchanged> {
    let code_hash = secrets::token_hash(ex.code);
    let mut tx = ctx.begin().await?;
    let row = sqlx::query(
        "SELECT app_id, account_id, scopes, redirect_uri, code_challenge, expires_at, used_at \
         FROM oauth_codes WHERE code_hash = $1",
    )
    .bind(&code_hash)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(Exchanged::Refused(CodeRefusal::Unknown, Vec::new()));
    };
    if row.try_get::<i64, _>("app_id")? != ex.app_id {
        return Ok(Exchanged::Refused(CodeRefusal::Unknown, Vec::new()));
    }
    if row.try_get::<Option<i64>, _>("used_at")?.is_some() {
        // RFC 6749 4.1.2: a second use revokes the tokens issued for the code.
        let hashes: Vec<String> = sqlx::query_scalar(
            "UPDATE oauth_tokens SET revoked_at = $2 WHERE code_hash = $1 \
             AND revoked_at IS NULL RETURNING token_hash",
        )
        .bind(&code_hash)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        return Ok(Exchanged::Refused(CodeRefusal::Replayed, hashes));
    }
    sqlx::query("UPDATE oauth_codes SET used_at = $2 WHERE code_hash = $1")
        .bind(&code_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let refusal = if row.try_get::<i64, _>("expires_at")? <= now {
        Some(CodeRefusal::Expired)
    } else if row.try_get::<String, _>("redirect_uri")? != ex.redirect_uri {
        Some(CodeRefusal::RedirectMismatch)
    } else {
        match row.try_get::<Option<String>, _>("code_challenge")? {
            Some(challenge) => match ex.code_verifier {
                Some(v) if secrets::pkce_s256_matches(v, &challenge) => None,
                _ => Some(CodeRefusal::VerifierMismatch),
            },
            None if ex.public_client => Some(CodeRefusal::VerifierMismatch),
            None => None,
        }
    };
    if let Some(refusal) = refusal {
        tx.commit().await?;
        return Ok(Exchanged::Refused(refusal, Vec::new()));
    }
    let token = TokenRow {
        id: ctx.next_id(),
        app_id: ex.app_id,
        account_id: Some(row.try_get("account_id")?),
        scopes: row.try_get("scopes")?,
        created_at: now,
        last_used_at: now,
        expires_at: None,
    };
    insert_token_in(&mut tx, token_hash, &token, Some(&code_hash)).await?;
    tx.commit().await?;
    Ok(Exchanged::Issued(token))
}

async fn insert_token_in(
    tx: &mut super::common::Tx,
    hash: &str,
    row: &TokenRow,
    code_hash: Option<&str>,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO oauth_tokens (id, token_hash, app_id, account_id, scopes, code_hash, \
         created_at, last_used_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(row.id)
    .bind(hash)
    .bind(row.app_id)
    .bind(row.account_id)
    .bind(&row.scopes)
    .bind(code_hash)
    .bind(row.created_at)
    .bind(row.last_used_at)
    .bind(row.expires_at)
    .execute(&mut **tx)
    .await
    .map_err(|e| match &e {
        sqlx::Error::Database(d) if d.is_foreign_key_violation() => StoreError::NotFound,
        _ => e.into(),
    })?;
    Ok(())
}

/// A token issued without a code (client_credentials, or directly for an account).
pub(crate) async fn insert_token(ctx: &Ctx<'_>, hash: &str, row: &TokenRow) -> StoreResult<()> {
    let mut tx = ctx.begin().await?;
    insert_token_in(&mut tx, hash, row, None).await?;
    tx.commit().await?;
    Ok(())
}

/// A live (not revoked) token by hash: the one query on every API request.
pub(crate) async fn get_token(ctx: &Ctx<'_>, hash: &str) -> StoreResult<Option<TokenRow>> {
    let row = sqlx::query(
        "SELECT id, app_id, account_id, scopes, created_at, last_used_at, expires_at \
         FROM oauth_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(hash)
    .fetch_optional(ctx.read)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(TokenRow {
        id: r.try_get("id")?,
        app_id: r.try_get("app_id")?,
        account_id: r.try_get("account_id")?,
        scopes: r.try_get("scopes")?,
        created_at: r.try_get("created_at")?,
        last_used_at: r.try_get("last_used_at")?,
        expires_at: r.try_get("expires_at")?,
    }))
}

pub(crate) async fn touch_token(ctx: &Ctx<'_>, hash: &str, now: i64) -> StoreResult<()> {
    sqlx::query("UPDATE oauth_tokens SET last_used_at = $2 WHERE token_hash = $1")
        .bind(hash)
        .bind(now)
        .execute(ctx.write())
        .await?;
    Ok(())
}

/// Revokes the token if it belongs to the app; whether it did.
pub(crate) async fn revoke_token(
    ctx: &Ctx<'_>,
    hash: &str,
    app_id: i64,
    now: i64,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE oauth_tokens SET revoked_at = $3 WHERE token_hash = $1 AND app_id = $2 \
         AND revoked_at IS NULL",
    )
    .bind(hash)
    .bind(app_id)
    .bind(now)
    .execute(ctx.write())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Revokes every live token of the account; returns their hashes (for the cache).
pub(crate) async fn revoke_tokens_of_account(
    ctx: &Ctx<'_>,
    account: i64,
    now: i64,
) -> StoreResult<Vec<String>> {
    Ok(sqlx::query_scalar(
        "UPDATE oauth_tokens SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL \
         RETURNING token_hash",
    )
    .bind(account)
    .bind(now)
    .fetch_all(ctx.write())
    .await?)
}
