//! The command line of `sociald` (clap derive): `serve`, `admin …` and `config …`.

use crate::config::Overrides;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// Server of the social appliance, a self-hosted social network.
#[derive(Debug, Parser)]
#[command(name = "sociald", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the site (migrates the database first).
    Serve(ServeArgs),
    /// Administrative tasks on the database (run on the server).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Configuration tools.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// The HTTPS certificate.
    #[command(subcommand)]
    Tls(TlsCommand),
    /// Print the man page (roff) generated from this command line; used when packaging.
    #[command(hide = true)]
    Man,
}

/// Where the configuration and the database are; shared by `serve` and the admin verbs.
#[derive(Clone, Debug, Default, Args)]
pub struct StoreArgs {
    /// Configuration file (must exist). Default: /etc/social/sociald.toml when it exists.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// State directory (overrides server.data_dir).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Database URL (overrides database.url and SOCIAL_DATABASE_URL).
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// Listen on ADDR:PORT (repeatable; replaces server.listen). Port 0 picks a free port.
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Vec<SocketAddr>,
    /// Serve HTTPS on ADDR:PORT (repeatable; replaces tls.listen). Port 0 picks a free port.
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen_https: Vec<SocketAddr>,
    /// Redis URL (overrides redis.url and SOCIAL_REDIS_URL).
    #[arg(long, value_name = "URL")]
    pub redis_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an active account. The password is prompted twice (without echo) on a
    /// terminal, otherwise read as one line from standard input.
    CreateUser(CreateUserArgs),
    /// Set who may sign up: open, approval, invite or closed.
    SetRegistration(SetRegistrationArgs),
    /// The open reports, newest first (the moderation queue).
    Reports(ListArgs),
    /// One moderator action on an account, optionally through a report: dismiss,
    /// delete_posts, mark_sensitive, limit, unlimit, suspend, unsuspend, warn.
    Act(ActArgs),
    /// The audit log, newest first.
    Audit(ListArgs),
    /// Invite codes (staff).
    #[command(subcommand)]
    Invites(InviteCommand),
    /// Sign-up blocks by IP address or network (admins).
    #[command(subcommand)]
    IpBlocks(IpBlockCommand),
    /// Sign-up blocks by e-mail domain (admins).
    #[command(subcommand)]
    EmailBlocks(EmailBlockCommand),
}

/// A listing: a table, or `--json` (one JSON array) for scripts and `socialctl admin`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print one JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
    /// At most this many entries, newest or oldest first as the listing says (1 to 40).
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(1..=40))]
    pub limit: u32,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Who acts: the audit log names them, and their role must allow the action.
#[derive(Debug, Args)]
pub struct Actor {
    /// The moderator's or admin's username the action is recorded under.
    #[arg(long = "as", value_name = "USERNAME")]
    pub actor: String,
}

#[derive(Debug, Args)]
pub struct ActArgs {
    #[command(flatten)]
    pub actor: Actor,
    /// The account acted on (username).
    #[arg(long)]
    pub account: String,
    /// The action (see above).
    #[arg(long)]
    pub action: String,
    /// Why: required, written to the audit log.
    #[arg(long)]
    pub reason: String,
    /// The report this resolves (required for dismiss and delete_posts).
    #[arg(long)]
    pub report: Option<i64>,
    /// What the account is told (required for warn).
    #[arg(long, default_value = "")]
    pub message: String,
    /// Print the audit entry as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum InviteCommand {
    /// Create an invite code; prints it.
    Create(InviteCreateArgs),
    /// List the invite codes.
    List(ListArgs),
    /// Delete an invite code.
    Delete(CodeArgs),
}

