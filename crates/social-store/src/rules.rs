//! Values of the instance-rules part of the store: posts held for review, sign-up blocks by
//! IP network and server rules (content filters are `social_core::rules::Filter`).

use crate::model::PostInsert;
use social_core::AccountId;
use social_core::rules::IpNet;

/// A post waiting for a moderator: what the author wrote, and why it is held.
#[derive(Clone, Debug)]
pub struct HeldPost {
    pub id: i64,
    /// The post as it will be written on approval (`author_id` included).
    pub insert: PostInsert,
    /// Why: the filter that matched, a spam score… Shown to moderators only.
    pub reason: String,
    pub created_at_ms: i64,
}

/// A sign-up block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IpBlock {
    pub id: i64,
    pub network: IpNet,
    pub note: String,
    /// None: until deleted.
    pub expires_at_ms: Option<i64>,
    pub created_by: AccountId,
    pub created_at_ms: i64,
}

/// A rule of this server, shown at sign-up and served by the API (Mastodon's `Rule`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerRule {
    pub id: i64,
    /// Rules are listed by position, then id.
    pub position: i64,
    pub text: String,
    pub hint: String,
}

/// What the store knows about a draft post for its spam score (`Store::spam_context`); the
/// web layer adds what the text and the account say (`social_core::spam::SpamSignals`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpamContext {
    /// Other accounts that posted (or had held) text with the same fingerprint in the window.
    pub repeats_across_accounts: u32,
    /// The author's own earlier posts (and held posts) with that fingerprint in the window.
    pub repeats_by_author: u32,
    /// Mentioned names that are local accounts other than the author.
    pub mentions: u32,
    /// Of those, the accounts that do not follow the author.
    pub stranger_mentions: u32,
    /// The author's posts and held posts (not boosts) in the last hour.
    pub posts_last_hour: u32,
}
