//! Moderation: reports, actions with their audit rows (one transaction each), notices and
//! appeals. The audit log has an insert path only.

use super::common::{Ctx, DbRow, POST_COLS, Tx, bind_page, page_sql, placeholders, post_from_row};
use crate::error::{StoreError, StoreResult};
use crate::model::Page;
use crate::moderation::{
    AuditEntry, ModerationInput, ModerationState, Notice, Report, ReportInsert,
};
use social_core::{AccountId, ModAction, PostId, Role, ValidationError};
use sqlx::Row;
use std::str::FromStr;

const REPORT_COLS: &str = "id, reporter_id, target_id, category, comment, status, resolved_by, \
     resolved_at, created_at";
const AUDIT_COLS: &str = "id, actor_id, action, target_account_id, target_report_id, \
     target_post_id, reason, created_at";
const NOTICE_COLS: &str = "id, account_id, action, message, created_at, appeal_text, \
     appealed_at, appeal_decision";

fn parse<T: FromStr<Err = String>>(s: &str) -> Result<T, sqlx::Error> {
    s.parse().map_err(|e: String| sqlx::Error::Decode(e.into()))
}

fn report_from_row(r: &DbRow, post_ids: Vec<PostId>) -> Result<Report, sqlx::Error> {
    Ok(Report {
        id: r.try_get("id")?,
        reporter_id: AccountId(r.try_get("reporter_id")?),
        target_id: AccountId(r.try_get("target_id")?),
        post_ids,
        category: parse(r.try_get::<&str, _>("category")?)?,
        comment: r.try_get("comment")?,
        open: r.try_get::<&str, _>("status")? == "open",
        resolved_by: r.try_get::<Option<i64>, _>("resolved_by")?.map(AccountId),
        resolved_at_ms: r.try_get("resolved_at")?,
        created_at_ms: r.try_get("created_at")?,
    })
}

fn audit_from_row(r: &DbRow) -> Result<AuditEntry, sqlx::Error> {
    Ok(AuditEntry {
        id: r.try_get("id")?,
        actor_id: AccountId(r.try_get("actor_id")?),
        action: parse(r.try_get::<&str, _>("action")?)?,
        target_account_id: r
            .try_get::<Option<i64>, _>("target_account_id")?
            .map(AccountId),
        target_report_id: r.try_get("target_report_id")?,
        target_post_id: r.try_get::<Option<i64>, _>("target_post_id")?.map(PostId),
        reason: r.try_get("reason")?,
        created_at_ms: r.try_get("created_at")?,
    })
}

fn notice_from_row(r: &DbRow) -> Result<Notice, sqlx::Error> {
    Ok(Notice {
        id: r.try_get("id")?,
        account_id: AccountId(r.try_get("account_id")?),
        action: parse(r.try_get::<&str, _>("action")?)?,
        message: r.try_get("message")?,
        created_at_ms: r.try_get("created_at")?,
        appeal_text: r.try_get("appeal_text")?,
        appealed_at_ms: r.try_get("appealed_at")?,
        appeal_accepted: r
            .try_get::<Option<&str>, _>("appeal_decision")?
            .map(|d| d == "accepted"),
    })
}

pub(crate) fn invalid(field: &'static str, message: &str) -> StoreError {
    StoreError::Invalid(ValidationError::new(field, message))
}

pub(crate) async fn create_report(
    ctx: &Ctx<'_>,
    insert: &ReportInsert,
    now: i64,
) -> StoreResult<Report> {
    if insert.reporter == insert.target {
        return Err(invalid("account_id", "You cannot report yourself."));
    }
    let mut post_ids: Vec<i64> = insert.post_ids.iter().map(|p| p.0).collect();
    post_ids.sort_unstable();
    post_ids.dedup();
    if post_ids.len() > social_core::moderation::REPORT_MAX_POSTS {
        return Err(invalid("status_ids", "A report may name at most 20 posts."));
    }
    let mut tx = ctx.begin().await?;
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM accounts WHERE id = $1")
        .bind(insert.target.0)
        .fetch_optional(&mut *tx)
        .await?;
    if status.as_deref() != Some("active") {
        return Err(StoreError::NotFound);
    }
    if !post_ids.is_empty() {
        let sql = format!(
            "SELECT COUNT(*) FROM posts WHERE author_id = $1 AND reblog_of_id IS NULL AND id IN ({})",
            placeholders(2, post_ids.len())
        );
        let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(insert.target.0);
        for id in &post_ids {
            q = q.bind(*id);
        }
        if usize::try_from(q.fetch_one(&mut *tx).await?).ok() != Some(post_ids.len()) {
            return Err(invalid(
                "status_ids",
                "Every reported post must be a post of the reported account.",
            ));
        }
    }
    let id = ctx.next_id();
    sqlx::query(
        "INSERT INTO reports (id, reporter_id, target_id, category, comment, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, 'open', $6)",
    )
    .bind(id)
    .bind(insert.reporter.0)
    .bind(insert.target.0)
    .bind(insert.category.as_str())
    .bind(&insert.comment)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    for post in &post_ids {
        sqlx::query("INSERT INTO report_posts (report_id, post_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*post)
            .execute(&mut *tx)
            .await?;
    }
    let report = fetch_report(&mut tx, id)
        .await?
        .ok_or(StoreError::NotFound)?;
    tx.commit().await?;
    Ok(report)
}

async fn report_posts<'c, E>(exec: E, id: i64) -> StoreResult<Vec<PostId>>
where
    E: sqlx::Executor<'c, Database = super::DB>,
{
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT post_id FROM report_posts WHERE report_id = $1 ORDER BY post_id",
    )
    .bind(id)
    .fetch_all(exec)
    .await?;
    Ok(ids.into_iter().map(PostId).collect())
}

