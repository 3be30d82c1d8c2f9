//! The command line of `sociald` (clap derive): `serve`, `admin …` and `config …`.

use crate::config::Overrides;
use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

/// The social appliance's server.
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

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }
}
