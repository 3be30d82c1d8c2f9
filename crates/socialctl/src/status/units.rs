//! `units/*`: the systemd units of the appliance, from `systemctl show`.

use super::context::{Context, Database, Redis};
use super::probe::{Probe, RunError};
use super::report::{Check, Level};
use std::time::Duration;

const CAT: &str = "units";
const TIMEOUT: Duration = Duration::from_secs(10);

/// The properties of a unit that matter here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnitState {
    /// `active`, `inactive`, `failed`, `activating`, `deactivating`, `reloading`.
    pub active: String,
    pub sub: String,
    /// `loaded`, `not-found`, `masked`, …
    pub load: String,
    /// `success`, `exit-code`, `timeout`, …
    pub result: String,
}

impl UnitState {
    fn installed(&self) -> bool {
        self.load == "loaded"
    }

    fn describe(&self) -> String {
        let mut s = format!("{} ({})", self.active, self.sub);
        if !self.result.is_empty() && self.result != "success" {
            s.push_str(&format!(", result {}", self.result));
        }
        s
    }
}

/// `systemctl show -p ActiveState,SubState,LoadState,Result UNIT`'s `KEY=value` lines.
pub fn parse_show(text: &str) -> UnitState {
    let mut s = UnitState::default();
    for (key, value) in text.lines().filter_map(|l| l.split_once('=')) {
        let value = value.trim().to_owned();
        match key {
            "ActiveState" => s.active = value,
            "SubState" => s.sub = value,
            "LoadState" => s.load = value,
            "Result" => s.result = value,
            _ => {}
        }
    }
    s
}

/// A unit's state, or why systemd could not be asked.
pub fn show(p: &dyn Probe, unit: &str) -> Result<UnitState, String> {
    let props = "ActiveState,SubState,LoadState,Result";
    match p.run("systemctl", &["show", "-p", props, unit], TIMEOUT) {
        Ok(out) if out.success() => {
            let state = parse_show(&out.stdout);
            if state.active.is_empty() {
                Err(format!("systemctl show {unit} printed no state"))
            } else {
                Ok(state)
            }
        }
        Ok(out) => Err(format!("systemctl show {unit}: {}", out.first_message())),
        Err(RunError::NotFound) => Err("systemctl not found (is this a systemd host?)".into()),
        Err(e) => Err(format!("systemctl show {unit}: {e}")),
    }
}

/// PostgreSQL clusters of this host as units (`postgresql@15-main`), from `pg_lsclusters -h`.
pub fn parse_lsclusters(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            Some(format!("postgresql@{}-{}.service", f.next()?, f.next()?))
        })
        .collect()
}

pub fn checks(p: &dyn Probe, ctx: &Context) -> Vec<Check> {
    let socket = show(p, "sociald.socket");
    let mut checks = vec![
        socket_check("sociald-socket", "sociald.socket", &socket),
        if ctx.tls_on() {
            socket_check(
                "sociald-https-socket",
                "sociald-https.socket",
                &show(p, "sociald-https.socket"),
            )
        } else {
            Check::ok(
                CAT,
                "sociald-https-socket",
                format!("not needed: {}", ctx.tls_off_reason()),
            )
        },
        eval_sociald(&show(p, "sociald.service"), &socket),
        service_check(
            "firewall",
            "social-firewall.service",
            &show(p, "social-firewall.service"),
            Level::Error,
            "apt install social-hardening",
        ),
        service_check(
            "fail2ban",
            "fail2ban.service",
            &show(p, "fail2ban.service"),
            Level::Error,
            "apt install social-hardening",
        ),
    ];
    checks.extend(postgresql(p, ctx));
    checks.push(match &ctx.redis {
        Redis::InProcess => Check::ok(CAT, "redis", "not used (no redis URL: in-process cache)"),
        Redis::Tcp(e) if e.is_local() => service_check(
            "redis",
            "redis-server.service",
            &show(p, "redis-server.service"),
            // sociald serves without its cache when Redis is down (DESIGN decision 2).
            Level::Warn,
            "apt install redis-server",
        ),
        Redis::Tcp(e) => Check::ok(
            CAT,
            "redis",
            format!("not on this host (Redis at {})", e.host),
        ),
        Redis::Unprobed { scheme } => {
            Check::ok(CAT, "redis", format!("not checked here ({scheme}:// URL)"))
        }
    });
    checks
}

