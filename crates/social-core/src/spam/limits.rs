//! Hard limits on accounts in their first hours, checked before a post is accepted: a
//! post over them is refused with a message saying which limit, rather than held.

use super::SpamSignals;

/// Hard limits on accounts in their first hours: a post over them is refused with a message
/// saying which limit, rather than held (the person can fix it and post again).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAccountLimits {
    /// Accounts younger than this many hours are limited. Default 24; 0 turns the limits off.
    pub young_hours: u32,
    /// Links per post. Default 2.
    pub max_links: u32,
    /// Mentions of accounts that do not follow the author, per post. Default 2.
    pub max_stranger_mentions: u32,
    /// Posts per hour. Default 10.
    pub max_posts_per_hour: u32,
}

impl Default for NewAccountLimits {
    fn default() -> Self {
        Self {
            young_hours: 24,
            max_links: 2,
            max_stranger_mentions: 2,
            max_posts_per_hour: 10,
        }
    }
}

/// Which new-account limit a post broke; the message can be shown to its author.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LimitRefusal {
    #[error("For their first {hours} hours, accounts may include at most {max} links in a post.")]
    TooManyLinks { max: u32, hours: u32 },
    #[error(
        "For their first {hours} hours, accounts may mention at most {max} people who do not \
         follow them in a post."
    )]
    TooManyStrangerMentions { max: u32, hours: u32 },
    #[error(
        "For their first {hours} hours, accounts may publish at most {max} posts an hour. \
         Please try again later."
    )]
    TooManyPosts { max: u32, hours: u32 },
}

impl NewAccountLimits {
    /// Checks a post (its `links`, `stranger_mentions`, `posts_last_hour` and the
    /// account's age); older accounts always pass.
    pub fn check(&self, s: &SpamSignals) -> Result<(), LimitRefusal> {
        let hours = self.young_hours;
        if s.account_age_s >= u64::from(hours) * 3600 {
            return Ok(());
        }
        if s.links > self.max_links {
            return Err(LimitRefusal::TooManyLinks {
                max: self.max_links,
                hours,
            });
        }
        if s.stranger_mentions > self.max_stranger_mentions {
            let max = self.max_stranger_mentions;
            return Err(LimitRefusal::TooManyStrangerMentions { max, hours });
        }
        if s.posts_last_hour >= self.max_posts_per_hour {
            let max = self.max_posts_per_hour;
            return Err(LimitRefusal::TooManyPosts { max, hours });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(age_s: u64, links: u32, strangers: u32, posts: u32) -> SpamSignals {
        SpamSignals {
            account_age_s: age_s,
            links,
            stranger_mentions: strangers,
            posts_last_hour: posts,
            ..SpamSignals::default()
        }
    }

    #[test]
    fn new_accounts_within_limits_pass() {
        let limits = NewAccountLimits::default();
        assert_eq!(limits.check(&post(0, 2, 2, 9)), Ok(()));
    }

    #[test]
    fn new_accounts_over_a_limit_are_refused_with_a_reason() {
        let limits = NewAccountLimits::default();
        let links = limits.check(&post(3600, 3, 0, 0)).unwrap_err();
        assert_eq!(links, LimitRefusal::TooManyLinks { max: 2, hours: 24 });
        assert_eq!(
            links.to_string(),
            "For their first 24 hours, accounts may include at most 2 links in a post."
        );
        assert_eq!(
            limits.check(&post(3600, 0, 3, 0)),
            Err(LimitRefusal::TooManyStrangerMentions { max: 2, hours: 24 })
        );
        let rate = limits.check(&post(3600, 0, 0, 10)).unwrap_err();
        assert_eq!(rate, LimitRefusal::TooManyPosts { max: 10, hours: 24 });
        assert!(rate.to_string().contains("at most 10 posts an hour"));
    }

    #[test]
    fn older_accounts_are_not_limited() {
        let limits = NewAccountLimits::default();
        assert!(limits.check(&post(24 * 3600 - 1, 3, 0, 0)).is_err());
        assert_eq!(limits.check(&post(24 * 3600, 30, 30, 300)), Ok(()));
        let off = NewAccountLimits {
            young_hours: 0,
            ..NewAccountLimits::default()
        };
        assert_eq!(off.check(&post(0, 30, 30, 300)), Ok(()));
    }
}