async fn fetch_report(tx: &mut Tx, id: i64) -> StoreResult<Option<Report>> {
    let row = sqlx::query(&format!("SELECT {REPORT_COLS} FROM reports WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    match row {
        Some(r) => {
            let posts = report_posts(&mut **tx, id).await?;
            Ok(Some(report_from_row(&r, posts)?))
        }
        None => Ok(None),
    }
}

pub(crate) async fn get_report(ctx: &Ctx<'_>, id: i64) -> StoreResult<Option<Report>> {
    let row = sqlx::query(&format!("SELECT {REPORT_COLS} FROM reports WHERE id = $1"))
        .bind(id)
        .fetch_optional(ctx.read)
        .await?;
    match row {
        Some(r) => Ok(Some(report_from_row(
            &r,
            report_posts(ctx.read, id).await?,
        )?)),
        None => Ok(None),
    }
}

/// Open reports, newest first (paged by report ID).
pub(crate) async fn list_open_reports(ctx: &Ctx<'_>, page: Page) -> StoreResult<Vec<Report>> {
    let (tail, reverse) = page_sql("id", &page, 1);
    let sql = format!("SELECT {REPORT_COLS} FROM reports WHERE status = 'open'{tail}");
    let rows = bind_page(sqlx::query(&sql), &page)
        .fetch_all(ctx.read)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = r.try_get("id")?;
        out.push(report_from_row(r, report_posts(ctx.read, id).await?)?);
    }
    if reverse {
        out.reverse();
    }
    Ok(out)
}

