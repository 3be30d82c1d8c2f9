//! Instance rules: content filters (keyword, whole word, regex) with what they do to a post,
//! sign-up blocks by IP network, and the server rules people agree to.

use crate::validate::{Validated, ValidationError};
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

/// Longest filter pattern, in characters.
pub const FILTER_PATTERN_MAX_CHARS: usize = 200;
/// Compiled size limit of one regex filter (the `regex` crate's `size_limit`), so a pattern
/// cannot make every post expensive to check.
pub const REGEX_SIZE_LIMIT: usize = 256 * 1024;
/// Most server rules, and the longest rule text.
pub const RULES_MAX: usize = 50;
pub const RULE_TEXT_MAX_CHARS: usize = 500;
pub const RULE_HINT_MAX_CHARS: usize = 500;
/// Longest note of an IP block.
pub const NOTE_MAX_CHARS: usize = 500;

macro_rules! str_enum {
    ($name:ident, $what:literal, { $($variant:ident => $s:literal),+ $(,)? }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s),+ }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| format!(concat!("unknown ", $what, " {:?}"), s))
            }
        }
    };
}

/// How a filter's pattern matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FilterKind {
    /// Case-insensitive substring.
    Keyword,
    /// Case-insensitive whole word (or phrase): not part of a longer word.
    Word,
    /// A regular expression (the `regex` crate's syntax; add `(?i)` for case-insensitive).
    Regex,
}
str_enum!(FilterKind, "filter kind", { Keyword => "keyword", Word => "word", Regex => "regex" });

/// What happens to a post a filter matches. Ordered: the strongest matching action wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FilterAction {
    /// Published with `sensitive` set.
    Sensitive,
    /// Held for a moderator's review.
    Hold,
    /// Refused.
    Reject,
}
str_enum!(FilterAction, "filter action", { Sensitive => "sensitive", Hold => "hold", Reject => "reject" });

/// A filter as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    pub id: i64,
    pub kind: FilterKind,
    pub pattern: String,
    pub action: FilterAction,
}

fn build(kind: FilterKind, pattern: &str) -> Result<regex::Regex, String> {
    let source = match kind {
        FilterKind::Keyword => format!("(?i){}", regex::escape(pattern)),
        // `\b` misbehaves next to non-word characters at the pattern's ends; this does not.
        FilterKind::Word => format!(r"(?i)(?:^|\W)(?:{})(?:\W|$)", regex::escape(pattern)),
        FilterKind::Regex => pattern.to_owned(),
    };
    regex::RegexBuilder::new(&source)
        .size_limit(REGEX_SIZE_LIMIT)
        .dfa_size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => "This pattern is too complex.".to_owned(),
            other => format!("This is not a valid regular expression: {other}"),
        })
}

/// A new filter's pattern: not blank, at most [`FILTER_PATTERN_MAX_CHARS`], and for regex
/// filters a valid expression within the size limit.
pub fn filter_pattern(kind: FilterKind, pattern: &str) -> Validated<String> {
    let p = if kind == FilterKind::Regex {
        pattern
    } else {
        pattern.trim()
    };
    if p.trim().is_empty() {
        return Err(ValidationError::new("pattern", "Enter a pattern."));
    }
    if p.chars().count() > FILTER_PATTERN_MAX_CHARS {
        return Err(ValidationError::new(
            "pattern",
            format!("At most {FILTER_PATTERN_MAX_CHARS} characters, please."),
        ));
    }
    build(kind, p).map_err(|e| ValidationError::new("pattern", e))?;
    Ok(p.to_owned())
}

/// What the filters decided about a post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterMatch {
    pub action: FilterAction,
    pub filter_id: i64,
    /// For the moderators: which filter matched (`filter 3 (word "spam")`).
    pub reason: String,
}

/// The filters compiled once (the store caches this and rebuilds it when filters change).
#[derive(Debug, Default)]
pub struct CompiledFilters {
    filters: Vec<(Filter, regex::Regex)>,
}

