//! OAuth 2 scopes of the Mastodon client API: the known names, parsing, and the hierarchy
//! (`read` covers `read:statuses`; the legacy `follow` covers the follow, block and mute
//! scopes), plus redirect URI rules for app registration.

use std::fmt;

/// Top-level scopes.
const TOP: &[&str] = &[
    "read",
    "write",
    "follow",
    "push",
    "profile",
    "admin:read",
    "admin:write",
];

const READ: &[&str] = &[
    "accounts",
    "blocks",
    "bookmarks",
    "favourites",
    "filters",
    "follows",
    "lists",
    "mutes",
    "notifications",
    "search",
    "statuses",
];

const WRITE: &[&str] = &[
    "accounts",
    "blocks",
    "bookmarks",
    "conversations",
    "favourites",
    "filters",
    "follows",
    "lists",
    "media",
    "mutes",
    "notifications",
    "reports",
    "statuses",
];

const ADMIN: &[&str] = &[
    "accounts",
    "reports",
    "domain_allows",
    "domain_blocks",
    "ip_blocks",
    "email_domain_blocks",
    "canonical_email_blocks",
];

/// What the legacy `follow` scope grants.
const FOLLOW: &[&str] = &[
    "read:follows",
    "write:follows",
    "read:blocks",
    "write:blocks",
    "read:mutes",
    "write:mutes",
];

/// Whether `name` is a scope this server knows.
pub fn is_known(name: &str) -> bool {
    if TOP.contains(&name) {
        return true;
    }
    if let Some(rest) = name.strip_prefix("admin:read:") {
        return ADMIN.contains(&rest);
    }
    if let Some(rest) = name.strip_prefix("admin:write:") {
        return ADMIN.contains(&rest);
    }
    if let Some(rest) = name.strip_prefix("read:") {
        return READ.contains(&rest);
    }
    if let Some(rest) = name.strip_prefix("write:") {
        return WRITE.contains(&rest);
    }
    false
}

/// Every scope name, for `scopes_supported` in the server metadata.
pub fn all() -> Vec<String> {
    let mut out: Vec<String> = TOP.iter().map(|s| (*s).to_owned()).collect();
    out.extend(READ.iter().map(|s| format!("read:{s}")));
    out.extend(WRITE.iter().map(|s| format!("write:{s}")));
    out.extend(ADMIN.iter().map(|s| format!("admin:read:{s}")));
    out.extend(ADMIN.iter().map(|s| format!("admin:write:{s}")));
    out
}

/// A set of granted or requested scopes, in the order given, without duplicates.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scopes(Vec<String>);

/// A scope name this server does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown scope {0:?}")]
pub struct UnknownScope(pub String);

impl Scopes {
    /// Parses a space-separated list (`+` also separates, as some clients send it unencoded).
    /// Empty input gives an empty set; callers apply the default (`read`).
    pub fn parse(raw: &str) -> Result<Scopes, UnknownScope> {
        let mut out: Vec<String> = Vec::new();
        for name in raw
            .split([' ', '+', '\t', '\n', '\r'])
            .filter(|s| !s.is_empty())
        {
            if !is_known(name) {
                return Err(UnknownScope(name.chars().take(60).collect()));
            }
            if !out.iter().any(|s| s == name) {
                out.push(name.to_owned());
            }
        }
        Ok(Scopes(out))
    }

    /// `read`, the default when a client names no scope.
    pub fn default_read() -> Scopes {
        Scopes(vec!["read".to_owned()])
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }

    /// Whether this set grants `required` itself or through a broader scope.
    pub fn covers(&self, required: &str) -> bool {
        self.0.iter().any(|granted| grants(granted, required))
    }

    /// Whether every scope of `other` is covered by this set.
    pub fn covers_all(&self, other: &Scopes) -> bool {
        other.iter().all(|s| self.covers(s))
    }
}

impl fmt::Display for Scopes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(" "))
    }
}

/// Whether one granted scope covers `required`.
fn grants(granted: &str, required: &str) -> bool {
    if granted == required {
        return true;
    }
    if granted == "follow" {
        return FOLLOW.contains(&required);
    }
    // `profile` (only one's own profile) is part of what `read:accounts` allows.
    if required == "profile" && matches!(granted, "read" | "read:accounts") {
        return true;
    }
    // `read` covers `read:x`, `admin:read` covers `admin:read:x`; `read` does not cover
    // `admin:read:…` since the prefix must be followed by a colon at the start.
    required
        .strip_prefix(granted)
        .is_some_and(|rest| rest.starts_with(':'))
        && matches!(granted, "read" | "write" | "admin:read" | "admin:write")
}

