//! Where the raw facts come from: a `Probe` runs commands (each with a timeout), reads files
//! and talks to local TCP services. `System` is the real host; the tests use a fake that
//! answers from fixtures, so every evaluator is checked against real tool output.

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs as _};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What a finished command left.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    /// `None` when killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// The first non-empty line of stderr, else of stdout: what to quote in a reason.
    pub fn first_message(&self) -> String {
        self.stderr
            .lines()
            .chain(self.stdout.lines())
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("no output")
            .to_owned()
    }
}

/// Why a command did not run to its end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunError {
    /// The program is not installed.
    NotFound,
    TimedOut(Duration),
    Other(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotFound => write!(f, "not installed"),
            Self::TimedOut(t) => write!(f, "no answer within {} s", t.as_secs()),
            Self::Other(e) => write!(f, "{e}"),
        }
    }
}

/// Raw facts of a host.
pub trait Probe: Sync {
    fn run(&self, program: &str, args: &[&str], timeout: Duration) -> Result<Output, RunError>;
    fn read(&self, path: &str) -> std::io::Result<String>;
    /// Size of a file (without reading it).
    fn file_size(&self, path: &str) -> std::io::Result<u64>;
    /// `GET path` over plain HTTP/1.1: the status code and the body.
    fn http_get(&self, addr: &str, path: &str, timeout: Duration) -> Result<(u16, String), String>;
    /// Sends RESP commands on a TCP connection and returns one reply per command: a status,
    /// error or integer line as is (`+PONG`, `-ERR …`), a bulk string as its content.
    fn resp(
        &self,
        addr: &str,
        commands: &[Vec<String>],
        timeout: Duration,
    ) -> Result<Vec<String>, String>;
    /// Unix seconds now.
    fn now(&self) -> i64;
}

/// The host this process runs on.
#[derive(Debug, Default)]
pub struct System;

impl Probe for System {
    fn run(&self, program: &str, args: &[&str], timeout: Duration) -> Result<Output, RunError> {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // Messages we parse are English.
            .env("LC_ALL", "C")
            .env("SYSTEMD_COLORS", "0")
            .env("SYSTEMD_PAGER", "")
            .spawn()
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => RunError::NotFound,
                _ => RunError::Other(format!("{program}: {e}")),
            })?;
        // Readers on their own threads, so a chatty command cannot block on a full pipe.
        let reader = |pipe: Option<Box<dyn std::io::Read + Send>>| {
            std::thread::spawn(move || {
                let mut text = Vec::new();
                if let Some(mut pipe) = pipe {
                    // A read error leaves what was read; the exit status tells the rest.
                    let _ = pipe.read_to_end(&mut text);
                }
                String::from_utf8_lossy(&text).into_owned()
            })
        };
        let out = reader(child.stdout.take().map(|p| Box::new(p) as _));
        let err = reader(child.stderr.take().map(|p| Box::new(p) as _));
        let deadline = Instant::now() + timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    // The reader threads end when the pipes close; not joined, since a
                    // grandchild may still hold them.
                    return Err(RunError::TimedOut(timeout));
                }
                // Polling a child that has no event to wait on: a short pause, not a guess.
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => return Err(RunError::Other(format!("{program}: {e}"))),
            }
        };
        let join = |h: std::thread::JoinHandle<String>| h.join().unwrap_or_default();
        Ok(Output {
            code: status.code(),
            stdout: join(out),
            stderr: join(err),
        })
    }

    fn read(&self, path: &str) -> std::io::Result<String> {
        std::fs::read_to_string(path)
    }

    fn file_size(&self, path: &str) -> std::io::Result<u64> {
        std::fs::metadata(path).map(|m| m.len())
    }

    fn http_get(&self, addr: &str, path: &str, timeout: Duration) -> Result<(u16, String), String> {
        let mut stream = connect(addr, timeout)?;
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nUser-Agent: socialctl-status\r\n\r\n"
        );
        stream
            .write_all(request.as_bytes())
            .map_err(|e| format!("sending to {addr}: {e}"))?;
        let mut raw = Vec::new();
        stream
            .take(1 << 20)
            .read_to_end(&mut raw)
            .map_err(|e| format!("reading from {addr}: {e}"))?;
        parse_http_response(&String::from_utf8_lossy(&raw))
            .ok_or_else(|| format!("{addr} answered something that is not HTTP"))
    }

    fn resp(
        &self,
        addr: &str,
        commands: &[Vec<String>],
        timeout: Duration,
    ) -> Result<Vec<String>, String> {
        let mut stream = connect(addr, timeout)?;
        let mut replies = Vec::new();
        for command in commands {
            stream
                .write_all(&resp_encode(command))
                .map_err(|e| format!("sending to {addr}: {e}"))?;
            replies.push(read_reply(&mut stream, addr)?);
        }
        Ok(replies)
    }

    fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
    }
}

