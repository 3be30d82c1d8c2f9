//! Socket activation with several named sockets (`LISTEN_FDNAMES`), through systemd's own
//! `systemd-socket-activate`: `http` sockets are served, `https` sockets are held unserved with
//! one warning (TLS is issue P4); and systemd credentials override the database URL.

mod common;

use common::{DEADLINE, Server, TempDir, sociald, wait_healthy};
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::time::{Duration, Instant};

const ACTIVATE: &str = "/usr/bin/systemd-socket-activate";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Connects until something listens on `addr` (within the deadline).
fn wait_accepting(addr: SocketAddr) -> TcpStream {
    let deadline = Instant::now() + DEADLINE;
    loop {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(1)) {
            Ok(stream) => return stream,
            Err(e) if Instant::now() > deadline => panic!("nothing listens on {addr}: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

#[test]
fn http_sockets_are_served_and_https_sockets_are_held() {
    if !std::path::Path::new(ACTIVATE).exists() {
        eprintln!("skipped: {ACTIVATE} is not installed (package systemd)");
        return;
    }
    let dir = TempDir::new("fdnames");
    let http: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("addr");
    let https: SocketAddr = format!("127.0.0.1:{}", free_port()).parse().expect("addr");
    // systemd-socket-activate binds both, waits for the first connection, then execs sociald
    // (same pid) with LISTEN_FDS=2 and LISTEN_FDNAMES=http:https.
    let mut cmd = Command::new(ACTIVATE);
    cmd.args(["-l", &http.to_string(), "-l", &https.to_string()])
        .arg("--fdname=http:https")
        .arg(common::BIN)
        .args(["serve", "--config"])
        .arg(dir.empty_config())
        .arg("--data-dir")
        .arg(dir.path().join("data"));
    for var in [
        "NOTIFY_SOCKET",
        "WATCHDOG_USEC",
        "JOURNAL_STREAM",
        "SOCIAL_DATABASE_URL",
    ] {
        cmd.env_remove(var);
    }
    let mut server = Server::spawn(cmd);
    // The first connection starts sociald.
    drop(wait_accepting(http));
    // The warning comes before the listeners are announced.
    let warning = server.wait_line("sockets named https are not served");
    assert!(warning.contains(&https.to_string()), "{warning}");
    assert_eq!(server.wait_listening(), http, "serves the http socket");
    wait_healthy(http);

    // The https socket accepts into its backlog (systemd's socket) but nobody answers.
    let mut stream = TcpStream::connect_timeout(&https, Duration::from_secs(1)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .expect("timeout");
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("write");
    let mut buf = [0u8; 64];
    match stream.read(&mut buf) {
        Ok(0) => panic!("the https socket was closed instead of held"),
        Ok(n) => panic!(
            "plain HTTP was served on the https socket: {:?}",
            String::from_utf8_lossy(&buf[..n])
        ),
        Err(e) => assert!(
            matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
            "{e}"
        ),
    }
    server.sigterm();
    let (status, lines) = server.wait_exit();
    assert_eq!(status.code(), Some(0), "{}", lines.join("\n"));
}

#[test]
fn credentials_override_the_database_url() {
    let dir = TempDir::new("credentials");
    let credentials = dir.path().join("credentials");
    std::fs::create_dir_all(&credentials).expect("mkdir");
    let db = dir.path().join("from-credential.db");
    std::fs::write(
        credentials.join("database-url"),
        format!("sqlite://{}\n", db.display()),
    )
    .expect("write credential");
    // A blank credential (the unit's SetCredential= fallback) changes nothing.
    std::fs::write(credentials.join("redis-url"), "\n").expect("write credential");
    let config = dir.path().join("sociald.toml");
    std::fs::write(
        &config,
        format!(
            "[database]\nurl = \"sqlite://{}\"\n",
            dir.path().join("from-config.db").display()
        ),
    )
    .expect("write config");
    let mut cmd = sociald();
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(&config)
        .env("CREDENTIALS_DIRECTORY", &credentials)
        .env(
            "SOCIAL_DATABASE_URL",
            format!("sqlite://{}", dir.path().join("from-env.db").display()),
        );
    let mut server = Server::spawn(cmd);
    let addr = server.wait_listening();
    wait_healthy(addr);
    assert!(db.exists(), "the credential's database was opened");
    assert!(!dir.path().join("from-config.db").exists());
    assert!(!dir.path().join("from-env.db").exists());
    server.sigterm();
    let (status, lines) = server.wait_exit();
    assert_eq!(status.code(), Some(0), "{}", lines.join("\n"));
}
