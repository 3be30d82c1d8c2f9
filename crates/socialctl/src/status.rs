//! `socialctl status`: checks a running appliance (being written).

/// Arguments of `socialctl status`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Check this host over SSH (USER@HOST) instead of the local one.
    #[arg(long, value_name = "USER@HOST")]
    pub host: Option<String>,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs the checks; returns the exit status (0 all OK, 1 a warning, 2 an error).
pub fn run(_args: &Args) -> anyhow::Result<i32> {
    anyhow::bail!("socialctl status: not implemented yet")
}
