//! The documentation of every configuration key, and the commented example file generated
//! from it and from `Config::default()` (`sociald config example`).

use super::Config;

/// One line per section: (section, what it is for).
pub const SECTION_DOCS: &[(&str, &str)] = &[
    (
        "server",
        "Network listeners, state directory, proxies and request limits.",
    ),
    ("instance", "What people see."),
    ("database", "Where durable data lives."),
    (
        "redis",
        "Optional cache. It holds only data that may be lost.",
    ),
    ("log", "What is logged and where (see docs/logging.md)."),
    ("tls", "HTTPS, served by sociald itself (see docs/tls.md)."),
    (
        "acme",
        "Where certificates come from when tls.mode is acme.",
    ),
    (
        "media",
        "Uploaded images, kept under <data_dir>/media (see docs/api.md, Media).",
    ),
    (
        "rate_limits",
        "Rate limits, each \"MAX/WINDOW\" (window in s, m, h or d) or \"off\" (docs/web.md).",
    ),
    (
        "spam",
        "The spam defence on new posts and sign-ups (docs/moderation.md, \"Spam defence\").",
    ),
    (
        "smtp",
        "Outgoing e-mail: sign-up confirmation and password resets (docs/moderation.md).",
    ),
];

/// Every key: (section, key, documentation). Lines are separated by `\n`.
pub const KEY_DOCS: &[(&str, &str, &str)] = &[
    (
        "server",
        "listen",
        "Addresses to listen on, each \"ADDR:PORT\" (IPv6: \"[::1]:8080\").\n\
         Ignored under systemd socket activation (sociald.socket).\n\
         Flag: --listen ADDR:PORT (repeatable; replaces this list).",
    ),
    (
        "server",
        "data_dir",
        "State directory. The SQLite database is <data_dir>/social.db unless database.url\n\
         is set. Flag: --data-dir DIR.",
    ),
    (
        "server",
        "trusted_proxies",
        "Networks (\"10.0.0.0/8\", \"::1/128\", or a bare address) whose X-Forwarded-For\n\
         header is believed for the client address (logs, rate limits, fail2ban).\n\
         Empty: the socket peer is always the client.",
    ),
    (
        "server",
        "max_body_bytes",
        "Largest accepted request body in bytes; larger ones get 413 before they are read.\n\
         At least 1024.",
    ),
    (
        "server",
        "shutdown_grace_secs",
        "On SIGTERM/SIGINT, how many seconds in-flight requests get to finish before\n\
         sociald exits anyway.",
    ),
    (
        "instance",
        "name",
        "Instance name, shown in page titles and the header.",
    ),
    (
        "instance",
        "post_max_chars",
        "Longest post in characters (1 to 100000).",
    ),
    (
        "database",
        "url",
        "Empty: SQLite at <data_dir>/social.db (WAL mode). Otherwise \"sqlite:///path/db\" or\n\
         \"postgres://user:password@host/db\". Environment: SOCIAL_DATABASE_URL.\n\
         Flag: --database-url URL. The password is never logged.",
    ),
    (
        "database",
        "max_connections",
        "Connection pool size; 0 lets the backend pick (SQLite: 8 readers besides its one\n\
         writer; PostgreSQL: 10 in all). PostgreSQL splits them: the home timeline and single\n\
         posts get CPU cores + 1 (at most a third), other reads CPU cores + 1 (at most half\n\
         of the rest), writes the rest; at least one each.",
    ),
    (
        "redis",
        "url",
        "Empty: in-process cache. Otherwise \"redis://host:6379/0\" (or rediss://, unix://).\n\
         An unreachable Redis is a warning and slower service, never an error page.\n\
         Environment: SOCIAL_REDIS_URL. Flag: --redis-url URL.",
    ),
    (
        "log",
        "level",
        "Filter in tracing EnvFilter syntax: \"info\", \"warn,social::auth=info\", ...\n\
         Environment: SOCIAL_LOG.",
    ),
    (
        "log",
        "output",
        "\"auto\": the systemd journal when JOURNAL_STREAM is set (running under systemd),\n\
         stderr otherwise. \"journal\" or \"stderr\" force one.",
    ),
    (
        "tls",
        "mode",
        "\"auto\": ACME when domains is set, otherwise no HTTPS. \"acme\": certificates from\n\
         the ACME CA of [acme], renewed at 2/3 of their lifetime (or in the CA's ARI window).\n\
         \"self-signed\": a certificate sociald signs itself, for development only (browsers\n\
         warn). \"off\": plain HTTP only. With HTTPS on, port 80 only redirects to HTTPS\n\
         (and answers ACME http-01 challenges, /healthz and /readyz).",
    ),
    (
        "tls",
        "domains",
        "DNS names of this site, e.g. [\"social.example.org\"]; the first one is canonical.",
    ),
    (
        "tls",
        "listen",
        "HTTPS addresses, each \"ADDR:PORT\", when not socket-activated (under systemd the\n\
         https socket of sociald-https.socket is used). Flag: --listen-https ADDR:PORT.",
    ),
    (
        "acme",
        "directory",
        "\"letsencrypt\", \"letsencrypt-staging\" or the https:// URL of any ACME directory.",
    ),
    (
        "acme",
        "contact",
        "E-mail addresses the CA may write to about the certificates, e.g. [\"admin@example.org\"].",
    ),
    (
        "acme",
        "challenge",
        "\"tls-alpn-01\" (needs only port 443) or \"http-01\" (needs port 80).",
    ),
    (
        "acme",
        "ca_root",
        "PEM file of the root CA that signs the directory's own HTTPS certificate, for a private\n\
         CA. Empty: the system's trusted roots.",
    ),
    (
        "acme",
        "eab_kid",
        "External account binding key id, when the CA requires one (ZeroSSL, private CAs).",
    ),
    (
        "acme",
        "eab_hmac_key",
        "External account binding HMAC key (base64url). Better given as the systemd credential\n\
         acme-eab-hmac-key than written here.",
    ),
    (
        "acme",
        "retry_base_secs",
        "After a failed order sociald keeps serving the old certificate and retries after this\n\
         many seconds, then 10x and 100x as long, then daily (never later than half the time\n\
         left on the certificate).",
    ),
    (
        "media",
        "max_bytes",
        "Largest accepted upload in bytes (default 10 MiB); larger ones get 413 before they\n\
         are read. Only the upload routes allow bodies this big (server.max_body_bytes stays\n\
         the limit elsewhere). 1024 to 104857600.",
    ),
    (
        "media",
        "max_pixels",
        "Most pixels (width x height) of an uploaded image, read from its header before it\n\
         is decoded, against decompression bombs; no side may exceed 8192 either.\n\
         1 to 67108864.",
    ),
    (
        "rate_limits",
        "api",
        "API requests per access token. Answers carry X-RateLimit-Limit, -Remaining and\n\
         -Reset; past the limit, 429 with Retry-After. Counted in Redis when configured, so\n\
         every sociald on it shares the count.",
    ),
    (
        "rate_limits",
        "api_anonymous",
        "API requests without a token, per client address (see server.trusted_proxies).",
    ),
    (
        "rate_limits",
        "posts",
        "New posts per account, web and API.",
    ),
    (
        "rate_limits",
        "follows",
        "Follows per account, web and API.",
    ),
    ("rate_limits", "media", "Media uploads per account."),
    (
        "rate_limits",
        "reports",
        "Reports to the moderators per account, web form and API.",
    ),
    (
        "rate_limits",
        "posts_per_address",
        "New posts per client address, all accounts behind it together (see\n\
         server.trusted_proxies); keep it well above posts: people behind one NAT share it.",
    ),
    (
        "rate_limits",
        "follows_per_address",
        "Follows per client address, all accounts behind it together.",
    ),
    (
        "rate_limits",
        "reports_per_address",
        "Reports per client address, all accounts behind it together.",
    ),
    (
        "rate_limits",
        "signups",
        "Sign-up attempts per client address (invalid ones count too).",
    ),
    (
        "rate_limits",
        "logins",
        "Failed log-ins (wrong password or wrong second-factor code) per client address;\n\
         past it, 429 with Retry-After until the window ends.",
    ),
    (
        "rate_limits",
        "logins_per_account",
        "Failed log-ins per account (by the username tried), whatever the address; past\n\
         it, 429 with Retry-After until the window ends.",
    ),
    (
        "rate_limits",
        "email_links",
        "Requests for a confirmation or password-reset mail, counted per client address\n\
         and, separately, per e-mail address (see [smtp]).",
    ),
    (
        "spam",
        "enabled",
        "Screen the posts of non-staff accounts: the new-account limits refuse (422 with\n\
         the reason), and a post whose spam score reaches the threshold is held for a\n\
         moderator's review instead of published.",
    ),
    (
        "spam",
        "threshold",
        "The spam score that holds a post (1 to 1000). Lower is stricter.",
    ),
    (
        "spam",
        "new_account_hours",
        "Accounts younger than this are new: their links, mentions of strangers and\n\
         repeated texts weigh double, and the limits below apply. 0 turns the limits off.",
    ),
    (
        "spam",
        "new_account_posts_per_hour",
        "Posts per hour a new account may write (the 422 names the limit).",
    ),
    (
        "spam",
        "signup_proof_of_work",
        "In open registration mode the sign-up page has the browser solve a small proof of\n\
         work (a script from this site; no third party). A sign-up without one (no\n\
         JavaScript) waits for a moderator's approval; a wrong, expired or reused one is\n\
         refused. Approval and invite modes do not ask for it. Independent of enabled.",
    ),
    (
        "spam",
        "signup_pow_bits",
        "The proof of work's difficulty: leading zero bits of a SHA-256 (8 to 24). Each\n\
         bit doubles the work; 16 takes a browser about a second.",
    ),
    (
        "smtp",
        "host",
        "The SMTP relay's host name. Empty: no e-mail; sign-up asks for no address and\n\
         there is no password reset. Set: sign-up asks for an e-mail address, and an\n\
         account logs in only once the address is confirmed through the mailed link.",
    ),
    (
        "smtp",
        "port",
        "The relay's port; 0 picks 587 for starttls, 465 for tls, 25 for none.",
    ),
    (
        "smtp",
        "security",
        "\"starttls\" (the upgrade is required), \"tls\" (TLS from the first byte) or \"none\"\n\
         (only for a relay on localhost or a loopback address). Certificates are checked\n\
         against the system's CA store.",
    ),
    (
        "smtp",
        "from",
        "The sender: \"social@example.org\" or \"Social <social@example.org>\". Required.",
    ),
    (
        "smtp",
        "username",
        "User name for SMTP authentication; empty: none. The password comes from\n\
         password_file or the environment variable SOCIAL_SMTP_PASSWORD (which wins),\n\
         never from this file, and is never logged.",
    ),
    (
        "smtp",
        "password_file",
        "Absolute path of a file holding the SMTP password (one line), readable by\n\
         sociald only, e.g. /etc/social/credentials/smtp-password.",
    ),
    (
        "smtp",
        "link_base_url",
        "The site's public URL that links in mail start with (\"https://social.example\").\n\
         Empty: https:// and the first of tls.domains; required when TLS is off. Links\n\
         never use a request's Host header.",
    ),
    (
        "smtp",
        "dns_resolver",
        "DNS server (\"ADDR\" or \"ADDR:PORT\") asked for the MX records of sign-up\n\
         addresses, matched against the blocked e-mail domains. Empty: the first\n\
         nameserver of /etc/resolv.conf. When the lookup fails, the address is judged by\n\
         its domain alone and sign-up goes ahead.",
    ),
];

