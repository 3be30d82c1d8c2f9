//! `resources/*`: free disk space where the appliance writes, and available memory.

use super::probe::{Probe, RunError};
use super::report::{Check, Level};
use std::time::Duration;

const CAT: &str = "resources";
/// Free space (of what non-root users may use) below these percentages.
pub const DISK_WARN_PCT: u64 = 15;
pub const DISK_ERROR_PCT: u64 = 5;
/// MemAvailable below these percentages of MemTotal.
pub const MEM_WARN_PCT: u64 = 10;
pub const MEM_ERROR_PCT: u64 = 5;

/// Check name, path, whether it must exist.
const DISKS: [(&str, &str, bool); 3] = [
    ("disk-social", "/var/lib/social", true),
    ("disk-postgresql", "/var/lib/postgresql", false),
    ("disk-log", "/var/log", true),
];

/// One filesystem line of `df -P -k`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Df {
    pub used_kib: u64,
    pub available_kib: u64,
    pub mount: String,
}

/// `df -P -k PATH`: the line after the header.
pub fn parse_df(text: &str) -> Option<Df> {
    let line = text.lines().nth(1)?;
    let f: Vec<&str> = line.split_whitespace().collect();
    Some(Df {
        used_kib: f.get(2)?.parse().ok()?,
        available_kib: f.get(3)?.parse().ok()?,
        mount: f.get(5..)?.join(" "),
    })
}

/// `/proc/meminfo`: (MemTotal, MemAvailable) in KiB.
pub fn parse_meminfo(text: &str) -> Option<(u64, u64)> {
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    };
    Some((field("MemTotal:")?, field("MemAvailable:")?))
}

pub fn checks(p: &dyn Probe) -> Vec<Check> {
    let mut checks: Vec<Check> = DISKS
        .iter()
        .map(|(name, path, required)| {
            let out = p.run("df", &["-P", "-k", path], Duration::from_secs(10));
            eval_disk(
                name,
                path,
                *required,
                &out.map(|o| (o.success(), o.first_message(), o.stdout))
                    .map(|(ok, msg, stdout)| (ok, stdout, msg)),
            )
        })
        .collect();
    checks.push(eval_memory(
        &p.read("/proc/meminfo").map_err(|e| e.to_string()),
    ));
    checks
}

fn level_for(free_pct: u64, warn: u64, error: u64) -> Level {
    if free_pct < error {
        Level::Error
    } else if free_pct < warn {
        Level::Warn
    } else {
        Level::Ok
    }
}

/// `out`: (exit 0, stdout, first message) of `df -P -k PATH`.
pub fn eval_disk(
    name: &str,
    path: &str,
    required: bool,
    out: &Result<(bool, String, String), RunError>,
) -> Check {
    let hint =
        format!("du -xh --max-depth=2 {path} | sort -h | tail; journalctl --vacuum-size=200M");
    let df = match out {
        Ok((true, stdout, _)) => parse_df(stdout),
        Ok((false, _, msg)) if !required && msg.contains("No such file") => {
            return Check::ok(CAT, name, format!("{path}: not on this host"));
        }
        Ok((false, _, msg)) => {
            return Check::warn(
                CAT,
                name,
                format!("df {path}: {msg}"),
                &format!("ls -ld {path}"),
            );
        }
        Err(e) => {
            return Check::warn(
                CAT,
                name,
                format!("df {path}: {e}"),
                "apt install coreutils",
            );
        }
    };
    let Some(df) = df else {
        return Check::warn(
            CAT,
            name,
            format!("df {path}: unexpected output"),
            &format!("df -P {path}"),
        );
    };
    let size = df.used_kib + df.available_kib;
    let free_pct = (df.available_kib * 100).checked_div(size).unwrap_or(0);
    let reason = format!(
        "{path} on {}: {free_pct}% free ({:.1} GiB of {:.1} GiB)",
        df.mount,
        gib(df.available_kib),
        gib(size)
    );
    match level_for(free_pct, DISK_WARN_PCT, DISK_ERROR_PCT) {
        Level::Ok => Check::ok(CAT, name, reason),
        Level::Warn => Check::warn(CAT, name, reason, &hint),
        Level::Error => Check::error(CAT, name, reason, &hint),
    }
}

