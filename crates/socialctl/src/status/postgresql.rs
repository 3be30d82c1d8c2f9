//! `postgresql/*`: what makes PostgreSQL's WAL grow until the disk is full — pg_wal against
//! `max_wal_size`, replication slots holding WAL (inactive, `unreserved`, `lost`), checkpoints
//! forced by WAL volume, a failing `archive_command`. One `psql` run as the OS user postgres
//! over the cluster's socket (peer authentication; `pg_ls_waldir()` needs a superuser), so no
//! password is involved; a database on another host is checked there, not from here.

mod evaluate;

pub use evaluate::{eval_archiver, eval_checkpoints, eval_slots, eval_wal};

use super::context::{Context, Database, Endpoint};
use super::probe::{Output, Probe, RunError};
use super::report::Check;
use super::resources::parse_df;
use std::time::Duration;

const CAT: &str = "postgresql";
/// The checks of this category, in order.
pub const NAMES: [&str; 4] = ["wal", "replication-slots", "checkpoints", "archiver"];
const TIMEOUT: Duration = Duration::from_secs(15);
/// Where Debian's clusters put their sockets (used when the URL names a TCP loopback address).
const SOCKET_DIR: &str = "/var/run/postgresql";

/// The facts as tagged rows, one `|`-separated line each (one column, so `psql -At` prints
/// it as is). `format('%s', NULL)` is empty.
const FACTS_SQL: &str = "\
SELECT format('setting|%s|%s', name, coalesce((CASE unit WHEN 'B' THEN setting::numeric \
 WHEN 'kB' THEN setting::numeric * 1024 WHEN 'MB' THEN setting::numeric * 1048576 END)::bigint::text, setting)) \
 FROM pg_settings WHERE name IN ('max_wal_size', 'wal_keep_size', 'max_slot_wal_keep_size', \
 'wal_segment_size', 'archive_mode', 'data_directory') \
UNION ALL SELECT format('wal|%s|%s', count(*), coalesce(sum(size), 0)) FROM pg_ls_waldir() \
UNION ALL SELECT format('ready|%s', count(*)) FROM pg_ls_archive_statusdir() WHERE name LIKE '%.ready' \
UNION ALL SELECT format('slot|%s|%s|%s|%s|%s|%s', slot_name, slot_type, active, wal_status, \
 pg_wal_lsn_diff(CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() ELSE pg_current_wal_lsn() END, \
 restart_lsn)::bigint, safe_wal_size) FROM pg_replication_slots \
UNION ALL SELECT format('archiver|%s|%s|%s|%s|%s', archived_count, failed_count, \
 extract(epoch FROM last_archived_time)::bigint, extract(epoch FROM last_failed_time)::bigint, \
 last_failed_wal) FROM pg_stat_archiver";
/// Checkpoint counts: PostgreSQL 15 and 16 keep them in pg_stat_bgwriter, 17 in
/// pg_stat_checkpointer. Both are sent; the one the server does not know fails alone (psql
/// goes on after an error), so the appliance's PostgreSQL 15 and a newer one both answer.
const CHECKPOINTS_SQL: [&str; 2] = [
    "SELECT format('checkpoints|%s|%s|%s', checkpoints_timed, checkpoints_req, \
     extract(epoch FROM stats_reset)::bigint) FROM pg_stat_bgwriter",
    "SELECT format('checkpoints|%s|%s|%s', num_timed, num_requested, \
     extract(epoch FROM stats_reset)::bigint) FROM pg_stat_checkpointer",
];

