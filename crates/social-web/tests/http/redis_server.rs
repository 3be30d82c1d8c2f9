//! A private `redis-server` per test (the test command installs Debian's) on a free loopback
//! port, with any extra configuration; it can be killed and started again on the same port, and
//! is killed on drop.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct RedisServer {
    child: Option<Child>,
    pub port: u16,
    args: Vec<String>,
    dir: tempfile::TempDir,
}

impl RedisServer {
    /// No persistence, anyone may connect.
    pub fn start() -> RedisServer {
        Self::start_with(&[])
    }

    /// With further `--name value…` arguments (e.g. `--maxmemory 4mb`).
    pub fn start_with(extra: &[&str]) -> RedisServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut args: Vec<String> = [
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        let mut redis = RedisServer {
            child: None,
            port,
            args,
            dir: tempfile::tempdir().unwrap(),
        };
        redis.restart();
        redis
    }

    /// Starts it (again) on its port with its arguments; returns once it answers.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "redis-server is already running");
        let child = Command::new("redis-server")
            .args(&self.args)
            .arg("--dir")
            .arg(self.dir.path())
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is installed (the test command installs it)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !self.answers() {
            assert!(Instant::now() < deadline, "redis-server did not come up");
            std::thread::sleep(Duration::from_millis(5)); // poll interval, bounded by the deadline
        }
    }

    /// Whether it answers PING (with PONG, or NOAUTH when the default user is off).
    fn answers(&self) -> bool {
        let Ok(mut conn) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return false;
        };
        let mut line = String::new();
        conn.write_all(b"PING\r\n").is_ok()
            && BufReader::new(conn).read_line(&mut line).is_ok()
            && (line == "+PONG\r\n" || line.starts_with("-NOAUTH"))
    }

    /// `redis://127.0.0.1:PORT/` (no user).
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Kills it (SIGKILL: an outage, not a shutdown).
    pub fn stop(&mut self) {
        let mut child = self.child.take().expect("redis-server is running");
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
