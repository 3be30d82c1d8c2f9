//! `socialctl install`: provisions a Debian 12 host through the bundled Ansible playbook
//! (being written).

/// Arguments of `socialctl install`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The host to provision over SSH, as USER@HOST[:PORT].
    #[arg(
        long,
        value_name = "USER@HOST",
        conflicts_with = "local",
        required_unless_present = "local"
    )]
    pub host: Option<String>,
    /// Provision this machine.
    #[arg(long)]
    pub local: bool,
}

/// Runs the installation; returns the exit status.
pub fn run(_args: &Args) -> anyhow::Result<i32> {
    anyhow::bail!("socialctl install: not implemented yet")
}
