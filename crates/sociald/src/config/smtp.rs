//! `[smtp]`: the relay that sends confirmation and password-reset mail, its checks, and the
//! password (read from a file or `SOCIAL_SMTP_PASSWORD`, never from the main file, never
//! logged).

use super::validate::{Invalid, TlsMode, TlsPlan};
use serde::{Deserialize, Serialize};
use social_web::mail::{MailSettings, SmtpSecurity};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// Environment variable holding the SMTP password (wins over `smtp.password_file`).
pub const ENV_SMTP_PASSWORD: &str = "SOCIAL_SMTP_PASSWORD";

/// `[smtp]`: outgoing e-mail. Empty `host`: no e-mail at all.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpConfig {
    /// The relay's host name; empty turns e-mail off.
    pub host: String,
    /// 0: 587 for `starttls`, 465 for `tls`, 25 for `none`.
    pub port: u16,
    /// `starttls`, `tls` or `none` (loopback relays only).
    pub security: String,
    /// The `From:` mailbox: `name@example.org` or `Name <name@example.org>`.
    pub from: String,
    /// Empty: no authentication.
    pub username: String,
    /// Absolute path of a file holding the password.
    pub password_file: String,
    /// The site's public URL used in links; empty: `https://<first tls domain>`.
    pub link_base_url: String,
    /// `ADDR` or `ADDR:PORT` of the DNS server asked for MX records; empty: the system's.
    pub dns_resolver: String,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: 0,
            security: "starttls".into(),
            from: String::new(),
            username: String::new(),
            password_file: String::new(),
            link_base_url: String::new(),
            dns_resolver: String::new(),
        }
    }
}

/// A valid `[smtp]`, the password not yet read.
#[derive(Clone, Debug, PartialEq)]
pub struct SmtpPlan {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    pub from: String,
    pub username: Option<String>,
    pub password_file: Option<PathBuf>,
    pub link_base_url: String,
    pub dns_resolver: Option<SocketAddr>,
}

