//! sd_notify on the real binary: READY=1 after start, WATCHDOG=1 pings when WATCHDOG_USEC is
//! set, STOPPING=1 on SIGTERM and a clean exit.

mod common;

use common::{DEADLINE, Server, TempDir, sociald};
use std::os::unix::net::UnixDatagram;
use std::time::{Duration, Instant};

/// Receives datagrams until one contains `needle`, within the deadline.
fn wait_message(socket: &UnixDatagram, needle: &str, seen: &mut Vec<String>) -> Instant {
    let deadline = Instant::now() + DEADLINE;
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match socket.recv(&mut buf) {
            Ok(n) => {
                let message = String::from_utf8_lossy(&buf[..n]).into_owned();
                let hit = message.lines().any(|l| l == needle);
                seen.push(message);
                if hit {
                    return Instant::now();
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(e) => panic!("recv: {e}"),
        }
    }
    panic!("no {needle:?}; received {seen:?}");
}

#[test]
fn ready_watchdog_stopping() {
    let dir = TempDir::new("notify");
    let socket_path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).expect("bind notify socket");
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .expect("timeout");

    let mut cmd = sociald();
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(dir.empty_config())
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .env("NOTIFY_SOCKET", &socket_path)
        .env("WATCHDOG_USEC", "200000");
    let mut server = Server::spawn(cmd);
    let mut seen = Vec::new();
    let ready_at = wait_message(&socket, "READY=1", &mut seen);
    println!(
        "start-to-READY=1 (fresh SQLite database, debug build): {} ms",
        ready_at.duration_since(server.spawned).as_millis()
    );
    assert!(
        seen.iter()
            .any(|m| m.contains("STATUS=serving on 127.0.0.1:")),
        "{seen:?}"
    );
    server.wait_listening();
    wait_message(&socket, "WATCHDOG=1", &mut seen);
    wait_message(&socket, "WATCHDOG=1", &mut seen);

    server.sigterm();
    wait_message(&socket, "STOPPING=1", &mut seen);
    let (status, lines) = server.wait_exit();
    assert_eq!(status.code(), Some(0), "{}", lines.join("\n"));
}