fn postgresql(p: &dyn Probe, ctx: &Context) -> Vec<Check> {
    match &ctx.database {
        Database::Postgres(e) if e.is_local() => {}
        Database::Postgres(e) => {
            return vec![Check::ok(
                CAT,
                "postgresql",
                format!("not on this host (database at {})", e.host),
            )];
        }
        Database::Sqlite { .. } | Database::Unknown { .. } => {
            return vec![Check::ok(CAT, "postgresql", "not used (SQLite)")];
        }
    }
    let clusters = p
        .run("pg_lsclusters", &["-h"], TIMEOUT)
        .ok()
        .filter(|o| o.success())
        .map(|o| parse_lsclusters(&o.stdout))
        .unwrap_or_default();
    let units = if clusters.is_empty() {
        vec!["postgresql.service".to_owned()]
    } else {
        clusters
    };
    let mut checks: Vec<Check> = units
        .iter()
        .map(|unit| {
            service_check(
                "postgresql",
                unit,
                &show(p, unit),
                Level::Error,
                "apt install postgresql",
            )
        })
        .collect();
    // One check by that name: the worst cluster, the others named in its reason.
    checks.sort_by_key(|c| std::cmp::Reverse(c.status));
    let mut first = checks.remove(0);
    if !checks.is_empty() {
        let others: Vec<String> = checks.iter().map(|c| c.reason.clone()).collect();
        first.reason = format!("{}; {}", first.reason, others.join("; "));
    }
    vec![first]
}

/// A socket unit: listening or an error.
pub fn socket_check(name: &str, unit: &str, state: &Result<UnitState, String>) -> Check {
    let hint = format!("systemctl enable --now {unit}");
    match state {
        Err(e) => Check::error(CAT, name, e.clone(), "systemctl status"),
        Ok(s) if !s.installed() => Check::error(
            CAT,
            name,
            format!("{unit} is {}", s.load),
            "apt install sociald",
        ),
        Ok(s) if s.active == "active" => Check::ok(CAT, name, format!("{unit} {}", s.describe())),
        Ok(s) => Check::error(
            CAT,
            name,
            format!("{unit} {}: not listening", s.describe()),
            &hint,
        ),
    }
}

/// sociald.service is socket-activated: inactive while its socket listens is normal (it
/// starts on the first request; the `sociald/readyz` check sends one), stopped with its
/// socket stopped or failed is an error.
pub fn eval_sociald(
    service: &Result<UnitState, String>,
    socket: &Result<UnitState, String>,
) -> Check {
    const NAME: &str = "sociald";
    let logs = "journalctl -u sociald -b -n 50 --no-pager";
    let s = match service {
        Err(e) => return Check::error(CAT, NAME, e.clone(), "systemctl status sociald"),
        Ok(s) => s,
    };
    let socket_up = socket.as_ref().is_ok_and(|s| s.active == "active");
    match s.active.as_str() {
        _ if !s.installed() => Check::error(
            CAT,
            NAME,
            format!("sociald.service is {}", s.load),
            "apt install sociald",
        ),
        "active" | "reloading" => Check::ok(CAT, NAME, format!("sociald.service {}", s.describe())),
        "activating" => Check::warn(
            CAT,
            NAME,
            format!("sociald.service {}: starting or restarting", s.describe()),
            logs,
        ),
        "failed" => Check::error(
            CAT,
            NAME,
            format!("sociald.service {}", s.describe()),
            &format!("{logs}; systemctl restart sociald"),
        ),
        _ if socket_up => Check::ok(
            CAT,
            NAME,
            format!(
                "sociald.service {}: not started yet (socket activation starts it on the first request)",
                s.describe()
            ),
        ),
        _ => Check::error(
            CAT,
            NAME,
            format!(
                "sociald.service {} and sociald.socket is not listening: the site is down",
                s.describe()
            ),
            "systemctl start sociald.socket sociald-https.socket sociald.service",
        ),
    }
}

