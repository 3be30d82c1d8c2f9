//! What `sociald tls status` (and later `socialctl status`) shows: written by the running
//! server to `<data_dir>/tls/status.json` after every change, read by the command, which also
//! parses the certificate file itself (the file is the truth, the status adds the schedule
//! and the last error).

use super::certs::{self, CertInfo};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The renewer's state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Status {
    /// `acme` or `self-signed`.
    pub mode: String,
    pub domains: Vec<String>,
    /// ACME directory URL (empty when self-signed).
    pub directory: String,
    /// The certificate being served.
    pub certificate: Option<CertInfo>,
    /// Unix seconds of the next renewal attempt, and why then.
    pub next_renewal: Option<i64>,
    pub next_renewal_reason: String,
    /// Unix seconds of the last certificate installed by this server.
    pub last_renewal: Option<i64>,
    pub last_error: Option<String>,
    pub last_error_at: Option<i64>,
    /// Failed attempts since the last success.
    pub failures: u32,
    /// Unix seconds of this report.
    pub updated_at: i64,
}

/// The status file inside the `tls/` folder of the state directory.
pub const FILE: &str = "status.json";

impl Status {
    /// Writes the file (atomically, 0600: it names the CA account's domains and errors).
    pub fn save(&self, dir: &Path) -> anyhow::Result<()> {
        let json = serde_json::to_vec_pretty(self)?;
        certs::write_private(&dir.join(FILE), &json)
    }

    /// Reads the file; `None` when no server ever wrote one.
    pub fn load(dir: &Path) -> anyhow::Result<Option<Self>> {
        match std::fs::read_to_string(dir.join(FILE)) {
            Ok(text) => Ok(Some(serde_json::from_str(&text)?)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// Unix seconds now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// RFC 3339 in UTC, or the number when out of range.
pub fn rfc3339(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| unix.to_string())
}

/// "3d 4h", "5h 2m", "42s": a duration people read.
pub fn human_duration(secs: i64) -> String {
    let (sign, secs) = if secs < 0 { ("-", -secs) } else { ("", secs) };
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    let text = if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m}m")
    } else if m > 0 {
        format!("{m}m {}s", secs % 60)
    } else {
        format!("{secs}s")
    };
    format!("{sign}{text}")
}

/// The human report; `healthy` is false when no valid certificate is in place.
pub fn render(
    mode: &str,
    cert_file: &Path,
    cert: Option<&CertInfo>,
    status: Option<&Status>,
    now: i64,
) -> (String, bool) {
    let mut out = String::new();
    out.push_str(&format!("mode:          {mode}\n"));
    if let Some(s) = status {
        if !s.domains.is_empty() {
            out.push_str(&format!("domains:       {}\n", s.domains.join(", ")));
        }
        if !s.directory.is_empty() {
            out.push_str(&format!("directory:     {}\n", s.directory));
        }
    }
    let healthy = match cert {
        None => {
            out.push_str(&format!(
                "certificate:   none ({} does not exist yet)\n",
                cert_file.display()
            ));
            false
        }
        Some(c) => {
            out.push_str(&format!("certificate:   {}\n", cert_file.display()));
            out.push_str(&format!("  subject:     {}\n", c.subject));
            out.push_str(&format!("  names:       {}\n", c.names.join(", ")));
            out.push_str(&format!("  issuer:      {}\n", c.issuer));
            out.push_str(&format!("  not before:  {}\n", rfc3339(c.not_before)));
            let left = c.not_after - now;
            let state = if left > 0 {
                format!("{} left", human_duration(left))
            } else {
                format!("EXPIRED {} ago", human_duration(-left))
            };
            out.push_str(&format!(
                "  not after:   {} ({state})\n",
                rfc3339(c.not_after)
            ));
            left > 0
        }
    };
    if let Some(s) = status {
        match s.next_renewal {
            Some(at) => out.push_str(&format!(
                "next renewal:  {} (in {}; {})\n",
                rfc3339(at),
                human_duration((at - now).max(0)),
                s.next_renewal_reason
            )),
            None => out.push_str("next renewal:  none scheduled\n"),
        }
        if let Some(at) = s.last_renewal {
            out.push_str(&format!("last renewal:  {}\n", rfc3339(at)));
        }
        match (&s.last_error, s.last_error_at) {
            (Some(error), Some(at)) => out.push_str(&format!(
                "last error:    {} ({} failed attempt(s) since the last success): {error}\n",
                rfc3339(at),
                s.failures
            )),
            _ => out.push_str("last error:    none\n"),
        }
        out.push_str(&format!(
            "reported:      {} by the running server\n",
            rfc3339(s.updated_at)
        ));
    } else {
        out.push_str("renewal:       no report yet (has sociald run with TLS on?)\n");
    }
    (out, healthy)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_well() {
        assert_eq!(human_duration(42), "42s");
        assert_eq!(human_duration(125), "2m 5s");
        assert_eq!(human_duration(3 * 3600 + 120), "3h 2m");
        assert_eq!(human_duration(2 * 86_400 + 7200), "2d 2h");
        assert_eq!(human_duration(-90), "-1m 30s");
    }

    #[test]
    fn an_expired_or_missing_certificate_is_unhealthy() {
        let cert = CertInfo {
            subject: "CN=social.test".into(),
            issuer: "CN=Pebble".into(),
            names: vec!["social.test".into()],
            serial: "01".into(),
            not_before: 1_000,
            not_after: 2_000,
        };
        let status = Status {
            mode: "acme".into(),
            next_renewal: Some(1_700),
            next_renewal_reason: "2/3 of the lifetime".into(),
            last_error: Some("connection refused".into()),
            last_error_at: Some(1_500),
            failures: 2,
            ..Status::default()
        };
        let file = Path::new("/var/lib/social/tls/cert.pem");
        let (text, healthy) = render("acme", file, Some(&cert), Some(&status), 1_600);
        assert!(healthy);
        assert!(text.contains("6m 40s left"), "{text}");
        assert!(text.contains("2 failed attempt(s)"), "{text}");
        assert!(text.contains("connection refused"), "{text}");
        let (text, healthy) = render("acme", file, Some(&cert), Some(&status), 2_100);
        assert!(!healthy);
        assert!(text.contains("EXPIRED"), "{text}");
        let (text, healthy) = render("acme", file, None, None, 0);
        assert!(!healthy);
        assert!(text.contains("none"), "{text}");
    }
}
