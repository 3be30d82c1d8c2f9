//! Logging setup: structured events to the systemd journal when running under systemd
//! (`JOURNAL_STREAM` set), compact text on stderr otherwise. See docs/logging.md.

use crate::config::LogConfig;
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// Value of the journal's `SYSLOG_IDENTIFIER` field (what `journalctl -t` matches).
pub const SYSLOG_IDENTIFIER: &str = "sociald";

/// Installs the global subscriber. `force_stderr` is for the short-lived admin verbs, whose
/// messages belong on the operator's terminal.
pub fn init(config: &LogConfig, force_stderr: bool) -> anyhow::Result<()> {
    let filter = EnvFilter::builder()
        .parse(&config.level)
        .map_err(|e| anyhow::anyhow!("log.level {:?}: {e}", config.level))?;
    let journal = !force_stderr
        && match config.output.as_str() {
            "journal" => true,
            "stderr" => false,
            _ => std::env::var_os("JOURNAL_STREAM").is_some(),
        };
    let mut journal_error = None;
    if journal {
        match tracing_journald::layer() {
            Ok(layer) => {
                // No field prefix: a `remote_addr` field arrives as REMOTE_ADDR, which the
                // fail2ban filter and `journalctl REMOTE_ADDR=…` rely on.
                let layer = layer
                    .with_field_prefix(None)
                    .with_syslog_identifier(SYSLOG_IDENTIFIER.to_owned());
                return tracing_subscriber::registry()
                    .with(filter)
                    .with(layer)
                    .try_init()
                    .map_err(|e| anyhow::anyhow!("installing the journal logger: {e}"));
            }
            Err(e) => journal_error = Some(e),
        }
    }
    tracing_subscriber::fmt()
        .compact()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(filter)
        .try_init()
        .map_err(|e| anyhow::anyhow!("installing the logger: {e}"))?;
    if let Some(e) = journal_error {
        tracing::warn!(error = %e, "the systemd journal is not reachable; logging to stderr");
    }
    Ok(())
}