#[allow(clippy::cast_precision_loss)] // display only
fn gib(kib: u64) -> f64 {
    kib as f64 / 1_048_576.0
}

pub fn eval_memory(meminfo: &Result<String, String>) -> Check {
    let hint = "ps -eo rss,comm --sort=-rss | head";
    let parsed = meminfo.as_ref().map_err(Clone::clone).and_then(|t| {
        parse_meminfo(t).ok_or_else(|| "no MemTotal/MemAvailable in /proc/meminfo".to_owned())
    });
    let (total, available) = match parsed {
        Ok(v) => v,
        Err(e) => return Check::warn(CAT, "memory", e, "cat /proc/meminfo"),
    };
    let pct = (available * 100).checked_div(total).unwrap_or(0);
    let reason = format!(
        "{pct}% available ({:.1} GiB of {:.1} GiB)",
        gib(available),
        gib(total)
    );
    match level_for(pct, MEM_WARN_PCT, MEM_ERROR_PCT) {
        Level::Ok => Check::ok(CAT, "memory", reason),
        Level::Warn => Check::warn(CAT, "memory", reason, hint),
        Level::Error => Check::error(CAT, "memory", reason, hint),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::fixtures;

    fn df(avail: u64, used: u64) -> Result<(bool, String, String), RunError> {
        let text = format!(
            "Filesystem     1024-blocks     Used Available Capacity Mounted on\n/dev/vda1 {} {used} {avail} 50% /var/lib\n",
            used + avail
        );
        Ok((true, text, String::new()))
    }

    #[test]
    fn real_outputs_parse() {
        let d = parse_df(fixtures::DF).expect("df parses");
        assert_eq!(
            (d.used_kib, d.available_kib, d.mount.as_str()),
            (24_771_480, 70_514_408, "/")
        );
        assert_eq!(
            parse_meminfo(fixtures::MEMINFO),
            Some((24_683_568, 24_076_612))
        );
        let c = eval_disk(
            "disk-social",
            "/var/lib/social",
            true,
            &Ok((true, fixtures::DF.into(), String::new())),
        );
        assert_eq!(
            c.reason,
            "/var/lib/social on /: 74% free (67.2 GiB of 90.9 GiB)"
        );
        assert_eq!(eval_memory(&Ok(fixtures::MEMINFO.into())).status, Level::Ok);
    }

    #[test]
    fn thresholds() {
        let at = |avail| eval_disk("disk-log", "/var/log", true, &df(avail, 100 - avail)).status;
        assert_eq!(
            (at(15), at(14), at(5), at(4)),
            (Level::Ok, Level::Warn, Level::Warn, Level::Error)
        );
        let mem = |avail: u64| {
            eval_memory(&Ok(format!("MemTotal: 100 kB\nMemAvailable: {avail} kB\n"))).status
        };
        assert_eq!(
            (mem(10), mem(9), mem(5), mem(4)),
            (Level::Ok, Level::Warn, Level::Warn, Level::Error)
        );
    }

    #[test]
    fn missing_paths() {
        let gone = Ok((
            false,
            String::new(),
            "df: /var/lib/postgresql: No such file or directory".to_owned(),
        ));
        assert_eq!(
            eval_disk("disk-postgresql", "/var/lib/postgresql", false, &gone).status,
            Level::Ok
        );
        assert_eq!(
            eval_disk("disk-social", "/var/lib/social", true, &gone).status,
            Level::Warn
        );
        assert_eq!(eval_memory(&Err("denied".into())).status, Level::Warn);
    }
}
