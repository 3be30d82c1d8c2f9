//! Semantic checks of a parsed configuration (values serde accepts but sociald cannot use),
//! each failure naming its key.

use super::Config;
use std::net::{IpAddr, SocketAddr};

/// Values parsed out of a valid configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked {
    pub listen: Vec<SocketAddr>,
    pub trusted_proxies: Vec<(IpAddr, u8)>,
    pub tls: TlsPlan,
    pub rate_limits: social_web::ratelimit::RateLimits,
    /// None: no e-mail.
    pub smtp: Option<super::smtp::SmtpPlan>,
}

/// What `[tls]` and `[acme]` resolve to.
#[derive(Clone, Debug, PartialEq)]
pub struct TlsPlan {
    pub mode: TlsMode,
    /// Lower-case DNS names, the first one canonical.
    pub domains: Vec<String>,
    /// HTTPS listeners when not socket-activated.
    pub listen: Vec<SocketAddr>,
    /// The ACME directory URL (aliases resolved).
    pub directory: String,
    pub challenge: Challenge,
    /// `mailto:` URLs.
    pub contact: Vec<String>,
}

/// How sociald gets its certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// No HTTPS: plain HTTP serves the site.
    Off,
    /// Certificates from an ACME CA, renewed in the background.
    Acme,
    /// A certificate sociald signs itself: for development, never trusted by browsers.
    SelfSigned,
}

/// The ACME challenge sociald answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Challenge {
    /// RFC 8737, on the HTTPS port.
    TlsAlpn01,
    /// RFC 8555 8.3, on port 80.
    Http01,
}

/// Let's Encrypt's production directory (`acme.directory = "letsencrypt"`).
pub const LETSENCRYPT: &str = "https://acme-v02.api.letsencrypt.org/directory";
/// Let's Encrypt's staging directory (`acme.directory = "letsencrypt-staging"`).
pub const LETSENCRYPT_STAGING: &str = "https://acme-staging-v02.api.letsencrypt.org/directory";

/// A semantic error: the dotted key and what is wrong with its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Invalid {
    pub key: &'static str,
    pub message: String,
}

fn invalid(key: &'static str, message: impl Into<String>) -> Invalid {
    Invalid {
        key,
        message: message.into(),
    }
}

/// Upper bound of `instance.post_max_chars`: a post must still fit in a request body.
const POST_MAX_CHARS_LIMIT: usize = 100_000;

