//! The `postgresql/*` evaluators: pure functions of the facts psql returned.

use super::{CAT, Facts, Slot};
use crate::status::report::{Check, Level, size};

/// pg_wal above this multiple of its bound (max_wal_size + wal_keep_size + a finite
/// max_slot_wal_keep_size while a slot holds WAL) is a warning, above the second an error.
/// PostgreSQL overshoots max_wal_size a little under load: the margin keeps that quiet.
pub const WAL_WARN_FACTOR: f64 = 1.5;
pub const WAL_ERROR_FACTOR: f64 = 3.0;
/// Checkpoints: judged from this many on; more than half requested is a warning.
pub const CHECKPOINTS_MIN: u64 = 10;

/// Bytes of a setting (`-1`, unlimited, as 0).
fn bytes(setting: i64) -> u64 {
    u64::try_from(setting).unwrap_or(0)
}

/// Unix seconds as `2026-12-03 14:05 UTC`.
fn when(ts: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ts).map_or_else(
        |_| format!("@{ts}"),
        |t| format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute()),
    )
}

fn drop_slot(f: &Facts, name: &str) -> String {
    format!(
        "{} -c \"SELECT pg_drop_replication_slot('{name}')\"",
        f.psql
    )
}

/// The archiver fails now: its last failure is newer than its last success.
fn archiver_failing(f: &Facts) -> bool {
    f.archiver.as_ref().is_some_and(|a| {
        a.failed > 0 && a.last_failed.unwrap_or(0) > a.last_archived.unwrap_or(i64::MIN)
    })
}

/// `postgresql/wal`: the size of pg_wal against the WAL PostgreSQL is configured to keep, and
/// against the free space of its filesystem.
pub fn eval_wal(f: &Facts) -> Check {
    let max_wal = bytes(f.max_wal_size);
    let keep = bytes(f.wal_keep_size);
    let slots_hold = f
        .slots
        .iter()
        .any(|s| s.retained.is_some() && s.wal_status != "lost");
    let slot_keep = if slots_hold {
        bytes(f.max_slot_wal_keep_size)
    } else {
        0
    };
    let bound = (max_wal + keep + slot_keep).max(1);
    let mut terms = vec![format!("max_wal_size {}", size(max_wal))];
    if keep > 0 {
        terms.push(format!("wal_keep_size {}", size(keep)));
    }
    if slot_keep > 0 {
        terms.push(format!("max_slot_wal_keep_size {}", size(slot_keep)));
    }
    let terms = terms.join(" + ");
    #[allow(clippy::cast_precision_loss)] // a ratio for people
    let ratio = f.wal_bytes as f64 / bound as f64;
    let wal = format!("pg_wal {} in {} files", size(f.wal_bytes), f.wal_files);
    // What holds the WAL, most likely first.
    let holder = f
        .slots
        .iter()
        .filter(|s| s.wal_status != "lost")
        .filter_map(|s| Some((s, s.retained?)))
        .max_by_key(|(_, r)| *r)
        .filter(|(_, r)| *r > max_wal / 2);
    let (cause, hint) = if archiver_failing(f) {
        (
            format!(
                ": {} WAL files wait for the failing archive_command (postgresql/archiver)",
                f.ready_files
            ),
            format!("{} -c 'SELECT * FROM pg_stat_archiver'", f.psql),
        )
    } else if let Some((slot, held)) = holder {
        (
            format!(": slot {} holds {}", slot.name, size(held)),
            drop_slot(f, &slot.name),
        )
    } else {
        (
            String::new(),
            format!(
                "{} -c CHECKPOINT; see postgresql/checkpoints and postgresql/archiver",
                f.psql
            ),
        )
    };
    let free = f.wal_disk_free;
    if let Some(free) = free.filter(|free| *free < max_wal) {
        return Check::error(
            CAT,
            "wal",
            format!(
                "{wal}, only {} free on its filesystem, less than max_wal_size {}: a burst of \
                 writes fills the disk and stops PostgreSQL",
                size(free),
                size(max_wal)
            ),
            &format!("df -h {}/pg_wal; {hint}", f.data_directory),
        );
    }
    let toward_disk = free.filter(|free| ratio > 1.0 && *free < f.wal_bytes);
    if ratio > WAL_ERROR_FACTOR || toward_disk.is_some() {
        let disk = toward_disk.map_or(String::new(), |free| {
            format!(", more than the {} left on its disk", size(free))
        });
        Check::error(
            CAT,
            "wal",
            format!("{wal} is {ratio:.1}× its bound ({terms}){disk}{cause}"),
            &hint,
        )
    } else if ratio > WAL_WARN_FACTOR {
        Check::warn(
            CAT,
            "wal",
            format!("{wal} is {ratio:.1}× its bound ({terms}){cause}"),
            &hint,
        )
    } else {
        Check::ok(CAT, "wal", format!("{wal}, within {terms}"))
    }
}

