//! `databases/*`: the database sociald is configured for answers (PostgreSQL through
//! `pg_isready`; SQLite: its file exists), and Redis answers `PING` (RESP over plain TCP, with
//! `AUTH` when the URL has a password), and what sociald's `/readyz` says of both next to
//! that. Passwords never appear in a reason.

mod view;

use super::context::{Context, Database, Endpoint, Redis};
use super::listeners::LOCAL_PORT;
use super::probe::{Output, Probe, RunError};
use super::report::Check;
use std::time::Duration;

const CAT: &str = "databases";
const TIMEOUT: Duration = Duration::from_secs(5);

pub fn checks(p: &dyn Probe, ctx: &Context) -> Vec<Check> {
    let database = match &ctx.database {
        Database::Sqlite { path } => eval_sqlite(path, &p.file_size(path).map_err(|e| e.kind())),
        Database::Postgres(e) => {
            let port = e.port.to_string();
            let mut args = vec!["-h", e.host.as_str(), "-p", port.as_str(), "-t", "5"];
            if !e.path.is_empty() {
                args.extend(["-d", e.path.as_str()]);
            }
            // pg_isready's own timeout is -t; ours is the backstop.
            eval_postgres(
                e,
                &p.run("pg_isready", &args, TIMEOUT + Duration::from_secs(5)),
            )
        }
        Database::Unknown { scheme } => Check::error(
            CAT,
            "database",
            format!("unsupported database URL scheme {scheme}:"),
            "sociald config check /etc/social/sociald.toml",
        ),
    };
    let redis = match &ctx.redis {
        Redis::InProcess => Check::ok(CAT, "redis", "not configured: in-process cache"),
        Redis::Unprobed { scheme } => Check::warn(
            CAT,
            "redis",
            format!("{scheme}:// Redis URLs are not probed by socialctl status"),
            "curl -s http://127.0.0.1:8080/readyz",
        ),
        Redis::Tcp(e) => eval_redis(e, &p.resp(&e.addr(), &redis_commands(e), TIMEOUT)),
    };
    // sociald's own view of both, next to ours (a second request: the categories run side
    // by side, and /readyz is cheap).
    let readyz = p.http_get(
        &format!("127.0.0.1:{LOCAL_PORT}"),
        "/readyz",
        Duration::from_secs(30),
    );
    let view = view::eval_sociald_view(&readyz, &database, &redis, &ctx.redis);
    vec![database, redis, view]
}

pub fn eval_sqlite(path: &str, size: &Result<u64, std::io::ErrorKind>) -> Check {
    match size {
        Ok(bytes) => Check::ok(
            CAT,
            "database",
            format!("SQLite (embedded) at {path}, {} MiB", bytes / (1 << 20)),
        ),
        Err(std::io::ErrorKind::NotFound) => Check::error(
            CAT,
            "database",
            format!("SQLite (embedded): {path} does not exist"),
            "systemctl restart sociald; journalctl -u sociald -b -n 30 --no-pager",
        ),
        Err(e) => Check::error(
            CAT,
            "database",
            format!("SQLite (embedded): {path}: {e}"),
            "ls -l /var/lib/social",
        ),
    }
}

/// `pg_isready`: exit 0 accepting, 1 rejecting (starting up), 2 no response, 3 bad parameters.
pub fn eval_postgres(e: &Endpoint, out: &Result<Output, RunError>) -> Check {
    let at = format!(
        "PostgreSQL at {}:{} (database {})",
        e.host,
        e.port,
        if e.path.is_empty() { "?" } else { &e.path }
    );
    let hint = if e.is_local() {
        "systemctl status postgresql@15-main; journalctl -u postgresql@15-main -b -n 30 --no-pager"
            .to_owned()
    } else {
        format!("pg_isready -h {} -p {}", e.host, e.port)
    };
    match out {
        Ok(o) if o.code == Some(0) => {
            Check::ok(CAT, "database", format!("{at}: accepting connections"))
        }
        Ok(o) if o.code == Some(1) => Check::warn(
            CAT,
            "database",
            format!("{at}: rejecting connections (starting up or shutting down)"),
            &hint,
        ),
        Ok(o) => Check::error(
            CAT,
            "database",
            format!("{at}: {}", o.first_message()),
            &hint,
        ),
        Err(RunError::NotFound) => Check::warn(
            CAT,
            "database",
            format!("{at}: pg_isready is not installed, not checked"),
            "apt install postgresql-client",
        ),
        Err(err) => Check::error(CAT, "database", format!("{at}: pg_isready: {err}"), &hint),
    }
}

/// `AUTH [user] password` when the URL has one (nothing otherwise).
pub fn redis_auth(e: &Endpoint) -> Vec<Vec<String>> {
    let mut commands = Vec::new();
    if let Some(pw) = &e.password {
        let mut auth = vec!["AUTH".to_owned()];
        auth.extend(e.user.clone());
        auth.push(pw.clone());
        commands.push(auth);
    }
    commands
}