/// Checks every key whose type alone does not make it valid.
pub fn check(config: &Config) -> Result<Checked, Invalid> {
    let server = &config.server;
    if server.listen.is_empty() {
        return Err(invalid("server.listen", "give at least one ADDR:PORT"));
    }
    let mut listen = Vec::with_capacity(server.listen.len());
    for entry in &server.listen {
        let addr = entry.parse::<SocketAddr>().map_err(|_| {
            invalid(
                "server.listen",
                format!("{entry:?} is not ADDR:PORT (e.g. \"127.0.0.1:8080\" or \"[::1]:8080\")"),
            )
        })?;
        listen.push(addr);
    }
    if server.data_dir.as_os_str().is_empty() {
        return Err(invalid("server.data_dir", "must not be empty"));
    }
    let mut trusted_proxies = Vec::with_capacity(server.trusted_proxies.len());
    for entry in &server.trusted_proxies {
        trusted_proxies.push(parse_cidr(entry).map_err(|m| invalid("server.trusted_proxies", m))?);
    }
    if server.max_body_bytes < 1024 {
        return Err(invalid("server.max_body_bytes", "must be at least 1024"));
    }
    if !(1024..=100 * 1024 * 1024).contains(&config.media.max_bytes) {
        return Err(invalid(
            "media.max_bytes",
            "must be between 1024 and 104857600",
        ));
    }
    if !(1..=8192 * 8192).contains(&config.media.max_pixels) {
        return Err(invalid(
            "media.max_pixels",
            "must be between 1 and 67108864",
        ));
    }
    let spam = &config.spam;
    if !(spam.threshold.is_finite() && (1.0..=1000.0).contains(&spam.threshold)) {
        return Err(invalid("spam.threshold", "must be between 1 and 1000"));
    }
    if spam.new_account_hours > 24 * 90 {
        return Err(invalid(
            "spam.new_account_hours",
            "must be at most 2160 (90 days); 0 turns the new-account limits off",
        ));
    }
    if !(1..=10_000).contains(&spam.new_account_posts_per_hour) {
        return Err(invalid(
            "spam.new_account_posts_per_hour",
            "must be between 1 and 10000",
        ));
    }
    if !super::SIGNUP_POW_BITS.contains(&spam.signup_pow_bits) {
        return Err(invalid("spam.signup_pow_bits", "must be between 8 and 24"));
    }
    let instance = &config.instance;
    if instance.name.trim().is_empty() {
        return Err(invalid("instance.name", "must not be empty"));
    }
    if instance.post_max_chars == 0 || instance.post_max_chars > POST_MAX_CHARS_LIMIT {
        return Err(invalid(
            "instance.post_max_chars",
            format!("must be between 1 and {POST_MAX_CHARS_LIMIT}"),
        ));
    }
    let db = &config.database.url;
    if !db.is_empty()
        && !["sqlite:", "postgres://", "postgresql://"]
            .iter()
            .any(|p| db.starts_with(p))
    {
        return Err(invalid(
            "database.url",
            "must be empty (SQLite in data_dir) or start with sqlite:, postgres:// or postgresql://",
        ));
    }
    let redis = &config.redis.url;
    if !redis.is_empty()
        && !["redis://", "rediss://", "redis+unix://", "unix://"]
            .iter()
            .any(|p| redis.starts_with(p))
    {
        return Err(invalid(
            "redis.url",
            "must be empty (in-process cache) or start with redis://, rediss:// or unix://",
        ));
    }
    if let Err(e) = tracing_subscriber::EnvFilter::builder().parse(&config.log.level) {
        return Err(invalid("log.level", format!("{:?}: {e}", config.log.level)));
    }
    if !["auto", "journal", "stderr"].contains(&config.log.output.as_str()) {
        return Err(invalid(
            "log.output",
            "must be \"auto\", \"journal\" or \"stderr\"",
        ));
    }
    let tls = check_tls(config)?;
    let rate_limits = check_rate_limits(&config.rate_limits)?;
    let smtp = super::smtp::check(&config.smtp, &tls)?;
    Ok(Checked {
        listen,
        trusted_proxies,
        tls,
        rate_limits,
        smtp,
    })
}

fn check_rate_limits(
    limits: &super::RateLimitsConfig,
) -> Result<social_web::ratelimit::RateLimits, Invalid> {
    let one = |key: &'static str, value: &str| {
        social_web::ratelimit::parse_limit(value).map_err(|m| invalid(key, m))
    };
    Ok(social_web::ratelimit::RateLimits {
        api: one("rate_limits.api", &limits.api)?,
        api_anonymous: one("rate_limits.api_anonymous", &limits.api_anonymous)?,
        posts: one("rate_limits.posts", &limits.posts)?,
        follows: one("rate_limits.follows", &limits.follows)?,
        media: one("rate_limits.media", &limits.media)?,
        reports: one("rate_limits.reports", &limits.reports)?,
        posts_per_address: one("rate_limits.posts_per_address", &limits.posts_per_address)?,
        follows_per_address: one(
            "rate_limits.follows_per_address",
            &limits.follows_per_address,
        )?,
        reports_per_address: one(
            "rate_limits.reports_per_address",
            &limits.reports_per_address,
        )?,
        signups: one("rate_limits.signups", &limits.signups)?,
        logins: one("rate_limits.logins", &limits.logins)?,
        logins_per_account: one("rate_limits.logins_per_account", &limits.logins_per_account)?,
        email_links: one("rate_limits.email_links", &limits.email_links)?,
    })
}