/// One RESP reply: a status, error or integer line as is (`+PONG`, `-NOAUTH …`, `:1`), a bulk
/// string as its content (`INFO`'s text; `$-1`, the null bulk string, as is).
fn read_reply(stream: &mut TcpStream, addr: &str) -> Result<String, String> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while !line.ends_with(b"\r\n") && line.len() < 4096 {
        match stream.read(&mut byte) {
            Ok(0) => return Err(format!("{addr} closed the connection")),
            Ok(_) => line.push(byte[0]),
            Err(e) => return Err(format!("reading from {addr}: {e}")),
        }
    }
    let line = String::from_utf8_lossy(&line).trim_end().to_owned();
    let Some(len) = line.strip_prefix('$').and_then(|n| n.parse::<u64>().ok()) else {
        return Ok(line);
    };
    // INFO is a few KiB; a bound keeps a confused peer from filling memory.
    if len > 1 << 20 {
        return Err(format!("{addr} sent a {len}-byte reply"));
    }
    let mut body = Vec::new();
    std::io::Read::by_ref(stream)
        .take(len + 2)
        .read_to_end(&mut body)
        .map_err(|e| format!("reading from {addr}: {e}"))?;
    if body.len() as u64 != len + 2 {
        return Err(format!("{addr} closed the connection"));
    }
    body.truncate(body.len() - 2);
    Ok(String::from_utf8_lossy(&body).into_owned())
}

fn connect(addr: &str, timeout: Duration) -> Result<TcpStream, String> {
    let addrs: Vec<SocketAddr> = addr
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {addr}: {e}"))?
        .collect();
    let mut last = format!("cannot resolve {addr}");
    for a in addrs {
        match TcpStream::connect_timeout(&a, timeout) {
            Ok(stream) => {
                stream
                    .set_read_timeout(Some(timeout))
                    .and_then(|()| stream.set_write_timeout(Some(timeout)))
                    .map_err(|e| format!("{addr}: {e}"))?;
                return Ok(stream);
            }
            Err(e) => last = format!("no answer on {addr}: {e}"),
        }
    }
    Err(last)
}

/// RESP: an array of bulk strings.
pub fn resp_encode(command: &[String]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", command.len()).into_bytes();
    for part in command {
        out.extend_from_slice(format!("${}\r\n", part.len()).as_bytes());
        out.extend_from_slice(part.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Status code and body of an HTTP/1.1 response read to its end (chunked bodies are joined).
pub fn parse_http_response(raw: &str) -> Option<(u16, String)> {
    let (head, body) = raw.split_once("\r\n\r\n")?;
    let mut lines = head.lines();
    let code = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let chunked = lines.any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Some((code, body))
}

fn dechunk(mut rest: &str) -> String {
    let mut body = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16);
        match size {
            Ok(n) if n > 0 && after.len() >= n => {
                body.push_str(after.get(..n).unwrap_or(""));
                rest = after.get(n..).unwrap_or("").trim_start_matches("\r\n");
            }
            _ => break,
        }
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_run_with_a_timeout() {
        let out = System
            .run(
                "sh",
                &["-c", "echo out; echo err >&2; exit 3"],
                Duration::from_secs(5),
            )
            .expect("runs");
        assert_eq!(out.code, Some(3));
        assert_eq!(out.stdout, "out\n");
        assert_eq!(out.first_message(), "err");
        let slow = System.run("sleep", &["5"], Duration::from_millis(200));
        assert_eq!(slow, Err(RunError::TimedOut(Duration::from_millis(200))));
        let missing = System.run("socialctl-no-such-tool", &[], Duration::from_secs(1));
        assert_eq!(missing, Err(RunError::NotFound));
    }

    #[test]
    fn http_responses_parse() {
        let raw = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n\r\n{\"database\":\"error\"}";
        assert_eq!(
            parse_http_response(raw),
            Some((503, "{\"database\":\"error\"}".to_owned()))
        );
        let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n2\r\nef\r\n0\r\n\r\n";
        assert_eq!(
            parse_http_response(chunked),
            Some((200, "abcdef".to_owned()))
        );
        assert_eq!(parse_http_response("SSH-2.0-OpenSSH_9.2\r\n"), None);
    }

    #[test]
    fn resp_commands_are_bulk_string_arrays() {
        let cmd = vec!["AUTH".to_owned(), "pässword".to_owned()];
        assert_eq!(
            resp_encode(&cmd),
            b"*2\r\n$4\r\nAUTH\r\n$9\r\np\xc3\xa4ssword\r\n".to_vec()
        );
    }

    #[test]
    fn http_get_and_resp_talk_to_a_real_socket() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
        let addr = listener.local_addr().expect("addr").to_string();
        let server = std::thread::spawn(move || {
            let conversations: [&[&[u8]]; 2] = [
                &[b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"],
                &[b"+OK\r\n", b"+PONG\r\n", b"$15\r\n# Memory\r\na:1\r\n\r\n"],
            ];
            for replies in conversations {
                let (mut conn, _) = listener.accept().expect("accepts");
                for reply in replies {
                    let mut buf = [0u8; 512];
                    let _ = conn.read(&mut buf).expect("reads");
                    conn.write_all(reply).expect("writes");
                }
            }
        });
        let t = Duration::from_secs(5);
        assert_eq!(
            System.http_get(&addr, "/readyz", t),
            Ok((200, "ok".to_owned()))
        );
        let commands = [
            vec!["AUTH".to_owned(), "pw".to_owned()],
            vec!["PING".to_owned()],
            vec!["INFO".to_owned()],
        ];
        assert_eq!(
            System.resp(&addr, &commands, t),
            Ok(vec![
                "+OK".to_owned(),
                "+PONG".to_owned(),
                "# Memory\r\na:1\r\n".to_owned()
            ])
        );
        server.join().expect("server thread");
    }
}
