//! The `postgresql/*` evaluators on psql's real output (`status/fixtures.rs`).

use super::*;
use crate::status::fixtures;
use crate::status::report::Level;

fn facts(stdout: &str) -> Facts {
    let out = Ok(Output {
        code: Some(1),
        stdout: stdout.to_owned(),
        stderr: "ERROR:  relation \"pg_stat_checkpointer\" does not exist\n".to_owned(),
    });
    let mut f = parse_facts(&out).expect("the main query answered");
    f.psql = "runuser -u postgres -- psql".to_owned();
    f
}

#[test]
fn psql_output_parses() {
    let f = facts(fixtures::PSQL_SLOT_EXTENDED);
    assert_eq!(
        (f.max_wal_size, f.max_slot_wal_keep_size, f.wal_keep_size),
        (32 << 20, 64 << 20, 0)
    );
    assert_eq!((f.wal_files, f.wal_bytes, f.ready_files), (5, 80 << 20, 0));
    assert_eq!(f.data_directory, "/tmp/pgdev/data");
    assert_eq!(
        f.slots[0],
        Slot {
            name: "stale".into(),
            kind: "physical".into(),
            active: false,
            wal_status: "extended".into(),
            retained: Some(61_864_384),
            safe_wal_size: Some(16_777_000),
        }
    );
    assert_eq!(f.slots[1].retained, None);
    assert_eq!(
        f.checkpoints,
        Some(Checkpoints {
            timed: 0,
            requested: 4,
            since: Some(1_796_280_925)
        })
    );
    let a = facts(fixtures::PSQL_ARCHIVER_FAILING).archiver;
    assert_eq!(
        a,
        Some(Archiver {
            archived: 20,
            failed: 4,
            last_archived: Some(1_796_281_112),
            last_failed: Some(1_796_281_120),
            last_failed_wal: "000000010000000000000016".into(),
        })
    );
}

#[test]
fn psql_failures_are_reasons() {
    let refused = Ok(Output {
        code: Some(2),
        stdout: String::new(),
        stderr: "psql: error: connection to server on socket \"/var/run/postgresql/.s.PGSQL.5432\" failed: No such file or directory\n".into(),
    });
    let why = parse_facts(&refused).expect_err("no facts");
    assert!(why.starts_with("psql: psql: error: connection"), "{why}");
    assert_eq!(
        parse_facts(&Err(RunError::NotFound)),
        Err("runuser is not installed".to_owned())
    );
}

#[test]
fn the_command_runs_as_postgres_on_the_socket() {
    let e = Endpoint {
        host: "/tmp/it's here".into(),
        port: 5433,
        path: "social".into(),
        password: Some("hunter2".into()),
        ..Endpoint::default()
    };
    let args = psql_args(&e);
    assert_eq!(&args[..4], ["-u", "postgres", "--", "psql"]);
    assert!(
        args[9].starts_with("host='/tmp/it\\'s here' port=5433 dbname='social' connect_timeout=5"),
        "{}",
        args[9]
    );
    assert!(!args.concat().contains("hunter2"));
    assert_eq!(
        psql_command(&e),
        "runuser -u postgres -- psql -h /tmp/it's here -p 5433"
    );
    let tcp = Endpoint {
        host: "127.0.0.1".into(),
        port: 5432,
        ..Endpoint::default()
    };
    assert_eq!(psql_command(&tcp), "runuser -u postgres -- psql");
    assert!(psql_args(&tcp)[9].contains("dbname='postgres'"));
}

#[test]
fn wal_within_its_bound_is_ok() {
    let c = eval_wal(&facts(fixtures::PSQL_SLOT_RESERVED));
    assert_eq!(
        (c.status, c.reason.as_str()),
        (
            Level::Ok,
            "pg_wal 32 MiB in 2 files, within max_wal_size 32 MiB + max_slot_wal_keep_size 64 MiB"
        )
    );
    // The slot is lost: it no longer adds to the bound, and pg_wal is back to max_wal_size.
    let c = eval_wal(&facts(fixtures::PSQL_SLOT_LOST));
    assert_eq!(c.status, Level::Ok, "{c:?}");
    assert!(c.reason.ends_with("within max_wal_size 32 MiB"), "{c:?}");
}

#[test]
fn wal_held_by_a_slot_or_the_archiver_is_named() {
    let mut f = facts(fixtures::PSQL_SLOT_EXTENDED);
    f.max_slot_wal_keep_size = -1;
    let c = eval_wal(&f);
    assert_eq!(c.status, Level::Warn, "{c:?}");
    assert_eq!(
        c.reason,
        "pg_wal 80 MiB in 5 files is 2.5× its bound (max_wal_size 32 MiB): slot stale holds 58 MiB"
    );
    assert_eq!(
        c.hint.as_deref(),
        Some("runuser -u postgres -- psql -c \"SELECT pg_drop_replication_slot('stale')\"")
    );
    let c = eval_wal(&facts(fixtures::PSQL_ARCHIVER_FAILING));
    assert_eq!(c.status, Level::Error, "{c:?}");
    assert_eq!(
        c.reason,
        "pg_wal 144 MiB in 9 files is 4.5× its bound (max_wal_size 32 MiB): 8 WAL files wait \
         for the failing archive_command (postgresql/archiver)"
    );
}

