//! `socialctl status --host USER@HOST[:PORT]`: runs `socialctl status --json` there over SSH
//! and reads its report back; a host that cannot be reached or has no socialctl becomes one
//! `remote/ssh` error, so the output (and `--json`) keep their shape.

use super::probe::{Output, RunError};
use super::report::{Check, Report};

/// Split `USER@HOST[:PORT]` (also `USER@[V6ADDR]:PORT`) into the SSH destination and port.
pub fn parse_target(target: &str) -> Result<(String, Option<u16>), String> {
    let (user, host) = target
        .split_once('@')
        .filter(|(u, h)| !u.is_empty() && !h.is_empty())
        .ok_or_else(|| format!("--host {target}: expected USER@HOST[:PORT]"))?;
    let (host, port) = if let Some(rest) = host.strip_prefix('[') {
        let (addr, after) = rest
            .split_once(']')
            .ok_or_else(|| format!("--host {target}: unclosed ["))?;
        (addr, after.strip_prefix(':'))
    } else if host.matches(':').count() == 1 {
        let (h, p) = host.split_once(':').unwrap_or((host, ""));
        (h, Some(p))
    } else {
        (host, None)
    };
    let port = match port {
        Some(p) => Some(
            p.parse::<u16>()
                .map_err(|_| format!("--host {target}: bad port {p}"))?,
        ),
        None => None,
    };
    Ok((format!("{user}@{host}"), port))
}

/// ssh's arguments: the extra options first (`SOCIALCTL_SSH_OPTS`, split on spaces; ssh keeps
/// the first value of an option, so they override the defaults), then batch mode (no password
/// prompt), a connect timeout, host keys trusted on first use (as `socialctl install` does),
/// the key, the port, the destination and the remote command.
pub fn ssh_args(
    destination: &str,
    port: Option<u16>,
    key: Option<&str>,
    extra: &str,
) -> Vec<String> {
    ssh_args_running(destination, port, key, extra, "socialctl status --json")
}

/// As [`ssh_args`], with another remote command (a shell command line).
pub fn ssh_args_running(
    destination: &str,
    port: Option<u16>,
    key: Option<&str>,
    extra: &str,
    command: &str,
) -> Vec<String> {
    let mut args: Vec<String> = extra.split_whitespace().map(str::to_owned).collect();
    args.extend(
        [
            "-o",
            "BatchMode=yes",
            "-o",
            "ConnectTimeout=10",
            "-o",
            "StrictHostKeyChecking=accept-new",
        ]
        .iter()
        .map(|s| (*s).to_owned()),
    );
    if let Some(key) = key {
        args.extend(["-i".to_owned(), key.to_owned()]);
    }
    if let Some(p) = port {
        args.extend(["-p".to_owned(), p.to_string()]);
    }
    args.extend([destination.to_owned(), command.to_owned()]);
    args
}

/// How a person reaches the host: `ssh [-p PORT] USER@HOST`.
pub fn ssh_command(destination: &str, port: Option<u16>) -> String {
    match port {
        Some(p) => format!("ssh -p {p} {destination}"),
        None => format!("ssh {destination}"),
    }
}

/// The report from ssh's result; `ssh` is how to reach the host (`ssh -p 2222 root@host`).
pub fn evaluate(target: &str, ssh: &str, out: &Result<Output, RunError>) -> Report {
    let fail =
        |reason: String, hint: &str| Report::new(vec![Check::error("remote", "ssh", reason, hint)]);
    let reach = format!("{ssh} true");
    let out = match out {
        Ok(o) => o,
        Err(RunError::NotFound) => {
            return fail(
                "ssh is not installed here".into(),
                "apt install openssh-client",
            );
        }
        Err(e) => return fail(format!("ssh {target}: {e}"), &reach),
    };
    if let Ok(report) = Report::from_json(&out.stdout) {
        return report;
    }
    match out.code {
        Some(255) => fail(
            format!("cannot reach {target} over SSH: {}", out.first_message()),
            &reach,
        ),
        Some(127) => fail(
            format!("socialctl is not installed on {target}"),
            &format!("{ssh} apt install socialctl"),
        ),
        _ => fail(
            format!("{target}: socialctl status failed: {}", out.first_message()),
            &format!("{ssh} socialctl status"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::report::Level;

    #[test]
    fn targets_parse() {
        assert_eq!(
            parse_target("root@203.0.113.7"),
            Ok(("root@203.0.113.7".into(), None))
        );
        assert_eq!(
            parse_target("admin@host.example:2222"),
            Ok(("admin@host.example".into(), Some(2222)))
        );
        assert_eq!(
            parse_target("root@[2001:db8::1]:22"),
            Ok(("root@2001:db8::1".into(), Some(22)))
        );
        assert_eq!(
            parse_target("root@2001:db8::1"),
            Ok(("root@2001:db8::1".into(), None))
        );
        assert!(parse_target("host.example").is_err());
        assert!(parse_target("root@host:ssh").is_err());
    }

    #[test]
    fn ssh_runs_in_batch_mode_with_extra_options() {
        assert_eq!(
            ssh_args(
                "root@10.0.0.2",
                Some(2222),
                Some("/k"),
                " -o  StrictHostKeyChecking=no "
            ),
            vec![
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "BatchMode=yes",
                "-o",
                "ConnectTimeout=10",
                "-o",
                "StrictHostKeyChecking=accept-new",
                "-i",
                "/k",
                "-p",
                "2222",
                "root@10.0.0.2",
                "socialctl status --json"
            ]
        );
        assert_eq!(
            ssh_args("root@h", None, None, "")[6..],
            ["root@h", "socialctl status --json"]
        );
    }

    #[test]
    fn remote_results() {
        let json = Report::new(vec![Check::warn(
            "tls",
            "certificate",
            "expires in 9 days",
            "x",
        )])
        .to_json();
        let out = |code, stdout: &str, stderr: &str| {
            Ok(Output {
                code: Some(code),
                stdout: stdout.into(),
                stderr: stderr.into(),
            })
        };
        let r = evaluate("root@h", "ssh root@h", &out(1, &json, ""));
        assert_eq!(
            (r.exit_code(), r.checks[0].id().as_str()),
            (1, "tls/certificate")
        );
        let r = evaluate(
            "root@h",
            "ssh root@h",
            &out(
                255,
                "",
                "ssh: connect to host h port 22: Connection refused\n",
            ),
        );
        assert_eq!(
            (r.exit_code(), r.checks[0].id().as_str()),
            (2, "remote/ssh")
        );
        assert!(r.checks[0].reason.contains("Connection refused"));
        let r = evaluate(
            "root@h",
            "ssh root@h",
            &out(127, "", "bash: line 1: socialctl: command not found\n"),
        );
        assert_eq!(r.checks[0].reason, "socialctl is not installed on root@h");
        let r = evaluate(
            "u@h",
            "ssh u@h",
            &out(2, "", "socialctl status: run it as root\n"),
        );
        assert_eq!(
            (r.worst, r.checks[0].reason.as_str()),
            (
                Level::Error,
                "u@h: socialctl status failed: socialctl status: run it as root"
            )
        );
        assert_eq!(
            evaluate("u@h", "ssh u@h", &Err(RunError::NotFound)).exit_code(),
            2
        );
        let cmd = ssh_command("root@h", Some(2222));
        let r = evaluate(
            "root@h:2222",
            &cmd,
            &out(
                255,
                "",
                "ssh: connect to host h port 2222: Connection timed out\n",
            ),
        );
        assert_eq!(r.checks[0].hint.as_deref(), Some("ssh -p 2222 root@h true"));
    }
}
