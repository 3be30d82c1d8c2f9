//! `redis/*`: Redis's memory against `maxmemory` and its policy, evictions and writes refused
//! for lack of memory, connections refused — from `INFO` (over the same RESP connection as
//! `databases/redis`, with `AUTH` when the URL has a password; CONFIG is disabled on the
//! appliance, INFO carries the policy). Never an ERROR: sociald serves without Redis (DESIGN
//! decision 2).

use super::context::{Context, Redis};
use super::databases::redis_auth;
use super::probe::Probe;
use super::report::{Check, size};
use std::collections::HashMap;
use std::time::Duration;

const CAT: &str = "redis";
/// The checks of this category, in order.
pub const NAMES: [&str; 3] = ["memory", "evictions", "connections"];
/// With a policy that evicts nothing, this share of maxmemory used is a warning (writes fail
/// when it is reached).
pub const NOEVICTION_WARN_PCT: u64 = 90;
const HINT_CONF: &str = "set maxmemory and maxmemory-policy allkeys-lfu in /etc/redis/social.conf (the redis role), then systemctl restart redis-server";

pub fn checks(p: &dyn Probe, ctx: &Context) -> Vec<Check> {
    let e = match &ctx.redis {
        Redis::InProcess => return same("not configured: in-process cache"),
        Redis::Unprobed { scheme } => {
            return same(&format!("{scheme}:// URL: not probed by socialctl status"));
        }
        Redis::Tcp(e) => e,
    };
    let mut commands = redis_auth(e);
    commands.push(vec!["INFO".to_owned()]);
    let info = match p.resp(&e.addr(), &commands, Duration::from_secs(5)) {
        Err(err) => Err(err),
        Ok(replies) => match replies.iter().find(|r| r.starts_with('-')) {
            // -NOAUTH, -WRONGPASS, -NOPERM: never the password.
            Some(error) => Err(error.trim_start_matches('-').to_owned()),
            None => Ok(replies.last().cloned().unwrap_or_default()),
        },
    };
    match info {
        Ok(text) => {
            let info = parse_info(&text);
            vec![
                eval_memory(&info),
                eval_evictions(&info),
                eval_connections(&info),
            ]
        }
        Err(err) => NAMES
            .iter()
            .map(|n| {
                Check::warn(
                    CAT,
                    n,
                    format!("not checked: Redis at {}: {err}", e.addr()),
                    "redis-cli -u \"$(cat /etc/social/credentials/redis-url)\" --no-auth-warning INFO memory",
                )
            })
            .collect(),
    }
}

fn same(reason: &str) -> Vec<Check> {
    NAMES.iter().map(|n| Check::ok(CAT, n, reason)).collect()
}

/// `key:value` lines of `INFO` (section headers and blank lines skipped).
pub fn parse_info(text: &str) -> HashMap<String, String> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.trim_end().split_once(':'))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

fn num(info: &HashMap<String, String>, key: &str) -> u64 {
    info.get(key).and_then(|v| v.parse().ok()).unwrap_or(0)
}

fn policy(info: &HashMap<String, String>) -> &str {
    info.get("maxmemory_policy").map_or("?", String::as_str)
}

/// Percent of maxmemory used (0 without a limit).
fn used_pct(info: &HashMap<String, String>) -> u64 {
    (num(info, "used_memory") * 100)
        .checked_div(num(info, "maxmemory"))
        .unwrap_or(0)
}