/// One slot: its level, what to say, the fix.
fn judge_slot(f: &Facts, s: &Slot) -> (Level, String, String) {
    let held = s.retained.map_or_else(String::new, size);
    let drop = drop_slot(f, &s.name);
    let state = if s.active { "active" } else { "inactive" };
    match (s.wal_status.as_str(), s.active) {
        ("lost", _) => (
            Level::Error,
            format!(
                "slot {} is lost: WAL it needed was removed (past max_slot_wal_keep_size); \
                 its replica must be rebuilt, drop the slot",
                s.name
            ),
            drop,
        ),
        ("unreserved", false) => (
            Level::Error,
            format!(
                "slot {} (inactive) holds {held}, past max_slot_wal_keep_size: lost at the next \
                 checkpoint",
                s.name
            ),
            drop,
        ),
        ("unreserved", true) => (
            Level::Warn,
            format!(
                "slot {} holds {held}, past max_slot_wal_keep_size: its replica lags and will \
                 be cut off",
                s.name
            ),
            format!("{} -c 'SELECT * FROM pg_stat_replication'", f.psql),
        ),
        (_, false) if s.retained.is_some() => {
            let limit = match s.safe_wal_size {
                Some(n) if f.max_slot_wal_keep_size >= 0 => {
                    format!(", lost after {} more", size(bytes(n)))
                }
                _ => ", without limit (max_slot_wal_keep_size = -1)".to_owned(),
            };
            (
                Level::Warn,
                format!(
                    "slot {} ({}) is inactive and holds {held} of WAL{limit}; drop it if its \
                     replica is gone",
                    s.name, s.kind
                ),
                drop,
            )
        }
        ("extended", true) => (
            Level::Warn,
            format!(
                "slot {} holds {held}, more than max_wal_size: its replica lags",
                s.name
            ),
            format!("{} -c 'SELECT * FROM pg_stat_replication'", f.psql),
        ),
        (_, _) if s.retained.is_none() => (
            Level::Ok,
            format!("{} ({state}, reserves no WAL)", s.name),
            String::new(),
        ),
        _ => (
            Level::Ok,
            format!("{} ({state}, holds {held})", s.name),
            String::new(),
        ),
    }
}

