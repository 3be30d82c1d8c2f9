//! A naive Bayes spam classifier that learns from moderators' decisions: the words and link
//! hosts of posts they removed as spam against those of posts they approved.
//!
//! The store keeps, per token, how many spam and how many ham (not spam) messages contained
//! it, and the number of messages of each kind; training a message adds one to the counts of
//! each of its [`tokens`] and to one total. [`probability`] combines the evidence of the most
//! telling tokens of a new post with Robinson's method (a prior that pulls rarely seen tokens
//! towards "no idea", and Fisher's chi-square combination, as SpamBayes does), which is less
//! prone than Graham's product to answer 0.99999 on thin evidence.
//!
//! Until both kinds have [`MIN_TRAINED`] messages it answers None, so a fresh instance's
//! scores are not moved by a handful of decisions.

use crate::fingerprint::url_host;
use crate::text::{Token, tokenize};
use std::collections::HashSet;

/// Messages of each kind needed before the classifier has an opinion.
pub const MIN_TRAINED: u32 = 5;
/// Tokens taken from one message (the rest is ignored: long posts carry no more evidence).
pub const MAX_TOKENS: usize = 200;
/// Tokens seen in fewer messages than this are ignored.
pub const MIN_TOKEN_COUNT: u32 = 2;
/// How many of the most telling tokens decide.
pub const INTERESTING_TOKENS: usize = 15;
/// Tokens whose probability is closer than this to 0.5 say nothing and are skipped.
const MIN_DEVIATION: f64 = 0.1;
/// Robinson's prior: a token seen `n` times weighs `n` against `PRIOR_STRENGTH` for
/// [`PRIOR_PROBABILITY`].
const PRIOR_STRENGTH: f64 = 1.0;
const PRIOR_PROBABILITY: f64 = 0.5;
/// Keeps single tokens from being certain either way.
const TOKEN_PROBABILITY_BOUNDS: (f64, f64) = (0.01, 0.99);

const WORD_CHARS: std::ops::RangeInclusive<usize> = 2..=24;

/// How many spam and ham messages contained one token (or, as [`Totals`], were trained).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenCounts {
    pub spam: u32,
    pub ham: u32,
}

/// Messages trained of each kind.
pub type Totals = TokenCounts;

/// The tokens of a message, each once, in order of first appearance, at most
/// [`MAX_TOKENS`]: lowercased words of 2 to 24 characters (letters, digits, `_`, `'`;
/// numbers alone are skipped), hashtags as words, and each link's host as
/// `host:example.com`. Mentions are left out: who is addressed changes with every copy.
pub fn tokens(text: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut push = |t: String| {
        if out.len() < MAX_TOKENS && seen.insert(t.clone()) {
            out.push(t);
        }
    };
    for token in tokenize(text) {
        match token {
            Token::Url(url) => {
                if let Some(host) = url_host(url) {
                    push(format!("host:{host}"));
                }
            }
            Token::Hashtag(tag) => words(tag, &mut push),
            Token::Text(s) => {
                for piece in s.split_whitespace().filter(|w| !w.starts_with('@')) {
                    words(piece, &mut push);
                }
            }
            Token::Mention(_) | Token::LineBreak => {}
        }
    }
    out
}

fn words(s: &str, push: &mut impl FnMut(String)) {
    for word in s.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '\'')) {
        let word = word.trim_matches('\'');
        if WORD_CHARS.contains(&word.chars().count()) && !word.chars().all(|c| c.is_numeric()) {
            push(word.to_lowercase());
        }
    }
}

