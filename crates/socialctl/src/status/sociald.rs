//! `sociald/*`: the server itself: its configuration passes `sociald config check`, and
//! `GET /readyz` on its local address answers 200.

use super::context::{CONFIG_FILE, Context};
use super::listeners::LOCAL_PORT;
use super::probe::{Probe, RunError};
use super::report::Check;
use std::time::Duration;

const CAT: &str = "sociald";

pub fn checks(p: &dyn Probe, ctx: &Context) -> Vec<Check> {
    let config = match &ctx.config {
        Ok(None) => Check::ok(
            CAT,
            "config",
            format!("no {CONFIG_FILE}: built-in defaults"),
        ),
        Ok(Some(_)) | Err(_) => {
            let out = p.run(
                "sociald",
                &["config", "check", CONFIG_FILE],
                Duration::from_secs(10),
            );
            eval_config(&out)
        }
    };
    // With socket activation this request starts sociald if it was idle: the answer is then
    // about the server as it really starts. Starting can include migrations: a long timeout.
    let addr = format!("127.0.0.1:{LOCAL_PORT}");
    let ready = eval_readyz(
        &addr,
        &p.http_get(&addr, "/readyz", Duration::from_secs(30)),
    );
    vec![config, ready]
}

/// `sociald config check FILE`: `FILE: ok`, or the error naming the key (exit 1).
pub fn eval_config(out: &Result<super::probe::Output, RunError>) -> Check {
    let hint = format!("sociald config check {CONFIG_FILE}");
    match out {
        Ok(o) if o.success() => Check::ok(CAT, "config", format!("{CONFIG_FILE} is valid")),
        Ok(o) => Check::error(
            CAT,
            "config",
            format!("{CONFIG_FILE}: {}", o.first_message()),
            &hint,
        ),
        Err(RunError::NotFound) => Check::error(
            CAT,
            "config",
            "sociald is not installed",
            "apt install sociald",
        ),
        Err(e) => Check::error(CAT, "config", format!("sociald config check: {e}"), &hint),
    }
}

/// `GET /readyz`: 200 with `{"database": "ok", "cache": …, "cache_healthy": …}`, or 503.
pub fn eval_readyz(addr: &str, answer: &Result<(u16, String), String>) -> Check {
    let logs = "systemctl status sociald; journalctl -u sociald -b -n 50 --no-pager";
    let (code, body) = match answer {
        Err(e) => return Check::error(CAT, "readyz", e.clone(), logs),
        Ok(a) => a,
    };
    let json: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let field = |k: &str| json.as_ref().and_then(|j| j.get(k)).cloned();
    let text = |k: &str| {
        field(k)
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_else(|| "?".into())
    };
    match code {
        200 => {
            let cache = text("cache");
            if field("cache_healthy").and_then(|v| v.as_bool()) == Some(false) {
                Check::warn(
                    CAT,
                    "readyz",
                    format!(
                        "ready, but the {cache} cache is unhealthy: serving without it (slower)"
                    ),
                    "systemctl status redis-server; journalctl -u sociald -b --grep -i redis -n 20",
                )
            } else {
                Check::ok(
                    CAT,
                    "readyz",
                    format!(
                        "ready on {addr} (database {}, cache {cache})",
                        text("database")
                    ),
                )
            }
        }
        503 if json.is_some() => Check::error(
            CAT,
            "readyz",
            format!("not ready (503): database {}", text("database")),
            "journalctl -u sociald -b -n 50 --no-pager; systemctl status postgresql@15-main",
        ),
        _ => {
            let first = body
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("empty body");
            Check::error(
                CAT,
                "readyz",
                format!("/readyz answered {code}: {first}"),
                logs,
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::probe::Output;
    use crate::status::report::Level;

    #[test]
    fn readyz_answers() {
        let a = "127.0.0.1:8080";
        let ok = eval_readyz(
            a,
            &Ok((
                200,
                r#"{"database":"ok","cache":"redis","cache_healthy":true}"#.into(),
            )),
        );
        assert_eq!(ok.status, Level::Ok);
        assert_eq!(
            ok.reason,
            "ready on 127.0.0.1:8080 (database ok, cache redis)"
        );
        let no_cache = eval_readyz(
            a,
            &Ok((
                200,
                r#"{"database":"ok","cache":"redis","cache_healthy":false}"#.into(),
            )),
        );
        assert_eq!(no_cache.status, Level::Warn);
        let down = eval_readyz(
            a,
            &Ok((
                503,
                r#"{"database":"error","cache":"in-process","cache_healthy":true}"#.into(),
            )),
        );
        assert_eq!(
            (down.status, down.reason.as_str()),
            (Level::Error, "not ready (503): database error")
        );
        let refused = eval_readyz(
            a,
            &Err("no answer on 127.0.0.1:8080: Connection refused (os error 111)".into()),
        );
        assert_eq!(refused.status, Level::Error);
        assert!(refused.reason.contains("refused"));
        let odd = eval_readyz(a, &Ok((404, "not found\n".into())));
        assert_eq!(odd.reason, "/readyz answered 404: not found");
    }

    #[test]
    fn config_check() {
        let ok = Output {
            code: Some(0),
            stdout: "/etc/social/sociald.toml: ok\n".into(),
            ..Output::default()
        };
        assert_eq!(eval_config(&Ok(ok)).status, Level::Ok);
        let bad = Output {
            code: Some(1),
            stderr: "Error: /etc/social/sociald.toml: unknown field `lisen`, expected one of …\n"
                .into(),
            ..Output::default()
        };
        let c = eval_config(&Ok(bad));
        assert_eq!(c.status, Level::Error);
        assert!(c.reason.contains("unknown field"), "{c:?}");
        assert_eq!(
            eval_config(&Err(RunError::NotFound)).hint.as_deref(),
            Some("apt install sociald")
        );
    }
}
