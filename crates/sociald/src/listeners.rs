//! Where connections come from: sockets passed by systemd (socket activation, named through
//! `LISTEN_FDNAMES`) or addresses bound from the configuration.

use anyhow::Context as _;
use std::net::SocketAddr;

/// What sociald does with an activated socket, decided by its `FileDescriptorName=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// `http`, unnamed (systemd's default name `unknown`, or the socket unit's name) or
    /// anything not known: plain HTTP.
    Http,
    /// `https`: served with TLS; held open but never accepted when TLS is off.
    Https,
}

impl Role {
    /// The role of a socket with this `LISTEN_FDNAMES` entry.
    pub fn of_name(name: &str) -> Self {
        if name == "https" {
            Self::Https
        } else {
            Self::Http
        }
    }
}

/// The sockets systemd passed, split by role.
#[derive(Debug, Default)]
pub struct Activated {
    /// Served as plain HTTP.
    pub http: Vec<std::net::TcpListener>,
    /// Named `https`: served with TLS, or (TLS off) kept open so nothing else can take the
    /// port, but not accepted.
    pub https: Vec<std::net::TcpListener>,
}

/// The TCP listeners passed by systemd (`LISTEN_PID` is this process, `LISTEN_FDS` ≥ 1; fds
/// 3…, named by `LISTEN_FDNAMES`), non-blocking; `None` when the process was not
/// socket-activated. Call before any thread starts: it clears the `LISTEN_*` variables.
pub fn from_systemd() -> anyhow::Result<Option<Activated>> {
    let ours = std::env::var("LISTEN_PID")
        .ok()
        .and_then(|p| p.parse::<u32>().ok())
        .is_some_and(|p| p == std::process::id());
    let count = std::env::var("LISTEN_FDS")
        .ok()
        .and_then(|n| n.parse::<usize>().ok());
    // Read before listenfd clears the LISTEN_* variables.
    let names = std::env::var("LISTEN_FDNAMES").unwrap_or_default();
    let Some(count) = count.filter(|n| ours && *n > 0) else {
        return Ok(None);
    };
    let names = fd_names(&names, count);
    let mut fds = listenfd::ListenFd::from_env();
    let mut activated = Activated::default();
    for (index, name) in names.iter().enumerate().take(fds.len()) {
        let listener = fds
            .take_tcp_listener(index)
            .with_context(|| format!("socket-activation fd {} is not a TCP listener", index + 3))?
            .with_context(|| format!("socket-activation fd {} is missing", index + 3))?;
        listener
            .set_nonblocking(true)
            .context("making an activated socket non-blocking")?;
        match Role::of_name(name) {
            Role::Http => activated.http.push(listener),
            Role::Https => activated.https.push(listener),
        }
    }
    Ok(Some(activated))
}

/// One name per fd: the colon-separated `LISTEN_FDNAMES`, padded with `unknown` (systemd's
/// name for an unnamed fd) when it is shorter than `LISTEN_FDS` or absent.
pub fn fd_names(listen_fdnames: &str, count: usize) -> Vec<String> {
    let mut names: Vec<String> = if listen_fdnames.is_empty() {
        Vec::new()
    } else {
        listen_fdnames.split(':').map(str::to_owned).collect()
    };
    names.resize(count, "unknown".to_owned());
    names
}

/// The listeners to serve: plain HTTP ones ready for tokio, and HTTPS ones still std (the
/// caller serves them with TLS, or holds them when TLS is off).
#[derive(Debug)]
pub struct Opened {
    pub http: Vec<tokio::net::TcpListener>,
    pub https: Vec<std::net::TcpListener>,
}

/// Turns activated sockets into listeners, or binds `addrs` (plain) and `https_addrs`.
pub async fn open(
    activated: Option<Activated>,
    addrs: &[SocketAddr],
    https_addrs: &[SocketAddr],
) -> anyhow::Result<Opened> {
    if let Some(activated) = activated {
        let http = activated
            .http
            .into_iter()
            .map(|l| tokio::net::TcpListener::from_std(l).context("adopting an activated socket"))
            .collect::<anyhow::Result<Vec<_>>>()?;
        return Ok(Opened {
            http,
            https: activated.https,
        });
    }
    let mut http = Vec::with_capacity(addrs.len());
    for addr in addrs {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        http.push(listener);
    }
    let mut https = Vec::with_capacity(https_addrs.len());
    for addr in https_addrs {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr} (HTTPS)"))?
            .into_std()
            .context("converting a listener")?;
        https.push(listener);
    }
    Ok(Opened { http, https })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_split_and_padded() {
        assert_eq!(fd_names("http:https", 2), ["http", "https"]);
        assert_eq!(fd_names("", 2), ["unknown", "unknown"]);
        assert_eq!(fd_names("http", 3), ["http", "unknown", "unknown"]);
        assert_eq!(fd_names("http:https:extra", 2), ["http", "https"]);
    }

    #[test]
    fn only_https_is_held_back() {
        assert_eq!(Role::of_name("https"), Role::Https);
        for name in ["http", "unknown", "sociald.socket", ""] {
            assert_eq!(Role::of_name(name), Role::Http, "{name}");
        }
    }
}
