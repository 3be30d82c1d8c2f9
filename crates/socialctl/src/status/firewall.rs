//! `firewall/*`: the nftables tables of social-hardening are loaded, drop by default, and match
//! the boot file; no commit-confirm change is left pending.
//!
//! The boot file is loaded into a throw-away network namespace (`unshare --net`) and listed
//! there, so both sides are in nft's own canonical listing; set elements (fail2ban's bans, the
//! meters) and counters change at run time and are left out of the comparison.

use super::probe::{Output, Probe, RunError};
use super::report::Check;
use std::time::Duration;

const CAT: &str = "firewall";
pub const BOOT_FILE: &str = "/etc/social-hardening/firewall.nft";
const TIMEOUT: Duration = Duration::from_secs(15);
const RESTART: &str = "systemctl restart social-firewall";

/// Raw facts of the firewall.
#[derive(Clone, Debug)]
pub struct Facts {
    pub live: Result<Output, RunError>,
    pub live_ban: Result<Output, RunError>,
    /// The boot file's listing from a throw-away namespace (both tables).
    pub expected: Result<Output, RunError>,
    pub boot_file_exists: bool,
    pub pending: Result<Output, RunError>,
}

pub fn gather(p: &dyn Probe) -> Facts {
    let list = |table: &str| p.run("nft", &["-s", "list", "table", "inet", table], TIMEOUT);
    let script =
        r#"nft -f "$1" && nft -s list table inet social && nft -s list table inet social_ban"#;
    Facts {
        live: list("social"),
        live_ban: list("social_ban"),
        expected: p.run(
            "unshare",
            &["--net", "--", "sh", "-c", script, "sh", BOOT_FILE],
            TIMEOUT,
        ),
        boot_file_exists: p.read(BOOT_FILE).is_ok(),
        pending: p.run("social-nft-apply", &["--status"], TIMEOUT),
    }
}

pub fn checks(p: &dyn Probe) -> Vec<Check> {
    evaluate(&gather(p))
}

pub fn evaluate(f: &Facts) -> Vec<Check> {
    vec![ruleset(f), policy(&f.live), pending(&f.pending)]
}

/// The live listing of a table, or the check that says why there is none.
fn live_table(name: &str, out: &Result<Output, RunError>, missing: &str) -> Result<String, Check> {
    match out {
        Ok(o) if o.success() => Ok(o.stdout.clone()),
        Ok(o) if o.stderr.contains("No such file or directory") => {
            Err(Check::error(CAT, name, missing.to_owned(), RESTART))
        }
        Ok(o) => Err(Check::error(
            CAT,
            name,
            format!("nft: {}", o.first_message()),
            RESTART,
        )),
        Err(RunError::NotFound) => Err(Check::error(
            CAT,
            name,
            "nft is not installed",
            "apt install nftables social-hardening",
        )),
        Err(e) => Err(Check::error(CAT, name, format!("nft: {e}"), RESTART)),
    }
}

fn ruleset(f: &Facts) -> Check {
    const NAME: &str = "ruleset";
    let live = match live_table(
        NAME,
        &f.live,
        "table inet social is missing: ruleset flushed or not loaded",
    ) {
        Ok(l) => l,
        Err(c) => return c,
    };
    let ban = match live_table(
        NAME,
        &f.live_ban,
        "table inet social_ban is missing: fail2ban's bans are not enforced",
    ) {
        Ok(l) => l,
        Err(c) => return c,
    };
    if !f.boot_file_exists {
        return Check::error(
            CAT,
            NAME,
            format!("{BOOT_FILE} is missing: the next boot loads no firewall"),
            "apt install --reinstall social-hardening",
        );
    }
    let expected = match &f.expected {
        Ok(o) if o.success() => o.stdout.clone(),
        Ok(o) => {
            return Check::warn(
                CAT,
                NAME,
                format!("cannot compare with {BOOT_FILE}: {}", o.first_message()),
                &format!("nft -c -f {BOOT_FILE}"),
            );
        }
        Err(e) => {
            return Check::warn(
                CAT,
                NAME,
                format!("cannot compare with {BOOT_FILE}: unshare: {e}"),
                &format!("nft -c -f {BOOT_FILE}"),
            );
        }
    };
    let live = normalise(&format!("{live}\n{ban}"));
    let expected = normalise(&expected);
    if live == expected {
        return Check::ok(
            CAT,
            NAME,
            format!("tables inet social and social_ban as in {BOOT_FILE}"),
        );
    }
    let only = |a: &[String], b: &[String]| -> Vec<String> {
        let mut rest = b.to_vec();
        a.iter()
            .filter(|line| match rest.iter().position(|r| r == *line) {
                Some(i) => {
                    rest.remove(i);
                    false
                }
                None => true,
            })
            .cloned()
            .collect()
    };
    let (extra, lacking) = (only(&live, &expected), only(&expected, &live));
    let first = |v: &[String]| {
        v.first()
            .map_or_else(String::new, |l| format!(" (first: `{l}`)"))
    };
    let reason = if extra.is_empty() && lacking.is_empty() {
        "the live rules are in a different order than in the file".to_owned()
    } else {
        format!(
            "live ruleset differs from {BOOT_FILE}: {} line(s) only live{}, {} only in the file{}",
            extra.len(),
            first(&extra),
            lacking.len(),
            first(&lacking)
        )
    };
    Check::warn(
        CAT,
        NAME,
        reason,
        &format!("social-nft-apply --persist {BOOT_FILE}"),
    )
}