/// The spam probability (0..=1) of a message with `tokens`, given the trained `totals` and
/// each token's counts from `lookup` (None for a token never trained). None when either
/// kind has fewer than [`MIN_TRAINED`] messages. 0.5 means "no evidence either way".
pub fn probability(
    tokens: &[String],
    totals: Totals,
    mut lookup: impl FnMut(&str) -> Option<TokenCounts>,
) -> Option<f32> {
    if totals.spam < MIN_TRAINED || totals.ham < MIN_TRAINED {
        return None;
    }
    let mut evidence: Vec<f64> = tokens
        .iter()
        .filter_map(|t| lookup(t))
        .filter_map(|c| token_probability(c, totals))
        .filter(|p| (p - 0.5).abs() >= MIN_DEVIATION)
        .collect();
    // Most telling first; ties keep their order (the sort is stable) so results repeat.
    evidence.sort_by(|a, b| (b - 0.5).abs().total_cmp(&(a - 0.5).abs()));
    evidence.truncate(INTERESTING_TOKENS);
    Some(fisher_combine(&evidence) as f32)
}

/// Robinson's f(w): the share of spam among messages with the token, each kind's count
/// scaled by how many messages of that kind were trained (so an instance that has seen more
/// ham than spam does not think every word hammy), pulled towards the prior when rare.
fn token_probability(c: TokenCounts, totals: Totals) -> Option<f64> {
    let n = c.spam.saturating_add(c.ham);
    if n < MIN_TOKEN_COUNT {
        return None;
    }
    // Counts above the totals can only come from a store out of step; clamp them.
    let spam_freq = f64::from(c.spam.min(totals.spam)) / f64::from(totals.spam.max(1));
    let ham_freq = f64::from(c.ham.min(totals.ham)) / f64::from(totals.ham.max(1));
    if spam_freq + ham_freq == 0.0 {
        return None;
    }
    let p = spam_freq / (spam_freq + ham_freq);
    let n = f64::from(n);
    let f = (PRIOR_STRENGTH * PRIOR_PROBABILITY + n * p) / (PRIOR_STRENGTH + n);
    Some(f.clamp(TOKEN_PROBABILITY_BOUNDS.0, TOKEN_PROBABILITY_BOUNDS.1))
}

/// Fisher's method on both tails, as SpamBayes: S says how unlikely the probabilities are
/// if the message were ham, H how unlikely if spam; the answer is (1 + S − H) / 2.
fn fisher_combine(probabilities: &[f64]) -> f64 {
    if probabilities.is_empty() {
        return 0.5;
    }
    let dof = 2 * probabilities.len();
    let ln_ham: f64 = probabilities.iter().map(|p| (1.0 - p).ln()).sum();
    let ln_spam: f64 = probabilities.iter().map(|p| p.ln()).sum();
    let s = 1.0 - chi2_q(-2.0 * ln_ham, dof);
    let h = 1.0 - chi2_q(-2.0 * ln_spam, dof);
    ((1.0 + s - h) / 2.0).clamp(0.0, 1.0)
}

