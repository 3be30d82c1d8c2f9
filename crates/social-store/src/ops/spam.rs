//! What the store knows about a draft post for its spam score: how often its text was posted
//! lately (by the author and by others), which mentioned accounts are strangers to the
//! author, and how much the author posted in the last hour. Also the fingerprint rows
//! themselves (written with each post or held post, pruned by the sweep), and the spam
//! classifier's token counts, trained by moderators' decisions on held posts.

use super::common::{Ctx, Tx, placeholders};
use crate::error::StoreResult;
use crate::model::PostInsert;
use crate::rules::SpamContext;
use social_core::classifier::TokenCounts;
use std::collections::HashMap;

/// The fingerprint as stored: the same 64 bits in a signed column.
fn stored(fingerprint: u64) -> i64 {
    i64::from_ne_bytes(fingerprint.to_ne_bytes())
}

/// Records the fingerprint of a post being written or held, when its text is long enough
/// to compare (`social_core::fingerprint::comparable_fingerprint`).
pub(crate) async fn record(tx: &mut Tx, ins: &PostInsert, now: i64) -> StoreResult<()> {
    let Some(fp) = social_core::fingerprint::comparable_fingerprint(&ins.text) else {
        return Ok(());
    };
    sqlx::query(
        "INSERT INTO post_fingerprints (fingerprint, author_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(stored(fp))
    .bind(ins.author_id.0)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// `record` for several posts in one statement (`(post, time)` pairs).
pub(crate) async fn record_many(tx: &mut Tx, posts: &[(&PostInsert, i64)]) -> StoreResult<()> {
    let rows: Vec<(i64, i64, i64)> = posts
        .iter()
        .filter_map(|(ins, now)| {
            social_core::fingerprint::comparable_fingerprint(&ins.text)
                .map(|fp| (stored(fp), ins.author_id.0, *now))
        })
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    let values = (0..rows.len())
        .map(|i| format!("(${}, ${}, ${})", 3 * i + 1, 3 * i + 2, 3 * i + 3))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO post_fingerprints (fingerprint, author_id, created_at) VALUES {values}"
    );
    let mut q = sqlx::query(&sql);
    for (fp, author, now) in rows {
        q = q.bind(fp).bind(author).bind(now);
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

/// Deletes fingerprints recorded before `before` (ms); returns how many.
pub(crate) async fn prune(ctx: &Ctx<'_>, before: i64) -> StoreResult<u64> {
    let done = sqlx::query("DELETE FROM post_fingerprints WHERE created_at < $1")
        .bind(before)
        .execute(ctx.write())
        .await?;
    Ok(done.rows_affected())
}

/// See `Store::spam_context`. `names`: mentioned usernames, case-folded.
pub(crate) async fn context(
    ctx: &Ctx<'_>,
    author: i64,
    fingerprint: Option<u64>,
    names: &[String],
    repeats_since: i64,
    hour_ago: i64,
) -> StoreResult<SpamContext> {
    let mut out = SpamContext::default();
    if let Some(fp) = fingerprint {
        let (others, own): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(DISTINCT CASE WHEN author_id <> $3 THEN author_id END), \
             COUNT(CASE WHEN author_id = $3 THEN 1 END) \
             FROM post_fingerprints WHERE fingerprint = $1 AND created_at >= $2",
        )
        .bind(stored(fp))
        .bind(repeats_since)
        .bind(author)
        .fetch_one(ctx.read)
        .await?;
        out.repeats_across_accounts = count(others);
        out.repeats_by_author = count(own);
    }
    if !names.is_empty() {
        // Known local accounts other than the author; of those, the ones not following the
        // author (`follows_target` covers the lookup).
        let sql = format!(
            "SELECT COUNT(*), COUNT(CASE WHEN NOT EXISTS (SELECT 1 FROM follows f \
             WHERE f.target_id = $1 AND f.account_id = a.id) THEN 1 END) \
             FROM accounts a WHERE a.id <> $1 AND a.username_key IN ({})",
            placeholders(2, names.len())
        );
        let mut q = sqlx::query_as::<_, (i64, i64)>(&sql).bind(author);
        for n in names {
            q = q.bind(n);
        }
        let (known, strangers) = q.fetch_one(ctx.read).await?;
        out.mentions = count(known);
        out.stranger_mentions = count(strangers);
    }
    // Post ids start with their creation time (`social_core::ids`), so the author's posts of
    // the last hour are a range of `posts_author`; held posts count too (a flood that is
    // held is still a flood).
    let floor = social_core::ids::compose_id(hour_ago, 0);
    let (posts,): (i64,) = sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM posts WHERE author_id = $1 AND id >= $2 \
         AND reblog_of_id IS NULL) + \
         (SELECT COUNT(*) FROM held_posts WHERE author_id = $1 AND id >= $2)",
    )
    .bind(author)
    .bind(floor)
    .fetch_one(ctx.read)
    .await?;
    out.posts_last_hour = count(posts);
    Ok(out)
}

fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

/// Tests only (`Store::set_account_created_at`): makes an account older or younger.
pub(crate) async fn set_created_at(ctx: &Ctx<'_>, account: i64, at: i64) -> StoreResult<()> {
    sqlx::query("UPDATE accounts SET created_at = $1 WHERE id = $2")
        .bind(at)
        .bind(account)
        .execute(ctx.write())
        .await?;
    Ok(())
}

/// Trains the classifier with a moderator's decision on a held post: one more spam (or ham)
/// message, and one more for each of its tokens.
pub(crate) async fn train(tx: &mut Tx, text: &str, spam: bool) -> StoreResult<()> {
    let (s, h) = if spam { (1_i64, 0_i64) } else { (0, 1) };
    let mut tokens = social_core::classifier::tokens(text);
    tokens.push(String::new());
    for token in tokens {
        sqlx::query(
            "INSERT INTO spam_tokens (token, spam, ham) VALUES ($1, $2, $3) \
             ON CONFLICT (token) DO UPDATE SET spam = spam_tokens.spam + excluded.spam, \
             ham = spam_tokens.ham + excluded.ham",
        )
        .bind(&token)
        .bind(s)
        .bind(h)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// The classifier's totals and the counts of those of `tokens` it has seen.
pub(crate) async fn token_counts(
    ctx: &Ctx<'_>,
    tokens: &[String],
) -> StoreResult<(TokenCounts, HashMap<String, TokenCounts>)> {
    let sql = format!(
        "SELECT token, spam, ham FROM spam_tokens WHERE token IN ({})",
        placeholders(1, tokens.len() + 1)
    );
    let mut q = sqlx::query_as::<_, (String, i64, i64)>(&sql).bind("");
    for t in tokens {
        q = q.bind(t);
    }
    let mut totals = TokenCounts::default();
    let mut counts = HashMap::new();
    for (token, spam, ham) in q.fetch_all(ctx.read).await? {
        let c = TokenCounts {
            spam: count(spam),
            ham: count(ham),
        };
        if token.is_empty() {
            totals = c;
        } else {
            counts.insert(token, c);
        }
    }
    Ok((totals, counts))
}
