//! `socialctl status` (the real binary, all its checks) against a real PostgreSQL 15 and real
//! Redis servers of the test's own, on private sockets and ports, pointed at them through
//! `SOCIALCTL_STATUS_ETC` (a sociald.toml naming them):
//! - an inactive replication slot and WAL written past `max_slot_wal_keep_size`: pg_wal stays
//!   bounded, the slot becomes `lost`, status reports ERROR naming it;
//! - then `archive_command = '/bin/false'`: pg_wal grows, status reports the archiver's
//!   failures and the WAL they hold;
//! - an `allkeys-lfu` Redis filled past `maxmemory` evicts, status reports used against max and
//!   the evictions (OK); a `noeviction` one refuses writes, status warns.
//!
//! Needs root (status refuses to run otherwise, and PostgreSQL runs as the OS user postgres):
//! skipped with a message when not root. The project's test command runs as root with
//! PostgreSQL 15 and Redis installed; there a missing server is a failure.

use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PG_BIN: &str = "/usr/lib/postgresql/15/bin";
const MIB: u64 = 1 << 20;
const MAX_WAL: u64 = 32 * MIB;
const SLOT_KEEP: u64 = 64 * MIB;
const SEGMENT: u64 = 16 * MIB;

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        == Some("0")
}

fn skip() -> bool {
    if is_root() {
        return false;
    }
    eprintln!("skipped: needs root (socialctl status and PostgreSQL as the user postgres)");
    true
}

fn run(program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("binds");
    l.local_addr().expect("addr").port()
}

