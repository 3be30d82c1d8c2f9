//! The whole run against a fake host answering with real outputs: the check names, and the
//! three failures the install test provokes on a real host.

use super::fixtures;
use super::probe::{Output, Probe, RunError};
use super::report::Level;
use super::*;
use std::collections::HashMap;
use std::sync::Mutex;

/// A host made of fixtures: a command line → its output, a path → its content.
#[derive(Default)]
struct Fake {
    commands: HashMap<String, Output>,
    files: HashMap<String, String>,
    readyz: Option<(u16, String)>,
    /// Redis's answer to `INFO`.
    redis_info: String,
    /// Commands run, to check what the status run does.
    log: Mutex<Vec<String>>,
}

impl Fake {
    fn cmd(&mut self, line: &str, code: i32, stdout: &str, stderr: &str) {
        let out = Output {
            code: Some(code),
            stdout: stdout.into(),
            stderr: stderr.into(),
        };
        self.commands.insert(line.to_owned(), out);
    }

    fn file(&mut self, path: &str, text: &str) {
        self.files.insert(path.to_owned(), text.to_owned());
    }

    fn show(&mut self, unit: &str, text: &str) {
        self.cmd(
            &format!("systemctl show -p ActiveState,SubState,LoadState,Result {unit}"),
            0,
            text,
            "",
        );
    }

    /// The appliance as installed by the packages, PostgreSQL and Redis local, TLS by ACME
    /// with a certificate 60 days from expiry.
    fn healthy() -> Self {
        let mut f = Self::default();
        f.file(context::CONFIG_FILE, "[tls]\ndomains = [\"social.test\"]\n");
        f.file(
            context::DATABASE_URL_FILE,
            "postgres://social@/social?host=/run/postgresql\n",
        );
        f.file(context::REDIS_URL_FILE, "redis://:s3cret@127.0.0.1:6379\n");
        f.show("sociald.socket", fixtures::SHOW_SOCKET_LISTENING);
        f.show("sociald-https.socket", fixtures::SHOW_SOCKET_LISTENING);
        f.show("sociald.service", fixtures::SHOW_SOCIALD_RUNNING);
        f.show("social-firewall.service", fixtures::SHOW_FIREWALL_ACTIVE);
        f.show("fail2ban.service", fixtures::SHOW_SOCIALD_RUNNING);
        f.show("postgresql@15-main.service", fixtures::SHOW_SOCIALD_RUNNING);
        f.show("redis-server.service", fixtures::SHOW_SOCIALD_RUNNING);
        f.cmd("pg_lsclusters -h", 0, fixtures::PG_LSCLUSTERS, "");
        f.file("/proc/net/tcp", fixtures::PROC_NET_TCP);
        f.file("/proc/net/tcp6", fixtures::PROC_NET_TCP6);
        f.readyz = Some((
            200,
            r#"{"cache":"redis","cache_healthy":true,"database":"ok"}"#.into(),
        ));
        f.cmd(
            "sociald config check /etc/social/sociald.toml",
            0,
            "/etc/social/sociald.toml: ok\n",
            "",
        );
        let not_after = NOW + 60 * 86_400;
        let acme = fixtures::TLS_STATUS_ACME.replace("1799999999", &not_after.to_string());
        f.cmd("sociald tls status --json", 0, &acme, "");
        f.cmd(
            "nft -s list table inet social",
            0,
            fixtures::NFT_SOCIAL_LIVE,
            "",
        );
        f.cmd(
            "nft -s list table inet social_ban",
            0,
            fixtures::NFT_SOCIAL_BAN_LIVE,
            "",
        );
        let script =
            r#"nft -f "$1" && nft -s list table inet social && nft -s list table inet social_ban"#;
        let both = format!(
            "{}{}",
            fixtures::NFT_SOCIAL_FILE,
            fixtures::NFT_SOCIAL_BAN_FILE
        );
        f.cmd(
            &format!("unshare --net -- sh -c {script} sh {}", firewall::BOOT_FILE),
            0,
            &both,
            "",
        );
        f.file(firewall::BOOT_FILE, "# the ruleset\n");
        f.cmd("social-nft-apply --status", 0, "no pending change\n", "");
        f.file(
            fail2ban::JAIL_FILE,
            include_str!("../../../../fail2ban/jail.d/social.conf"),
        );
        f.cmd("fail2ban-client status", 0, fixtures::F2B_STATUS, "");
        f.cmd(
            "fail2ban-client status sshd",
            0,
            fixtures::F2B_STATUS_SSHD,
            "",
        );
        f.cmd(
            "fail2ban-client status sociald",
            0,
            fixtures::F2B_STATUS_SOCIALD,
            "",
        );
        f.cmd(
            "fail2ban-client status recidive",
            0,
            &fixtures::F2B_STATUS_SSHD.replace("banned:\t1", "banned:\t0"),
            "",
        );
        f.cmd(
            "pg_isready -h /run/postgresql -p 5432 -t 5 -d social",
            0,
            "/run/postgresql:5432 - accepting connections\n",
            "",
        );
        for path in ["/var/lib/social", "/var/lib/postgresql", "/var/log"] {
            f.cmd(&format!("df -P -k {path}"), 0, fixtures::DF, "");
        }
        f.file("/proc/meminfo", fixtures::MEMINFO);
        // The live test's cluster after its slot was lost, without the slot: pg_wal at
        // max_wal_size, archiving working, few checkpoints.
        let healthy_pg: String = fixtures::PSQL_SLOT_LOST
            .lines()
            .filter(|l| !l.starts_with("slot|"))
            .map(|l| format!("{l}\n"))
            .collect();
        f.psql(&healthy_pg);
        f.cmd("df -P -k /tmp/pgdev/data/pg_wal", 0, fixtures::DF, "");
        f.redis_info = fixtures::REDIS_INFO_LFU_FULL.to_owned();
        f
    }