/// `AUTH [user] password` when the URL has one, then `PING`.
pub fn redis_commands(e: &Endpoint) -> Vec<Vec<String>> {
    let mut commands = redis_auth(e);
    commands.push(vec!["PING".to_owned()]);
    commands
}

/// Redis down is a warning: sociald serves without its cache (DESIGN decision 2).
pub fn eval_redis(e: &Endpoint, replies: &Result<Vec<String>, String>) -> Check {
    let at = format!("Redis at {}", e.addr());
    let hint = if e.is_local() {
        "systemctl status redis-server; journalctl -u redis-server -b -n 30 --no-pager".to_owned()
    } else {
        format!("nc -zv {} {}", e.host, e.port)
    };
    match replies {
        Err(err) => Check::warn(
            CAT,
            "redis",
            format!("{at}: {err}: sociald serves without its cache"),
            &hint,
        ),
        Ok(r) if r.last().is_some_and(|l| l == "+PONG") && r.iter().all(|l| l.starts_with('+')) => {
            Check::ok(
                CAT,
                "redis",
                format!(
                    "{at}: PONG{}",
                    if e.password.is_some() {
                        " (authenticated)"
                    } else {
                        ""
                    }
                ),
            )
        }
        Ok(r) => {
            // Redis's error lines (-NOAUTH, -WRONGPASS) never repeat the password.
            let error = r
                .iter()
                .find(|l| l.starts_with('-'))
                .or(r.last())
                .map_or("no reply", |l| l.as_str());
            Check::warn(
                CAT,
                "redis",
                format!("{at}: {}", error.trim_start_matches('-')),
                "check the user and password in /etc/social/credentials/redis-url against the ACL user in /etc/redis/social.conf (Ansible role redis)",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::report::Level;

    fn pg(host: &str) -> Endpoint {
        Endpoint {
            host: host.into(),
            port: 5432,
            user: Some("social".into()),
            password: Some("hunter2".into()),
            path: "social".into(),
        }
    }

    fn exit(code: i32, stdout: &str) -> Result<Output, RunError> {
        Ok(Output {
            code: Some(code),
            stdout: stdout.into(),
            stderr: String::new(),
        })
    }

    #[test]
    fn sqlite_file() {
        let c = eval_sqlite("/var/lib/social/social.db", &Ok(3 << 20));
        assert_eq!(
            (c.status, c.reason.as_str()),
            (
                Level::Ok,
                "SQLite (embedded) at /var/lib/social/social.db, 3 MiB"
            )
        );
        assert_eq!(
            eval_sqlite("/x.db", &Err(std::io::ErrorKind::NotFound)).status,
            Level::Error
        );
    }

    #[test]
    fn pg_isready_codes() {
        let e = pg("/var/run/postgresql");
        let ok = eval_postgres(
            &e,
            &exit(0, "/var/run/postgresql:5432 - accepting connections\n"),
        );
        assert_eq!(
            ok.reason,
            "PostgreSQL at /var/run/postgresql:5432 (database social): accepting connections"
        );
        assert_eq!(
            eval_postgres(
                &e,
                &exit(1, "/var/run/postgresql:5432 - rejecting connections\n")
            )
            .status,
            Level::Warn
        );
        let down = eval_postgres(&pg("127.0.0.1"), &exit(2, "127.0.0.1:5432 - no response\n"));
        assert_eq!(down.status, Level::Error);
        assert!(
            down.reason.ends_with("127.0.0.1:5432 - no response"),
            "{down:?}"
        );
        assert_eq!(
            eval_postgres(&e, &Err(RunError::NotFound)).status,
            Level::Warn
        );
        for c in [ok, down] {
            assert!(!format!("{c:?}").contains("hunter2"));
        }
    }

    #[test]
    fn redis_replies() {
        let e = pg("127.0.0.1");
        assert_eq!(
            redis_commands(&e),
            vec![
                vec!["AUTH".to_owned(), "social".into(), "hunter2".into()],
                vec!["PING".into()]
            ]
        );
        let ok = eval_redis(&e, &Ok(vec!["+OK".into(), "+PONG".into()]));
        assert_eq!(
            (ok.status, ok.reason.as_str()),
            (Level::Ok, "Redis at 127.0.0.1:5432: PONG (authenticated)")
        );
        let wrong = eval_redis(
            &e,
            &Ok(vec![
                "-WRONGPASS invalid username-password pair or user is disabled.".into(),
                "-NOAUTH Authentication required.".into(),
            ]),
        );
        assert_eq!(wrong.status, Level::Warn);
        assert!(wrong.reason.contains("WRONGPASS"), "{wrong:?}");
        let down = eval_redis(
            &e,
            &Err("no answer on 127.0.0.1:6379: Connection refused (os error 111)".into()),
        );
        assert_eq!(down.status, Level::Warn);
        for c in [ok, wrong, down] {
            assert!(!format!("{c:?}").contains("hunter2"));
        }
    }
}