#[test]
fn wal_toward_a_full_disk_is_an_error() {
    let mut f = facts(fixtures::PSQL_SLOT_RESERVED);
    f.wal_disk_free = Some(16 << 20);
    let c = eval_wal(&f);
    assert_eq!(c.status, Level::Error);
    assert!(c.reason.contains("only 16 MiB free"), "{c:?}");
    let mut f = facts(fixtures::PSQL_SLOT_EXTENDED);
    f.max_slot_wal_keep_size = -1;
    f.wal_disk_free = Some(40 << 20);
    let c = eval_wal(&f);
    assert_eq!(c.status, Level::Error);
    assert!(c.reason.contains("more than the 40 MiB left"), "{c:?}");
    f.wal_disk_free = Some(10 << 30);
    assert_eq!(eval_wal(&f).status, Level::Warn);
}

#[test]
fn slots() {
    let c = eval_slots(&facts(fixtures::PSQL_SLOT_RESERVED));
    assert_eq!(c.status, Level::Warn);
    assert_eq!(
        c.reason,
        "slot stale (physical) is inactive and holds 10 MiB of WAL, lost after 63 MiB more; drop \
         it if its replica is gone"
    );
    let c = eval_slots(&facts(fixtures::PSQL_SLOT_LOST));
    assert_eq!(c.status, Level::Error);
    assert!(c.reason.starts_with("slot stale is lost"), "{c:?}");
    assert_eq!(
        c.hint.as_deref(),
        Some("runuser -u postgres -- psql -c \"SELECT pg_drop_replication_slot('stale')\"")
    );
    let mut f = facts(fixtures::PSQL_SLOT_RESERVED);
    f.slots[0].wal_status = "unreserved".into();
    assert_eq!(eval_slots(&f).status, Level::Error);
    f.slots[0].active = true;
    assert_eq!(eval_slots(&f).status, Level::Warn);
    f.slots[0].wal_status = "reserved".into();
    let c = eval_slots(&f);
    assert_eq!(
        (c.status, c.reason.as_str()),
        (
            Level::Ok,
            "2 slot(s): stale (active, holds 10 MiB); never (inactive, reserves no WAL)"
        )
    );
    f.slots.clear();
    assert_eq!(eval_slots(&f).reason, "no replication slots");
}

#[test]
fn checkpoints() {
    let f = facts(fixtures::PSQL_SLOT_EXTENDED);
    let c = eval_checkpoints(&f);
    assert_eq!(
        (c.status, c.reason.as_str()),
        (
            Level::Ok,
            "4 checkpoints since 2026-12-03 06:55 UTC (4 requested): too few to judge"
        )
    );
    let c = eval_checkpoints(&facts(fixtures::PSQL_ARCHIVER_FAILING));
    assert_eq!(c.status, Level::Warn);
    assert!(
        c.reason
            .starts_with("50 of 50 checkpoints since 2026-12-03 06:55 UTC were requested (100%)"),
        "{c:?}"
    );
    let mut f = f;
    f.checkpoints = Some(Checkpoints {
        timed: 90,
        requested: 10,
        since: None,
    });
    assert_eq!(
        eval_checkpoints(&f).reason,
        "100 checkpoints, 10% requested"
    );
    f.checkpoints = None;
    assert_eq!(eval_checkpoints(&f).status, Level::Warn);
}

#[test]
fn archiver() {
    let c = eval_archiver(&facts(fixtures::PSQL_ARCHIVER_FAILING));
    assert_eq!(c.status, Level::Error);
    assert_eq!(
        c.reason,
        "archive_command fails: 4 failures, last at 2026-12-03 06:58 UTC \
         (000000010000000000000016), last success 2026-12-03 06:58 UTC; 8 WAL files (128 MiB) \
         wait and pg_wal (144 MiB) grows until the disk is full"
    );
    let c = eval_archiver(&facts(fixtures::PSQL_SLOT_LOST));
    assert_eq!(
        (c.status, c.reason.as_str()),
        (
            Level::Ok,
            "archive_mode on: 5 WAL files archived, last 2026-12-03 06:58 UTC"
        )
    );
    let mut f = facts(fixtures::PSQL_ARCHIVER_FAILING);
    f.archiver = f.archiver.map(|a| Archiver {
        last_archived: Some(1_796_281_200),
        ..a
    });
    let c = eval_archiver(&f);
    assert_eq!(c.status, Level::Warn, "8 files of 16 MiB wait: {c:?}");
    f.ready_files = 0;
    let c = eval_archiver(&f);
    assert!(c.reason.ends_with("4 failures before (recovered)"), "{c:?}");
    f.archive_mode = "off".into();
    assert_eq!(eval_archiver(&f).reason, "archive_mode off");
}
