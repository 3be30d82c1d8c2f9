//! Helpers for tests that run the real `sociald` binary: private temp dirs, a hermetic
//! command, a server handle that reads stderr, a minimal HTTP GET, deadlines (never sleeps).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_sociald");
/// Generous: the machine is shared and this is a debug build.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// A directory removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "sociald-test-{tag}-{}-{n}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        std::fs::create_dir_all(&path).expect("create temp dir");
        Self(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// An empty configuration file, so a config at /etc/social cannot leak into tests.
    pub fn empty_config(&self) -> PathBuf {
        let path = self.0.join("empty.toml");
        std::fs::write(&path, "").expect("write empty config");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `sociald` with an environment free of the variables it reads.
pub fn sociald() -> Command {
    let mut cmd = Command::new(BIN);
    for var in [
        "SOCIAL_DATABASE_URL",
        "SOCIAL_REDIS_URL",
        "SOCIAL_LOG",
        "NOTIFY_SOCKET",
        "WATCHDOG_USEC",
        "WATCHDOG_PID",
        "LISTEN_PID",
        "LISTEN_FDS",
        "LISTEN_FDNAMES",
        "JOURNAL_STREAM",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs a command to completion with `stdin` as input; returns (status, stdout, stderr).
pub fn run(mut cmd: Command, stdin: &str) -> (ExitStatus, String, String) {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    // The program may exit before reading (e.g. a bad argument): a broken pipe is fine.
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    let out = child.wait_with_output().expect("wait");
    (
        out.status,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A running server whose stderr lines arrive on a channel.
pub struct Server {
    child: Option<Child>,
    pid: u32,
    pub lines: Receiver<String>,
    pub seen: Vec<String>,
    pub spawned: Instant,
}

impl Server {
    pub fn spawn(mut cmd: Command) -> Self {
        cmd.stdout(Stdio::null()).stderr(Stdio::piped());
        let spawned = Instant::now();
        let mut child = cmd.spawn().expect("spawn sociald");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let pid = child.id();
        Self {
            child: Some(child),
            pid,
            lines,
            seen: Vec::new(),
            spawned,
        }
    }

    /// Waits (with the deadline) for a stderr line containing `needle`; returns it.
    pub fn wait_line(&mut self, needle: &str) -> String {
        self.wait_line_within(needle, DEADLINE)
    }

    /// Waits up to `limit` for a stderr line containing `needle`; returns it.
    pub fn wait_line_within(&mut self, needle: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(e) => panic!(
                    "no line with {needle:?} ({e}); stderr so far:\n{}",
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Waits for `sociald listening on http://ADDR` and returns ADDR.
    pub fn wait_listening(&mut self) -> SocketAddr {
        let line = self.wait_line("sociald listening on http://");
        line.rsplit("http://")
            .next()
            .expect("addr")
            .trim()
            .parse()
            .expect("socket addr")
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// Sends SIGTERM (through kill(1): the workspace forbids unsafe code).
    pub fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill failed");
    }

    /// Waits for the process to exit within the deadline.
    pub fn wait_exit(mut self) -> (ExitStatus, Vec<String>) {
        let (tx, rx) = mpsc::channel();
        let mut child = self.child.take().expect("not waited yet");
        std::thread::spawn(move || {
            let _ = tx.send(child.wait());
        });
        let status = match rx.recv_timeout(DEADLINE) {
            Ok(status) => status.expect("wait"),
            Err(_) => panic!(
                "sociald did not exit in time; stderr:\n{}",
                self.seen.join("\n")
            ),
        };
        let mut seen = std::mem::take(&mut self.seen);
        seen.extend(self.lines.try_iter());
        (status, seen)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Only reached when a test failed before stopping its own server.
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `GET path` over HTTP/1.1; returns (status, body).
pub fn get(addr: SocketAddr, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad response: {response:?}")))?;
    let body = response
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    Ok((status, body))
}

/// Polls `/healthz` until it answers 200, within the deadline.
pub fn wait_healthy(addr: SocketAddr) {
    let deadline = Instant::now() + DEADLINE;
    loop {
        match get(addr, "/healthz") {
            Ok((200, _)) => return,
            other if Instant::now() > deadline => panic!("/healthz never answered 200: {other:?}"),
            _ => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}