/// A fresh directory under /tmp (PostgreSQL, running as postgres, must reach it).
fn scratch(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .subsec_nanos();
    let dir = PathBuf::from(format!(
        "/tmp/socialctl-{name}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).expect("mkdir");
    run("chmod", &["755", &dir.display().to_string()]);
    dir
}

/// Polls `ready` until it gives a value; panics after `limit`. The pause between attempts is
/// a poll interval, not a wait for readiness.
fn poll<T>(what: &str, limit: Duration, mut ready: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = ready() {
            return v;
        }
        assert!(Instant::now() < deadline, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `socialctl status` with the test's configuration: (exit code, human output, JSON checks).
fn status(etc: &Path) -> (i32, String, Vec<serde_json::Value>) {
    let bin = env!("CARGO_BIN_EXE_socialctl");
    let human = Command::new(bin)
        .arg("status")
        .env("SOCIALCTL_STATUS_ETC", etc)
        .env("NO_COLOR", "1")
        .output()
        .expect("socialctl status");
    let json = Command::new(bin)
        .args(["status", "--json"])
        .env("SOCIALCTL_STATUS_ETC", etc)
        .output()
        .expect("socialctl status --json");
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    (
        human.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&human.stdout).into_owned(),
        doc["checks"].as_array().expect("checks").clone(),
    )
}

/// The check `category/name` of a JSON report: (status, reason).
fn check(checks: &[serde_json::Value], id: &str) -> (String, String) {
    let c = checks
        .iter()
        .find(|c| {
            format!(
                "{}/{}",
                c["category"].as_str().unwrap_or(""),
                c["name"].as_str().unwrap_or("")
            ) == id
        })
        .unwrap_or_else(|| panic!("no {id} in {checks:#?}"));
    (
        c["status"].as_str().unwrap_or("").to_owned(),
        c["reason"].as_str().unwrap_or("").to_owned(),
    )
}

/// The human report's line of check `name` (under its category).
fn line<'a>(human: &'a str, category: &str, name: &str) -> &'a str {
    human
        .split(&format!("\n{category}\n"))
        .nth(1)
        .and_then(|part| {
            part.lines()
                .find(|l| l.trim_start().starts_with(&format!("{name} ")))
        })
        .unwrap_or_else(|| panic!("no {category}/{name} in:\n{human}"))
}

fn write_etc(dir: &Path, toml: &str) -> PathBuf {
    let etc = dir.join("etc");
    std::fs::create_dir_all(&etc).expect("mkdir etc");
    std::fs::write(etc.join("sociald.toml"), toml).expect("sociald.toml");
    etc
}

// ---- PostgreSQL ------------------------------------------------------------------------------

struct Pg {
    dir: PathBuf,
    data: PathBuf,
    sock: PathBuf,
    port: u16,
}

impl Pg {
    /// initdb and start as postgres, with a small WAL budget and archiving to `/bin/true`
    /// (in postgresql.conf, so ALTER SYSTEM can change it later).
    fn start() -> Self {
        assert!(
            Path::new(PG_BIN).join("initdb").exists(),
            "PostgreSQL 15 is not installed ({PG_BIN})"
        );
        let dir = scratch("pg");
        let (data, sock) = (dir.join("data"), dir.join("sock"));
        std::fs::create_dir_all(&sock).expect("mkdir sock");
        run(
            "chown",
            &["-R", "postgres:postgres", &dir.display().to_string()],
        );
        let pg = |tool: &str, args: &[&str]| {
            let mut all = vec!["-u", "postgres", "--"];
            let path = format!("{PG_BIN}/{tool}");
            all.push(&path);
            all.extend(args);
            run("runuser", &all)
        };
        let data_s = data.display().to_string();
        pg(
            "initdb",
            &["-D", &data_s, "-A", "trust", "-U", "postgres", "--no-sync"],
        );
        let conf = data.join("postgresql.conf");
        let mut text = std::fs::read_to_string(&conf).expect("postgresql.conf");
        text.push_str("archive_command = '/bin/true'\n");
        std::fs::write(&conf, text).expect("postgresql.conf");
        let port = free_port();
        let options = format!(
            "-p {port} -k {} -c listen_addresses='' -c wal_level=replica -c max_wal_size=32MB \
             -c min_wal_size=32MB -c max_slot_wal_keep_size=64MB -c archive_mode=on \
             -c fsync=off -c synchronous_commit=off",
            sock.display()
        );
        let log = dir.join("server.log").display().to_string();
        pg(
            "pg_ctl",
            &[
                "-D", &data_s, "-l", &log, "-w", "-t", "60", "-o", &options, "start",
            ],
        );
        Self {
            dir,
            data,
            sock,
            port,
        }
    }

    fn psql(&self, sql: &str) -> String {
        let port = self.port.to_string();
        let sock = self.sock.display().to_string();
        run(
            "runuser",
            &[
                "-u",
                "postgres",
                "--",
                "psql",
                "-X",
                "-A",
                "-t",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                &sock,
                "-p",
                &port,
                "-d",
                "postgres",
                "-c",
                sql,
            ],
        )
        .trim()
        .to_owned()
    }

    /// Bytes of the WAL segment files in pg_wal, read off the directory itself.
    fn wal_dir_size(&self) -> u64 {
        std::fs::read_dir(self.data.join("pg_wal"))
            .expect("pg_wal")
            .filter_map(Result::ok)
            .filter_map(|e| e.metadata().ok())
            .filter(std::fs::Metadata::is_file)
            .map(|m| m.len())
            .sum()
    }

    /// One round of WAL: about 11 MiB of rows, a segment switch, a checkpoint.
    fn write_wal(&self) {
        self.psql("INSERT INTO filler SELECT repeat('x', 1000) FROM generate_series(1, 10000)");
        self.psql("SELECT pg_switch_wal()");
        self.psql("CHECKPOINT");
    }

    /// The URL sociald would use: the socket directory as the (percent-encoded) host.
    fn url(&self) -> String {
        let host = self.sock.display().to_string().replace('/', "%2F");
        format!("postgres://postgres@{host}:{}/postgres", self.port)
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let _ = Command::new("runuser")
            .args(["-u", "postgres", "--", &format!("{PG_BIN}/pg_ctl"), "-D"])
            .arg(&self.data)
            .args(["-m", "immediate", "-w", "stop"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn wal_held_by_a_lost_slot_and_a_failing_archiver() {
    if skip() {
        return;
    }
    let pg = Pg::start();
    let etc = write_etc(&pg.dir, &format!("[database]\nurl = \"{}\"\n", pg.url()));
    pg.psql("CREATE TABLE filler (x text)");
    pg.psql("SELECT pg_create_physical_replication_slot('stale', true)");

    // WAL past max_slot_wal_keep_size: the slot is given up, pg_wal stays bounded.
    let bound = MAX_WAL + SLOT_KEEP + 2 * SEGMENT;
    let mut largest = 0;
    let mut rounds = 0;
    poll("slot stale lost", Duration::from_secs(120), || {
        pg.write_wal();
        rounds += 1;
        largest = largest.max(pg.wal_dir_size());
        let state =
            pg.psql("SELECT wal_status FROM pg_replication_slots WHERE slot_name = 'stale'");
        (state == "lost").then_some(())
    });
    assert!(
        largest <= bound,
        "pg_wal reached {} MiB, more than max_wal_size + max_slot_wal_keep_size + 2 segments ({} MiB)",
        largest / MIB,
        bound / MIB
    );
    eprintln!(
        "slot lost after {rounds} rounds; pg_wal at most {} MiB",
        largest / MIB
    );

    let (code, human, checks) = status(&etc);
    let slots = line(&human, "postgresql", "replication-slots");
    assert!(
        slots.contains("ERROR") && slots.contains("slot stale is lost"),
        "{slots}\n{human}"
    );
    assert_eq!(code, 2, "{human}");
    let (level, reason) = check(&checks, "postgresql/replication-slots");
    assert_eq!(level, "error", "{reason}");
    let (level, reason) = check(&checks, "postgresql/wal");
    assert_eq!(level, "ok", "pg_wal back within its bound: {reason}");
    assert_eq!(check(&checks, "databases/database").0, "ok");

    // A failing archive_command: WAL is kept, past max_wal_size, and status says why.
    pg.psql("SELECT pg_drop_replication_slot('stale')");
    pg.psql("ALTER SYSTEM SET archive_command = '/bin/false'");
    pg.psql("SELECT pg_reload_conf()");
    poll("archive_command reloaded", Duration::from_secs(30), || {
        (pg.psql("SHOW archive_command") == "/bin/false").then_some(())
    });
    let before = pg.wal_dir_size();
    poll(
        "archiver failing, WAL past 3× max_wal_size",
        Duration::from_secs(120),
        || {
            pg.write_wal();
            let failing = pg.psql(
                "SELECT failed_count > 0 AND last_failed_time > \
             coalesce(last_archived_time, '-infinity') FROM pg_stat_archiver",
            );
            (failing == "t" && pg.wal_dir_size() > 3 * MAX_WAL).then_some(())
        },
    );
    let after = pg.wal_dir_size();
    assert!(after > before, "pg_wal {before} → {after}");
    let (code, human, checks) = status(&etc);
    let archiver = line(&human, "postgresql", "archiver");
    assert!(
        archiver.contains("ERROR") && archiver.contains("archive_command fails"),
        "{archiver}\n{human}"
    );
    assert_eq!(code, 2);
    let (_, reason) = check(&checks, "postgresql/archiver");
    let failures: u64 = reason
        .split("fails: ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no failure count in {reason}"));
    assert!(failures > 0, "{reason}");
    assert!(reason.contains("wait and pg_wal ("), "{reason}");
    let (level, reason) = check(&checks, "postgresql/wal");
    assert_eq!(level, "error", "{reason}");
    assert!(reason.contains("failing archive_command"), "{reason}");
    eprintln!("{human}");
}

// ---- Redis -----------------------------------------------------------------------------------

struct RedisServer {
    child: Child,
    port: u16,
    password: String,
    dir: PathBuf,
}

impl RedisServer {
    fn start(policy: &str) -> Self {
        let dir = scratch("redis");
        let port = free_port();
        let password = format!("pw-{}-{port}", std::process::id());
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--maxmemory", "2mb"])
            .args(["--maxmemory-policy", policy, "--requirepass", &password])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server is installed");
        let server = Self {
            child,
            port,
            password,
            dir,
        };
        poll("Redis answers", Duration::from_secs(20), || {
            let mut c = server.connect_once()?;
            (c.send(&["PING"]) == "+PONG").then_some(())
        });
        server
    }

    fn connect_once(&self) -> Option<Client> {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).ok()?;
        let mut c = Client {
            reader: BufReader::new(stream.try_clone().ok()?),
            stream,
        };
        (c.send(&["AUTH", &self.password]) == "+OK").then_some(c)
    }

    fn connect(&self) -> Client {
        self.connect_once().expect("connects")
    }

    fn url(&self) -> String {
        format!("redis://:{}@127.0.0.1:{}/0", self.password, self.port)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

struct Client {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Client {
    /// Sends one command, returns the first line of its reply.
    fn send(&mut self, parts: &[&str]) -> String {
        let mut cmd = format!("*{}\r\n", parts.len());
        for p in parts {
            cmd.push_str(&format!("${}\r\n{p}\r\n", p.len()));
        }
        self.stream.write_all(cmd.as_bytes()).expect("send");
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("reply");
        line.trim_end().to_owned()
    }

    /// A field of `INFO stats` / `INFO memory`.
    fn info(&mut self, section: &str, field: &str) -> u64 {
        let head = self.send(&["INFO", section]);
        let len: usize = head.trim_start_matches('$').parse().expect("bulk length");
        let mut body = vec![0u8; len + 2];
        std::io::Read::read_exact(&mut self.reader, &mut body).expect("INFO body");
        String::from_utf8_lossy(&body)
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{field}:")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {field} in INFO {section}"))
    }
}

#[test]
fn redis_filled_past_maxmemory() {
    if skip() {
        return;
    }
    // allkeys-lfu: 3000 values of 1000 bytes into 2 MiB, every write accepted, keys evicted.
    let lfu = RedisServer::start("allkeys-lfu");
    let mut c = lfu.connect();
    let value = "v".repeat(1000);
    for i in 0..3000 {
        assert_eq!(c.send(&["SET", &format!("key:{i}"), &value]), "+OK");
    }
    let evicted = c.info("stats", "evicted_keys");
    assert!(evicted > 0, "nothing evicted");
    let dir = scratch("redis-etc");
    let etc = write_etc(&dir, &format!("[redis]\nurl = \"{}\"\n", lfu.url()));
    let (_, human, checks) = status(&etc);
    assert!(
        !human.contains(&lfu.password),
        "the password is printed:\n{human}"
    );
    let (level, reason) = check(&checks, "redis/memory");
    assert_eq!(level, "ok", "{reason}");
    assert!(
        reason.contains("of maxmemory 2 MiB") && reason.contains("allkeys-lfu"),
        "{reason}"
    );
    let (level, reason) = check(&checks, "redis/evictions");
    assert_eq!(level, "ok", "{reason}");
    let reported: u64 = reason
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no eviction count in {reason}"));
    assert!(reported >= evicted, "{reason} (INFO said {evicted})");
    assert_eq!(check(&checks, "databases/redis").0, "ok");
    eprintln!("{}", line(&human, "redis", "evictions"));

    // noeviction: writes are refused once full, and status warns.
    let full = RedisServer::start("noeviction");
    let mut c = full.connect();
    let mut refused = None;
    for i in 0..3000 {
        let reply = c.send(&["SET", &format!("key:{i}"), &value]);
        if reply.starts_with("-OOM") {
            refused = Some(i);
            break;
        }
        assert_eq!(reply, "+OK");
    }
    assert!(refused.is_some(), "noeviction never refused a write");
    let etc = write_etc(&dir, &format!("[redis]\nurl = \"{}\"\n", full.url()));
    let (code, human, checks) = status(&etc);
    let memory = line(&human, "redis", "memory");
    assert!(
        memory.contains("WARN") && memory.contains("noeviction"),
        "{memory}"
    );
    let (level, reason) = check(&checks, "redis/evictions");
    assert_eq!(level, "warn", "{reason}");
    assert!(
        reason.contains("writes refused for memory (OOM)"),
        "{reason}"
    );
    assert!(code >= 1);
    let _ = std::fs::remove_dir_all(&dir);
}