#[derive(Debug, Args)]
pub struct InviteCreateArgs {
    #[command(flatten)]
    pub actor: Actor,
    /// How many sign-ups it allows (default: unlimited).
    #[arg(long)]
    pub max_uses: Option<u32>,
    /// Days until it expires (default: never).
    #[arg(long)]
    pub expires_days: Option<u32>,
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct CodeArgs {
    #[command(flatten)]
    pub actor: Actor,
    /// The invite code, or the block's ID or domain.
    pub key: String,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum IpBlockCommand {
    /// Block sign-ups from an address or CIDR network (such as 203.0.113.0/24).
    Add(BlockAddArgs),
    /// List the blocks in force.
    List(ListArgs),
    /// Lift a block by its ID.
    Delete(CodeArgs),
}

#[derive(Debug, Subcommand)]
pub enum EmailBlockCommand {
    /// Block sign-ups with addresses in a domain (or whose mail servers are in it).
    Add(BlockAddArgs),
    /// List the blocked domains.
    List(ListArgs),
    /// Lift the block of a domain.
    Delete(CodeArgs),
}

#[derive(Debug, Args)]
pub struct BlockAddArgs {
    #[command(flatten)]
    pub actor: Actor,
    /// The network (IP blocks) or the domain (e-mail blocks).
    pub target: String,
    /// A note for the other admins.
    #[arg(long, default_value = "")]
    pub note: String,
    /// IP blocks: days until the block ends (default: until deleted).
    #[arg(long)]
    pub expires_days: Option<u32>,
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct CreateUserArgs {
    /// The username (letters, digits, underscore; at most 30).
    pub name: String,
    /// Make the account an admin.
    #[arg(long, conflicts_with = "moderator")]
    pub admin: bool,
    /// Make the account a moderator.
    #[arg(long)]
    pub moderator: bool,
    /// Read the password as one line from standard input even on a terminal.
    #[arg(long)]
    pub password_stdin: bool,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct SetRegistrationArgs {
    /// open | approval | invite | closed
    #[arg(value_name = "MODE")]
    pub mode: social_core::RegistrationMode,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum TlsCommand {
    /// Show the certificate served (subject, issuer, validity), the next renewal and the
    /// last error. Exit status 1 when no valid certificate is in place.
    Status(TlsStatusArgs),
}

#[derive(Debug, Args)]
pub struct TlsStatusArgs {
    /// Print one JSON object (for `socialctl status` and monitoring).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check a configuration file: prints `FILE: ok`, or the error naming the key (exit 1).
    Check {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Print the commented example configuration (every key with its default).
    Example,
}

impl StoreArgs {
    /// The flags as configuration overrides.
    pub fn overrides(&self) -> Overrides {
        Overrides {
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
            ..Overrides::default()
        }
    }
}

/// The man page of `sociald` (section 8: a system daemon), with every subcommand, rendered
/// as roff from the real command line.
pub fn man_page(out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use clap::CommandFactory as _;
    use std::io::Write as _;
    let command = Cli::command();
    let man = clap_mangen::Man::new(command.clone()).section("8");
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    render_subcommands(&command, "sociald", &mut page)?;
    man.render_version_section(&mut page)?;
    writeln!(page, ".SH FILES")?;
    writeln!(page, ".TP\n/etc/social/sociald.toml")?;
    writeln!(page, "Configuration (see \\fBsociald config example\\fR).")?;
    writeln!(
        page,
        ".TP\n/var/lib/social\nState directory (the SQLite database by default)."
    )?;
    writeln!(page, ".SH \"SEE ALSO\"")?;
    writeln!(page, "\\fBsocialctl\\fR(1), \\fBsystemd.socket\\fR(5)")?;
    // clap_mangen repeats its quote-string preamble in every part: keep the first one.
    let text = String::from_utf8_lossy(&page);
    let mut preamble_seen = 0;
    for line in text.lines() {
        if line.starts_with(".ie \\n(.g .ds Aq") || line.starts_with(".el .ds Aq") {
            preamble_seen += 1;
            if preamble_seen > 2 {
                continue;
            }
        }
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// One `.SH` section per visible subcommand (recursively), with its options.
fn render_subcommands(
    command: &clap::Command,
    prefix: &str,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("{prefix} {}", sub.get_name());
        if sub.has_subcommands() {
            render_subcommands(sub, &name, out)?;
            continue;
        }
        writeln!(out, ".SH \"{}\"", name.to_uppercase())?;
        let man = clap_mangen::Man::new(sub.clone().bin_name(name));
        let mut part = Vec::new();
        man.render_synopsis_section(&mut part)?;
        man.render_description_section(&mut part)?;
        man.render_options_section(&mut part)?;
        out.write_all(nest_sections(&String::from_utf8_lossy(&part)).as_bytes())?;
    }
    Ok(())
}

/// Turns clap_mangen's section headings (`.SH`) into subsections (`.SS`) so a subcommand's
/// parts nest under its own heading.
fn nest_sections(roff: &str) -> String {
    roff.lines()
        .map(|line| match line.strip_prefix(".SH ") {
            Some(title) => format!(".SS {title}\n"),
            None => format!("{line}\n"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn man_page_covers_every_verb() {
        let mut out = Vec::new();
        man_page(&mut out).expect("renders");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(
            text.starts_with(".ie") || text.contains(".TH sociald 8"),
            "{text}"
        );
        for verb in [
            "SOCIALD SERVE",
            "SOCIALD ADMIN CREATE-USER",
            "SOCIALD CONFIG CHECK",
        ] {
            assert!(text.contains(verb), "{verb} missing");
        }
        assert!(
            !text.contains("SOCIALD MAN"),
            "the hidden verb is not documented"
        );
    }
}