impl CompiledFilters {
    /// Compiles each filter; one that no longer compiles (validated at creation, so only
    /// after a `regex` upgrade) is skipped and returned by id so the caller can log it.
    pub fn new(filters: Vec<Filter>) -> (Self, Vec<i64>) {
        let mut out = Vec::with_capacity(filters.len());
        let mut broken = Vec::new();
        for f in filters {
            match build(f.kind, &f.pattern) {
                Ok(re) => out.push((f, re)),
                Err(_) => broken.push(f.id),
            }
        }
        (Self { filters: out }, broken)
    }

    pub fn len(&self) -> usize {
        self.filters.len()
    }

    pub fn is_empty(&self) -> bool {
        self.filters.is_empty()
    }

    /// The strongest action of the filters matching any of `texts` (post text, content
    /// warning), or None.
    pub fn check(&self, texts: &[&str]) -> Option<FilterMatch> {
        let mut best: Option<&Filter> = None;
        for (f, re) in &self.filters {
            if best.is_some_and(|b| b.action >= f.action) {
                continue;
            }
            if texts.iter().any(|t| re.is_match(t)) {
                best = Some(f);
            }
        }
        best.map(|f| FilterMatch {
            action: f.action,
            filter_id: f.id,
            reason: format!("filter {} ({} {:?})", f.id, f.kind, f.pattern),
        })
    }
}

/// An IP network (`192.0.2.0/24`, `2001:db8::/32`; a bare address is a single host), kept
/// with its host bits cleared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

fn bits(addr: IpAddr) -> (u128, u8) {
    match addr {
        IpAddr::V4(a) => (u128::from(u32::from(a)), 32),
        IpAddr::V6(a) => (u128::from(a), 128),
    }
}

fn mask(width: u8, prefix: u8) -> u128 {
    if prefix == 0 {
        0
    } else {
        (u128::MAX << (128 - u32::from(prefix))) >> (128 - u32::from(width))
    }
}