    /// psql's answer to the `postgresql/*` query on the cluster of the healthy host.
    fn psql(&mut self, stdout: &str) {
        let e = context::Endpoint {
            host: "/run/postgresql".into(),
            port: 5432,
            user: Some("social".into()),
            path: "social".into(),
            ..context::Endpoint::default()
        };
        let line = format!("runuser {}", postgresql::psql_args(&e).join(" "));
        self.cmd(&line, 0, stdout, "");
    }
}

const NOW: i64 = 1_796_249_215;

impl Probe for Fake {
    fn run(
        &self,
        program: &str,
        args: &[&str],
        _: std::time::Duration,
    ) -> Result<Output, RunError> {
        let line = std::iter::once(program)
            .chain(args.iter().copied())
            .collect::<Vec<_>>()
            .join(" ");
        self.log.lock().expect("log").push(line.clone());
        self.commands.get(&line).cloned().ok_or(RunError::NotFound)
    }

    fn read(&self, path: &str) -> std::io::Result<String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| std::io::ErrorKind::NotFound.into())
    }

    fn file_size(&self, path: &str) -> std::io::Result<u64> {
        self.read(path).map(|t| t.len() as u64)
    }

    fn http_get(
        &self,
        addr: &str,
        path: &str,
        _: std::time::Duration,
    ) -> Result<(u16, String), String> {
        assert_eq!((addr, path), ("127.0.0.1:8080", "/readyz"));
        self.readyz
            .clone()
            .ok_or_else(|| format!("no answer on {addr}: Connection refused (os error 111)"))
    }

    fn resp(
        &self,
        addr: &str,
        commands: &[Vec<String>],
        _: std::time::Duration,
    ) -> Result<Vec<String>, String> {
        assert_eq!(addr, "127.0.0.1:6379");
        assert_eq!(commands.len(), 2, "{commands:?}");
        assert_eq!(commands[0], ["AUTH", "s3cret"]);
        match commands[1][0].as_str() {
            "PING" => Ok(vec!["+OK".into(), "+PONG".into()]),
            "INFO" => Ok(vec!["+OK".into(), self.redis_info.clone()]),
            other => panic!("unexpected Redis command {other}"),
        }
    }

    fn now(&self) -> i64 {
        NOW
    }
}

fn find(report: &Report, id: &str) -> report::Check {
    report
        .checks
        .iter()
        .find(|c| c.id() == id)
        .cloned()
        .unwrap_or_else(|| panic!("no {id} in {report:#?}"))
}

#[test]
fn a_healthy_appliance_is_all_ok_and_every_check_has_its_documented_name() {
    let report = collect(&Fake::healthy());
    let bad: Vec<_> = report
        .checks
        .iter()
        .filter(|c| c.status != Level::Ok)
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
    assert_eq!(report.exit_code(), 0);
    let ids: Vec<String> = report.checks.iter().map(report::Check::id).collect();
    assert_eq!(
        ids,
        [
            "units/sociald-socket",
            "units/sociald-https-socket",
            "units/sociald",
            "units/firewall",
            "units/fail2ban",
            "units/postgresql",
            "units/redis",
            "listeners/http",
            "listeners/https",
            "listeners/local",
            "sociald/config",
            "sociald/readyz",
            "tls/certificate",
            "firewall/ruleset",
            "firewall/policy",
            "firewall/pending",
            "fail2ban/jails",
            "databases/database",
            "databases/redis",
            "databases/sociald-view",
            "postgresql/wal",
            "postgresql/replication-slots",
            "postgresql/checkpoints",
            "postgresql/archiver",
            "redis/memory",
            "redis/evictions",
            "redis/connections",
            "resources/disk-social",
            "resources/disk-postgresql",
            "resources/disk-log",
            "resources/memory",
        ]
    );
    let docs = include_str!("../../../../docs/status.md");
    for id in &ids {
        assert!(
            docs.contains(&format!("`{id}`")),
            "docs/status.md does not describe {id}"
        );
    }
    assert_eq!(
        find(&report, "fail2ban/jails").reason,
        "recidive 0 banned, sociald 1 banned, sshd 1 banned"
    );
    assert!(!report.to_json().contains("s3cret"));
}

