//! `fail2ban/jails`: every jail enabled in the appliance's jail file runs; its bans counted.

use super::probe::{Output, Probe, RunError};
use super::report::Check;
use std::time::Duration;

const CAT: &str = "fail2ban";
pub const JAIL_FILE: &str = "/etc/fail2ban/jail.d/social.conf";
/// fail2ban-client is a Python program: on a loaded small host (or an emulated one) it has
/// been seen to take more than 10 s to answer while fail2ban itself was fine.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Jails of an INI jail file whose `enabled` is true.
pub fn enabled_jails(ini: &str) -> Vec<String> {
    let mut jails = Vec::new();
    let mut section: Option<String> = None;
    let mut enabled = false;
    let close = |section: &Option<String>, enabled: bool, jails: &mut Vec<String>| {
        if let Some(s) = section
            .as_ref()
            .filter(|s| enabled && !matches!(s.as_str(), "DEFAULT" | "INCLUDES"))
        {
            jails.push(s.clone());
        }
    };
    for line in ini.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            close(&section, enabled, &mut jails);
            section = Some(name.trim().to_owned());
            enabled = false;
        } else if let Some((k, v)) = line.split_once('=')
            && k.trim() == "enabled"
        {
            enabled = matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "true" | "yes" | "1" | "on"
            );
        }
    }
    close(&section, enabled, &mut jails);
    jails
}

/// `fail2ban-client status`: the `Jail list:` line.
pub fn running_jails(status: &str) -> Option<Vec<String>> {
    let list = status.lines().find_map(|l| l.split_once("Jail list:"))?.1;
    Some(
        list.split(',')
            .map(|j| j.trim().to_owned())
            .filter(|j| !j.is_empty())
            .collect(),
    )
}

/// `fail2ban-client status JAIL`: `Currently banned:`.
pub fn currently_banned(status: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.split_once("Currently banned:"))
        .and_then(|(_, n)| n.trim().parse().ok())
}

pub fn checks(p: &dyn Probe) -> Vec<Check> {
    let expected = p
        .read(JAIL_FILE)
        .map(|t| enabled_jails(&t))
        .map_err(|e| e.to_string());
    let status = p.run("fail2ban-client", &["status"], TIMEOUT);
    let running = status
        .as_ref()
        .ok()
        .and_then(|o| running_jails(&o.stdout))
        .unwrap_or_default();
    let bans: Vec<(String, Option<u64>)> = running
        .iter()
        .map(|j| {
            let out = p.run("fail2ban-client", &["status", j], TIMEOUT);
            (
                j.clone(),
                out.ok().and_then(|o| currently_banned(&o.stdout)),
            )
        })
        .collect();
    vec![evaluate(&expected, &status, &bans)]
}

pub fn evaluate(
    expected: &Result<Vec<String>, String>,
    status: &Result<Output, RunError>,
    bans: &[(String, Option<u64>)],
) -> Check {
    const NAME: &str = "jails";
    let restart = "systemctl restart fail2ban; journalctl -u fail2ban -b -n 30 --no-pager";
    let expected = match expected {
        Ok(e) => e,
        Err(e) => {
            return Check::error(
                CAT,
                NAME,
                format!("cannot read {JAIL_FILE}: {e}"),
                "apt install --reinstall social-hardening",
            );
        }
    };
    let status = match status {
        Ok(o) if o.success() => o,
        Ok(o) => {
            return Check::error(
                CAT,
                NAME,
                format!("fail2ban does not answer: {}", o.first_message()),
                restart,
            );
        }
        Err(RunError::NotFound) => {
            return Check::error(
                CAT,
                NAME,
                "fail2ban is not installed",
                "apt install social-hardening",
            );
        }
        Err(e) => return Check::error(CAT, NAME, format!("fail2ban-client status: {e}"), restart),
    };
    let running = running_jails(&status.stdout).unwrap_or_default();
    let missing: Vec<&String> = expected.iter().filter(|j| !running.contains(j)).collect();
    let counts: Vec<String> = bans
        .iter()
        .map(|(j, n)| match n {
            Some(n) => format!("{j} {n} banned"),
            None => format!("{j} ? banned"),
        })
        .collect();
    if !missing.is_empty() {
        let missing: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
        return Check::error(
            CAT,
            NAME,
            format!(
                "jail(s) not running: {} (running: {})",
                missing.join(", "),
                if running.is_empty() {
                    "none".into()
                } else {
                    running.join(", ")
                }
            ),
            "fail2ban-client -t; systemctl reload fail2ban",
        );
    }
    if counts.is_empty() {
        return Check::warn(
            CAT,
            NAME,
            "fail2ban runs no jail",
            "fail2ban-client -t; systemctl reload fail2ban",
        );
    }
    Check::ok(CAT, NAME, counts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::fixtures;
    use crate::status::report::Level;

    const SHIPPED: &str = include_str!("../../../../fail2ban/jail.d/social.conf");

    fn ok(stdout: &str) -> Result<Output, RunError> {
        Ok(Output {
            code: Some(0),
            stdout: stdout.into(),
            stderr: String::new(),
        })
    }

    #[test]
    fn the_shipped_jail_file_enables_three_jails() {
        assert_eq!(enabled_jails(SHIPPED), vec!["sociald", "sshd", "recidive"]);
        assert_eq!(
            enabled_jails("[a]\nenabled = false\n[b]\nenabled=yes\n[DEFAULT]\nenabled = true"),
            vec!["b"]
        );
    }

    #[test]
    fn client_output_parses() {
        assert_eq!(
            running_jails(fixtures::F2B_STATUS),
            Some(vec!["recidive".into(), "sociald".into(), "sshd".into()])
        );
        assert_eq!(currently_banned(fixtures::F2B_STATUS_SSHD), Some(1));
        assert_eq!(currently_banned(fixtures::F2B_STATUS_SOCIALD), Some(1));
    }

    #[test]
    fn jails_evaluate() {
        let expected = Ok(enabled_jails(SHIPPED));
        let bans = vec![
            ("recidive".into(), Some(0)),
            ("sociald".into(), Some(1)),
            ("sshd".into(), Some(2)),
        ];
        let c = evaluate(&expected, &ok(fixtures::F2B_STATUS), &bans);
        assert_eq!(
            (c.status, c.reason.as_str()),
            (
                Level::Ok,
                "recidive 0 banned, sociald 1 banned, sshd 2 banned"
            )
        );
        let two = "Status\n|- Number of jail:\t2\n`- Jail list:\trecidive, sshd\n";
        let c = evaluate(&expected, &ok(two), &bans[..1]);
        assert_eq!(c.status, Level::Error);
        assert!(
            c.reason.starts_with("jail(s) not running: sociald"),
            "{c:?}"
        );
        let down = Ok(Output {
            code: Some(255),
            stdout: String::new(),
            stderr: "ERROR   Failed to access socket path: /var/run/fail2ban/fail2ban.sock. Is fail2ban running?\n".into(),
        });
        let c = evaluate(&expected, &down, &[]);
        assert_eq!(c.status, Level::Error);
        assert!(c.reason.contains("Is fail2ban running?"), "{c:?}");
        assert_eq!(
            evaluate(&expected, &Err(RunError::NotFound), &[]).status,
            Level::Error
        );
    }
}
