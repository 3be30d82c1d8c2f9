//! `socialctl status`: diagnoses a running appliance. Each category gathers raw facts through
//! a `Probe` (commands with timeouts, files, local sockets), pure functions turn them into
//! checks (OK / WARN / ERROR, a reason, a fix), and the report is rendered for people or as
//! JSON. The check names are a contract (docs/status.md); to add a check, add an evaluator to
//! a category module (or a new module) and call it from `collect`.

mod context;
mod databases;
mod fail2ban;
mod firewall;
#[cfg(test)]
mod fixtures;
mod listeners;
mod postgresql;
mod probe;
mod redis;
pub(crate) mod remote;
mod render;
mod report;
mod resources;
mod sociald;
mod tls;
mod units;

use context::Context;
use probe::{Probe, System};
use report::Report;
use std::io::IsTerminal as _;
use std::time::Duration;

/// Arguments of `socialctl status`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Exit status: 0 all OK, 1 a warning, 2 an error (also: not root, host unreachable).
Run as root on the appliance host, or from anywhere with --host (the remote user must be
root; its host key is trusted on first use). Extra ssh options, which take precedence:
SOCIALCTL_SSH_OPTS=\"-o ProxyJump=bastion -o StrictHostKeyChecking=yes\".
The checks and their names: docs/status.md.")]
pub struct Args {
    /// Check this host over SSH (runs `socialctl status --json` there) instead of this one.
    #[arg(long, value_name = "USER@HOST[:PORT]")]
    pub host: Option<String>,
    /// SSH private key for --host.
    #[arg(long, value_name = "FILE", requires = "host")]
    pub ssh_key: Option<std::path::PathBuf>,
    /// Print the results as JSON: {"worst": …, "checks": [{category, name, status, reason, hint}]}.
    #[arg(long)]
    pub json: bool,
}

/// Runs the checks; returns the exit status (0 all OK, 1 a warning, 2 an error).
pub fn run(args: &Args) -> anyhow::Result<i32> {
    let (report, host) = match &args.host {
        Some(target) => {
            let (destination, port) = remote::parse_target(target).map_err(anyhow::Error::msg)?;
            let extra = std::env::var("SOCIALCTL_SSH_OPTS").unwrap_or_default();
            let key = args.ssh_key.as_ref().map(|k| k.display().to_string());
            if let Some(k) = &args.ssh_key {
                anyhow::ensure!(k.is_file(), "--ssh-key {}: no such file", k.display());
            }
            let ssh_args = remote::ssh_args(&destination, port, key.as_deref(), &extra);
            let ssh_args: Vec<&str> = ssh_args.iter().map(String::as_str).collect();
            // The remote run's own probes are bounded (fail2ban's four calls alone up to 30 s
            // each); this bounds the whole run.
            let out = System.run("ssh", &ssh_args, Duration::from_secs(300));
            let ssh = remote::ssh_command(&destination, port);
            (remote::evaluate(target, &ssh, &out), target.clone())
        }
        None => {
            if !is_root(&std::fs::read_to_string("/proc/self/status").unwrap_or_default()) {
                eprintln!(
                    "socialctl status: must run as root on the appliance host (sudo socialctl \
                     status): it reads the firewall, fail2ban and sociald's credentials"
                );
                return Ok(2);
            }
            let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
                .map_or_else(|_| "this host".to_owned(), |h| h.trim().to_owned());
            (collect(&System), host)
        }
    };
    if args.json {
        println!("{}", report.to_json());
    } else {
        let stdout = std::io::stdout();
        let colour = render::use_colour(
            stdout.is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        );
        print!("{}", render::human(&report, &host, colour));
    }
    Ok(report.exit_code())
}

/// Effective uid 0, from the `Uid:` line of `/proc/self/status` (real, effective, …).
fn is_root(proc_status: &str) -> bool {
    proc_status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        == Some("0")
}

/// Every check, in the documented order. Units are read first: the `sociald/readyz` request
/// may start a socket-activated sociald, and the units check reports the state before it.
pub fn collect(p: &dyn Probe) -> Report {
    let ctx = Context::load(p);
    let mut checks = units::checks(p, &ctx);
    let later: Vec<Box<dyn Fn() -> Vec<report::Check> + Sync + '_>> = vec![
        Box::new(|| listeners::checks(p, &ctx)),
        Box::new(|| sociald::checks(p, &ctx)),
        Box::new(|| tls::checks(p, &ctx)),
        Box::new(|| firewall::checks(p)),
        Box::new(|| fail2ban::checks(p)),
        Box::new(|| databases::checks(p, &ctx)),
        Box::new(|| postgresql::checks(p, &ctx)),
        Box::new(|| redis::checks(p, &ctx)),
        Box::new(|| resources::checks(p)),
    ];
    // The categories are independent: run them side by side, keep their order.
    let results: Vec<Vec<report::Check>> = std::thread::scope(|s| {
        let handles: Vec<_> = later.iter().map(|f| s.spawn(f)).collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    let hint = "report this as a bug of socialctl";
                    vec![report::Check::error(
                        "status",
                        "internal",
                        "a check panicked",
                        hint,
                    )]
                })
            })
            .collect()
    });
    checks.extend(results.into_iter().flatten());
    Report::new(checks)
}

#[cfg(test)]
mod tests;