fn invalid(key: &'static str, message: impl Into<String>) -> Invalid {
    Invalid {
        key,
        message: message.into(),
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Checks `[smtp]`; None when e-mail is off.
pub fn check(smtp: &SmtpConfig, tls: &TlsPlan) -> Result<Option<SmtpPlan>, Invalid> {
    let host = smtp.host.trim();
    if host.is_empty() {
        return Ok(None);
    }
    let (security, default_port) = match smtp.security.as_str() {
        "starttls" => (SmtpSecurity::StartTls, 587),
        "tls" => (SmtpSecurity::Tls, 465),
        "none" => (SmtpSecurity::None, 25),
        other => {
            return Err(invalid(
                "smtp.security",
                format!("{other:?} is not one of \"starttls\", \"tls\", \"none\""),
            ));
        }
    };
    if security == SmtpSecurity::None && !is_loopback(host) {
        return Err(invalid(
            "smtp.security",
            "\"none\" sends passwords and links in clear: only allowed for a relay on \
             localhost or a loopback address",
        ));
    }
    let address = match smtp.from.rsplit_once('<') {
        Some((_, rest)) => rest.trim_end().trim_end_matches('>'),
        None => smtp.from.as_str(),
    };
    social_core::email::address(address).map_err(|_| {
        invalid(
            "smtp.from",
            "give the sender as name@example.org or \"Name <name@example.org>\"",
        )
    })?;
    let password_file = match smtp.password_file.trim() {
        "" => None,
        path if PathBuf::from(path).is_absolute() => Some(PathBuf::from(path)),
        _ => {
            return Err(invalid("smtp.password_file", "must be an absolute path"));
        }
    };
    let link_base_url = match smtp.link_base_url.trim().trim_end_matches('/') {
        "" => match (tls.mode, tls.domains.first()) {
            (TlsMode::Off, _) | (_, None) => {
                return Err(invalid(
                    "smtp.link_base_url",
                    "set the site's public URL (https://social.example): TLS is off, so it \
                     cannot be derived from tls.domains",
                ));
            }
            (_, Some(domain)) => format!("https://{domain}"),
        },
        url if url.starts_with("https://") || url.starts_with("http://") => url.to_owned(),
        _ => {
            return Err(invalid(
                "smtp.link_base_url",
                "must start with https:// (or http://)",
            ));
        }
    };
    let dns_resolver = match smtp.dns_resolver.trim() {
        "" => None,
        text => Some(
            text.parse::<SocketAddr>()
                .or_else(|_| text.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
                .map_err(|_| {
                    invalid(
                        "smtp.dns_resolver",
                        format!("{text:?} is not ADDR or ADDR:PORT"),
                    )
                })?,
        ),
    };
    Ok(Some(SmtpPlan {
        host: host.to_owned(),
        port: if smtp.port == 0 {
            default_port
        } else {
            smtp.port
        },
        security,
        from: smtp.from.trim().to_owned(),
        username: Some(smtp.username.trim().to_owned()).filter(|u| !u.is_empty()),
        password_file,
        link_base_url,
        dns_resolver,
    }))
}

impl SmtpPlan {
    /// The settings of the mail sender: the password from `SOCIAL_SMTP_PASSWORD`, else from
    /// `password_file`. An error names what is missing, never the password.
    pub fn settings(&self) -> anyhow::Result<MailSettings> {
        let password = match std::env::var(ENV_SMTP_PASSWORD) {
            Ok(p) if !p.is_empty() => Some(p),
            _ => match &self.password_file {
                Some(path) => Some(
                    std::fs::read_to_string(path)
                        .map_err(|e| anyhow::anyhow!("smtp.password_file {}: {e}", path.display()))?
                        .trim_end_matches(['\r', '\n'])
                        .to_owned(),
                ),
                None => None,
            },
        };
        if self.username.is_some() && password.is_none() {
            anyhow::bail!(
                "smtp.username is set but there is no password: set smtp.password_file or \
                 {ENV_SMTP_PASSWORD}"
            );
        }
        Ok(MailSettings {
            host: self.host.clone(),
            port: self.port,
            security: self.security,
            from: self.from.clone(),
            username: self.username.clone(),
            password,
            link_base_url: self.link_base_url.clone(),
            dns_resolver: self.dns_resolver,
            retry_base: Duration::from_secs(30),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn plan(smtp: SmtpConfig) -> Result<Option<SmtpPlan>, &'static str> {
        let config = Config {
            smtp,
            ..Config::default()
        };
        crate::config::validate::check(&config)
            .map(|c| c.smtp)
            .map_err(|e| e.key)
    }

    fn relay() -> SmtpConfig {
        SmtpConfig {
            host: "mail.example.org".into(),
            from: "Social <social@example.org>".into(),
            link_base_url: "https://social.example.org/".into(),
            ..SmtpConfig::default()
        }
    }

    #[test]
    fn off_by_default_and_a_relay_resolves() {
        assert_eq!(plan(SmtpConfig::default()), Ok(None));
        let p = plan(relay()).unwrap().unwrap();
        assert_eq!(p.port, 587);
        assert_eq!(p.security, SmtpSecurity::StartTls);
        assert_eq!(p.link_base_url, "https://social.example.org");
        let tls = plan(SmtpConfig {
            security: "tls".into(),
            dns_resolver: "127.0.0.1:5353".into(),
            ..relay()
        })
        .unwrap()
        .unwrap();
        assert_eq!(tls.port, 465);
        assert_eq!(tls.dns_resolver, Some("127.0.0.1:5353".parse().unwrap()));
    }

    #[test]
    fn bad_values_name_their_key() {
        let cases: [(SmtpConfig, &str); 7] = [
            (
                SmtpConfig {
                    security: "ssl".into(),
                    ..relay()
                },
                "smtp.security",
            ),
            (
                SmtpConfig {
                    security: "none".into(),
                    ..relay()
                },
                "smtp.security",
            ),
            (
                SmtpConfig {
                    from: "nobody".into(),
                    ..relay()
                },
                "smtp.from",
            ),
            (
                SmtpConfig {
                    from: String::new(),
                    ..relay()
                },
                "smtp.from",
            ),
            (
                SmtpConfig {
                    password_file: "pw.txt".into(),
                    ..relay()
                },
                "smtp.password_file",
            ),
            (
                SmtpConfig {
                    link_base_url: String::new(),
                    ..relay()
                },
                "smtp.link_base_url",
            ),
            (
                SmtpConfig {
                    dns_resolver: "dns".into(),
                    ..relay()
                },
                "smtp.dns_resolver",
            ),
        ];
        for (smtp, key) in cases {
            assert_eq!(plan(smtp.clone()).map(|_| ()), Err(key), "{smtp:?}");
        }
        let loopback = SmtpConfig {
            host: "127.0.0.1".into(),
            security: "none".into(),
            ..relay()
        };
        assert_eq!(plan(loopback).unwrap().unwrap().port, 25);
    }

    #[test]
    fn the_password_is_never_in_the_debug_output() {
        let dir = std::env::temp_dir().join(format!("smtp-pw-{}", std::process::id()));
        std::fs::write(&dir, "s3cret-pw\n").unwrap();
        let p = SmtpPlan {
            username: Some("social".into()),
            password_file: Some(dir.clone()),
            ..plan(relay()).unwrap().unwrap()
        };
        let settings = p.settings().unwrap();
        std::fs::remove_file(&dir).ok();
        if std::env::var(ENV_SMTP_PASSWORD).is_err() {
            assert_eq!(settings.password.as_deref(), Some("s3cret-pw"));
        }
        assert!(!format!("{settings:?}").contains("s3cret"));
    }
}
