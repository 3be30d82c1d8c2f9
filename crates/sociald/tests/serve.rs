//! `sociald serve` on the real binary: URL on stderr, `/healthz`, the first-admin hint,
//! start-to-ready time, SIGTERM → exit 0, and systemd socket activation.

mod common;

use common::{Server, TempDir, get, sociald, wait_healthy};
use std::os::fd::OwnedFd;
use std::process::{Command, Stdio};
use std::time::Instant;

fn serve(dir: &TempDir) -> Command {
    let mut cmd = sociald();
    cmd.args(["serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(dir.empty_config())
        .arg("--data-dir")
        .arg(dir.path().join("data"));
    cmd
}

#[test]
fn serves_prints_url_and_hint_and_stops_on_sigterm() {
    let dir = TempDir::new("serve");
    let mut server = Server::spawn(serve(&dir));
    let addr = server.wait_listening();
    assert_ne!(addr.port(), 0, "the real port is printed");
    let hint = server.wait_line("admin create-user --admin");
    assert!(hint.contains("--data-dir"), "{hint}");
    assert!(
        hint.contains(&dir.path().join("data").display().to_string()),
        "{hint}"
    );
    assert!(hint.contains("--config"), "{hint}");
    wait_healthy(addr);
    let (status, _) = get(addr, "/readyz").expect("readyz");
    assert_eq!(status, 200);
    server.sigterm();
    let (status, lines) = server.wait_exit();
    assert_eq!(status.code(), Some(0), "{}", lines.join("\n"));
}

#[test]
fn start_to_ready_on_an_existing_database() {
    let dir = TempDir::new("ready");
    // First start creates and migrates the database.
    let mut first = Server::spawn(serve(&dir));
    let addr = first.wait_listening();
    wait_healthy(addr);
    first.sigterm();
    assert!(first.wait_exit().0.success());

    let started = Instant::now();
    let mut second = Server::spawn(serve(&dir));
    let addr = second.wait_listening();
    let listening = started.elapsed();
    wait_healthy(addr);
    let healthy = started.elapsed();
    println!(
        "start-to-ready (existing SQLite database, debug build): listening after {} ms, \
         /healthz 200 after {} ms",
        listening.as_millis(),
        healthy.as_millis()
    );
    // The 200 ms target is for release builds (see the benchmark); this bounds regressions.
    assert!(healthy.as_millis() < 3000, "took {healthy:?}");
    second.sigterm();
    assert!(second.wait_exit().0.success());
}

#[test]
fn socket_activation_uses_the_passed_listener() {
    let dir = TempDir::new("activation");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    // The listener goes in as stdin; the shell moves it to fd 3 and sets LISTEN_PID to its own
    // pid, which `exec` hands to sociald. This avoids `pre_exec`, which needs unsafe code.
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("export LISTEN_PID=$$ LISTEN_FDS=1; exec \"$0\" \"$@\" 3<&0 0</dev/null")
        .arg(common::BIN)
        .args(["serve", "--config"])
        .arg(dir.empty_config())
        .arg("--data-dir")
        .arg(dir.path().join("data"))
        .stdin(Stdio::from(OwnedFd::from(listener)));
    for var in [
        "NOTIFY_SOCKET",
        "WATCHDOG_USEC",
        "JOURNAL_STREAM",
        "SOCIAL_DATABASE_URL",
    ] {
        cmd.env_remove(var);
    }
    let mut server = Server::spawn(cmd);
    let addr = server.wait_listening();
    assert_eq!(
        addr.port(),
        port,
        "serves the activated socket, not server.listen"
    );
    wait_healthy(addr);
    server.sigterm();
    let (status, lines) = server.wait_exit();
    assert_eq!(status.code(), Some(0), "{}", lines.join("\n"));
}