/// The upper tail of the chi-square distribution with an even number of degrees of freedom
/// (a closed-form series in that case).
fn chi2_q(x2: f64, dof: usize) -> f64 {
    let m = x2 / 2.0;
    let mut term = (-m).exp();
    let mut sum = term;
    for i in 1..dof / 2 {
        term *= m / i as f64;
        sum += term;
    }
    sum.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A trained model the way the store would keep it.
    #[derive(Default)]
    struct Model {
        totals: Totals,
        counts: HashMap<String, TokenCounts>,
    }

    impl Model {
        fn train(&mut self, text: &str, spam: bool) {
            for t in tokens(text) {
                let c = self.counts.entry(t).or_default();
                if spam { c.spam += 1 } else { c.ham += 1 }
            }
            if spam {
                self.totals.spam += 1
            } else {
                self.totals.ham += 1
            }
        }

        fn p(&self, text: &str) -> Option<f32> {
            probability(&tokens(text), self.totals, |t| self.counts.get(t).copied())
        }
    }

    const SPAM: &[&str] = &[
        "Cheap pills, best prices! Buy now https://pills.example/buy",
        "Buy cheap followers now, best prices guaranteed https://followers.example",
        "Crypto giveaway! Send 1 coin, get 2 back https://coins.example/give",
        "Free crypto coins, click now https://coins.example/free",
        "Best prices on cheap watches, buy now https://watches.example",
        "Click now for free followers https://followers.example/free",
    ];
    const HAM: &[&str] = &[
        "Lovely walk by the river this morning, the herons are back",
        "Does anyone know a good bakery near the station?",
        "Finished reading the book you lent me, the ending was great",
        "The river was high after the rain, walk carefully on the path",
        "Our bakery club meets at the station cafe on Thursday morning",
        "Thanks for the book recommendation, reading it this week",
    ];

    fn trained() -> Model {
        let mut m = Model::default();
        for (s, h) in SPAM.iter().zip(HAM) {
            m.train(s, true);
            m.train(h, false);
        }
        m
    }

    #[test]
    fn tokens_are_words_and_hosts_once_each() {
        assert_eq!(
            tokens("@alice Buy NOW, buy now! x 2024 #Deals https://www.Shop.example/a?b it's"),
            ["buy", "now", "deals", "host:shop.example", "it's"]
        );
        let long = "a".repeat(25);
        assert!(
            tokens(&long).is_empty(),
            "words over 24 characters are skipped"
        );
    }

    #[test]
    fn tokens_are_capped() {
        let text: Vec<String> = (0..500).map(|i| format!("w{i}x")).collect();
        assert_eq!(tokens(&text.join(" ")).len(), MAX_TOKENS);
    }

    #[test]
    fn untrained_classifier_has_no_opinion() {
        let mut m = Model::default();
        assert_eq!(m.p("Buy cheap pills now"), None);
        for s in &SPAM[..5] {
            m.train(s, true);
        }
        for h in &HAM[..4] {
            m.train(h, false);
        }
        assert_eq!(
            m.p("Buy cheap pills now"),
            None,
            "4 ham messages are not enough"
        );
        m.train(HAM[4], false);
        assert!(m.p("Buy cheap pills now").is_some());
    }

    #[test]
    fn spammy_texts_score_above_hammy_ones() {
        let m = trained();
        let spam = m
            .p("Buy cheap coins now, best prices https://coins.example/x")
            .unwrap();
        let ham = m
            .p("A walk by the river to the bakery this morning")
            .unwrap();
        let unknown = m.p("Quantum entanglement lecture notes").unwrap();
        assert!(spam > 0.9, "spam {spam}");
        assert!(ham < 0.1, "ham {ham}");
        assert!((unknown - 0.5).abs() < 1e-6, "no known tokens: {unknown}");
        assert!(spam > unknown && unknown > ham);
    }

    #[test]
    fn tokens_seen_once_are_ignored() {
        let mut m = trained();
        m.train("zebra zebra", true);
        // `zebra` was seen in one message only: no evidence yet.
        assert!((m.p("zebra").unwrap() - 0.5).abs() < 1e-6);
        m.train("zebra again", true);
        assert!(m.p("zebra").unwrap() > 0.5);
    }

    #[test]
    fn rare_tokens_are_pulled_towards_the_prior() {
        let totals = Totals { spam: 10, ham: 10 };
        let rare = token_probability(TokenCounts { spam: 2, ham: 0 }, totals).unwrap();
        let common = token_probability(TokenCounts { spam: 9, ham: 0 }, totals).unwrap();
        assert!(rare < common, "{rare} {common}");
        assert!(common <= TOKEN_PROBABILITY_BOUNDS.1);
    }

    #[test]
    fn combination_is_symmetric() {
        assert!((fisher_combine(&[0.9, 0.1]) - 0.5).abs() < 1e-9);
        let up = fisher_combine(&[0.9, 0.8]);
        let down = fisher_combine(&[0.1, 0.2]);
        assert!((up + down - 1.0).abs() < 1e-9, "{up} {down}");
        assert!(up > 0.5);
    }
}
