//! The human report: one heading per category, aligned columns, the fix under each finding
//! that is not OK; colour only on a terminal without `NO_COLOR`.

use super::report::{Level, Report};
use std::fmt::Write as _;

/// Whether to colour: stdout is a terminal and `NO_COLOR` is unset or empty (no-color.org).
pub fn use_colour(is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    is_terminal && no_color.is_none_or(|v| v.is_empty())
}

pub fn human(report: &Report, host: &str, colour: bool) -> String {
    let paint = |level: Level, text: &str| {
        if !colour {
            return text.to_owned();
        }
        let code = match level {
            Level::Ok => "32",
            Level::Warn => "33",
            Level::Error => "1;31",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    };
    let dim = |text: &str| {
        if colour {
            format!("\x1b[2m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    let width = report
        .checks
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    let (warnings, errors) = report.counts();
    let summary = match (warnings, errors) {
        (0, 0) => format!("all {} checks OK", report.checks.len()),
        (w, e) => format!(
            "{e} error(s), {w} warning(s) in {} checks",
            report.checks.len()
        ),
    };
    let _ = writeln!(
        out,
        "socialctl status: {host}: {}",
        paint(report.worst, &summary)
    );
    let mut category = "";
    for c in &report.checks {
        if c.category != category {
            category = &c.category;
            let _ = writeln!(out, "\n{category}");
        }
        let word = format!("{:<5}", c.status.word().to_uppercase());
        let _ = writeln!(
            out,
            "  {:<width$}  {}  {}",
            c.name,
            paint(c.status, &word),
            c.reason
        );
        if let Some(hint) = &c.hint {
            let _ = writeln!(
                out,
                "  {:<width$}         {}",
                "",
                dim(&format!("fix: {hint}"))
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::report::Check;

    fn report() -> Report {
        Report::new(vec![
            Check::ok("units", "sociald", "sociald.service active (running)"),
            Check::ok(
                "units",
                "sociald-socket",
                "sociald.socket active (listening)",
            ),
            Check::error(
                "firewall",
                "ruleset",
                "table inet social is missing",
                "systemctl restart social-firewall",
            ),
        ])
    }

    #[test]
    fn plain_text_is_aligned_and_grouped() {
        let text = human(&report(), "st1", false);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "socialctl status: st1: 1 error(s), 0 warning(s) in 3 checks",
                "",
                "units",
                "  sociald         OK     sociald.service active (running)",
                "  sociald-socket  OK     sociald.socket active (listening)",
                "",
                "firewall",
                "  ruleset         ERROR  table inet social is missing",
                "                         fix: systemctl restart social-firewall",
            ]
        );
        assert!(!text.contains('\x1b'));
    }

    #[test]
    fn colour_only_when_asked() {
        let text = human(&report(), "st1", true);
        assert!(text.contains("\x1b[1;31mERROR\x1b[0m"), "{text}");
        assert!(text.contains("\x1b[32mOK   \x1b[0m"), "{text}");
        let all_ok = Report::new(vec![Check::ok("units", "sociald", "running")]);
        assert!(human(&all_ok, "h", false).starts_with("socialctl status: h: all 1 checks OK\n"));
        assert!(use_colour(true, None));
        assert!(use_colour(true, Some(std::ffi::OsStr::new(""))));
        assert!(!use_colour(true, Some(std::ffi::OsStr::new("1"))));
        assert!(!use_colour(false, None));
    }
}
