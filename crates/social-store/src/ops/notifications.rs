//! Notifications: listing (without muted or blocked senders), unread count, read marker.

use super::accounts::accounts_by_ids;
use super::common::{
    Ctx, Hide, POST_COLS, bind_page, not_blocked_sql, not_blocked_sql_with, not_muted_sql,
    not_muted_sql_with, page_sql, placeholders, post_from_row, visible_sql,
};
use super::hydrate::hydrate;
use crate::error::StoreResult;
use crate::model::{NotificationFilter, NotificationView, Page};
use social_core::{NotificationId, NotificationKind};
use sqlx::Row;
use std::collections::HashMap;

pub(crate) async fn list(
    ctx: &Ctx<'_>,
    account: i64,
    page: Page,
) -> StoreResult<Vec<NotificationView>> {
    list_filtered(ctx, account, page, &NotificationFilter::default()).await
}

/// SQL condition on `n.kind` and `n.id` for a filter. Kinds are written as literals: they come
/// from `NotificationKind::as_str`, never from the client.
fn filter_sql(filter: &NotificationFilter) -> String {
    let list = |kinds: &[NotificationKind]| {
        kinds
            .iter()
            .map(|k| format!("'{}'", k.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut sql = String::new();
    if let Some(kinds) = &filter.kinds {
        if kinds.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            sql.push_str(&format!(" AND n.kind IN ({})", list(kinds)));
        }
    }
    if !filter.exclude_kinds.is_empty() {
        sql.push_str(&format!(
            " AND n.kind NOT IN ({})",
            list(&filter.exclude_kinds)
        ));
    }
    if let Some(id) = filter.only_id {
        sql.push_str(&format!(" AND n.id = {id}"));
    }
    sql
}

/// `list` restricted by kinds (or to one notification).
pub(crate) async fn list_filtered(
    ctx: &Ctx<'_>,
    account: i64,
    page: Page,
    filter: &NotificationFilter,
) -> StoreResult<Vec<NotificationView>> {
    let (tail, reverse) = page_sql("n.id", &page, 2);
    let sql = format!(
        "SELECT n.id, n.kind, n.from_account_id, n.post_id, n.created_at, \
         a.notifications_read_id AS read_id FROM notifications n \
         JOIN accounts a ON a.id = n.account_id WHERE n.account_id = $1 AND {} AND {}{}{tail}",
        not_muted_sql("n.from_account_id", "$1"),
        not_blocked_sql("n.from_account_id", "$1"),
        filter_sql(filter),
    );
    let mut rows = bind_page(sqlx::query(&sql).bind(account), &page)
        .fetch_all(ctx.read)
        .await?;
    if reverse {
        rows.reverse();
    }
    let mut from_ids: Vec<i64> = Vec::new();
    let mut post_ids: Vec<i64> = Vec::new();
    for r in &rows {
        from_ids.push(r.try_get("from_account_id")?);
        if let Some(p) = r.try_get::<Option<i64>, _>("post_id")? {
            post_ids.push(p);
        }
    }
    from_ids.sort_unstable();
    from_ids.dedup();
    post_ids.sort_unstable();
    post_ids.dedup();
    let accounts: HashMap<i64, _> = accounts_by_ids(ctx, &from_ids)
        .await?
        .into_iter()
        .map(|a| (a.id.0, a))
        .collect();
    let mut posts = HashMap::new();
    if !post_ids.is_empty() {
        let sql = format!(
            "SELECT {POST_COLS} FROM posts p WHERE p.id IN ({}) AND {}",
            placeholders(2, post_ids.len()),
            visible_sql("p", "$1")
        );
        let mut q = sqlx::query(&sql).bind(account);
        for id in &post_ids {
            q = q.bind(*id);
        }
        let found = q.fetch_all(ctx.read).await?;
        let found = found
            .iter()
            .map(post_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        for v in hydrate(ctx, account, found).await? {
            posts.insert(v.post.id.0, v);
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let kind: NotificationKind = match r.try_get::<&str, _>("kind")?.parse() {
            Ok(k) => k,
            Err(_) => continue,
        };
        let Some(from) = accounts.get(&r.try_get::<i64, _>("from_account_id")?) else {
            continue;
        };
        let id: i64 = r.try_get("id")?;
        let post_id: Option<i64> = r.try_get("post_id")?;
        out.push(NotificationView {
            id: NotificationId(id),
            kind,
            from: from.clone(),
            post: post_id.and_then(|p| posts.get(&p).cloned()),
            created_at_ms: r.try_get("created_at")?,
            unread: id > r.try_get::<i64, _>("read_id")?,
        });
    }
    Ok(out)
}

/// Unread notifications of account `$1`, without muted or blocked senders.
pub(crate) fn count_unread_sql() -> String {
    count_unread_sql_with(Hide::Subquery)
}

/// `count_unread_sql` with the senders left out as `hide` says (with `Hide::Arrays`, inside a
/// statement that starts with `HIDDEN_CTE`).
pub(crate) fn count_unread_sql_with(hide: Hide) -> String {
    let hid = if hide == Hide::Arrays {
        " CROSS JOIN hid"
    } else {
        ""
    };
    format!(
        "SELECT COUNT(*) FROM notifications n JOIN accounts a ON a.id = n.account_id{hid} \
         WHERE n.account_id = $1 AND n.id > a.notifications_read_id AND {} AND {}",
        not_muted_sql_with("n.from_account_id", "$1", hide),
        not_blocked_sql_with("n.from_account_id", "$1", hide),
    )
}

pub(crate) async fn count_unread(ctx: &Ctx<'_>, account: i64) -> StoreResult<i64> {
    let sql = count_unread_sql();
    Ok(sqlx::query_scalar(&sql)
        .bind(account)
        .fetch_one(ctx.read)
        .await?)
}

pub(crate) async fn mark_read(ctx: &Ctx<'_>, account: i64, up_to: i64) -> StoreResult<()> {
    sqlx::query(
        "UPDATE accounts SET notifications_read_id = $2 WHERE id = $1 AND notifications_read_id < $2",
    )
    .bind(account)
    .bind(up_to)
    .execute(ctx.write())
    .await?;
    Ok(())
}