pub(crate) async fn list_audit(ctx: &Ctx<'_>, page: Page) -> StoreResult<Vec<AuditEntry>> {
    let (tail, reverse) = page_sql("id", &page, 1);
    let sql = format!("SELECT {AUDIT_COLS} FROM audit_log WHERE 1 = 1{tail}");
    let rows = bind_page(sqlx::query(&sql), &page)
        .fetch_all(ctx.read)
        .await?;
    let mut out = rows
        .iter()
        .map(audit_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    if reverse {
        out.reverse();
    }
    Ok(out)
}

pub(crate) async fn get_state(ctx: &Ctx<'_>, account: i64) -> StoreResult<ModerationState> {
    let row = sqlx::query(
        "SELECT limited, suspended_at, purged_at FROM account_moderation WHERE account_id = $1",
    )
    .bind(account)
    .fetch_optional(ctx.read)
    .await?;
    Ok(match row {
        Some(r) => ModerationState {
            limited: r.try_get("limited")?,
            suspended_at_ms: r.try_get("suspended_at")?,
            purged_at_ms: r.try_get("purged_at")?,
        },
        None => ModerationState::default(),
    })
}

pub(crate) async fn insert_audit(tx: &mut Tx, entry: &AuditEntry) -> StoreResult<()> {
    sqlx::query(&format!(
        "INSERT INTO audit_log ({AUDIT_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    ))
    .bind(entry.id)
    .bind(entry.actor_id.0)
    .bind(entry.action.as_str())
    .bind(entry.target_account_id.map(|a| a.0))
    .bind(entry.target_report_id)
    .bind(entry.target_post_id.map(|p| p.0))
    .bind(&entry.reason)
    .bind(entry.created_at_ms)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Applies limit / unlimit / suspend / unsuspend to `target`; Conflict when it is already in
/// that state.
async fn apply_state(tx: &mut Tx, action: ModAction, target: i64, now: i64) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO account_moderation (account_id, limited, suspended_at) VALUES ($1, FALSE, NULL) \
         ON CONFLICT (account_id) DO NOTHING",
    )
    .bind(target)
    .execute(&mut **tx)
    .await?;
    let (sql, what) = match action {
        ModAction::Limit => (
            "UPDATE account_moderation SET limited = TRUE WHERE account_id = $1 AND NOT limited",
            "already limited",
        ),
        ModAction::Unlimit => (
            "UPDATE account_moderation SET limited = FALSE WHERE account_id = $1 AND limited",
            "not limited",
        ),
        ModAction::Suspend => (
            "UPDATE account_moderation SET suspended_at = $2 WHERE account_id = $1 \
             AND suspended_at IS NULL",
            "already suspended",
        ),
        ModAction::Unsuspend => (
            "UPDATE account_moderation SET suspended_at = NULL WHERE account_id = $1 \
             AND suspended_at IS NOT NULL AND purged_at IS NULL",
            "not suspended, or purged already (30 days after its suspension)",
        ),
        _ => return Ok(()),
    };
    let mut q = sqlx::query(sql).bind(target);
    if action == ModAction::Suspend {
        q = q.bind(now);
    }
    let done = q.execute(&mut **tx).await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::Conflict { what });
    }
    // A suspended account loses its API tokens and keeps only the appeal on the web: its
    // status says so, which every session and token lookup checks.
    let status = match action {
        ModAction::Suspend => Some(("disabled", "active")),
        ModAction::Unsuspend => Some(("active", "disabled")),
        _ => None,
    };
    if let Some((to, from)) = status {
        sqlx::query("UPDATE accounts SET status = $2 WHERE id = $1 AND status = $3")
            .bind(target)
            .bind(to)
            .bind(from)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// One moderator action and its audit row (and the account's notice), in one transaction.
pub(crate) async fn moderate(
    ctx: &Ctx<'_>,
    input: &ModerationInput,
    now: i64,
) -> StoreResult<AuditEntry> {
    if !input.action.on_account() {
        return Err(invalid("action", "This action has its own form."));
    }
    if input.action.needs_report() && input.report_id.is_none() {
        return Err(invalid("action", "This action needs a report."));
    }
    let mut tx = ctx.begin().await?;
    let role: Option<String> = sqlx::query_scalar("SELECT role FROM accounts WHERE id = $1")
        .bind(input.target.0)
        .fetch_optional(&mut *tx)
        .await?;
    let role: Role = match role {
        Some(r) => parse(&r)?,
        None => return Err(StoreError::NotFound),
    };
    if role.is_staff() && input.action != ModAction::Dismiss {
        return Err(StoreError::Forbidden {
            reason: "moderators and admins cannot be moderated",
        });
    }
    let report = match input.report_id {
        Some(id) => match fetch_report(&mut tx, id).await? {
            Some(r) if r.target_id == input.target => Some(r),
            _ => return Err(StoreError::NotFound),
        },
        None => None,
    };
    if let Some(r) = &report {
        if !r.open {
            return Err(StoreError::Conflict {
                what: "report already resolved",
            });
        }
        sqlx::query(
            "UPDATE reports SET status = 'resolved', resolved_by = $2, resolved_at = $3 WHERE id = $1",
        )
        .bind(r.id)
        .bind(input.actor.0)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    let report_posts = report
        .as_ref()
        .map(|r| r.post_ids.as_slice())
        .unwrap_or(&[]);
    if matches!(
        input.action,
        ModAction::DeletePosts | ModAction::MarkSensitive
    ) && report_posts.is_empty()
    {
        return Err(invalid("action", "This report names no posts to act on."));
    }
    if input.action == ModAction::MarkSensitive {
        for id in report_posts {
            sqlx::query("UPDATE posts SET sensitive = TRUE WHERE id = $1 AND author_id = $2")
                .bind(id.0)
                .bind(input.target.0)
                .execute(&mut *tx)
                .await?;
        }
    }
    if input.action == ModAction::DeletePosts {
        let ids = report_posts;
        for id in ids {
            let row = sqlx::query(&format!(
                "SELECT {POST_COLS} FROM posts WHERE id = $1 AND author_id = $2"
            ))
            .bind(id.0)
            .bind(input.target.0)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(r) = row {
                super::posts::delete_post_in(&mut tx, &post_from_row(&r)?).await?;
            }
        }
    }
    apply_state(&mut tx, input.action, input.target.0, now).await?;
    let entry = AuditEntry {
        id: ctx.next_id(),
        actor_id: input.actor,
        action: input.action,
        target_account_id: Some(input.target),
        target_report_id: input.report_id,
        target_post_id: None,
        reason: input.reason.clone(),
        created_at_ms: now,
    };
    insert_audit(&mut tx, &entry).await?;
    if input.action.notifies() {
        sqlx::query(
            "INSERT INTO moderation_notices (id, account_id, audit_id, action, message, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(ctx.next_id())
        .bind(input.target.0)
        .bind(entry.id)
        .bind(input.action.as_str())
        .bind(&input.message)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(entry)
}

/// The account's notices, newest first.
pub(crate) async fn list_notices(ctx: &Ctx<'_>, account: i64) -> StoreResult<Vec<Notice>> {
    let rows = sqlx::query(&format!(
        "SELECT {NOTICE_COLS} FROM moderation_notices WHERE account_id = $1 ORDER BY id DESC LIMIT 100"
    ))
    .bind(account)
    .fetch_all(ctx.read)
    .await?;
    Ok(rows.iter().map(notice_from_row).collect::<Result<_, _>>()?)
}

/// Appeals waiting for a decision, oldest first.
pub(crate) async fn list_open_appeals(ctx: &Ctx<'_>) -> StoreResult<Vec<Notice>> {
    let rows = sqlx::query(&format!(
        "SELECT {NOTICE_COLS} FROM moderation_notices WHERE appealed_at IS NOT NULL \
         AND appeal_decision IS NULL ORDER BY appealed_at ASC LIMIT 100"
    ))
    .fetch_all(ctx.read)
    .await?;
    Ok(rows.iter().map(notice_from_row).collect::<Result<_, _>>()?)
}

/// Records the account's one appeal of a notice: NotFound when the notice is not theirs,
/// Conflict when it was already appealed.
pub(crate) async fn appeal(
    ctx: &Ctx<'_>,
    account: i64,
    notice: i64,
    text: &str,
    now: i64,
) -> StoreResult<Notice> {
    let mut tx = ctx.begin().await?;
    let row = sqlx::query(&format!(
        "SELECT {NOTICE_COLS} FROM moderation_notices WHERE id = $1 AND account_id = $2"
    ))
    .bind(notice)
    .bind(account)
    .fetch_optional(&mut *tx)
    .await?;
    let mut n = match row {
        Some(r) => notice_from_row(&r)?,
        None => return Err(StoreError::NotFound),
    };
    if n.appealed_at_ms.is_some() {
        return Err(StoreError::Conflict {
            what: "already appealed",
        });
    }
    sqlx::query("UPDATE moderation_notices SET appeal_text = $2, appealed_at = $3 WHERE id = $1")
        .bind(notice)
        .bind(text)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    n.appeal_text = Some(text.to_owned());
    n.appealed_at_ms = Some(now);
    Ok(n)
}

/// Accepts (reverting a limit or suspension) or rejects an appeal, with its audit row.
pub(crate) async fn decide_appeal(
    ctx: &Ctx<'_>,
    actor: i64,
    notice: i64,
    accept: bool,
    reason: &str,
    now: i64,
) -> StoreResult<AuditEntry> {
    let mut tx = ctx.begin().await?;
    let row = sqlx::query(&format!(
        "SELECT {NOTICE_COLS} FROM moderation_notices WHERE id = $1"
    ))
    .bind(notice)
    .fetch_optional(&mut *tx)
    .await?;
    let n = match row {
        Some(r) => notice_from_row(&r)?,
        None => return Err(StoreError::NotFound),
    };
    if n.appealed_at_ms.is_none() {
        return Err(StoreError::NotFound);
    }
    if n.appeal_accepted.is_some() {
        return Err(StoreError::Conflict {
            what: "appeal already decided",
        });
    }
    if accept {
        let revert = match n.action {
            ModAction::Limit => Some(ModAction::Unlimit),
            ModAction::Suspend => Some(ModAction::Unsuspend),
            _ => None,
        };
        if let Some(revert) = revert {
            match apply_state(&mut tx, revert, n.account_id.0, now).await {
                // Already lifted by hand: accepting still records the decision.
                Ok(()) | Err(StoreError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    sqlx::query(
        "UPDATE moderation_notices SET appeal_decision = $2, decided_by = $3, decided_at = $4 \
         WHERE id = $1",
    )
    .bind(notice)
    .bind(if accept { "accepted" } else { "rejected" })
    .bind(actor)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let entry = AuditEntry {
        id: ctx.next_id(),
        actor_id: AccountId(actor),
        action: if accept {
            ModAction::AcceptAppeal
        } else {
            ModAction::RejectAppeal
        },
        target_account_id: Some(n.account_id),
        target_report_id: None,
        target_post_id: None,
        reason: reason.to_owned(),
        created_at_ms: now,
    };
    insert_audit(&mut tx, &entry).await?;
    tx.commit().await?;
    Ok(entry)
}
