//! `socialctl`, the social appliance's operator CLI. Skeleton: its verbs (install, status,
//! admin tasks, backup/restore) arrive in later issues; until then it only answers `--help`
//! and `--version`.

use clap::{CommandFactory as _, Parser};

/// The social appliance's operator CLI.
///
/// The verbs (`install` to provision a Debian host, `status` to diagnose a running one, admin
/// tasks, backup and restore) arrive in later releases. Until then, manage a server with
/// `sociald` itself: `sociald --help`.
#[derive(Debug, Parser)]
#[command(name = "socialctl", version, about, long_about)]
struct Cli {}

fn main() -> anyhow::Result<()> {
    let _cli = Cli::parse();
    Cli::command().print_long_help()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }
}