const HEADER: &str = "\
# sociald configuration: every key with its default value.
#
# GENERATED by `sociald config example` from the code; do not edit by hand
# (a test fails when this file and the code differ).
#
# Default path: /etc/social/sociald.toml (or `sociald serve --config FILE`).
# Precedence: built-in defaults < this file < environment (SOCIAL_DATABASE_URL,
# SOCIAL_REDIS_URL, SOCIAL_LOG) < command-line flags.
# Unknown keys are errors. Check a file with `sociald config check FILE`.
# Uncomment a key to change it.
";

/// Renders the example file. Fails when a key of `Config` has no documentation or a
/// documented key does not exist, so the file cannot silently lose a key.
pub fn render() -> Result<String, String> {
    let defaults =
        toml::Table::try_from(Config::default()).map_err(|e| format!("serialising: {e}"))?;
    check_docs(&defaults)?;
    let mut out = String::from(HEADER);
    for (section, section_doc) in SECTION_DOCS {
        let table = defaults
            .get(*section)
            .and_then(toml::Value::as_table)
            .ok_or_else(|| format!("section [{section}] is documented but does not exist"))?;
        out.push_str(&format!("\n# {section_doc}\n[{section}]\n"));
        for (_, key, doc) in KEY_DOCS.iter().filter(|(s, _, _)| s == section) {
            let value = table
                .get(*key)
                .ok_or_else(|| format!("{section}.{key} is documented but does not exist"))?;
            out.push('\n');
            for line in doc.lines() {
                out.push_str(&format!("# {}\n", line.trim()));
            }
            out.push_str(&format!("#{key} = {value}\n"));
        }
    }
    Ok(out)
}

fn check_docs(defaults: &toml::Table) -> Result<(), String> {
    for (section, value) in defaults {
        if !SECTION_DOCS.iter().any(|(s, _)| s == section) {
            return Err(format!(
                "section [{section}] has no documentation in SECTION_DOCS"
            ));
        }
        let table = value
            .as_table()
            .ok_or_else(|| format!("{section} is not a table"))?;
        for key in table.keys() {
            if !KEY_DOCS.iter().any(|(s, k, _)| s == section && k == key) {
                return Err(format!("{section}.{key} has no documentation in KEY_DOCS"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_documented() {
        render().expect("every key has a doc");
    }

    #[test]
    fn uncommented_example_parses_to_the_defaults() {
        let example = render().expect("renders");
        let uncommented: String = example
            .lines()
            .map(|l| match l.strip_prefix('#') {
                Some(rest) if rest.contains(" = ") && !rest.starts_with(' ') => rest,
                _ => l,
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let parsed = super::super::load::parse_str(&uncommented).expect("parses");
        assert_eq!(parsed, Config::default());
        assert!(
            uncommented.contains("\nlisten = [\"127.0.0.1:8080\"]\n"),
            "{uncommented}"
        );
    }
}
