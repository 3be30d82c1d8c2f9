//! `tls/certificate`: the certificate sociald serves and its renewal, from
//! `sociald tls status --json` (crates/sociald/src/tls/status.rs).

use super::context::Context;
use super::listeners;
use super::probe::{Output, Probe, RunError};
use super::report::Check;
use std::time::Duration;

const CAT: &str = "tls";
const NAME: &str = "certificate";
const DAY: i64 = 86_400;
/// Less time left than this: ERROR (renewal at 2/3 of the lifetime has failed for weeks).
pub const ERROR_DAYS: i64 = 7;
/// Less time left than this, or a failed renewal attempt: WARN.
pub const WARN_DAYS: i64 = 21;

pub fn checks(p: &dyn Probe, ctx: &Context) -> Vec<Check> {
    let out = p.run(
        "sociald",
        &["tls", "status", "--json"],
        Duration::from_secs(15),
    );
    let public_http = listeners::listening(p)
        .iter()
        .any(|(a, port)| *port == 80 && !a.is_loopback());
    vec![evaluate(ctx, &out, public_http, p.now())]
}

/// YYYY-MM-DD (UTC).
pub fn date(unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map_or_else(|_| unix.to_string(), |t| t.date().to_string())
}

pub fn evaluate(
    ctx: &Context,
    out: &Result<Output, RunError>,
    public_http: bool,
    now: i64,
) -> Check {
    let logs = "sociald tls status; journalctl -u sociald -b --grep certificate -n 20 --no-pager";
    let out = match out {
        Err(RunError::NotFound) => {
            return Check::error(CAT, NAME, "sociald is not installed", "apt install sociald");
        }
        Err(e) => return Check::error(CAT, NAME, format!("sociald tls status: {e}"), logs),
        Ok(o) => o,
    };
    // Exit 1 means "no valid certificate" and still prints the JSON.
    let json: serde_json::Value = match serde_json::from_str(out.stdout.trim()) {
        Ok(j) => j,
        Err(_) => {
            return Check::error(
                CAT,
                NAME,
                format!("sociald tls status failed: {}", out.first_message()),
                logs,
            );
        }
    };
    let mode = json.get("mode").and_then(|m| m.as_str()).unwrap_or("?");
    if mode == "off" {
        let reason = ctx.tls_off_reason();
        let enable =
            "set tls.domains in /etc/social/sociald.toml (docs/tls.md); systemctl restart sociald";
        return if public_http {
            Check::warn(
                CAT,
                NAME,
                format!("{reason}: port 80 is public, sign-ins travel in clear text"),
                enable,
            )
        } else {
            Check::ok(CAT, NAME, reason)
        };
    }
    let int = |v: Option<&serde_json::Value>| v.and_then(serde_json::Value::as_i64);
    let status = json.get("status").filter(|s| !s.is_null());
    let failures = int(status.and_then(|s| s.get("failures"))).unwrap_or(0);
    let last_error = status
        .and_then(|s| s.get("last_error"))
        .and_then(|e| e.as_str())
        .filter(|_| failures > 0);
    let Some(not_after) = int(json.get("certificate").and_then(|c| c.get("not_after"))) else {
        let why = last_error.map_or_else(String::new, |e| format!("; last error: {e}"));
        return Check::error(
            CAT,
            NAME,
            format!("no certificate (tls.mode {mode}){why}"),
            logs,
        );
    };
    let left = not_after - now;
    let days = left.div_euclid(DAY);
    if left <= 0 {
        return Check::error(
            CAT,
            NAME,
            format!("certificate EXPIRED on {}", date(not_after)),
            logs,
        );
    }
    if left < ERROR_DAYS * DAY {
        let why = last_error.map_or_else(String::new, |e| format!("; last renewal error: {e}"));
        return Check::error(
            CAT,
            NAME,
            format!(
                "certificate expires in {days} days ({}){why}",
                date(not_after)
            ),
            logs,
        );
    }
    if let Some(e) = last_error {
        return Check::warn(
            CAT,
            NAME,
            format!(
                "last renewal attempt failed ({failures} since the last success): {e}; valid until {} ({days} days)",
                date(not_after)
            ),
            logs,
        );
    }
    if left < WARN_DAYS * DAY {
        return Check::warn(
            CAT,
            NAME,
            format!("certificate expires in {days} days ({})", date(not_after)),
            logs,
        );
    }
    let renews = match int(status.and_then(|s| s.get("next_renewal"))) {
        Some(at) => format!("renews {}", date(at)),
        None => "no renewal scheduled".to_owned(),
    };
    let valid = format!("valid until {} ({days} days)", date(not_after));
    if mode == "self-signed" {
        return Check::warn(
            CAT,
            NAME,
            format!(
                "self-signed certificate (development only: browsers warn), {valid}, replaced at start when a week is left"
            ),
            "set tls.mode = \"acme\" in /etc/social/sociald.toml (docs/tls.md); systemctl restart sociald",
        );
    }
    Check::ok(CAT, NAME, format!("{valid}, {renews}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::fixtures;
    use crate::status::report::Level;

    const NOW: i64 = 1_767_225_600; // 2026-01-01

    fn ctx(mode: &str) -> Context {
        let toml = format!("[tls]\nmode = \"{mode}\"\ndomains = [\"social.test\"]");
        Context::from_parts(Ok(Some(toml.parse().expect("toml"))), "", "")
    }

    fn out(stdout: String, code: i32) -> Result<Output, RunError> {
        Ok(Output {
            code: Some(code),
            stdout,
            stderr: String::new(),
        })
    }

    /// The real `sociald tls status --json` of an ACME host, with the dates moved.
    fn acme(not_after: i64, failures: u32, next: i64) -> String {
        fixtures::TLS_STATUS_ACME
            .replace("1799999999", &not_after.to_string())
            .replace("\"failures\":0", &format!("\"failures\":{failures}"))
            .replace("1788888888", &next.to_string())
    }

    #[test]
    fn a_healthy_certificate_says_when_it_renews() {
        let c = evaluate(
            &ctx("acme"),
            &out(acme(NOW + 60 * DAY, 0, NOW + 30 * DAY), 0),
            true,
            NOW,
        );
        assert_eq!((c.id().as_str(), c.status), ("tls/certificate", Level::Ok));
        assert_eq!(
            c.reason,
            "valid until 2026-03-02 (60 days), renews 2026-01-31"
        );
    }

    #[test]
    fn expiry_thresholds() {
        let at = |days: i64| {
            evaluate(
                &ctx("acme"),
                &out(acme(NOW + days * DAY + 5, 0, NOW), 0),
                true,
                NOW,
            )
        };
        assert_eq!(at(6).status, Level::Error);
        assert!(at(6).reason.contains("expires in 6 days"), "{:?}", at(6));
        assert_eq!(at(7).status, Level::Warn);
        assert_eq!(at(20).status, Level::Warn);
        assert_eq!(at(21).status, Level::Ok);
        let expired = evaluate(&ctx("acme"), &out(acme(NOW - DAY, 0, NOW), 1), true, NOW);
        assert_eq!(expired.status, Level::Error);
        assert!(
            expired.reason.contains("EXPIRED on 2025-12-31"),
            "{expired:?}"
        );
    }

    #[test]
    fn a_failed_renewal_is_named() {
        let c = evaluate(
            &ctx("acme"),
            &out(acme(NOW + 40 * DAY, 3, NOW + DAY), 0),
            true,
            NOW,
        );
        assert_eq!(c.status, Level::Warn);
        assert!(
            c.reason.contains("failed (3 since the last success)"),
            "{c:?}"
        );
        assert!(c.reason.contains("connection refused"), "{c:?}");
    }

    #[test]
    fn no_certificate_is_an_error() {
        let c = evaluate(
            &ctx("acme"),
            &out(fixtures::TLS_STATUS_NONE.into(), 1),
            true,
            NOW,
        );
        assert_eq!(c.status, Level::Error);
        assert!(
            c.reason.starts_with("no certificate (tls.mode acme)"),
            "{c:?}"
        );
    }

    #[test]
    fn off_and_self_signed() {
        let off = out(fixtures::TLS_STATUS_OFF.into(), 0);
        assert_eq!(evaluate(&ctx("off"), &off, false, NOW).status, Level::Ok);
        let public = evaluate(&ctx("off"), &off, true, NOW);
        assert_eq!(public.status, Level::Warn);
        assert!(
            public.reason.starts_with("HTTPS off (tls.mode = off)"),
            "{public:?}"
        );
        let ss = evaluate(
            &ctx("self-signed"),
            &out(fixtures::TLS_STATUS_SELF_SIGNED.into(), 0),
            true,
            NOW,
        );
        assert_eq!(ss.status, Level::Warn, "{ss:?}");
        assert!(ss.reason.contains("self-signed"), "{ss:?}");
    }

    #[test]
    fn tool_failures_are_errors() {
        assert_eq!(
            evaluate(&ctx("acme"), &Err(RunError::NotFound), true, NOW).status,
            Level::Error
        );
        let broken = Ok(Output {
            code: Some(1),
            stdout: String::new(),
            stderr: "Error: reading /etc/social/sociald.toml\n".into(),
        });
        let c = evaluate(&ctx("acme"), &broken, true, NOW);
        assert_eq!(c.status, Level::Error);
        assert!(
            c.reason.contains("reading /etc/social/sociald.toml"),
            "{c:?}"
        );
    }
}