/// A listing without set elements and counters, one trimmed rule or declaration a line.
pub fn normalise(listing: &str) -> Vec<String> {
    const OPEN: &str = "elements = {";
    let mut text = String::with_capacity(listing.len());
    let mut rest = listing;
    while let Some(i) = rest.find(OPEN) {
        let (before, after) = rest.split_at(i);
        text.push_str(before);
        let after = after.get(OPEN.len()..).unwrap_or("");
        // The closing brace of this block (element lists may span lines).
        let mut depth = 1;
        let mut end = after.len();
        for (j, c) in after.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = j + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = after.get(end..).unwrap_or("");
    }
    text.push_str(rest);
    text.lines()
        .map(|l| strip_counters(l.trim()))
        .filter(|l| !l.is_empty())
        .collect()
}

/// `counter packets 12 bytes 720` → `counter` (the rule stays, its numbers go).
fn strip_counters(line: &str) -> String {
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut out = Vec::with_capacity(words.len());
    let mut i = 0;
    while let Some(w) = words.get(i) {
        out.push(*w);
        let numbers = |k: usize| {
            words
                .get(k)
                .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
        };
        if matches!(*w, "packets" | "bytes") && numbers(i + 1) {
            out.pop();
            i += 2;
        } else {
            i += 1;
        }
    }
    out.join(" ")
}

/// The input and forward chains of `inet social` drop what no rule admits.
fn policy(live: &Result<Output, RunError>) -> Check {
    const NAME: &str = "policy";
    let listing = match live_table(
        NAME,
        live,
        "table inet social is missing: every port is open",
    ) {
        Ok(l) => l,
        Err(c) => return c,
    };
    let policy_of = |hook: &str| {
        listing
            .lines()
            .find(|l| l.contains(&format!("hook {hook} ")))
            .and_then(|l| l.split("policy ").nth(1))
            .map(|p| p.trim().trim_end_matches(';').to_owned())
    };
    let (input, forward) = (policy_of("input"), policy_of("forward"));
    match (input.as_deref(), forward.as_deref()) {
        (Some("drop"), Some("drop")) => Check::ok(CAT, NAME, "input and forward policy drop"),
        (Some("drop"), f) => Check::warn(
            CAT,
            NAME,
            format!(
                "forward policy is {} (expected drop)",
                f.unwrap_or("missing")
            ),
            RESTART,
        ),
        (i, _) => Check::error(
            CAT,
            NAME,
            format!(
                "input policy is {} (expected drop): ports are open",
                i.unwrap_or("missing")
            ),
            RESTART,
        ),
    }
}

