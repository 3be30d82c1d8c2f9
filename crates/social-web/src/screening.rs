//! Screening a new post before it is written (web and API): the content filters, then the
//! spam defence (new-account limits and the spam score). It is posted, posted as sensitive,
//! held for review, or refused. Staff posts are not screened.

use crate::AppState;
use social_core::Account;
use social_core::fingerprint::{comparable_fingerprint, url_host};
use social_core::rules::FilterAction;
use social_core::spam::{FilterSignal, NewAccountLimits, SpamPolicy, SpamSignals};
use social_core::text::{Token, mentions, tokenize};
use social_store::{HeldPost, PostInsert, StoreResult};
use std::collections::BTreeSet;

/// What the author is told when a filter refuses the post (the pattern stays secret).
pub const REJECTED: &str = "This post breaks a rule of this server and was not published.";

/// The spam defence's settings (`WebConfig::spam`).
#[derive(Clone, Debug, PartialEq)]
pub struct SpamDefence {
    /// How signals are weighed and when a post is held.
    pub policy: SpamPolicy,
    /// What accounts may not do at all in their first hours.
    pub limits: NewAccountLimits,
    /// How far back repeated texts count, in seconds. Default 86 400 (a day).
    pub repeat_window_s: u64,
}

impl Default for SpamDefence {
    fn default() -> Self {
        Self {
            policy: SpamPolicy::default(),
            limits: NewAccountLimits::default(),
            repeat_window_s: 24 * 3600,
        }
    }
}

pub enum Screened {
    /// Post it (a `sensitive` filter has set the flag).
    Post(PostInsert),
    /// Held for review: not posted.
    Held(HeldPost),
    /// Refused: tell the author [`REJECTED`].
    Rejected,
    /// Refused by a new-account limit: tell the author this message (which limit), 422.
    Refused(String),
}

pub async fn screen(
    state: &AppState,
    author: &Account,
    mut insert: PostInsert,
) -> StoreResult<Screened> {
    if author.role.is_staff() {
        return Ok(Screened::Post(insert));
    }
    let filters = state.store.compiled_filters().await?;
    if let Some(hit) = filters.check(&[&insert.text, &insert.spoiler_text]) {
        match hit.action {
            FilterAction::Sensitive => insert.sensitive = true,
            FilterAction::Hold => {
                return Ok(Screened::Held(
                    state.store.hold_post(insert, &hit.reason).await?,
                ));
            }
            FilterAction::Reject => return Ok(Screened::Rejected),
        }
    }
    let Some(defence) = &state.config.spam else {
        return Ok(Screened::Post(insert));
    };
    let signals = signals(state, defence, author, &insert).await?;
    if let Err(refusal) = defence.limits.check(&signals) {
        return Ok(Screened::Refused(refusal.to_string()));
    }
    let verdict = defence.policy.evaluate(&signals);
    if !verdict.hold {
        return Ok(Screened::Post(insert));
    }
    let reason = format!("spam score {:.1}: {}", verdict.score, verdict.summary());
    Ok(Screened::Held(
        state.store.hold_post(insert, &reason).await?,
    ))
}

/// The spam signals of a draft: links and mentions from its text, the rest from the store.
/// Filters that matched did not get here (`sensitive` ones are not a spam signal).
async fn signals(
    state: &AppState,
    defence: &SpamDefence,
    author: &Account,
    insert: &PostInsert,
) -> StoreResult<SpamSignals> {
    let text = &insert.text;
    let urls: Vec<&str> = tokenize(text)
        .into_iter()
        .filter_map(|t| match t {
            Token::Url(u) => Some(u),
            _ => None,
        })
        .collect();
    let hosts: BTreeSet<String> = urls.iter().filter_map(|u| url_host(u)).collect();
    let now = now_ms();
    let window_ms = i64::try_from(defence.repeat_window_s.saturating_mul(1000)).unwrap_or(i64::MAX);
    let context = state
        .store
        .spam_context(
            author.id,
            comparable_fingerprint(text),
            &mentions(text),
            now.saturating_sub(window_ms),
        )
        .await?;
    let age_ms = now.saturating_sub(author.created_at_ms).max(0);
    Ok(SpamSignals {
        links: count(urls.len()),
        link_domains: count(hosts.len()),
        mentions: context.mentions,
        stranger_mentions: context.stranger_mentions,
        repeats_across_accounts: context.repeats_across_accounts,
        repeats_by_author: context.repeats_by_author,
        account_age_s: u64::try_from(age_ms / 1000).unwrap_or(0),
        posts_last_hour: context.posts_last_hour,
        filter: FilterSignal::None,
        classifier: state.store.spam_probability(text).await?,
    })
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
