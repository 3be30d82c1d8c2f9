//! `socialctl`, the social appliance's operator CLI: `install` provisions a Debian host through
//! the bundled Ansible playbook, `status` diagnoses a running one; `completions SHELL` and
//! (hidden, for packaging) `man`.

mod admin;
mod install;
mod status;

use clap::{CommandFactory as _, Parser, Subcommand};
use std::io::Write as _;

/// Operator CLI of the social appliance.
///
/// `socialctl install` provisions a fresh Debian 12 host (or this one) through the bundled
/// Ansible playbook; `socialctl status` tells what is wrong on a running one. Administrative
/// tasks on the database: `sociald admin --help` on the server.
#[derive(Debug, Parser)]
#[command(name = "socialctl", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Provision a Debian 12 host (over SSH, or this one) with the social appliance.
    Install(Box<install::Args>),
    /// Check a running appliance: units, listeners, TLS, firewall, fail2ban, databases, disk.
    Status(status::Args),
    /// Moderation from the command line: runs `sociald admin ARGS…` on the server (this host,
    /// or --host over SSH), e.g. `socialctl admin reports --json`, `socialctl admin act --as
    /// NAME --account NAME --action suspend --reason TEXT`, `invites`, `ip-blocks`,
    /// `email-blocks`, `audit`. `sociald admin --help` lists the verbs.
    Admin(admin::Args),
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
        // Both verbs choose their exit status (0 OK, 1 and 2 by the worst finding).
        Some(Command::Install(args)) => {
            drop(stdout);
            std::process::exit(install::run(&args)?);
        }
        Some(Command::Admin(args)) => {
            drop(stdout);
            std::process::exit(admin::run(&args)?);
        }
        Some(Command::Status(args)) => {
            drop(stdout);
            std::process::exit(status::run(&args)?);
        }
        None => Cli::command().print_long_help()?,
        Some(Command::Completions { shell }) => {
            clap_complete::generate(shell, &mut Cli::command(), "socialctl", &mut stdout);
        }
        Some(Command::Man) => stdout.write_all(&man_page()?)?,
    }
    stdout.flush()?;
    Ok(())
}

/// The man page: clap_mangen's sections, with the verbs described on the page itself (clap's
/// default points at one page per verb, `socialctl-completions(1)`, which we do not ship).
fn man_page() -> std::io::Result<Vec<u8>> {
    let command = Cli::command();
    let man = clap_mangen::Man::new(command.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    writeln!(page, ".SH COMMANDS")?;
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let args: Vec<String> = sub
            .get_positionals()
            .filter_map(|a| a.get_value_names().map(|n| n.join(" ")))
            .collect();
        writeln!(page, ".TP")?;
        writeln!(
            page,
            "\\fBsocialctl {}\\fR {}",
            sub.get_name(),
            args.join(" ")
        )?;
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        writeln!(page, "{}", about.replace('\\', "\\\\").replace('-', "\\-"))?;
    }
    man.render_version_section(&mut page)?;
    writeln!(page, ".SH \"SEE ALSO\"")?;
    writeln!(page, "\\fBsociald\\fR(8)")?;
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn man_page_describes_each_verb_on_the_page() {
        let text = String::from_utf8(man_page().expect("renders")).expect("utf-8");
        assert!(text.contains(".TH socialctl 1"), "{text}");
        assert!(
            text.contains("\\fBsocialctl completions\\fR SHELL"),
            "{text}"
        );
        assert!(!text.contains("socialctl\\-completions(1)"), "{text}");
        assert!(
            !text.contains("socialctl man"),
            "hidden verbs stay hidden: {text}"
        );
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
