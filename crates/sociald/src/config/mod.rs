//! sociald's configuration: the TOML schema with its defaults, loading with precedence
//! (defaults < file < environment < systemd credentials < flags), validation, and the
//! generated example file.
//!
//! Every field's default lives in one `Default` impl below and every key's documentation in
//! [`example::KEY_DOCS`]; `sociald config example` renders both into the checked-in
//! `config/sociald.example.toml`, and a test fails when they drift.

pub mod example;
mod load;
pub mod smtp;
mod validate;

pub use load::{Overrides, load, parse_file};
pub use validate::{Challenge, Checked, TlsMode, TlsPlan, check_domain, decode_base64url};

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// The path read when `--config` is not given (no error when it does not exist).
pub const DEFAULT_CONFIG_PATH: &str = "/etc/social/sociald.toml";
/// Environment variable overriding `database.url`.
pub const ENV_DATABASE_URL: &str = "SOCIAL_DATABASE_URL";
/// Environment variable overriding `redis.url`.
pub const ENV_REDIS_URL: &str = "SOCIAL_REDIS_URL";
/// Set by systemd when the unit has `LoadCredential=`: the directory of credential files.
pub const ENV_CREDENTIALS_DIRECTORY: &str = "CREDENTIALS_DIRECTORY";
/// Where sociald.service loads its credentials from (`LoadCredential=`); read directly by
/// commands run outside the unit when `$CREDENTIALS_DIRECTORY` is unset.
pub const HOST_CREDENTIALS_DIR: &str = "/etc/social/credentials";
/// Credential (file in `$CREDENTIALS_DIRECTORY`) overriding `database.url`.
pub const CREDENTIAL_DATABASE_URL: &str = "database-url";
/// Credential overriding `redis.url`.
pub const CREDENTIAL_REDIS_URL: &str = "redis-url";
/// Environment variable overriding `log.level`.
pub const ENV_LOG: &str = "SOCIAL_LOG";
/// Credential overriding `acme.eab_hmac_key`.
pub const CREDENTIAL_ACME_EAB_HMAC_KEY: &str = "acme-eab-hmac-key";

/// The whole configuration file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub server: ServerConfig,
    pub instance: InstanceConfig,
    pub database: DatabaseConfig,
    pub redis: RedisConfig,
    pub log: LogConfig,
    pub tls: TlsConfig,
    pub acme: AcmeConfig,
    pub media: MediaConfig,
    pub rate_limits: RateLimitsConfig,
    pub spam: SpamConfig,
    pub smtp: smtp::SmtpConfig,
}

/// `[server]`: listeners, state directory, proxies, request limits, shutdown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// `ADDR:PORT` to listen on; ignored under systemd socket activation.
    pub listen: Vec<String>,
    /// State directory (the SQLite database lives here by default).
    pub data_dir: PathBuf,
    /// Networks (`ADDR/PREFIX` or `ADDR`) whose `X-Forwarded-For` header is believed.
    pub trusted_proxies: Vec<String>,
    /// Largest accepted request body; larger ones get 413 before they are read.
    pub max_body_bytes: usize,
    /// How long SIGTERM waits for in-flight requests before exiting anyway.
    pub shutdown_grace_secs: u64,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            listen: vec!["127.0.0.1:8080".into()],
            data_dir: PathBuf::from("/var/lib/social"),
            trusted_proxies: Vec::new(),
            max_body_bytes: 65536,
            shutdown_grace_secs: 20,
        }
    }
}

/// `[instance]`: what people see.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InstanceConfig {
    /// Shown in page titles and the header.
    pub name: String,
    /// Post length limit in characters.
    pub post_max_chars: usize,
}

impl Default for InstanceConfig {
    fn default() -> Self {
        Self {
            name: "social".into(),
            post_max_chars: 500,
        }
    }
}

/// `[database]`: where durable data lives.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// Empty: SQLite at `<data_dir>/social.db`. Otherwise `sqlite://…` or `postgres://…`.
    pub url: String,
    /// Connection pool size; 0 lets the backend pick.
    pub max_connections: u32,
}

/// `[redis]`: the optional cache.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedisConfig {
    /// Empty: in-process cache. Otherwise `redis://…` or `rediss://…`.
    pub url: String,
}

/// `[log]`: what is logged and where.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// tracing `EnvFilter` directives, e.g. `info` or `info,social::auth=debug`.
    pub level: String,
    /// `auto` (journal when `JOURNAL_STREAM` is set, else stderr), `journal` or `stderr`.
    pub output: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            level: "info".into(),
            output: "auto".into(),
        }
    }
}

/// `[tls]`: HTTPS served by sociald itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TlsConfig {
    /// `auto` (ACME when `domains` is set, else off), `acme`, `self-signed` (development
    /// only) or `off`.
    pub mode: String,
    /// DNS names the certificate is for; the first is the canonical host of redirects.
    pub domains: Vec<String>,
    /// `ADDR:PORT` served with TLS when not socket-activated.
    pub listen: Vec<String>,
}

impl Default for TlsConfig {
    fn default() -> Self {
        Self {
            mode: "auto".into(),
            domains: Vec::new(),
            listen: Vec::new(),
        }
    }
}

/// `[acme]`: where certificates come from in `tls.mode = "acme"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AcmeConfig {
    /// Directory URL, or `letsencrypt` / `letsencrypt-staging`.
    pub directory: String,
    /// Contact e-mail addresses given to the CA.
    pub contact: Vec<String>,
    /// `tls-alpn-01` (port 443 only) or `http-01` (port 80).
    pub challenge: String,
    /// PEM file of the root CA that signs the directory's HTTPS certificate (private CAs).
    pub ca_root: String,
    /// External account binding: key id given by the CA (empty: none).
    pub eab_kid: String,
    /// External account binding: the HMAC key, base64url (better as a credential).
    pub eab_hmac_key: String,
    /// First retry delay after a failed order; later ones are 10x, 100x, then daily.
    pub retry_base_secs: u64,
}

