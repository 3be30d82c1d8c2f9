//! The spam score of a new post: signals the web layer gathers (links, mentions of
//! strangers, repeated text, posting rate, account age, content filters, the classifier)
//! weighed into one number, and the post held for a moderator when it reaches the threshold.
//! Also the hard limits on accounts in their first day.
//!
//! The score is
//!
//! ```text
//! factor × (links + domains + stranger mentions + mentions + repeats) + rate + filter + classifier
//! ```
//!
//! where `factor` is [`SpamPolicy::new_account_factor`] for accounts younger than
//! [`SpamPolicy::new_account_age_s`] and 1 otherwise, and new accounts get no free links or
//! stranger mentions. With the defaults (threshold 10):
//!
//! - a post with up to 2 links and mentions of followers never holds, whatever the
//!   account's age (at most 6 points for a new account: 2 links on 2 sites, doubled);
//! - a new account holds with one link and 4 mentions of strangers, or 5 mentions of
//!   strangers, or text that 3 other accounts posted recently, or its third copy of a text;
//! - an established account holds with its fourth copy of a text, text 4 other accounts
//!   posted, 15 mentions of strangers, or 70 posts in the last hour;
//! - the classifier alone never holds a post (at most 8 points): moderators' decisions
//!   steer, they do not decide on their own;
//! - a content filter whose action is "hold" always holds.

mod limits;
mod score;

pub use limits::{LimitRefusal, NewAccountLimits};

/// What the instance's content filters said about the post.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FilterSignal {
    /// No filter matched (or only one that marks posts sensitive).
    #[default]
    None,
    /// A filter marked the post as suspicious: adds [`SpamPolicy::filter_flag`].
    Flag,
    /// A filter holds posts like this one: held whatever the score.
    Hold,
}

/// What is known about a post and its author when it is submitted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpamSignals {
    /// Links in the text.
    pub links: u32,
    /// Distinct hosts among those links.
    pub link_domains: u32,
    /// Accounts mentioned.
    pub mentions: u32,
    /// Mentioned accounts that do not follow the author. Whether the author follows them
    /// does not matter: a spammer can follow anyone, but cannot make them follow back.
    pub stranger_mentions: u32,
    /// Other accounts that posted text with the same fingerprint in the recent window
    /// (see [`crate::fingerprint::comparable_fingerprint`]).
    pub repeats_across_accounts: u32,
    /// Earlier posts by the author with the same fingerprint in the recent window.
    pub repeats_by_author: u32,
    /// Seconds since the account was created.
    pub account_age_s: u64,
    /// The author's posts in the last hour, before this one.
    pub posts_last_hour: u32,
    /// What the content filters said.
    pub filter: FilterSignal,
    /// The classifier's spam probability (0..=1), None while it is untrained.
    pub classifier: Option<f32>,
}

/// How signals are weighed. Every weight is points per unit above the free allowance.
#[derive(Clone, Debug, PartialEq)]
pub struct SpamPolicy {
    /// A post whose score reaches this is held for review. Default 10. Lower is stricter;
    /// 0 or less holds every post.
    pub threshold: f32,
    /// Accounts younger than this are new. Default 86 400 (24 hours).
    pub new_account_age_s: u64,
    /// Multiplies a new account's link, mention and repeat points. Default 2.
    pub new_account_factor: f32,
    /// Links per post that cost nothing for established accounts. Default 2.
    pub free_links: u32,
    /// Points per link beyond the free ones. Default 1.
    pub per_link: f32,
    /// Points per linked site beyond the first. Default 1.
    pub per_extra_domain: f32,
    /// Stranger mentions that cost nothing for established accounts (a reply in a busy
    /// thread mentions everyone in it). Default 5.
    pub free_stranger_mentions: u32,
    /// Points per stranger mention beyond the free ones. Default 1.
    pub per_stranger_mention: f32,
    /// Mentions of anyone that cost nothing. Default 10.
    pub free_mentions: u32,
    /// Points per mention beyond those. Default 0.25.
    pub per_mention: f32,
    /// Other accounts posting the same text that cost nothing. Default 1.
    pub free_repeats_across_accounts: u32,
    /// Points per further account. Default 3.5.
    pub per_repeat_across_accounts: f32,
    /// The author's earlier copies of the text that cost nothing (people do post a
    /// correction or a retry). Default 1.
    pub free_repeats_by_author: u32,
    /// Points per further copy. Default 5.
    pub per_repeat_by_author: f32,
    /// Posts in the last hour that cost nothing. Default 30.
    pub free_posts_per_hour: u32,
    /// Points per post beyond those. Default 0.25.
    pub per_post_over_rate: f32,
    /// Points when a content filter flags the post. Default 5.
    pub filter_flag: f32,
    /// Points at classifier probability 1, scaled linearly down to 0 at probability 0.5;
    /// hammy probabilities do not lower the score. Default 8.
    pub classifier_weight: f32,
}

impl Default for SpamPolicy {
    fn default() -> Self {
        Self {
            threshold: 10.0,
            new_account_age_s: 24 * 3600,
            new_account_factor: 2.0,
            free_links: 2,
            per_link: 1.0,
            per_extra_domain: 1.0,
            free_stranger_mentions: 5,
            per_stranger_mention: 1.0,
            free_mentions: 10,
            per_mention: 0.25,
            free_repeats_across_accounts: 1,
            per_repeat_across_accounts: 3.5,
            free_repeats_by_author: 1,
            per_repeat_by_author: 5.0,
            free_posts_per_hour: 30,
            per_post_over_rate: 0.25,
            filter_flag: 5.0,
            classifier_weight: 8.0,
        }
    }
}

/// The score, why, and whether to hold the post.
#[derive(Clone, Debug, PartialEq)]
pub struct SpamVerdict {
    pub score: f32,
    /// For moderators, one phrase per signal that added points, strongest first.
    pub reasons: Vec<String>,
    pub hold: bool,
}

impl SpamVerdict {
    /// The reasons as one line (`"…; …"`), or `"no spam signals"`.
    pub fn summary(&self) -> String {
        if self.reasons.is_empty() {
            "no spam signals".to_owned()
        } else {
            self.reasons.join("; ")
        }
    }
}