impl IpNet {
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` is inside. An IPv4-mapped IPv6 address counts as its IPv4 address.
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        let (net, width) = bits(self.addr);
        let (host, host_width) = bits(ip);
        width == host_width && host & mask(width, self.prefix) == net
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

impl FromStr for IpNet {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("{s:?} is not an IP address or network (CIDR)"))?;
        let (value, width) = bits(addr);
        let prefix = match prefix {
            None => width,
            Some(p) => p
                .parse::<u8>()
                .ok()
                // A `/0` would block every sign-up: closing registrations does that.
                .filter(|p| (1..=width).contains(p))
                .ok_or_else(|| format!("The prefix length must be 1 to {width}."))?,
        };
        let net = value & mask(width, prefix);
        let addr = match addr {
            IpAddr::V4(_) => IpAddr::V4(std::net::Ipv4Addr::from(
                u32::try_from(net).map_err(|_| "IPv4 network out of range".to_owned())?,
            )),
            IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::from(net)),
        };
        Ok(IpNet { addr, prefix })
    }
}

fn bounded(field: &'static str, text: &str, max: usize, required: bool) -> Validated<String> {
    let text = text.trim();
    if required && text.is_empty() {
        return Err(ValidationError::new(field, "This field is required."));
    }
    if text.chars().count() > max {
        return Err(ValidationError::new(
            field,
            format!("At most {max} characters, please."),
        ));
    }
    Ok(text.to_owned())
}

pub fn ip_network(text: &str) -> Validated<IpNet> {
    text.parse()
        .map_err(|e: String| ValidationError::new("network", e))
}

pub fn ip_block_note(text: &str) -> Validated<String> {
    bounded("note", text, NOTE_MAX_CHARS, false)
}

/// A server rule's text: required, at most [`RULE_TEXT_MAX_CHARS`].
pub fn rule_text(text: &str) -> Validated<String> {
    bounded("text", text, RULE_TEXT_MAX_CHARS, true)
}

pub fn rule_hint(text: &str) -> Validated<String> {
    bounded("hint", text, RULE_HINT_MAX_CHARS, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filters(list: &[(FilterKind, &str, FilterAction)]) -> CompiledFilters {
        let list = list
            .iter()
            .enumerate()
            .map(|(i, (kind, pattern, action))| Filter {
                id: i as i64 + 1,
                kind: *kind,
                pattern: (*pattern).to_owned(),
                action: *action,
            })
            .collect();
        CompiledFilters::new(list).0
    }

    #[test]
    fn kinds_match_as_documented() {
        use FilterAction::*;
        use FilterKind::*;
        let f = filters(&[(Keyword, "casino", Hold)]);
        assert_eq!(f.check(&["Best CASINOS here"]).unwrap().action, Hold);
        let f = filters(&[(Word, "ass", Reject)]);
        assert!(f.check(&["a class act", "assume"]).is_none());
        assert_eq!(f.check(&["you ASS!"]).unwrap().action, Reject);
        assert_eq!(
            filters(&[(Word, "c++", Reject)])
                .check(&["I like c++."])
                .unwrap()
                .filter_id,
            1
        );
        let f = filters(&[(Regex, r"buy\s+now", Sensitive)]);
        assert!(f.check(&["BUY NOW"]).is_none());
        assert!(f.check(&["", "buy   now"]).is_some());
    }

    #[test]
    fn the_strongest_action_wins() {
        use FilterAction::*;
        use FilterKind::*;
        let f = filters(&[
            (Keyword, "a", Sensitive),
            (Keyword, "b", Reject),
            (Keyword, "c", Hold),
        ]);
        assert_eq!(f.check(&["a c"]).unwrap().action, Hold);
        assert_eq!(f.check(&["a b c"]).unwrap().action, Reject);
        assert_eq!(f.check(&["z"]), None);
    }

    #[test]
    fn patterns_are_validated() {
        assert!(filter_pattern(FilterKind::Regex, "(unclosed").is_err());
        assert!(filter_pattern(FilterKind::Regex, r"\w{1000}\w{1000}").is_err());
        assert!(filter_pattern(FilterKind::Keyword, "  ").is_err());
        assert!(filter_pattern(FilterKind::Keyword, &"x".repeat(201)).is_err());
        assert_eq!(filter_pattern(FilterKind::Word, " spam ").unwrap(), "spam");
        assert!("bogus".parse::<FilterAction>().is_err());
    }

    #[test]
    fn networks_parse_and_match() {
        let n: IpNet = "192.0.2.77/24".parse().unwrap();
        assert_eq!(n.to_string(), "192.0.2.0/24");
        assert!(n.contains("192.0.2.1".parse().unwrap()));
        assert!(n.contains("::ffff:192.0.2.9".parse().unwrap()));
        assert!(!n.contains("192.0.3.1".parse().unwrap()));
        assert!(!n.contains("2001:db8::1".parse().unwrap()));
        let v6: IpNet = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains("2001:db8:ffff::1".parse().unwrap()));
        assert!(!v6.contains("2001:db9::1".parse().unwrap()));
        let host: IpNet = "198.51.100.7".parse().unwrap();
        assert_eq!(host.to_string(), "198.51.100.7/32");
        for bad in [
            "10.0.0.0/33",
            "10.0.0.0/0",
            "nope",
            "10.0.0/8",
            "::/129",
            "1.2.3.4/x",
        ] {
            assert!(bad.parse::<IpNet>().is_err(), "{bad}");
        }
    }

    #[test]
    fn rule_lengths() {
        assert!(rule_text(" ").is_err());
        assert!(rule_text(&"é".repeat(500)).is_ok());
        assert!(rule_text(&"é".repeat(501)).is_err());
    }
}