/// `postgresql/replication-slots`: the worst slot decides; its findings are named.
pub fn eval_slots(f: &Facts) -> Check {
    const NAME: &str = "replication-slots";
    let judged: Vec<_> = f.slots.iter().map(|s| judge_slot(f, s)).collect();
    let worst = judged.iter().map(|j| j.0).max().unwrap_or(Level::Ok);
    let of_worst: Vec<_> = judged.iter().filter(|j| j.0 == worst).collect();
    let reason = of_worst
        .iter()
        .map(|j| j.1.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let hint = of_worst.first().map_or("", |j| j.2.as_str());
    match worst {
        _ if f.slots.is_empty() => Check::ok(CAT, NAME, "no replication slots"),
        Level::Ok => Check::ok(CAT, NAME, format!("{} slot(s): {reason}", f.slots.len())),
        Level::Warn => Check::warn(CAT, NAME, reason, hint),
        Level::Error => Check::error(CAT, NAME, reason, hint),
    }
}

/// `postgresql/checkpoints`: checkpoints requested by WAL volume (or by hand) instead of
/// `checkpoint_timeout` mean max_wal_size is small for the write load.
pub fn eval_checkpoints(f: &Facts) -> Check {
    const NAME: &str = "checkpoints";
    let Some(c) = &f.checkpoints else {
        return Check::warn(
            CAT,
            NAME,
            "not checked: neither pg_stat_bgwriter nor pg_stat_checkpointer answered",
            &format!("{} -c 'SELECT * FROM pg_stat_bgwriter'", f.psql),
        );
    };
    let total = c.timed + c.requested;
    let since = c
        .since
        .map_or_else(String::new, |t| format!(" since {}", when(t)));
    let pct = (c.requested * 100).checked_div(total).unwrap_or(0);
    if total < CHECKPOINTS_MIN {
        Check::ok(
            CAT,
            NAME,
            format!(
                "{total} checkpoints{since} ({} requested): too few to judge",
                c.requested
            ),
        )
    } else if c.requested * 2 > total {
        Check::warn(
            CAT,
            NAME,
            format!(
                "{} of {total} checkpoints{since} were requested ({pct}%), not timed: \
                 max_wal_size {} is small for the write load",
                c.requested,
                size(bytes(f.max_wal_size))
            ),
            &format!(
                "raise max_wal_size (/etc/postgresql/15/main/conf.d, the postgresql role's \
                 settings), reload, then {} -c \"SELECT pg_stat_reset_shared('bgwriter')\"",
                f.psql
            ),
        )
    } else {
        Check::ok(
            CAT,
            NAME,
            format!("{total} checkpoints{since}, {pct}% requested"),
        )
    }
}

/// `postgresql/archiver`: a failing archive_command keeps every WAL file since its first
/// failure, past max_wal_size and max_slot_wal_keep_size, until the disk is full.
pub fn eval_archiver(f: &Facts) -> Check {
    const NAME: &str = "archiver";
    if f.archive_mode == "off" {
        return Check::ok(CAT, NAME, "archive_mode off");
    }
    let Some(a) = &f.archiver else {
        return Check::warn(
            CAT,
            NAME,
            "not checked: pg_stat_archiver did not answer",
            &format!("{} -c 'SELECT * FROM pg_stat_archiver'", f.psql),
        );
    };
    let waiting = bytes(f.wal_segment_size) * f.ready_files;
    let last_ok = a.last_archived.map_or_else(|| "never".to_owned(), when);
    if archiver_failing(f) {
        let failed_at = a
            .last_failed
            .map_or_else(String::new, |t| format!(" at {}", when(t)));
        return Check::error(
            CAT,
            NAME,
            format!(
                "archive_command fails: {} failures, last{failed_at} ({}), last success {last_ok}; \
                 {} WAL files ({}) wait and pg_wal ({}) grows until the disk is full",
                a.failed,
                a.last_failed_wal,
                f.ready_files,
                size(waiting),
                size(f.wal_bytes)
            ),
            &format!(
                "grep archive /var/log/postgresql/postgresql-15-main.log | tail -n 5; {} -c \
                 'SHOW archive_command'",
                f.psql
            ),
        );
    }
    if waiting > bytes(f.max_wal_size) {
        return Check::warn(
            CAT,
            NAME,
            format!(
                "{} WAL files ({}) wait for archive_command, more than max_wal_size: it is \
                 slower than the writes",
                f.ready_files,
                size(waiting)
            ),
            &format!("{} -c 'SELECT * FROM pg_stat_archiver'", f.psql),
        );
    }
    let failures = match a.failed {
        0 => String::new(),
        n => format!(", {n} failures before (recovered)"),
    };
    Check::ok(
        CAT,
        NAME,
        format!(
            "archive_mode {}: {} WAL files archived, last {last_ok}{failures}",
            f.archive_mode, a.archived
        ),
    )
}