#[test]
fn sociald_stopped_with_its_sockets_is_an_error() {
    let mut host = Fake::healthy();
    host.show("sociald.service", fixtures::SHOW_SOCIALD_STOPPED);
    host.show("sociald.socket", fixtures::SHOW_SOCKET_STOPPED);
    host.show("sociald-https.socket", fixtures::SHOW_SOCKET_STOPPED);
    host.readyz = None;
    let report = collect(&host);
    assert_eq!(find(&report, "units/sociald").status, Level::Error);
    assert_eq!(find(&report, "sociald/readyz").status, Level::Error);
    assert_eq!(report.exit_code(), 2);
}

#[test]
fn a_certificate_expiring_within_a_week_is_an_error() {
    let mut host = Fake::healthy();
    let soon = fixtures::TLS_STATUS_ACME.replace("1799999999", &(NOW + 5 * 86_400).to_string());
    host.cmd("sociald tls status --json", 0, &soon, "");
    let report = collect(&host);
    let c = find(&report, "tls/certificate");
    assert_eq!(c.status, Level::Error, "{c:?}");
    assert!(
        c.reason.starts_with("certificate expires in 5 days"),
        "{c:?}"
    );
    assert_eq!(report.exit_code(), 2);
}

#[test]
fn a_flushed_ruleset_is_an_error() {
    let mut host = Fake::healthy();
    host.cmd(
        "nft -s list table inet social",
        1,
        "",
        fixtures::NFT_NO_TABLE,
    );
    host.cmd(
        "nft -s list table inet social_ban",
        1,
        "",
        fixtures::NFT_NO_TABLE,
    );
    let report = collect(&host);
    let c = find(&report, "firewall/ruleset");
    assert_eq!(
        (c.status, c.hint.as_deref()),
        (Level::Error, Some("systemctl restart social-firewall"))
    );
    assert_eq!(report.exit_code(), 2);
}

#[test]
fn a_bare_host_gives_errors_not_panics() {
    let host = Fake::default();
    let report = collect(&host);
    assert_eq!(report.exit_code(), 2);
    for c in &report.checks {
        assert!(
            c.status == Level::Ok || c.hint.is_some(),
            "{c:?} has no fix"
        );
    }
    // SQLite by default: the database check looks for the file in the state directory.
    assert!(
        find(&report, "databases/database")
            .reason
            .contains("/var/lib/social/social.db")
    );
}

#[test]
fn sqlite_and_tls_off() {
    let mut host = Fake::healthy();
    host.file(context::CONFIG_FILE, "[tls]\nmode = \"off\"\n");
    host.files.remove(context::DATABASE_URL_FILE);
    host.files.remove(context::REDIS_URL_FILE);
    host.file("/var/lib/social/social.db", "SQLite format 3");
    host.cmd("sociald tls status --json", 0, fixtures::TLS_STATUS_OFF, "");
    let report = collect(&host);
    assert_eq!(
        find(&report, "units/postgresql").reason,
        "not used (SQLite)"
    );
    assert_eq!(find(&report, "databases/database").status, Level::Ok);
    assert_eq!(
        find(&report, "listeners/https").reason,
        "not needed: HTTPS off (tls.mode = off)"
    );
    // Port 80 is public in the fixture: sign-ins in clear text.
    assert_eq!(find(&report, "tls/certificate").status, Level::Warn);
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn a_lost_slot_and_a_failing_archiver_are_errors_naming_them() {
    let mut host = Fake::healthy();
    host.psql(fixtures::PSQL_SLOT_LOST);
    let report = collect(&host);
    let c = find(&report, "postgresql/replication-slots");
    assert_eq!(c.status, Level::Error, "{c:?}");
    assert!(c.reason.starts_with("slot stale is lost"), "{c:?}");
    assert_eq!(report.exit_code(), 2);
    host.psql(fixtures::PSQL_ARCHIVER_FAILING);
    let report = collect(&host);
    assert_eq!(find(&report, "postgresql/archiver").status, Level::Error);
    assert_eq!(find(&report, "postgresql/wal").status, Level::Error);
}

#[test]
fn a_full_noeviction_redis_warns_and_psql_failing_is_not_a_crash() {
    let mut host = Fake::healthy();
    host.redis_info = fixtures::REDIS_INFO_NOEVICTION_FULL.to_owned();
    host.psql("");
    let report = collect(&host);
    for id in ["redis/memory", "redis/evictions", "redis/connections"] {
        assert_eq!(find(&report, id).status, Level::Warn, "{id}");
    }
    let c = find(&report, "postgresql/wal");
    assert_eq!(c.status, Level::Warn, "{c:?}");
    assert!(c.reason.starts_with("not checked: psql:"), "{c:?}");
    assert_eq!(report.exit_code(), 1);
}

#[test]
fn root_is_the_effective_uid() {
    assert!(is_root("Name:\tsocialctl\nUid:\t0\t0\t0\t0\n"));
    assert!(is_root("Uid:\t1000\t0\t0\t0\n"));
    assert!(!is_root("Uid:\t0\t1000\t1000\t1000\n"));
    assert!(!is_root(""));
}
