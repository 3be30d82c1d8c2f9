//! Where connections come from: sockets passed by systemd (socket activation) or addresses
//! bound from the configuration.

use anyhow::Context as _;
use std::net::SocketAddr;

/// The TCP listeners passed by systemd (`LISTEN_PID` is this process, `LISTEN_FDS` ≥ 1; fds
/// 3…), non-blocking; `None` when the process was not socket-activated. Call before any
/// thread starts: it clears the `LISTEN_*` variables.
pub fn from_systemd() -> anyhow::Result<Option<Vec<std::net::TcpListener>>> {
    let ours = std::env::var("LISTEN_PID")
        .ok()
        .and_then(|p| p.parse::<u32>().ok())
        .is_some_and(|p| p == std::process::id());
    let count = std::env::var("LISTEN_FDS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok());
    let Some(count) = count.filter(|n| ours && *n > 0) else {
        return Ok(None);
    };
    let mut fds = listenfd::ListenFd::from_env();
    let mut listeners = Vec::with_capacity(count);
    for index in 0..fds.len() {
        let listener = fds
            .take_tcp_listener(index)
            .with_context(|| format!("socket-activation fd {} is not a TCP listener", index + 3))?
            .with_context(|| format!("socket-activation fd {} is missing", index + 3))?;
        listener
            .set_nonblocking(true)
            .context("making an activated socket non-blocking")?;
        listeners.push(listener);
    }
    Ok(Some(listeners))
}

/// Turns activated sockets into tokio listeners, or binds `addrs`.
pub async fn open(
    activated: Option<Vec<std::net::TcpListener>>,
    addrs: &[SocketAddr],
) -> anyhow::Result<Vec<tokio::net::TcpListener>> {
    if let Some(std_listeners) = activated {
        return std_listeners
            .into_iter()
            .map(|l| tokio::net::TcpListener::from_std(l).context("adopting an activated socket"))
            .collect();
    }
    let mut listeners = Vec::with_capacity(addrs.len());
    for addr in addrs {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        listeners.push(listener);
    }
    Ok(listeners)
}
