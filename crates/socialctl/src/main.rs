//! `socialctl`, the social appliance's operator CLI. Skeleton: its verbs (install, status,
//! admin tasks, backup/restore) arrive in later issues; until then it answers `--help`,
//! `--version`, `completions SHELL` and (hidden, for packaging) `man`.

use clap::{CommandFactory as _, Parser, Subcommand};
use std::io::Write as _;

/// The social appliance's operator CLI.
///
/// The verbs (`install` to provision a Debian host, `status` to diagnose a running one, admin
/// tasks, backup and restore) arrive in later releases. Until then, manage a server with
/// `sociald` itself: `sociald --help`.
#[derive(Debug, Parser)]
#[command(name = "socialctl", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the shell completion script for SHELL (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) generated from this command line; used when packaging.
    #[command(hide = true)]
    Man,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut stdout = std::io::stdout().lock();
    match cli.command {
        None => Cli::command().print_long_help()?,
        Some(Command::Completions { shell }) => {
            clap_complete::generate(shell, &mut Cli::command(), "socialctl", &mut stdout);
        }
        Some(Command::Man) => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut page)?;
            stdout.write_all(&page)?;
        }
    }
    stdout.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn completions_name_the_program() {
        let mut out = Vec::new();
        clap_complete::generate(
            clap_complete::Shell::Bash,
            &mut Cli::command(),
            "socialctl",
            &mut out,
        );
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.contains("_socialctl()"), "{text}");
    }
}
