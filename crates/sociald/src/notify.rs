//! systemd service notifications (sd_notify): READY, STATUS, STOPPING and watchdog pings.
//! Without `NOTIFY_SOCKET` every call is a no-op.

use sd_notify::NotifyState;
use social_store::Store;
use std::time::Duration;

fn send(states: &[NotifyState]) {
    if let Err(e) = sd_notify::notify(false, states) {
        tracing::warn!(error = %e, "sd_notify failed");
    }
}

/// `READY=1` with a human status line (shown by `systemctl status`).
pub fn ready(status: &str) {
    send(&[NotifyState::Ready, NotifyState::Status(status)]);
}

/// `STOPPING=1`: shutdown has begun.
pub fn stopping(status: &str) {
    send(&[NotifyState::Stopping, NotifyState::Status(status)]);
}

/// Half the watchdog period when systemd asked for pings (`WATCHDOG_USEC`), else `None`.
/// Like libsystemd's `sd_watchdog_enabled`, `WATCHDOG_PID` is only checked when set (the
/// sd-notify crate insists on it, which a plain `WATCHDOG_USEC=…` in a test would fail).
pub fn watchdog_interval() -> Option<Duration> {
    let usec = std::env::var("WATCHDOG_USEC")
        .ok()?
        .parse::<u64>()
        .ok()
        .filter(|u| *u > 0)?;
    if let Ok(pid) = std::env::var("WATCHDOG_PID")
        && pid.parse::<u32>().ok() != Some(std::process::id())
    {
        return None;
    }
    Some(Duration::from_micros(usec) / 2)
}

/// Pings `WATCHDOG=1` every `interval` while the store answers: a hung database stops the
/// pings, and systemd restarts the service.
pub async fn watchdog(store: Store, interval: Duration) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match tokio::time::timeout(interval, store.ping()).await {
            Ok(Ok(())) => send(&[NotifyState::Watchdog]),
            Ok(Err(e)) => tracing::warn!(error = %e, "watchdog: the database does not answer"),
            Err(_) => tracing::warn!("watchdog: the database ping timed out"),
        }
    }
}