/// A long-running (or oneshot `RemainAfterExit`) service: active is OK, anything else `down`.
pub fn service_check(
    name: &str,
    unit: &str,
    state: &Result<UnitState, String>,
    down: Level,
    install: &str,
) -> Check {
    let restart = format!(
        "journalctl -u {} -b -n 30 --no-pager; systemctl restart {}",
        unit.trim_end_matches(".service"),
        unit.trim_end_matches(".service")
    );
    let make = |reason: String, hint: &str| match down {
        Level::Error => Check::error(CAT, name, reason, hint),
        _ => Check::warn(CAT, name, reason, hint),
    };
    match state {
        Err(e) => make(e.clone(), "systemctl status"),
        Ok(s) if !s.installed() => make(format!("{unit} is {}", s.load), install),
        Ok(s) if s.active == "active" || s.active == "reloading" => {
            Check::ok(CAT, name, format!("{unit} {}", s.describe()))
        }
        Ok(s) if s.active == "activating" => Check::warn(
            CAT,
            name,
            format!("{unit} {}: starting", s.describe()),
            &restart,
        ),
        Ok(s) => make(format!("{unit} {}", s.describe()), &restart),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::fixtures;

    fn state(text: &str) -> Result<UnitState, String> {
        Ok(parse_show(text))
    }

    #[test]
    fn systemctl_show_parses() {
        let s = parse_show(fixtures::SHOW_SOCIALD_RUNNING);
        assert_eq!(
            (s.active.as_str(), s.sub.as_str(), s.load.as_str()),
            ("active", "running", "loaded")
        );
        assert_eq!(parse_show(fixtures::SHOW_NOT_FOUND).load, "not-found");
    }

    #[test]
    fn sociald_states() {
        let socket_up = state(fixtures::SHOW_SOCKET_LISTENING);
        let socket_down = state(fixtures::SHOW_SOCKET_STOPPED);
        let running = eval_sociald(&state(fixtures::SHOW_SOCIALD_RUNNING), &socket_up);
        assert_eq!(running.status, Level::Ok, "{running:?}");
        let idle = eval_sociald(&state(fixtures::SHOW_SOCIALD_STOPPED), &socket_up);
        assert_eq!(idle.status, Level::Ok, "{idle:?}");
        assert!(idle.reason.contains("socket activation"), "{idle:?}");
        let down = eval_sociald(&state(fixtures::SHOW_SOCIALD_STOPPED), &socket_down);
        assert_eq!(
            (down.id().as_str(), down.status),
            ("units/sociald", Level::Error)
        );
        assert!(
            down.hint
                .as_deref()
                .is_some_and(|h| h.contains("systemctl start sociald.socket"))
        );
        let failed = eval_sociald(&state(fixtures::SHOW_SOCIALD_FAILED), &socket_up);
        assert_eq!(failed.status, Level::Error);
        assert!(failed.reason.contains("result exit-code"), "{failed:?}");
        let missing = eval_sociald(&state(fixtures::SHOW_NOT_FOUND), &socket_down);
        assert_eq!(missing.status, Level::Error);
        let no_systemd = eval_sociald(&Err("systemctl not found".into()), &socket_up);
        assert_eq!(no_systemd.status, Level::Error);
    }

    #[test]
    fn sockets_and_services() {
        let up = socket_check(
            "sociald-socket",
            "sociald.socket",
            &state(fixtures::SHOW_SOCKET_LISTENING),
        );
        assert_eq!(up.status, Level::Ok);
        let down = socket_check(
            "sociald-socket",
            "sociald.socket",
            &state(fixtures::SHOW_SOCKET_STOPPED),
        );
        assert_eq!(down.status, Level::Error);
        let fw = service_check(
            "firewall",
            "social-firewall.service",
            &state(fixtures::SHOW_FIREWALL_ACTIVE),
            Level::Error,
            "x",
        );
        assert_eq!(fw.status, Level::Ok, "{fw:?}");
        let redis = service_check(
            "redis",
            "redis-server.service",
            &state(fixtures::SHOW_SOCIALD_FAILED),
            Level::Warn,
            "x",
        );
        assert_eq!(redis.status, Level::Warn);
        let gone = service_check(
            "fail2ban",
            "fail2ban.service",
            &state(fixtures::SHOW_NOT_FOUND),
            Level::Error,
            "apt install social-hardening",
        );
        assert_eq!(
            (gone.status, gone.hint.as_deref()),
            (Level::Error, Some("apt install social-hardening"))
        );
    }

    #[test]
    fn clusters_become_units() {
        assert_eq!(
            parse_lsclusters(fixtures::PG_LSCLUSTERS),
            vec!["postgresql@15-main.service"]
        );
        assert!(parse_lsclusters("").is_empty());
    }
}