/// Writes refused for memory since the start (`errorstat_OOM:count=N`, Redis 6.2+).
fn oom_refusals(info: &HashMap<String, String>) -> u64 {
    info.get("errorstat_OOM")
        .and_then(|v| v.strip_prefix("count="))
        .and_then(|v| v.split(',').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// `redis/memory`: used against maxmemory, and a policy that makes a full Redis harmless.
pub fn eval_memory(info: &HashMap<String, String>) -> Check {
    let used = num(info, "used_memory");
    let max = num(info, "maxmemory");
    let policy = policy(info);
    if max == 0 {
        return Check::warn(
            CAT,
            "memory",
            format!(
                "used {}, no maxmemory: Redis grows until the host runs out of memory",
                size(used)
            ),
            HINT_CONF,
        );
    }
    let pct = used_pct(info);
    let usage = format!("used {} of maxmemory {} ({pct}%)", size(used), size(max));
    if policy == "noeviction" {
        let when = if pct >= NOEVICTION_WARN_PCT {
            "writes fail now or soon"
        } else {
            "writes will fail when it fills"
        };
        Check::warn(
            CAT,
            "memory",
            format!("{usage}, maxmemory-policy noeviction: {when}"),
            HINT_CONF,
        )
    } else {
        Check::ok(
            CAT,
            "memory",
            format!("{usage}, maxmemory-policy {policy}: evicts when full"),
        )
    }
}

/// `redis/evictions`: keys evicted are expected with an eviction policy (Redis holds only
/// what may be lost); writes refused for memory are not.
pub fn eval_evictions(info: &HashMap<String, String>) -> Check {
    let evicted = num(info, "evicted_keys");
    let refused = oom_refusals(info);
    let policy = policy(info);
    let since = format!("since its start {} days ago", num(info, "uptime_in_days"));
    if refused > 0 {
        Check::warn(
            CAT,
            "evictions",
            format!(
                "{refused} writes refused for memory (OOM) {since}, {evicted} keys evicted \
                 (maxmemory-policy {policy}): sociald's cache writes fail"
            ),
            HINT_CONF,
        )
    } else if policy == "noeviction" && used_pct(info) >= NOEVICTION_WARN_PCT {
        Check::warn(
            CAT,
            "evictions",
            format!(
                "nothing evicted with noeviction at {}% of maxmemory: the next writes fail",
                used_pct(info)
            ),
            HINT_CONF,
        )
    } else if evicted > 0 {
        Check::ok(
            CAT,
            "evictions",
            format!(
                "{evicted} keys evicted {since}, none refused: expected with {policy} \
                 (the least used go first)"
            ),
        )
    } else {
        Check::ok(
            CAT,
            "evictions",
            format!("no keys evicted or writes refused {since}"),
        )
    }
}

/// `redis/connections`: connections refused at `maxclients`.
pub fn eval_connections(info: &HashMap<String, String>) -> Check {
    let rejected = num(info, "rejected_connections");
    let clients = format!(
        "{} clients connected (maxclients {})",
        num(info, "connected_clients"),
        info.get("maxclients").map_or("?", String::as_str)
    );
    if rejected > 0 {
        Check::warn(
            CAT,
            "connections",
            format!(
                "{rejected} connections rejected since its start {} days ago; {clients}",
                num(info, "uptime_in_days")
            ),
            "redis-cli -u \"$(cat /etc/social/credentials/redis-url)\" --no-auth-warning CLIENT LIST | wc -l; raise maxclients in /etc/redis/social.conf",
        )
    } else {
        Check::ok(CAT, "connections", format!("{clients}, none rejected"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::fixtures;
    use crate::status::report::Level;

    #[test]
    fn a_full_allkeys_lfu_redis_evicts_and_that_is_fine() {
        let info = parse_info(fixtures::REDIS_INFO_LFU_FULL);
        let memory = eval_memory(&info);
        assert_eq!(
            (memory.status, memory.reason.as_str()),
            (
                Level::Ok,
                "used 4 MiB of maxmemory 4 MiB (100%), maxmemory-policy allkeys-lfu: evicts when full"
            )
        );
        let evictions = eval_evictions(&info);
        assert_eq!(evictions.status, Level::Ok);
        assert!(
            evictions
                .reason
                .starts_with("5017 keys evicted since its start 0 days ago"),
            "{evictions:?}"
        );
        let connections = eval_connections(&info);
        assert_eq!(
            (connections.status, connections.reason.as_str()),
            (
                Level::Ok,
                "1 clients connected (maxclients 10000), none rejected"
            )
        );
    }

    #[test]
    fn a_full_noeviction_redis_refuses_writes_and_connections() {
        let info = parse_info(fixtures::REDIS_INFO_NOEVICTION_FULL);
        let memory = eval_memory(&info);
        assert_eq!(memory.status, Level::Warn);
        assert!(
            memory
                .reason
                .ends_with("noeviction: writes fail now or soon"),
            "{memory:?}"
        );
        let evictions = eval_evictions(&info);
        assert_eq!(evictions.status, Level::Warn);
        assert!(
            evictions
                .reason
                .starts_with("4510 writes refused for memory (OOM)"),
            "{evictions:?}"
        );
        let connections = eval_connections(&info);
        assert_eq!(connections.status, Level::Warn);
        assert!(
            connections.reason.starts_with("3 connections rejected"),
            "{connections:?}"
        );
    }

    #[test]
    fn no_maxmemory_and_a_quiet_noeviction_redis() {
        let info = parse_info(
            &fixtures::REDIS_INFO_NOEVICTION_FULL
                .replace("maxmemory:4194304", "maxmemory:0")
                .replace("errorstat_OOM:count=4510", ""),
        );
        let memory = eval_memory(&info);
        assert_eq!(memory.status, Level::Warn);
        assert!(memory.reason.contains("no maxmemory"), "{memory:?}");
        let quiet = parse_info(
            &fixtures::REDIS_INFO_NOEVICTION_FULL
                .replace("used_memory:4236144", "used_memory:1048576")
                .replace("errorstat_OOM:count=4510", ""),
        );
        assert_eq!(eval_evictions(&quiet).status, Level::Ok);
        let m = eval_memory(&quiet);
        assert_eq!(m.status, Level::Warn, "noeviction is a warning: {m:?}");
        assert!(m.reason.contains("(25%)"), "{m:?}");
    }
}
