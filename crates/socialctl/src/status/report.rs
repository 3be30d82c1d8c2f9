//! The result of `socialctl status`: checks with a level, a reason and a fix hint, the exit
//! status they give, and the JSON document (`--json`, also what `--host` reads back).

use serde::{Deserialize, Serialize};

/// How bad a finding is. ERROR: the site or its protection is broken now; WARN: degraded, or
/// broken soon without action; OK: nothing to do. Ordered: `Ok < Warn < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    Warn,
    Error,
}

impl Level {
    /// The word printed and stored in JSON (`ok`, `warn`, `error`).
    pub fn word(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warn => "warn",
            Self::Error => "error",
        }
    }

    /// The process exit status for a run whose worst finding is `self`.
    pub fn exit_code(self) -> i32 {
        match self {
            Self::Ok => 0,
            Self::Warn => 1,
            Self::Error => 2,
        }
    }
}

/// One finding. `category/name` is its stable identifier (docs/status.md lists them all).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub category: String,
    pub name: String,
    pub status: Level,
    /// One line: what was found.
    pub reason: String,
    /// A command the sysadmin can run; `None` when OK.
    pub hint: Option<String>,
}

impl Check {
    pub fn ok(category: &str, name: &str, reason: impl Into<String>) -> Self {
        Self::new(category, name, Level::Ok, reason, None)
    }

    pub fn warn(category: &str, name: &str, reason: impl Into<String>, hint: &str) -> Self {
        Self::new(category, name, Level::Warn, reason, Some(hint.to_owned()))
    }

    pub fn error(category: &str, name: &str, reason: impl Into<String>, hint: &str) -> Self {
        Self::new(category, name, Level::Error, reason, Some(hint.to_owned()))
    }

    fn new(
        category: &str,
        name: &str,
        status: Level,
        reason: impl Into<String>,
        hint: Option<String>,
    ) -> Self {
        // One line each, whatever a tool printed.
        let one_line = |s: String| s.split_whitespace().collect::<Vec<_>>().join(" ");
        Self {
            category: category.to_owned(),
            name: name.to_owned(),
            status,
            reason: one_line(reason.into()),
            hint: hint.map(one_line),
        }
    }

    /// `category/name`.
    #[cfg(test)]
    pub fn id(&self) -> String {
        format!("{}/{}", self.category, self.name)
    }
}

/// A size for a reason: `512 KiB`, `48 MiB`, `1.5 GiB`.
pub fn size(bytes: u64) -> String {
    const KIB: u64 = 1 << 10;
    const MIB: u64 = 1 << 20;
    const GIB: u64 = 1 << 30;
    #[allow(clippy::cast_precision_loss)] // one decimal of a size
    let gib = bytes as f64 / GIB as f64;
    match bytes {
        b if b >= 10 * GIB => format!("{gib:.0} GiB"),
        b if b >= GIB => format!("{gib:.1} GiB"),
        b if b >= MIB => format!("{} MiB", b / MIB),
        b if b >= KIB => format!("{} KiB", b / KIB),
        b => format!("{b} B"),
    }
}

/// The whole run: `{"worst": "ok|warn|error", "checks": [...]}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub worst: Level,
    pub checks: Vec<Check>,
}

impl Report {
    pub fn new(checks: Vec<Check>) -> Self {
        let worst = checks.iter().map(|c| c.status).max().unwrap_or(Level::Ok);
        Self { worst, checks }
    }

    /// Reads a document written by `--json` (another host's); the worst level is recomputed
    /// from the checks rather than trusted.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        let report: Self = serde_json::from_str(text)?;
        Ok(Self::new(report.checks))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| {
            // Serialising plain strings and enums cannot fail; keep the promise of JSON anyway.
            format!(r#"{{"worst": "error", "checks": [], "error": "{e}"}}"#)
        })
    }

    pub fn exit_code(&self) -> i32 {
        self.worst.exit_code()
    }

    /// (warnings, errors)
    pub fn counts(&self) -> (usize, usize) {
        let count = |l| self.checks.iter().filter(|c| c.status == l).count();
        (count(Level::Warn), count(Level::Error))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_well() {
        assert_eq!(size(900), "900 B");
        assert_eq!(size(3 << 10), "3 KiB");
        assert_eq!(size(48 << 20), "48 MiB");
        assert_eq!(size(3 << 29), "1.5 GiB");
        assert_eq!(size(12 << 30), "12 GiB");
    }

    #[test]
    fn exit_code_follows_the_worst_check() {
        let ok = Check::ok("units", "sociald", "running");
        let warn = Check::warn("tls", "certificate", "expires in 12 days", "x");
        let error = Check::error("firewall", "ruleset", "missing", "y");
        assert_eq!(Report::new(vec![]).exit_code(), 0);
        assert_eq!(Report::new(vec![ok.clone()]).exit_code(), 0);
        assert_eq!(Report::new(vec![ok.clone(), warn.clone()]).exit_code(), 1);
        assert_eq!(Report::new(vec![error.clone(), ok, warn]).exit_code(), 2);
        assert_eq!(Report::new(vec![error]).worst, Level::Error);
    }

    #[test]
    fn json_has_the_documented_shape() {
        let report = Report::new(vec![
            Check::ok("units", "sociald", "running"),
            Check::warn(
                "tls",
                "certificate",
                "expires\nsoon",
                "journalctl -u sociald",
            ),
        ]);
        let value: serde_json::Value = serde_json::from_str(&report.to_json()).expect("valid JSON");
        assert_eq!(
            value,
            serde_json::json!({
                "worst": "warn",
                "checks": [
                    {"category": "units", "name": "sociald", "status": "ok",
                     "reason": "running", "hint": null},
                    {"category": "tls", "name": "certificate", "status": "warn",
                     "reason": "expires soon", "hint": "journalctl -u sociald"},
                ]
            })
        );
    }

    #[test]
    fn json_reads_back_and_the_worst_is_recomputed() {
        let report = Report::new(vec![Check::error("firewall", "ruleset", "gone", "fix")]);
        let mut text = report.to_json();
        assert_eq!(Report::from_json(&text).expect("parses"), report);
        text = text.replace(r#""worst": "error""#, r#""worst": "ok""#);
        assert_eq!(Report::from_json(&text).expect("parses").exit_code(), 2);
        assert!(Report::from_json("not json").is_err());
        assert!(Report::from_json(r#"{"worst":"ok","checks":[{"status":"bad"}]}"#).is_err());
    }
}