fn check_tls(config: &Config) -> Result<TlsPlan, Invalid> {
    let tls = &config.tls;
    let acme = &config.acme;
    let mut domains = Vec::with_capacity(tls.domains.len());
    for name in &tls.domains {
        let name = check_domain(name).map_err(|m| invalid("tls.domains", m))?;
        if !domains.contains(&name) {
            domains.push(name);
        }
    }
    let mode = match tls.mode.as_str() {
        "auto" if domains.is_empty() => TlsMode::Off,
        "auto" | "acme" => TlsMode::Acme,
        "self-signed" => TlsMode::SelfSigned,
        "off" => TlsMode::Off,
        other => {
            return Err(invalid(
                "tls.mode",
                format!("{other:?}: must be \"auto\", \"acme\", \"self-signed\" or \"off\""),
            ));
        }
    };
    if mode == TlsMode::Acme {
        if domains.is_empty() {
            return Err(invalid(
                "tls.domains",
                "ACME needs at least one domain name (e.g. [\"social.example.org\"])",
            ));
        }
        if let Some(single) = domains.iter().find(|d| !d.contains('.')) {
            return Err(invalid(
                "tls.domains",
                format!("{single:?}: a public CA only issues for a full domain name"),
            ));
        }
    }
    let mut listen = Vec::with_capacity(tls.listen.len());
    for entry in &tls.listen {
        listen.push(entry.parse::<SocketAddr>().map_err(|_| {
            invalid(
                "tls.listen",
                format!("{entry:?} is not ADDR:PORT (e.g. \"0.0.0.0:443\")"),
            )
        })?);
    }
    if mode == TlsMode::Off && !listen.is_empty() {
        return Err(invalid(
            "tls.listen",
            "HTTPS needs a certificate: set tls.domains (ACME) or tls.mode = \"self-signed\"",
        ));
    }
    let directory = match acme.directory.as_str() {
        "letsencrypt" => LETSENCRYPT.to_owned(),
        "letsencrypt-staging" => LETSENCRYPT_STAGING.to_owned(),
        url if url.starts_with("https://") && url.len() > "https://".len() => url.to_owned(),
        other => {
            return Err(invalid(
                "acme.directory",
                format!(
                    "{other:?}: must be \"letsencrypt\", \"letsencrypt-staging\" or an https:// URL"
                ),
            ));
        }
    };
    let challenge = match acme.challenge.as_str() {
        "tls-alpn-01" => Challenge::TlsAlpn01,
        "http-01" => Challenge::Http01,
        other => {
            return Err(invalid(
                "acme.challenge",
                format!("{other:?}: must be \"tls-alpn-01\" or \"http-01\""),
            ));
        }
    };
    let mut contact = Vec::with_capacity(acme.contact.len());
    for entry in &acme.contact {
        let address = entry.strip_prefix("mailto:").unwrap_or(entry);
        let plausible = address
            .split_once('@')
            .is_some_and(|(local, host)| !local.is_empty() && host.contains('.'))
            && !address.contains(|c: char| c.is_whitespace() || ",;<>\"".contains(c));
        if !plausible {
            return Err(invalid(
                "acme.contact",
                format!("{entry:?} is not an e-mail address"),
            ));
        }
        contact.push(format!("mailto:{address}"));
    }
    // A key id without its key is checked by `check_complete`: the key may still come from
    // the systemd credential.
    if acme.eab_kid.is_empty() && !acme.eab_hmac_key.is_empty() {
        return Err(invalid(
            "acme.eab_kid",
            "an EAB HMAC key needs its key id (the CA gives both)",
        ));
    }
    if !acme.eab_hmac_key.is_empty() && decode_base64url(&acme.eab_hmac_key).is_none() {
        return Err(invalid(
            "acme.eab_hmac_key",
            "is not base64url (as the CA gives it)",
        ));
    }
    if acme.retry_base_secs == 0 || acme.retry_base_secs > 86_400 {
        return Err(invalid(
            "acme.retry_base_secs",
            "must be between 1 and 86400",
        ));
    }
    Ok(TlsPlan {
        mode,
        domains,
        listen,
        directory,
        challenge,
        contact,
    })
}

/// What can only be checked once the environment and credentials are applied.
pub fn check_complete(config: &Config) -> Result<(), Invalid> {
    if !config.acme.eab_kid.is_empty() && config.acme.eab_hmac_key.is_empty() {
        return Err(invalid(
            "acme.eab_kid",
            "external account binding needs its HMAC key: acme.eab_hmac_key or the systemd \
             credential acme-eab-hmac-key",
        ));
    }
    Ok(())
}

