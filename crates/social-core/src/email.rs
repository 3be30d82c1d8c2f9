//! E-mail rules: address and domain validation, the domains a block applies to, and the
//! lifetimes of confirmation and password-reset links.

use crate::validate::{Validated, ValidationError};

/// How long a confirmation link works.
pub const CONFIRM_TOKEN_TTL_MS: i64 = 24 * 3600 * 1000;
/// How long a password-reset link works.
pub const RESET_TOKEN_TTL_MS: i64 = 3600 * 1000;
/// The longest address accepted (RFC 5321's path limit).
pub const EMAIL_MAX_BYTES: usize = 254;

/// What a single-use e-mail link is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenPurpose {
    Confirm,
    Reset,
}

impl TokenPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Confirm => "confirm",
            Self::Reset => "reset",
        }
    }

    pub fn ttl_ms(self) -> i64 {
        match self {
            Self::Confirm => CONFIRM_TOKEN_TTL_MS,
            Self::Reset => RESET_TOKEN_TTL_MS,
        }
    }
}

/// A plain `local@domain` address as people type it: trimmed, one `@`, a local part of
/// printable ASCII without spaces, quotes or angle brackets, and a valid domain name. Quoted
/// local parts and address literals are refused on purpose: they are not needed to sign up.
pub fn address(raw: &str) -> Validated<String> {
    let bad = || ValidationError::new("email", "Enter an e-mail address such as name@example.org.");
    let text = raw.trim();
    if text.is_empty() {
        return Err(ValidationError::new(
            "email",
            "An e-mail address is required.",
        ));
    }
    if text.len() > EMAIL_MAX_BYTES {
        return Err(bad());
    }
    let (local, domain) = text.rsplit_once('@').ok_or_else(bad)?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"\"(),:;<>@[\\]".contains(&b));
    if !local_ok {
        return Err(bad());
    }
    let domain = domain_name(domain).map_err(|_| bad())?;
    if !domain.contains('.') {
        return Err(bad());
    }
    Ok(format!("{local}@{domain}"))
}

/// The key that makes addresses unique: the whole address lower-cased.
pub fn address_key(address: &str) -> String {
    address.trim().to_ascii_lowercase()
}

/// The domain of a valid address (lower-case).
pub fn domain_of(address: &str) -> &str {
    address.rsplit_once('@').map_or("", |(_, d)| d)
}

/// A DNS name as staff type it in a block: lower-cased, without a trailing dot, labels of
/// letters, digits and hyphens (IDNs in their `xn--` form).
pub fn domain_name(raw: &str) -> Validated<String> {
    let bad = || {
        ValidationError::new(
            "domain",
            "Enter a domain name such as example.org (IDNs in their xn-- form).",
        )
    };
    let name = raw.trim().trim_end_matches('.').to_ascii_lowercase();
    if name.is_empty() || name.len() > 253 {
        return Err(bad());
    }
    let labels_ok = name.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    if labels_ok { Ok(name) } else { Err(bad()) }
}

/// The name and each parent domain that a block could name: `a.b.example.org` gives
/// `a.b.example.org`, `b.example.org`, `example.org`, `org`.
pub fn domain_and_parents(domain: &str) -> Vec<String> {
    let domain = domain.trim_end_matches('.').to_ascii_lowercase();
    let mut out = Vec::new();
    let mut rest = domain.as_str();
    loop {
        if !rest.is_empty() {
            out.push(rest.to_owned());
        }
        match rest.split_once('.') {
            Some((_, parent)) => rest = parent,
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(address(" Ann@Example.ORG ").unwrap(), "Ann@example.org");
        assert_eq!(address_key("Ann@Example.ORG"), "ann@example.org");
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.org",
            "ann@localhost",
            "a b@example.org",
            "ann@exa_mple.org",
            "<ann@example.org>",
            "ann..x@example.org",
            "ann@-x.org",
        ] {
            assert!(address(bad).is_err(), "{bad:?} accepted");
        }
        assert_eq!(domain_of("ann@example.org"), "example.org");
    }

    #[test]
    fn parents() {
        assert_eq!(
            domain_and_parents("mail.Example.org."),
            ["mail.example.org", "example.org", "org"]
        );
        assert_eq!(domain_name(" Example.ORG. ").unwrap(), "example.org");
        assert!(domain_name("exa mple.org").is_err());
        assert!(domain_name("").is_err());
    }
}
