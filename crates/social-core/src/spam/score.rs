//! How a post's signals become a score, reasons and a decision: [`SpamPolicy::evaluate`].

use super::{FilterSignal, SpamPolicy, SpamSignals, SpamVerdict};

fn over(count: u32, free: u32) -> f32 {
    count.saturating_sub(free) as f32
}

fn plural(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

fn age(seconds: u64) -> String {
    if seconds < 3600 {
        plural(seconds / 60, "minute", "minutes")
    } else {
        plural(seconds / 3600, "hour", "hours")
    }
}

/// The signals that added points, with their reasons. Reasons are only formatted for
/// signals that counted.
struct Tally {
    factor: f32,
    scored: Vec<(f32, String)>,
    /// Whether a signal scaled by the new-account factor counted.
    scaled_counted: bool,
}

impl Tally {
    /// Points multiplied by the new-account factor.
    fn scaled(&mut self, points: f32, reason: impl FnOnce() -> String) {
        if points > 0.0 {
            self.scaled_counted = true;
        }
        self.plain(points * self.factor, reason);
    }

    fn plain(&mut self, points: f32, reason: impl FnOnce() -> String) {
        if points > 0.0 {
            self.scored.push((points, reason()));
        }
    }
}

impl SpamPolicy {
    /// Whether an account of this age counts as new.
    pub fn is_new(&self, account_age_s: u64) -> bool {
        account_age_s < self.new_account_age_s
    }

    /// Weighs the signals of one post.
    pub fn evaluate(&self, s: &SpamSignals) -> SpamVerdict {
        let new = self.is_new(s.account_age_s);
        let factor = if new { self.new_account_factor } else { 1.0 };
        let (free_links, free_strangers) = if new {
            (0, 0)
        } else {
            (self.free_links, self.free_stranger_mentions)
        };
        let mut t = Tally {
            factor,
            scored: Vec::new(),
            scaled_counted: false,
        };
        t.scaled(self.per_link * over(s.links, free_links), || {
            plural(s.links, "link", "links")
        });
        t.scaled(self.per_extra_domain * over(s.link_domains, 1), || {
            format!("links to {} different sites", s.link_domains)
        });
        t.scaled(
            self.per_stranger_mention * over(s.stranger_mentions, free_strangers),
            || {
                let n = plural(s.stranger_mentions, "mention", "mentions");
                format!("{n} of accounts that do not follow the author")
            },
        );
        t.scaled(
            self.per_mention * over(s.mentions, self.free_mentions),
            || format!("{} in one post", plural(s.mentions, "mention", "mentions")),
        );
        let across = over(s.repeats_across_accounts, self.free_repeats_across_accounts);
        t.scaled(self.per_repeat_across_accounts * across, || {
            let n = plural(s.repeats_across_accounts, "other account", "other accounts");
            format!("the same text was posted recently by {n}")
        });
        let again = over(s.repeats_by_author, self.free_repeats_by_author);
        t.scaled(self.per_repeat_by_author * again, || {
            let n = plural(s.repeats_by_author, "time", "times");
            format!("the author posted the same text {n} recently")
        });
        t.plain(
            self.per_post_over_rate * over(s.posts_last_hour, self.free_posts_per_hour),
            || {
                format!(
                    "{} in the last hour",
                    plural(s.posts_last_hour, "post", "posts")
                )
            },
        );
        if s.filter == FilterSignal::Flag {
            t.plain(self.filter_flag, || {
                "a content filter flagged it".to_owned()
            });
        }
        if let Some(p) = s.classifier {
            // A broken probability (NaN) counts as "no idea".
            let p = if p.is_finite() {
                p.clamp(0.0, 1.0)
            } else {
                0.5
            };
            t.plain(self.classifier_weight * ((p - 0.5) * 2.0).max(0.0), || {
                format!("the spam classifier rates it {:.0}% likely spam", p * 100.0)
            });
        }

        let score: f32 = t.scored.iter().map(|(p, _)| p).sum();
        // Stable sort: equal points keep the order above, so reasons read the same each time.
        t.scored.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut reasons: Vec<String> = t.scored.into_iter().map(|(_, r)| r).collect();
        // Age is a reason only when it changed the score.
        if new && factor != 1.0 && t.scaled_counted {
            reasons.push(format!(
                "the account is {} old (signals of new accounts count {factor}×)",
                age(s.account_age_s)
            ));
        }
        let filter_hold = s.filter == FilterSignal::Hold;
        if filter_hold {
            reasons.insert(0, "a content filter holds posts like this".to_owned());
        }
        SpamVerdict {
            score,
            reasons,
            hold: filter_hold || score >= self.threshold,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: u64 = 3600;
    const YEAR: u64 = 365 * 24 * HOUR;

    fn post(age: u64) -> SpamSignals {
        SpamSignals {
            account_age_s: age,
            ..SpamSignals::default()
        }
    }

    fn verdict(s: &SpamSignals) -> SpamVerdict {
        SpamPolicy::default().evaluate(s)
    }

    #[test]
    fn ordinary_posts_never_hold_at_any_age() {
        for age in [0, 10 * 60, 23 * HOUR, 25 * HOUR, YEAR] {
            for (links, domains) in [(0, 0), (1, 1), (2, 1), (2, 2)] {
                for mentions in [0, 1, 3, 10] {
                    let s = SpamSignals {
                        links,
                        link_domains: domains,
                        mentions,
                        posts_last_hour: 5,
                        classifier: Some(0.3),
                        ..post(age)
                    };
                    let v = verdict(&s);
                    assert!(!v.hold, "{s:?} -> {v:?}");
                    assert!(v.score <= 6.0, "{s:?} -> {v:?}");
                }
            }
        }
        let quiet = verdict(&post(YEAR));
        assert_eq!((quiet.score, quiet.hold), (0.0, false));
        assert_eq!(quiet.summary(), "no spam signals");
    }

    #[test]
    fn established_accounts_may_reply_in_busy_threads() {
        let s = SpamSignals {
            mentions: 10,
            stranger_mentions: 10,
            links: 1,
            link_domains: 1,
            ..post(YEAR)
        };
        assert!(!verdict(&s).hold, "{:?}", verdict(&s));
    }

    #[test]
    fn new_account_with_links_and_mass_mentions_of_strangers_holds() {
        let s = SpamSignals {
            links: 1,
            link_domains: 1,
            mentions: 4,
            stranger_mentions: 4,
            ..post(2 * HOUR)
        };
        let v = verdict(&s);
        assert!(v.hold, "{v:?}");
        assert_eq!(v.score, 10.0);
        assert_eq!(
            v.reasons[0],
            "4 mentions of accounts that do not follow the author"
        );
        assert!(v.reasons.contains(&"1 link".to_owned()), "{v:?}");
        assert_eq!(
            v.reasons.last().map(String::as_str),
            Some("the account is 2 hours old (signals of new accounts count 2×)")
        );
        // The same post a day later is fine.
        assert!(
            !verdict(&SpamSignals {
                account_age_s: 2 * 24 * HOUR,
                ..s
            })
            .hold
        );
    }

    #[test]
    fn text_repeated_across_accounts_holds() {
        let repeated = |n, age| SpamSignals {
            repeats_across_accounts: n,
            ..post(age)
        };
        assert!(!verdict(&repeated(1, HOUR)).hold);
        assert!(!verdict(&repeated(2, HOUR)).hold);
        assert!(verdict(&repeated(3, HOUR)).hold);
        assert!(!verdict(&repeated(3, YEAR)).hold);
        let v = verdict(&repeated(4, YEAR));
        assert!(v.hold);
        assert_eq!(
            v.reasons,
            ["the same text was posted recently by 4 other accounts"]
        );
    }

    #[test]
    fn the_same_text_again_and_again_holds() {
        let again = |n, age| SpamSignals {
            repeats_by_author: n,
            ..post(age)
        };
        assert!(!verdict(&again(1, YEAR)).hold, "one retry is fine");
        assert!(!verdict(&again(2, YEAR)).hold);
        assert!(verdict(&again(3, YEAR)).hold);
        assert!(verdict(&again(2, HOUR)).hold);
        assert_eq!(
            verdict(&again(3, YEAR)).reasons,
            ["the author posted the same text 3 times recently"]
        );
    }

    #[test]
    fn posting_rate_alone_holds_only_a_flood() {
        let rate = |n| {
            verdict(&SpamSignals {
                posts_last_hour: n,
                ..post(YEAR)
            })
        };
        assert_eq!(rate(30).score, 0.0);
        assert!(!rate(69).hold);
        assert!(rate(70).hold);
        assert_eq!(rate(70).reasons, ["70 posts in the last hour"]);
    }

    #[test]
    fn classifier_steers_but_does_not_decide_alone() {
        let p = |prob| {
            verdict(&SpamSignals {
                classifier: prob,
                ..post(YEAR)
            })
        };
        assert_eq!(p(None).score, 0.0);
        assert_eq!(
            p(Some(0.1)).score,
            0.0,
            "hammy text does not lower the score"
        );
        assert_eq!(p(Some(0.5)).score, 0.0);
        assert_eq!(p(Some(1.0)).score, 8.0);
        assert!(!p(Some(1.0)).hold);
        assert_eq!(p(Some(f32::NAN)).score, 0.0);
        assert_eq!(
            p(Some(0.75)).reasons,
            ["the spam classifier rates it 75% likely spam"]
        );
        let with_flag = SpamSignals {
            classifier: Some(0.9),
            filter: FilterSignal::Flag,
            ..post(YEAR)
        };
        assert!(verdict(&with_flag).hold);
    }

    #[test]
    fn age_is_a_reason_only_when_it_counted() {
        let v = verdict(&SpamSignals {
            classifier: Some(1.0),
            ..post(HOUR)
        });
        assert_eq!(
            v.score, 8.0,
            "the classifier is not doubled for new accounts"
        );
        assert_eq!(v.reasons, ["the spam classifier rates it 100% likely spam"]);
    }

    #[test]
    fn a_holding_filter_always_holds() {
        let v = verdict(&SpamSignals {
            filter: FilterSignal::Hold,
            ..post(YEAR)
        });
        assert!(v.hold);
        assert_eq!(v.score, 0.0);
        assert_eq!(v.reasons, ["a content filter holds posts like this"]);
        let flagged = verdict(&SpamSignals {
            filter: FilterSignal::Flag,
            ..post(YEAR)
        });
        assert_eq!((flagged.score, flagged.hold), (5.0, false));
    }

    #[test]
    fn threshold_is_the_policy_knob() {
        let s = SpamSignals {
            links: 2,
            link_domains: 2,
            ..post(HOUR)
        };
        assert_eq!(verdict(&s).score, 6.0);
        let strict = SpamPolicy {
            threshold: 6.0,
            ..SpamPolicy::default()
        };
        assert!(strict.evaluate(&s).hold);
    }

    #[test]
    fn reasons_are_strongest_first_and_read_well() {
        let v = verdict(&SpamSignals {
            links: 3,
            link_domains: 3,
            mentions: 1,
            stranger_mentions: 1,
            repeats_by_author: 2,
            ..post(5 * 60)
        });
        assert_eq!(
            v.summary(),
            "the author posted the same text 2 times recently; 3 links; \
             links to 3 different sites; 1 mention of accounts that do not follow the author; \
             the account is 5 minutes old (signals of new accounts count 2×)"
        );
        assert_eq!(v.score, 2.0 * (5.0 + 3.0 + 2.0 + 1.0));
    }
}
