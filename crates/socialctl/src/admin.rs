//! `socialctl admin ARGS…`: the moderation verbs of `sociald admin` for headless servers, run
//! on this host or, with `--host`, over SSH (the database is reachable only there). The
//! verbs' output, `--json` included, and their exit status pass through unchanged.

use crate::status::remote;
use anyhow::{Context as _, ensure};
use std::process::Command;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Run it on this host over SSH (as the user given, normally root).
    #[arg(long, value_name = "USER@HOST[:PORT]")]
    pub host: Option<String>,
    /// SSH private key for --host.
    #[arg(long, value_name = "FILE", requires = "host")]
    pub ssh_key: Option<std::path::PathBuf>,
    /// The `sociald admin` verb and its arguments.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        required = true,
        value_name = "VERB"
    )]
    pub args: Vec<String>,
}

/// The `sociald` to run locally: `SOCIALCTL_SOCIALD`, else `sociald` from PATH.
fn sociald() -> String {
    std::env::var("SOCIALCTL_SOCIALD").unwrap_or_else(|_| "sociald".to_owned())
}

/// One word for a POSIX shell: single-quoted, with `'` written as `'\''`.
pub fn shell_quote(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@,+".contains(c))
    {
        return word.to_owned();
    }
    format!("'{}'", word.replace('\'', r"'\''"))
}

/// The remote command line: `sociald admin` and the quoted arguments.
pub fn remote_command(args: &[String]) -> String {
    let mut line = String::from("sociald admin");
    for a in args {
        line.push(' ');
        line.push_str(&shell_quote(a));
    }
    line
}

/// Runs the verb; returns its exit status.
pub fn run(args: &Args) -> anyhow::Result<i32> {
    let mut command = match &args.host {
        Some(target) => {
            let (destination, port) = remote::parse_target(target).map_err(anyhow::Error::msg)?;
            if let Some(k) = &args.ssh_key {
                ensure!(k.is_file(), "--ssh-key {}: no such file", k.display());
            }
            let key = args.ssh_key.as_ref().map(|k| k.display().to_string());
            let extra = std::env::var("SOCIALCTL_SSH_OPTS").unwrap_or_default();
            let ssh = remote::ssh_args_running(
                &destination,
                port,
                key.as_deref(),
                &extra,
                &remote_command(&args.args),
            );
            let mut c = Command::new("ssh");
            c.args(ssh);
            c
        }
        None => {
            let mut c = Command::new(sociald());
            c.arg("admin").args(&args.args);
            c
        }
    };
    let status = command
        .status()
        .with_context(|| format!("running {command:?}"))?;
    Ok(status.code().unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_quoted_for_the_remote_shell() {
        assert_eq!(shell_quote("reports"), "reports");
        assert_eq!(shell_quote("--json"), "--json");
        assert_eq!(shell_quote("203.0.113.0/24"), "203.0.113.0/24");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("spam links"), "'spam links'");
        assert_eq!(shell_quote("it's; rm -rf /"), r"'it'\''s; rm -rf /'");
        assert_eq!(
            remote_command(&["act".into(), "--reason".into(), "$(reboot)".into()]),
            "sociald admin act --reason '$(reboot)'"
        );
    }
}