/// A DNS name as a certificate may name it: lower-cased, letters, digits and hyphens in
/// labels of 1 to 63, at most 253 in all; no wildcard, no IP address, no trailing dot.
pub fn check_domain(name: &str) -> Result<String, String> {
    let lower = name.trim_end_matches('.').to_ascii_lowercase();
    if lower.starts_with("*.") {
        return Err(format!(
            "{name:?}: wildcards need the dns-01 challenge, which sociald does not answer"
        ));
    }
    if lower.parse::<IpAddr>().is_ok() {
        return Err(format!("{name:?}: give a domain name, not an IP address"));
    }
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    };
    if lower.is_empty() || lower.len() > 253 || !lower.split('.').all(label_ok) {
        return Err(format!(
            "{name:?} is not a domain name (letters, digits, hyphens and dots; IDNs in xn-- form)"
        ));
    }
    Ok(lower)
}

/// Decodes base64url with or without padding (EAB keys are given both ways).
pub fn decode_base64url(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    let trimmed = text.trim().trim_end_matches('=');
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(trimmed)
        .ok()
        .filter(|bytes| !bytes.is_empty())
}

/// Parses `ADDR/PREFIX` (or a bare `ADDR`, meaning one host) into a network.
pub fn parse_cidr(text: &str) -> Result<(IpAddr, u8), String> {
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let addr: IpAddr = addr
        .parse()
        .map_err(|_| format!("{text:?} is not a network (e.g. \"10.0.0.0/8\" or \"::1/128\")"))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        None => max,
        Some(p) => match p.parse::<u8>() {
            Ok(n) if n <= max => n,
            _ => return Err(format!("{text:?}: the prefix length must be 0 to {max}")),
        },
    };
    Ok((addr, prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let checked = check(&Config::default()).expect("defaults are valid");
        assert_eq!(
            checked.listen,
            vec!["127.0.0.1:8080".parse::<SocketAddr>().expect("addr")]
        );
    }

    #[test]
    fn spam_settings_are_checked_and_switch_the_defence() {
        let mut c = Config::default();
        c.spam.threshold = 0.0;
        assert_eq!(check(&c).map_err(|e| e.key), Err("spam.threshold"));
        c.spam.threshold = f32::NAN;
        assert_eq!(check(&c).map_err(|e| e.key), Err("spam.threshold"));
        let mut c = Config::default();
        c.spam.new_account_hours = 100_000;
        assert_eq!(check(&c).map_err(|e| e.key), Err("spam.new_account_hours"));
        let mut c = Config::default();
        c.spam.new_account_posts_per_hour = 0;
        assert_eq!(
            check(&c).map_err(|e| e.key),
            Err("spam.new_account_posts_per_hour")
        );
        let mut c = Config::default();
        let on = c.spam.defence().expect("on by default");
        assert_eq!(on.limits.young_hours, 24);
        c.spam.threshold = 25.0;
        c.spam.new_account_hours = 48;
        let tuned = c.spam.defence().expect("on");
        assert_eq!(
            (
                tuned.policy.threshold,
                tuned.policy.new_account_age_s,
                tuned.limits.young_hours
            ),
            (25.0, 48 * 3600, 48)
        );
        c.spam.enabled = false;
        assert!(c.spam.defence().is_none());
        // The sign-up proof of work is separate from the post screening.
        assert_eq!(c.spam.signup_pow().map(|p| p.bits), Some(16));
        c.spam.signup_proof_of_work = false;
        assert!(c.spam.signup_pow().is_none());
    }

    #[test]
    fn signup_pow_bits_are_checked() {
        for (bits, ok) in [(7, false), (8, true), (20, true), (24, true), (25, false)] {
            let mut c = Config::default();
            c.spam.signup_pow_bits = bits;
            assert_eq!(
                check(&c).map(|_| ()).map_err(|e| e.key),
                if ok {
                    Ok(())
                } else {
                    Err("spam.signup_pow_bits")
                },
                "{bits}"
            );
        }
    }

    #[test]
    fn cidrs() {
        assert_eq!(
            parse_cidr("10.0.0.0/8"),
            Ok(("10.0.0.0".parse().expect("ip"), 8))
        );
        assert_eq!(parse_cidr("::1"), Ok(("::1".parse().expect("ip"), 128)));
        assert!(parse_cidr("10.0.0.0/33").is_err());
        assert!(parse_cidr("nope/8").is_err());
    }

    #[test]
    fn bad_values_name_their_key() {
        let mut c = Config::default();
        c.instance.post_max_chars = 0;
        assert_eq!(check(&c).map_err(|e| e.key), Err("instance.post_max_chars"));
        let mut c = Config::default();
        c.server.listen = vec!["localhost".into()];
        assert_eq!(check(&c).map_err(|e| e.key), Err("server.listen"));
        let mut c = Config::default();
        c.log.level = "info,=[".into();
        assert_eq!(check(&c).map_err(|e| e.key), Err("log.level"));
        let mut c = Config::default();
        c.rate_limits.posts = "300 per hour".into();
        assert_eq!(check(&c).map_err(|e| e.key), Err("rate_limits.posts"));
        let mut c = Config::default();
        c.rate_limits.signups = "0/30m".into();
        assert_eq!(check(&c).map_err(|e| e.key), Err("rate_limits.signups"));
    }

    #[test]
    fn rate_limits_default_to_mastodons_and_may_be_off() {
        let limits = check(&Config::default()).expect("valid").rate_limits;
        assert_eq!(limits, social_web::ratelimit::RateLimits::default());
        let mut c = Config::default();
        c.rate_limits.api = "off".into();
        c.rate_limits.follows = "10/1h".into();
        let limits = check(&c).expect("valid").rate_limits;
        assert_eq!(limits.api, None);
        assert_eq!(
            limits.follows,
            Some(social_web::ratelimit::Rule::new(10, 3600))
        );
    }

    #[test]
    fn tls_mode_follows_the_domains() {
        let plan = check(&Config::default()).expect("valid").tls;
        assert_eq!(plan.mode, TlsMode::Off);
        assert_eq!(plan.directory, LETSENCRYPT);
        assert_eq!(plan.challenge, Challenge::TlsAlpn01);
        let mut c = Config::default();
        c.tls.domains = vec!["Social.Example.ORG.".into(), "social.example.org".into()];
        c.acme.contact = vec!["admin@example.org".into()];
        let plan = check(&c).expect("valid").tls;
        assert_eq!(plan.mode, TlsMode::Acme);
        assert_eq!(plan.domains, ["social.example.org"]);
        assert_eq!(plan.contact, ["mailto:admin@example.org"]);
    }

    #[test]
    fn bad_tls_values_name_their_key() {
        type Spoil = fn(&mut Config);
        let cases: [(&str, Spoil); 11] = [
            ("tls.mode", |c| c.tls.mode = "on".into()),
            ("tls.domains", |c| c.tls.mode = "acme".into()),
            ("tls.domains", |c| {
                c.tls.domains = vec!["*.example.org".into()]
            }),
            ("tls.domains", |c| c.tls.domains = vec!["192.0.2.1".into()]),
            ("tls.domains", |c| {
                c.tls.domains = vec!["bad_name.org".into()]
            }),
            ("tls.domains", |c| c.tls.domains = vec!["localhost".into()]),
            ("tls.listen", |c| c.tls.listen = vec!["443".into()]),
            ("tls.listen", |c| {
                c.tls.listen = vec!["127.0.0.1:8443".into()]
            }),
            ("acme.directory", |c| {
                c.acme.directory = "http://ca.example/dir".into();
            }),
            ("acme.contact", |c| c.acme.contact = vec!["root".into()]),
            ("acme.eab_kid", |c| c.acme.eab_hmac_key = "c2VjcmV0".into()),
        ];
        for (key, spoil) in cases {
            let mut c = Config::default();
            spoil(&mut c);
            assert_eq!(check(&c).map_err(|e| e.key), Err(key), "{c:?}");
        }
        let mut c = Config::default();
        c.acme.eab_kid = "kid-1".into();
        assert!(check(&c).is_ok(), "the key may come from a credential");
        assert_eq!(check_complete(&c).map_err(|e| e.key), Err("acme.eab_kid"));
        c.acme.eab_hmac_key = "not base64!".into();
        assert_eq!(check(&c).map_err(|e| e.key), Err("acme.eab_hmac_key"));
        c.acme.eab_hmac_key = "c2VjcmV0LWtleQ".into();
        assert!(check(&c).is_ok());
    }
}
