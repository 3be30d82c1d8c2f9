//! `databases/sociald-view`: what sociald's `/readyz` says of the database and the cache,
//! against what socialctl itself found: a database that accepts connections but not
//! sociald's queries, a cache that socialctl reaches and sociald does not, a sociald running
//! with another cache than the one configured (started before the change).

use super::CAT;
use crate::status::context::Redis;
use crate::status::report::{Check, Level};

const NAME: &str = "sociald-view";
const LOGS: &str = "journalctl -u sociald -b -n 30 --no-pager";

/// `readyz`: the answer to `GET /readyz`; `database` and `redis`: socialctl's own
/// `databases/database` and `databases/redis`; `configured`: the Redis of the configuration.
pub fn eval_sociald_view(
    readyz: &Result<(u16, String), String>,
    database: &Check,
    redis: &Check,
    configured: &Redis,
) -> Check {
    let json: Option<serde_json::Value> = readyz
        .as_ref()
        .ok()
        .and_then(|(_, body)| serde_json::from_str(body).ok());
    let Some(json) = json else {
        let why = match readyz {
            Err(e) => e.clone(),
            Ok((code, _)) => format!("/readyz answered {code} without its JSON"),
        };
        return Check::warn(
            CAT,
            NAME,
            format!("not checked: {why} (sociald/readyz)"),
            "systemctl status sociald",
        );
    };
    let text = |k: &str| json.get(k).and_then(|v| v.as_str()).unwrap_or("?");
    let cache = text("cache");
    let healthy = json
        .get("cache_healthy")
        .and_then(serde_json::Value::as_bool);
    if text("database") != "ok" {
        return if database.status == Level::Ok {
            Check::error(
                CAT,
                NAME,
                "the database accepts connections but sociald's queries fail: its credentials, \
                 pg_hba.conf or connection slots (max_connections)",
                &format!("{LOGS} --grep -i database"),
            )
        } else {
            Check::error(
                CAT,
                NAME,
                "sociald cannot use the database either (databases/database)",
                &format!("{LOGS} --grep -i database"),
            )
        };
    }
    let restart = "systemctl restart sociald";
    match (configured, cache) {
        (Redis::InProcess, "redis") => {
            return Check::warn(
                CAT,
                NAME,
                "sociald uses Redis, but none is configured now: it runs an older configuration",
                restart,
            );
        }
        (Redis::Tcp(_) | Redis::Unprobed { .. }, "in-process") => {
            return Check::warn(
                CAT,
                NAME,
                "sociald uses its in-process cache though a Redis URL is configured: it runs an \
                 older configuration",
                restart,
            );
        }
        _ => {}
    }
    if healthy == Some(false) {
        return if redis.status == Level::Ok {
            Check::warn(
                CAT,
                NAME,
                "Redis answers socialctl but not sociald: its URL or password differs, or Redis \
                 refused its command (redis/*)",
                &format!("{LOGS} --grep -i redis"),
            )
        } else {
            Check::warn(
                CAT,
                NAME,
                "sociald serves without its cache: Redis does not answer it either \
                 (databases/redis)",
                &format!("{LOGS} --grep -i redis"),
            )
        };
    }
    Check::ok(
        CAT,
        NAME,
        format!("sociald sees the database ok and its {cache} cache healthy"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status::context::Endpoint;

    fn answer(body: &str) -> Result<(u16, String), String> {
        let code = if body.contains(r#""database":"ok""#) {
            200
        } else {
            503
        };
        Ok((code, body.to_owned()))
    }

    #[test]
    fn agreeing_views() {
        let ok = Check::ok(CAT, "x", "fine");
        let tcp = Redis::Tcp(Endpoint::default());
        let c = eval_sociald_view(
            &answer(r#"{"database":"ok","cache":"redis","cache_healthy":true}"#),
            &ok,
            &ok,
            &tcp,
        );
        assert_eq!(
            (c.status, c.reason.as_str()),
            (
                Level::Ok,
                "sociald sees the database ok and its redis cache healthy"
            )
        );
        let c = eval_sociald_view(
            &answer(r#"{"database":"ok","cache":"in-process","cache_healthy":true}"#),
            &ok,
            &ok,
            &Redis::InProcess,
        );
        assert_eq!(c.status, Level::Ok);
    }

    #[test]
    fn differing_views() {
        let ok = Check::ok(CAT, "x", "fine");
        let down = Check::warn(CAT, "x", "down", "fix");
        let tcp = Redis::Tcp(Endpoint::default());
        let db_error = r#"{"database":"error","cache":"redis","cache_healthy":true}"#;
        let c = eval_sociald_view(&answer(db_error), &ok, &ok, &tcp);
        assert_eq!(c.status, Level::Error);
        assert!(c.reason.contains("accepts connections"), "{c:?}");
        let c = eval_sociald_view(&answer(db_error), &down, &ok, &tcp);
        assert!(c.reason.contains("either"), "{c:?}");
        let unhealthy = r#"{"database":"ok","cache":"redis","cache_healthy":false}"#;
        let c = eval_sociald_view(&answer(unhealthy), &ok, &ok, &tcp);
        assert_eq!(c.status, Level::Warn);
        assert!(c.reason.starts_with("Redis answers socialctl"), "{c:?}");
        let c = eval_sociald_view(&answer(unhealthy), &ok, &down, &tcp);
        assert!(c.reason.contains("either"), "{c:?}");
        let in_process = r#"{"database":"ok","cache":"in-process","cache_healthy":true}"#;
        let c = eval_sociald_view(&answer(in_process), &ok, &ok, &tcp);
        assert_eq!(
            (c.status, c.hint.as_deref()),
            (Level::Warn, Some("systemctl restart sociald"))
        );
        let redis = r#"{"database":"ok","cache":"redis","cache_healthy":true}"#;
        let c = eval_sociald_view(&answer(redis), &ok, &ok, &Redis::InProcess);
        assert_eq!(c.status, Level::Warn);
        let c = eval_sociald_view(
            &Err("no answer on 127.0.0.1:8080: Connection refused (os error 111)".into()),
            &ok,
            &ok,
            &tcp,
        );
        assert_eq!(c.status, Level::Warn);
        assert!(c.reason.starts_with("not checked: no answer"), "{c:?}");
    }
}