/// What the server said.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facts {
    /// Sizes in bytes (`-1`: unlimited).
    pub max_wal_size: i64,
    pub wal_keep_size: i64,
    pub max_slot_wal_keep_size: i64,
    pub wal_segment_size: i64,
    pub archive_mode: String,
    pub data_directory: String,
    pub wal_files: u64,
    pub wal_bytes: u64,
    /// WAL files waiting for `archive_command` (`archive_status/*.ready`).
    pub ready_files: u64,
    pub slots: Vec<Slot>,
    pub archiver: Option<Archiver>,
    pub checkpoints: Option<Checkpoints>,
    /// Free space (for the postgres user) on pg_wal's filesystem, when `df` told.
    pub wal_disk_free: Option<u64>,
    /// How a fix hint runs psql on this cluster (`runuser -u postgres -- psql`).
    pub psql: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Slot {
    pub name: String,
    /// `physical` or `logical`.
    pub kind: String,
    pub active: bool,
    /// `reserved`, `extended`, `unreserved`, `lost`, or empty (reserves nothing yet).
    pub wal_status: String,
    /// WAL from the slot's restart_lsn to now (`None`: it reserves none).
    pub retained: Option<u64>,
    /// How much more WAL may be written before the slot is lost (`None`: no limit).
    pub safe_wal_size: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Archiver {
    pub archived: u64,
    pub failed: u64,
    /// Unix seconds.
    pub last_archived: Option<i64>,
    pub last_failed: Option<i64>,
    pub last_failed_wal: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Checkpoints {
    pub timed: u64,
    pub requested: u64,
    /// When the counters were reset (Unix seconds).
    pub since: Option<i64>,
}

pub fn checks(p: &dyn Probe, ctx: &Context) -> Vec<Check> {
    let e = match &ctx.database {
        Database::Postgres(e) if e.is_local() => e,
        Database::Postgres(e) => {
            return same(&format!(
                "PostgreSQL at {} is on another host: run socialctl status there",
                e.addr()
            ));
        }
        Database::Sqlite { .. } => return same("not used (SQLite)"),
        Database::Unknown { scheme } => return same(&format!("not used ({scheme}: URL)")),
    };
    let args = psql_args(e);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut facts = match parse_facts(&p.run("runuser", &args, TIMEOUT)) {
        Ok(f) => f,
        Err(reason) => {
            let hint = format!("{} -c 'SELECT 1'", psql_command(e));
            return NAMES
                .iter()
                .map(|name| Check::warn(CAT, name, format!("not checked: {reason}"), &hint))
                .collect();
        }
    };
    facts.psql = psql_command(e);
    if !facts.data_directory.is_empty() {
        let wal_dir = format!("{}/pg_wal", facts.data_directory);
        facts.wal_disk_free = p
            .run("df", &["-P", "-k", &wal_dir], Duration::from_secs(10))
            .ok()
            .filter(Output::success)
            .and_then(|o| parse_df(&o.stdout))
            .map(|d| d.available_kib * 1024);
    }
    vec![
        eval_wal(&facts),
        eval_slots(&facts),
        eval_checkpoints(&facts),
        eval_archiver(&facts),
    ]
}

/// The same OK reason for every check of the category.
fn same(reason: &str) -> Vec<Check> {
    NAMES.iter().map(|n| Check::ok(CAT, n, reason)).collect()
}

/// The URL's socket directory; Debian's for a loopback TCP address (peer authentication
/// works only over the socket).
fn socket_dir(e: &Endpoint) -> &str {
    if e.host.starts_with('/') {
        &e.host
    } else {
        SOCKET_DIR
    }
}

/// psql for the fix hints: the default cluster needs no socket directory or port.
fn psql_command(e: &Endpoint) -> String {
    let dir = socket_dir(e);
    if (dir == SOCKET_DIR || dir == "/run/postgresql") && e.port == 5432 {
        "runuser -u postgres -- psql".to_owned()
    } else {
        format!("runuser -u postgres -- psql -h {dir} -p {}", e.port)
    }
}

/// `runuser -u postgres -- psql …`: no psqlrc, unaligned tuples only, time limits on the
/// connection and the statements.
pub fn psql_args(e: &Endpoint) -> Vec<String> {
    let quote = |v: &str| format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"));
    let dbname = if e.path.is_empty() {
        "postgres"
    } else {
        &e.path
    };
    let conninfo = format!(
        "host={} port={} dbname={} connect_timeout=5 application_name=socialctl-status \
         options='-c statement_timeout=5000'",
        quote(socket_dir(e)),
        e.port,
        quote(dbname),
    );
    let mut args: Vec<String> = ["-u", "postgres", "--", "psql", "-X", "-A", "-t", "-q", "-d"]
        .map(str::to_owned)
        .to_vec();
    args.push(conninfo);
    for sql in std::iter::once(FACTS_SQL).chain(CHECKPOINTS_SQL) {
        args.extend(["-c".to_owned(), sql.to_owned()]);
    }
    args
}

/// psql's rows into facts; `Err` with the reason when the main query did not answer.
pub fn parse_facts(out: &Result<Output, RunError>) -> Result<Facts, String> {
    let out = match out {
        Ok(o) => o,
        Err(RunError::NotFound) => return Err("runuser is not installed".to_owned()),
        Err(e) => return Err(format!("psql: {e}")),
    };
    let mut f = Facts::default();
    let mut answered = false;
    let num = |s: Option<&str>| s.and_then(|v| v.parse::<i64>().ok());
    let unsigned = |s: Option<&str>| s.and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    for line in out.stdout.lines() {
        let mut v = line.split('|');
        match v.next() {
            Some("setting") => {
                let (name, value) = (v.next().unwrap_or(""), v.next().unwrap_or(""));
                let bytes = value.parse().unwrap_or(-1);
                match name {
                    "max_wal_size" => f.max_wal_size = bytes,
                    "wal_keep_size" => f.wal_keep_size = bytes,
                    "max_slot_wal_keep_size" => f.max_slot_wal_keep_size = bytes,
                    "wal_segment_size" => f.wal_segment_size = bytes,
                    "archive_mode" => value.clone_into(&mut f.archive_mode),
                    "data_directory" => value.clone_into(&mut f.data_directory),
                    _ => {}
                }
            }
            Some("wal") => {
                answered = true;
                f.wal_files = unsigned(v.next());
                f.wal_bytes = unsigned(v.next());
            }
            Some("ready") => f.ready_files = unsigned(v.next()),
            Some("slot") => f.slots.push(Slot {
                name: v.next().unwrap_or("").to_owned(),
                kind: v.next().unwrap_or("").to_owned(),
                active: matches!(v.next(), Some("t" | "true")),
                wal_status: v.next().unwrap_or("").to_owned(),
                retained: num(v.next()).map(|b| b.max(0).unsigned_abs()),
                safe_wal_size: num(v.next()),
            }),
            Some("archiver") => {
                f.archiver = Some(Archiver {
                    archived: unsigned(v.next()),
                    failed: unsigned(v.next()),
                    last_archived: num(v.next()),
                    last_failed: num(v.next()),
                    last_failed_wal: v.next().unwrap_or("").to_owned(),
                });
            }
            Some("checkpoints") => {
                f.checkpoints = Some(Checkpoints {
                    timed: unsigned(v.next()),
                    requested: unsigned(v.next()),
                    since: num(v.next()),
                });
            }
            _ => {}
        }
    }
    if answered {
        Ok(f)
    } else {
        // The connection or the main query failed: psql's first error says why (the main
        // query runs first).
        Err(format!("psql: {}", out.first_message()))
    }
}

#[cfg(test)]
mod tests;