impl Default for AcmeConfig {
    fn default() -> Self {
        Self {
            directory: "letsencrypt".into(),
            contact: Vec::new(),
            challenge: "tls-alpn-01".into(),
            ca_root: String::new(),
            eab_kid: String::new(),
            eab_hmac_key: String::new(),
            retry_base_secs: 60,
        }
    }
}

/// `[media]`: uploaded images (stored under `<data_dir>/media`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MediaConfig {
    /// Largest accepted upload in bytes; larger ones get 413 before they are read.
    pub max_bytes: usize,
    /// Most pixels (width × height) of an uploaded image, checked before decoding.
    pub max_pixels: u64,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            max_pixels: 33_177_600,
        }
    }
}

/// `[spam]`: the spam defence on new posts and sign-ups (docs/moderation.md, "Spam defence").
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SpamConfig {
    /// Screen posts of non-staff accounts: new-account limits, then the spam score.
    pub enabled: bool,
    /// A post whose spam score reaches this is held for review.
    pub threshold: f32,
    /// Accounts younger than this many hours are new: limited, and their signals weigh more.
    pub new_account_hours: u32,
    /// A new account's posts per hour.
    pub new_account_posts_per_hour: u32,
    /// Open registration mode asks the browser for a proof of work at sign-up; a sign-up
    /// without one waits for approval. Independent of `enabled`.
    pub signup_proof_of_work: bool,
    /// The proof's difficulty in leading zero bits (8 to 24); each bit doubles the work.
    pub signup_pow_bits: u8,
}

/// The range `spam.signup_pow_bits` is checked against: below 8 a script solves it for free,
/// above 24 a phone works for minutes.
pub const SIGNUP_POW_BITS: std::ops::RangeInclusive<u8> = 8..=24;

impl Default for SpamConfig {
    fn default() -> Self {
        let policy = social_core::spam::SpamPolicy::default();
        let limits = social_core::spam::NewAccountLimits::default();
        Self {
            enabled: true,
            threshold: policy.threshold,
            new_account_hours: limits.young_hours,
            new_account_posts_per_hour: limits.max_posts_per_hour,
            signup_proof_of_work: true,
            signup_pow_bits: social_core::pow::DEFAULT_DIFFICULTY_BITS,
        }
    }
}

impl SpamConfig {
    /// The web layer's setting: None when disabled.
    pub fn defence(&self) -> Option<social_web::screening::SpamDefence> {
        if !self.enabled {
            return None;
        }
        let mut defence = social_web::screening::SpamDefence::default();
        defence.policy.threshold = self.threshold;
        defence.policy.new_account_age_s = u64::from(self.new_account_hours) * 3600;
        defence.limits.young_hours = self.new_account_hours;
        defence.limits.max_posts_per_hour = self.new_account_posts_per_hour;
        Some(defence)
    }

    /// The web layer's sign-up proof of work: None when turned off.
    pub fn signup_pow(&self) -> Option<social_web::signup_pow::SignupPow> {
        self.signup_proof_of_work
            .then(|| social_web::signup_pow::SignupPow {
                bits: self.signup_pow_bits,
                ..Default::default()
            })
    }
}

/// `[rate_limits]`: each `"MAX/WINDOW"` (window in s, m, h or d) or `"off"`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitsConfig {
    pub api: String,
    pub api_anonymous: String,
    pub posts: String,
    pub follows: String,
    pub media: String,
    pub reports: String,
    pub posts_per_address: String,
    pub follows_per_address: String,
    pub reports_per_address: String,
    pub signups: String,
    pub logins: String,
    pub logins_per_account: String,
    pub email_links: String,
}

impl Default for RateLimitsConfig {
    fn default() -> Self {
        let d = social_web::ratelimit::RateLimits::default();
        let shown = |rule: Option<social_web::ratelimit::Rule>| {
            rule.map_or_else(|| "off".to_owned(), |r| r.to_string())
        };
        Self {
            api: shown(d.api),
            api_anonymous: shown(d.api_anonymous),
            posts: shown(d.posts),
            follows: shown(d.follows),
            media: shown(d.media),
            reports: shown(d.reports),
            posts_per_address: shown(d.posts_per_address),
            follows_per_address: shown(d.follows_per_address),
            reports_per_address: shown(d.reports_per_address),
            signups: shown(d.signups),
            logins: shown(d.logins),
            logins_per_account: shown(d.logins_per_account),
            email_links: shown(d.email_links),
        }
    }
}

impl Config {
    /// The database URL to open: `database.url`, or SQLite inside the data directory.
    pub fn database_url(&self) -> String {
        if !self.database.url.is_empty() {
            return self.database.url.clone();
        }
        let dir = std::path::absolute(&self.server.data_dir)
            .unwrap_or_else(|_| self.server.data_dir.clone());
        format!("sqlite://{}", dir.join("social.db").display())
    }

    /// Where uploaded media files live.
    pub fn media_dir(&self) -> PathBuf {
        let dir = std::path::absolute(&self.server.data_dir)
            .unwrap_or_else(|_| self.server.data_dir.clone());
        dir.join("media")
    }

    /// `redis.url`, or `None` for the in-process cache.
    pub fn redis_url(&self) -> Option<String> {
        (!self.redis.url.is_empty()).then(|| self.redis.url.clone())
    }
}