/// The redirect URI of out-of-band clients: the code is shown to the user instead.
pub const OOB_REDIRECT: &str = "urn:ietf:wg:oauth:2.0:oob";

/// Checks a redirect URI given at app registration: an absolute URI with a scheme, no
/// fragment, not a script or data scheme. Custom schemes (`myapp://callback`) are allowed for
/// native apps.
pub fn check_redirect_uri(uri: &str) -> Result<(), &'static str> {
    if uri == OOB_REDIRECT {
        return Ok(());
    }
    if uri.len() > 2000 {
        return Err("is too long");
    }
    if uri.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces");
    }
    if !uri.is_ascii() {
        return Err("must be ASCII (percent-encode other characters)");
    }
    let Some((scheme, rest)) = uri.split_once(':') else {
        return Err("must be an absolute URI");
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok || rest.is_empty() {
        return Err("must be an absolute URI");
    }
    let scheme = scheme.to_ascii_lowercase();
    if matches!(
        scheme.as_str(),
        "javascript" | "data" | "vbscript" | "file" | "blob" | "about"
    ) {
        return Err("uses a forbidden scheme");
    }
    if uri.contains('#') {
        return Err("must not contain a fragment");
    }
    if matches!(scheme.as_str(), "http" | "https") && !rest.starts_with("//") {
        return Err("must be an absolute URI");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hierarchy() {
        let s = Scopes::parse("read write:statuses follow").expect("known scopes");
        assert!(s.covers("read"));
        assert!(s.covers("read:statuses"));
        assert!(s.covers("write:statuses"));
        assert!(!s.covers("write"));
        assert!(!s.covers("write:media"));
        assert!(s.covers("write:follows"));
        assert!(s.covers("write:blocks"));
        assert!(!s.covers("admin:read:accounts"));
        let admin = Scopes::parse("admin:read").expect("known");
        assert!(admin.covers("admin:read:accounts"));
        assert!(!admin.covers("read:accounts"));
        assert!(s.covers("profile"));
        assert!(
            Scopes::parse("read:accounts")
                .expect("known")
                .covers("profile")
        );
        assert!(
            !Scopes::parse("profile")
                .expect("known")
                .covers("read:accounts")
        );
        assert!(
            !Scopes::parse("read:statuses")
                .expect("known")
                .covers("read")
        );
    }

    #[test]
    fn parsing() {
        assert_eq!(
            Scopes::parse("read+write read").expect("known").to_string(),
            "read write"
        );
        assert!(Scopes::parse("").expect("empty is fine").is_empty());
        assert_eq!(
            Scopes::parse("read bogus"),
            Err(UnknownScope("bogus".into()))
        );
        assert!(Scopes::parse("read:bogus").is_err());
        assert!(all().iter().all(|s| is_known(s)));
        let wide = Scopes::parse("read write follow").expect("known");
        assert!(wide.covers_all(&Scopes::parse("read:accounts write:media").expect("known")));
        assert!(!wide.covers_all(&Scopes::parse("push").expect("known")));
    }

    #[test]
    fn redirect_uris() {
        assert!(check_redirect_uri("https://app.example/cb?x=1").is_ok());
        assert!(check_redirect_uri("myapp://oauth").is_ok());
        assert!(check_redirect_uri("com.example.app:/cb").is_ok());
        assert!(check_redirect_uri(OOB_REDIRECT).is_ok());
        assert!(check_redirect_uri("javascript:alert(1)").is_err());
        assert!(check_redirect_uri("JavaScript:alert(1)").is_err());
        assert!(check_redirect_uri("data:text/html,x").is_err());
        assert!(check_redirect_uri("/relative").is_err());
        assert!(check_redirect_uri("https://a.example/#frag").is_err());
        assert!(check_redirect_uri("https:relative").is_err());
        assert!(check_redirect_uri("").is_err());
        assert!(check_redirect_uri("https://a.example/é").is_err());
    }
}
