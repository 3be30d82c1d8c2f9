//! Queries only the client API needs: account and hashtag search, who favourited or boosted a
//! post. One query each, paged like the other account lists (by account ID, newest first).

use super::common::{Ctx, account_cols, account_from_row};
use crate::error::StoreResult;
use crate::model::{InstanceStats, Page};
use social_core::Account;
use sqlx::Row;

/// `s` with LIKE's wildcards (and the escape character) escaped, lower-cased, plus `%`.
fn like_prefix(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 1);
    for c in s.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// Active accounts whose username or display name starts with `prefix` (ignoring case),
/// exact username first, then by username.
pub(crate) async fn search_accounts(
    ctx: &Ctx<'_>,
    prefix: &str,
    limit: u32,
) -> StoreResult<Vec<Account>> {
    let sql = format!(
        "SELECT {} FROM accounts a WHERE a.status = 'active' AND \
         (a.username_key LIKE $1 ESCAPE '\\' OR LOWER(a.display_name) LIKE $1 ESCAPE '\\') \
         ORDER BY CASE WHEN a.username_key = $2 THEN 0 ELSE 1 END, a.username_key LIMIT $3",
        account_cols("a")
    );
    let rows = sqlx::query(&sql)
        .bind(like_prefix(prefix))
        .bind(prefix.to_lowercase())
        .bind(i64::from(limit.clamp(1, Page::MAX_LIMIT)))
        .fetch_all(ctx.read)
        .await?;
    Ok(rows
        .iter()
        .map(account_from_row)
        .collect::<Result<_, _>>()?)
}

/// Hashtags of public posts starting with `prefix` (already normalised), alphabetically.
pub(crate) async fn search_tags(
    ctx: &Ctx<'_>,
    prefix: &str,
    limit: u32,
) -> StoreResult<Vec<String>> {
    let rows = sqlx::query(
        "SELECT t.tag FROM post_tags t JOIN posts p ON p.id = t.post_id \
         WHERE t.tag LIKE $1 ESCAPE '\\' AND p.visibility = 'public' \
         GROUP BY t.tag ORDER BY t.tag LIMIT $2",
    )
    .bind(like_prefix(prefix))
    .bind(i64::from(limit.clamp(1, Page::MAX_LIMIT)))
    .fetch_all(ctx.read)
    .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<_, _>>()?)
}

/// Active accounts that favourited (`boosts == false`) or boosted the post, by account ID,
/// newest first. The caller checks that the viewer may see the post.
pub(crate) async fn interacted(
    ctx: &Ctx<'_>,
    post: i64,
    page: Page,
    boosts: bool,
) -> StoreResult<Vec<Account>> {
    let (from, filter) = if boosts {
        (
            "posts x JOIN accounts a ON a.id = x.author_id",
            "x.reblog_of_id",
        )
    } else {
        (
            "favourites x JOIN accounts a ON a.id = x.account_id",
            "x.post_id",
        )
    };
    let from_where = format!("FROM {from} WHERE {filter} = $1 AND a.status = 'active'");
    super::follows::account_page(ctx, &from_where, post, page).await
}

/// Active accounts, the sum of their `posts_count` (boosts are not counted), and the
/// oldest active admin (the instance's contact).
pub(crate) async fn instance_stats(ctx: &Ctx<'_>) -> StoreResult<InstanceStats> {
    let r = sqlx::query(
        "SELECT COUNT(*), CAST(COALESCE(SUM(posts_count), 0) AS BIGINT) FROM accounts \
         WHERE status = 'active'",
    )
    .fetch_one(ctx.read)
    .await?;
    let contact = sqlx::query(&format!(
        "SELECT {} FROM accounts a WHERE a.status = 'active' AND a.role = 'admin' \
         ORDER BY a.id LIMIT 1",
        account_cols("a")
    ))
    .fetch_optional(ctx.read)
    .await?;
    Ok(InstanceStats {
        user_count: r.try_get(0)?,
        status_count: r.try_get(1)?,
        contact: contact.as_ref().map(account_from_row).transpose()?,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_prefix_escapes_wildcards() {
        assert_eq!(super::like_prefix("A_b%"), "a\\_b\\%%");
    }
}
