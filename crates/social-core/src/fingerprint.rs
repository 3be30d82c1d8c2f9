//! Near-duplicate detection for posts: a normalised form of the text and a stable 64-bit
//! fingerprint of it, so the store can count how often the same message was posted.
//!
//! Spam campaigns post one message many times, varying only what is cheap to vary: the
//! mentioned account, a tracking number, the case, the path of a link. The normal form drops
//! exactly those: URLs become their host, `@mentions` go, runs of digits become `0`,
//! punctuation goes, case and whitespace are folded.
//!
//! The hash is FNV-1a, written here rather than taken from `std`, whose hasher is seeded per
//! process: the store saves fingerprints, so one text must give one value across restarts,
//! versions and machines. Changing [`normalize`] changes fingerprints; saved ones then stop
//! matching new posts until the recent window has passed, which is harmless.

use crate::text::{Token, tokenize};

/// Normalised texts shorter than this (in characters) and without a link say too little
/// ("good morning", "thanks!") for a repeat across accounts to mean anything.
pub const MIN_COMPARABLE_CHARS: usize = 16;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// FNV-1a over bytes: stable, fast, good enough to tell texts apart (not a defence against
/// someone crafting collisions, which would only make their spam *more* likely to be held).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(FNV_OFFSET, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
    })
}

/// The host of an `http(s)://` URL, lowercased, without user info, port or a leading
/// `www.`; None when there is no host.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = if host_port.starts_with('[') {
        // An IPv6 literal keeps its colons; only a port after `]` is cut.
        host_port.split(']').next().map(|h| format!("{h}]"))?
    } else {
        host_port.split(':').next().unwrap_or_default().to_owned()
    };
    let host = host.trim_end_matches('.').to_lowercase();
    let host = host.strip_prefix("www.").map(str::to_owned).unwrap_or(host);
    (!host.is_empty()).then_some(host)
}

/// The normal form described in the module documentation: lowercase words of letters and
/// digits separated by single spaces, URLs replaced by their hosts, mentions removed,
/// every run of digits replaced by `0`.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for token in tokenize(text) {
        match token {
            Token::Url(url) => {
                if let Some(host) = url_host(url) {
                    push_words(&mut out, &host);
                }
            }
            // Hashtags are content: the same tag is part of the same message.
            Token::Hashtag(tag) => push_words(&mut out, tag),
            Token::Text(s) => {
                // `tokenize` leaves remote addresses (`@name@host`) as text: drop them too.
                for word in s.split_whitespace().filter(|w| !w.starts_with('@')) {
                    push_words(&mut out, word);
                }
            }
            Token::Mention(_) | Token::LineBreak => {}
        }
    }
    out
}

/// Appends the words of `s` (split at anything that is not a letter or digit).
fn push_words(out: &mut String, s: &str) {
    for word in s.split(|c: char| !c.is_alphanumeric()) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        let mut in_digits = false;
        for c in word.chars() {
            if c.is_numeric() {
                if !in_digits {
                    out.push('0');
                }
                in_digits = true;
            } else {
                out.extend(c.to_lowercase());
                in_digits = false;
            }
        }
    }
}

/// The fingerprint of a text: FNV-1a of its [`normalize`]d form. Every text without words
/// (empty, only mentions, only punctuation) shares one fingerprint; see
/// [`comparable_fingerprint`] for counting repeats.
pub fn text_fingerprint(text: &str) -> u64 {
    fnv1a(normalize(text).as_bytes())
}

/// The fingerprint to count repeats with, or None when the text is too short to say
/// anything (under [`MIN_COMPARABLE_CHARS`] normalised characters and no link): many people
/// independently write "good morning", few independently post the same link.
pub fn comparable_fingerprint(text: &str) -> Option<u64> {
    let normal = normalize(text);
    let has_link = tokenize(text).iter().any(|t| matches!(t, Token::Url(_)));
    (has_link || normal.chars().count() >= MIN_COMPARABLE_CHARS).then(|| fnv1a(normal.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_reference_values() {
        // Published FNV-1a 64-bit test vectors: the hash must never change.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn normal_form_drops_what_spammers_vary() {
        assert_eq!(
            normalize("@alice Hey!!  WIN 1000$ now: https://Www.Spam.example/x?id=42 #Deal"),
            "hey win 0 now spam example deal"
        );
        assert_eq!(
            normalize("hi @bob@remote.example, order 12 or 3456"),
            "hi order 0 or 0"
        );
        assert_eq!(normalize(""), "");
    }

    #[test]
    fn near_duplicates_share_a_fingerprint() {
        let a = text_fingerprint("@alice Great offer, 50% off today: https://shop.example/a?ref=1");
        let b = text_fingerprint("@Bob great OFFER — 70% off today!\nhttp://shop.example/b");
        let c = text_fingerprint("great offer 5% off today shop.example");
        assert_eq!(a, b);
        assert_eq!(a, c);
    }

    #[test]
    fn different_texts_have_different_fingerprints() {
        let a = text_fingerprint("Great offer, 50% off today: https://shop.example/a");
        let b = text_fingerprint("Great offer, 50% off today: https://other.example/a");
        let c = text_fingerprint("Lovely walk by the river this morning");
        let d = text_fingerprint("Lovely walk by the sea this morning");
        assert_ne!(a, b, "the link's host is part of the message");
        assert_ne!(a, c);
        assert_ne!(c, d);
    }

    #[test]
    fn fingerprint_is_stable_across_runs() {
        // A value saved by an earlier version must still match: pin one.
        assert_eq!(text_fingerprint("Hello World"), fnv1a(b"hello world"));
        assert_eq!(text_fingerprint("Hello World"), 0x779a_65e7_023c_d2e7);
    }

    #[test]
    fn hosts_are_extracted() {
        assert_eq!(
            url_host("https://WWW.Example.COM/a/b?c"),
            Some("example.com".into())
        );
        assert_eq!(
            url_host("http://user@example.com:8080#x"),
            Some("example.com".into())
        );
        assert_eq!(
            url_host("https://[2001:db8::1]:443/"),
            Some("[2001:db8::1]".into())
        );
        assert_eq!(url_host("https://"), None);
    }

    #[test]
    fn short_texts_are_not_compared() {
        assert_eq!(comparable_fingerprint("Good morning!"), None);
        assert_eq!(comparable_fingerprint("@alice"), None);
        assert!(comparable_fingerprint("https://spam.example/x").is_some());
        assert_eq!(
            comparable_fingerprint("Good morning, everyone here!"),
            Some(text_fingerprint("good morning everyone here"))
        );
    }
}