/// `social-nft-apply --status`: `no pending change` or `pending: rolled back at … unless confirmed`.
fn pending(out: &Result<Output, RunError>) -> Check {
    const NAME: &str = "pending";
    match out {
        Ok(o) if o.success() && o.stdout.trim_start().starts_with("pending") => Check::warn(
            CAT,
            NAME,
            format!("a firewall change awaits confirmation: {}", o.stdout.trim()),
            "social-nft-apply --confirm (from a new SSH login), or social-nft-apply --rollback",
        ),
        Ok(o) if o.success() => Check::ok(CAT, NAME, o.first_message()),
        Ok(o) => Check::warn(
            CAT,
            NAME,
            format!("social-nft-apply --status: {}", o.first_message()),
            "social-nft-apply --status",
        ),
        Err(RunError::NotFound) => Check::warn(
            CAT,
            NAME,
            "social-nft-apply is not installed",
            "apt install social-hardening",
        ),
        Err(e) => Check::warn(
            CAT,
            NAME,
            format!("social-nft-apply --status: {e}"),
            "social-nft-apply --status",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::fixtures;
    use crate::status::report::Level;

    fn ok(stdout: &str) -> Result<Output, RunError> {
        Ok(Output {
            code: Some(0),
            stdout: stdout.into(),
            stderr: String::new(),
        })
    }

    fn failed(stderr: &str) -> Result<Output, RunError> {
        Ok(Output {
            code: Some(1),
            stdout: String::new(),
            stderr: stderr.into(),
        })
    }

    fn healthy() -> Facts {
        Facts {
            live: ok(fixtures::NFT_SOCIAL_LIVE),
            live_ban: ok(fixtures::NFT_SOCIAL_BAN_LIVE),
            expected: ok(&format!(
                "{}{}",
                fixtures::NFT_SOCIAL_FILE,
                fixtures::NFT_SOCIAL_BAN_FILE
            )),
            boot_file_exists: true,
            pending: ok("no pending change\n"),
        }
    }

    fn by_name(checks: &[Check], name: &str) -> Check {
        checks
            .iter()
            .find(|c| c.name == name)
            .cloned()
            .expect("check present")
    }

    #[test]
    fn a_loaded_ruleset_with_bans_and_meters_matches_its_file() {
        let checks = evaluate(&healthy());
        assert!(checks.iter().all(|c| c.status == Level::Ok), "{checks:#?}");
    }

    #[test]
    fn a_flushed_ruleset_is_an_error() {
        let mut f = healthy();
        f.live = failed(fixtures::NFT_NO_TABLE);
        let checks = evaluate(&f);
        let ruleset = by_name(&checks, "ruleset");
        assert_eq!(
            (ruleset.id().as_str(), ruleset.status),
            ("firewall/ruleset", Level::Error)
        );
        assert_eq!(
            ruleset.reason,
            "table inet social is missing: ruleset flushed or not loaded"
        );
        assert_eq!(
            ruleset.hint.as_deref(),
            Some("systemctl restart social-firewall")
        );
        assert_eq!(by_name(&checks, "policy").status, Level::Error);
        let mut f = healthy();
        f.live_ban = failed(fixtures::NFT_NO_TABLE);
        assert!(
            by_name(&evaluate(&f), "ruleset")
                .reason
                .contains("social_ban is missing")
        );
    }

    #[test]
    fn a_changed_rule_is_reported_with_the_line() {
        let mut f = healthy();
        f.live = ok(&fixtures::NFT_SOCIAL_LIVE.replace(
            "tcp dport { 80, 443 } accept",
            "tcp dport { 80, 443, 8443 } accept",
        ));
        let c = by_name(&evaluate(&f), "ruleset");
        assert_eq!(c.status, Level::Warn);
        assert!(
            c.reason
                .contains("1 line(s) only live (first: `tcp dport { 80, 443, 8443 } accept`)"),
            "{c:?}"
        );
        assert_eq!(
            c.hint.as_deref(),
            Some("social-nft-apply --persist /etc/social-hardening/firewall.nft")
        );
    }

    #[test]
    fn an_accept_policy_is_an_error() {
        let mut f = healthy();
        f.live = ok(&fixtures::NFT_SOCIAL_LIVE.replace(
            "hook input priority filter; policy drop;",
            "hook input priority filter; policy accept;",
        ));
        let checks = evaluate(&f);
        assert_eq!(by_name(&checks, "policy").status, Level::Error);
        assert_eq!(by_name(&checks, "ruleset").status, Level::Warn);
    }

    #[test]
    fn comparison_problems_and_pending_changes() {
        let mut f = healthy();
        f.expected = failed("unshare: unshare failed: Operation not permitted");
        assert_eq!(by_name(&evaluate(&f), "ruleset").status, Level::Warn);
        f.boot_file_exists = false;
        assert_eq!(by_name(&evaluate(&f), "ruleset").status, Level::Error);
        let mut f = healthy();
        f.pending = ok("pending: rolled back at 2026-01-01 10:00:00 (in 42s) unless confirmed\n");
        let c = by_name(&evaluate(&f), "pending");
        assert_eq!(c.status, Level::Warn);
        assert!(c.reason.contains("in 42s"), "{c:?}");
        f.live = Err(RunError::NotFound);
        f.pending = Err(RunError::NotFound);
        let checks = evaluate(&f);
        assert!(checks.iter().all(|c| c.status != Level::Ok), "{checks:#?}");
    }

    #[test]
    fn normalising_drops_elements_and_counters() {
        let listing = "set s {\n\ttype ipv4_addr\n\telements = { 1.2.3.4 timeout 1h expires 59m,\n\t\t     5.6.7.8 }\n}\n\tip saddr @s counter packets 3 bytes 180 drop\n";
        assert_eq!(
            normalise(listing),
            vec!["set s {", "type ipv4_addr", "}", "ip saddr @s counter drop"]
        );
    }
}
