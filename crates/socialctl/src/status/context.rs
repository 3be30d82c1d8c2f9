//! What the checks need to know about the installation: read once from sociald's
//! configuration and its credential files (TLS on or off, the state directory, where the
//! database and Redis are). Passwords are parsed but never shown.

use super::probe::Probe;

pub const CONFIG_FILE: &str = "/etc/social/sociald.toml";
pub const DATABASE_URL_FILE: &str = "/etc/social/credentials/database-url";
pub const REDIS_URL_FILE: &str = "/etc/social/credentials/redis-url";
/// A directory read instead of /etc/social (its `sociald.toml` and `credentials/`), for tests.
pub const ETC_OVERRIDE: &str = "SOCIALCTL_STATUS_ETC";

/// The installation as configured.
#[derive(Clone, Debug, PartialEq)]
pub struct Context {
    /// The configuration file, when it exists and parses (`Err`: the parse error).
    pub config: Result<Option<toml::Table>, String>,
    /// The effective TLS mode: `off`, `acme` or `self-signed` (`auto` resolved).
    pub tls_mode: String,
    pub data_dir: String,
    pub database: Database,
    pub redis: Redis,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Database {
    Sqlite {
        path: String,
    },
    Postgres(Endpoint),
    /// A URL scheme sociald would refuse (its own check says so).
    Unknown {
        scheme: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Redis {
    /// No Redis: sociald uses its in-process cache.
    InProcess,
    Tcp(Endpoint),
    /// `unix://` or `rediss://`: not probed by `socialctl status` (said so, as a warning).
    Unprobed {
        scheme: String,
    },
}

/// Where a database server is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Endpoint {
    /// A host name or address, or (PostgreSQL) a socket directory starting with `/`.
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    pub password: Option<String>,
    /// Path without its `/` (PostgreSQL: the database name).
    pub path: String,
}

impl Endpoint {
    /// On this machine: loopback, a Unix socket, or no host at all.
    pub fn is_local(&self) -> bool {
        let h = self.host.trim_start_matches('[').trim_end_matches(']');
        h.is_empty()
            || h.starts_with('/')
            || h == "localhost"
            || h == "::1"
            || h.starts_with("127.")
    }

    /// `host:port` (a bracketed IPv6 address stays bracketed).
    pub fn addr(&self) -> String {
        if self.host.contains(':') && !self.host.starts_with('[') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

impl Context {
    pub fn tls_on(&self) -> bool {
        self.tls_mode != "off"
    }

    /// Why HTTPS is off, in the configuration's words.
    pub fn tls_off_reason(&self) -> String {
        let explicit = self
            .config
            .as_ref()
            .ok()
            .and_then(Option::as_ref)
            .and_then(|t| t.get("tls")?.get("mode")?.as_str().map(|m| m == "off"));
        if explicit == Some(true) {
            "HTTPS off (tls.mode = off)".to_owned()
        } else {
            "HTTPS off (tls.domains not set)".to_owned()
        }
    }

    /// Reads the configuration and the credential files (under `$SOCIALCTL_STATUS_ETC`
    /// instead of /etc/social when set: the live tests point the checks at their own
    /// PostgreSQL and Redis that way).
    pub fn load(p: &dyn Probe) -> Self {
        match std::env::var(ETC_OVERRIDE) {
            Ok(dir) if !dir.is_empty() => {
                let dir = dir.trim_end_matches('/');
                Self::load_from(
                    p,
                    &format!("{dir}/sociald.toml"),
                    &format!("{dir}/credentials/database-url"),
                    &format!("{dir}/credentials/redis-url"),
                )
            }
            _ => Self::load_from(p, CONFIG_FILE, DATABASE_URL_FILE, REDIS_URL_FILE),
        }
    }

    fn load_from(p: &dyn Probe, config_file: &str, database_url: &str, redis_url: &str) -> Self {
        let config = match p.read(config_file) {
            Ok(text) => text.parse::<toml::Table>().map(Some).map_err(|e| {
                e.to_string()
                    .lines()
                    .next()
                    .unwrap_or("invalid TOML")
                    .to_owned()
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {config_file}: {e}")),
        };
        let credential = |path| p.read(path).unwrap_or_default().trim().to_owned();
        Self::from_parts(config, &credential(database_url), &credential(redis_url))
    }

    /// The context from the parsed configuration and the credential files' contents (blank =
    /// not set, like sociald treats them).
    pub fn from_parts(
        config: Result<Option<toml::Table>, String>,
        database_credential: &str,
        redis_credential: &str,
    ) -> Self {
        let table = config.as_ref().ok().and_then(Option::as_ref);
        let get = |section: &str, key: &str| table?.get(section)?.get(key).cloned();
        let text = |section, key| {
            get(section, key)
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        let domains = get("tls", "domains")
            .and_then(|v| v.as_array().map(|a| !a.is_empty()))
            .unwrap_or(false);
        let mode = Some(text("tls", "mode")).filter(|m| !m.is_empty());
        let tls_mode = match mode.as_deref().unwrap_or("auto") {
            "auto" if domains => "acme".to_owned(),
            "auto" => "off".to_owned(),
            other => other.to_owned(),
        };
        let data_dir = Some(text("server", "data_dir"))
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| "/var/lib/social".to_owned());
        let pick = |credential: &str, configured: String| {
            if credential.is_empty() {
                configured
            } else {
                credential.to_owned()
            }
        };
        let database = database(
            &pick(database_credential, text("database", "url")),
            &data_dir,
        );
        let redis = redis(&pick(redis_credential, text("redis", "url")));
        Self {
            config,
            tls_mode,
            data_dir,
            database,
            redis,
        }
    }
}

fn database(url: &str, data_dir: &str) -> Database {
    if url.is_empty() {
        return Database::Sqlite {
            path: format!("{}/social.db", data_dir.trim_end_matches('/')),
        };
    }
    let (scheme, rest) = url.split_once(':').unwrap_or((url, ""));
    match scheme {
        "sqlite" => {
            let path = rest.trim_start_matches("//");
            let path = path.split('?').next().unwrap_or(path);
            Database::Sqlite {
                path: path.to_owned(),
            }
        }
        "postgres" | "postgresql" => {
            let mut e = endpoint(rest, 5432);
            // libpq: `?host=/run/postgresql` names the socket directory; no host = the default one.
            if let Some(dir) = query_param(rest, "host") {
                e.host = dir;
            }
            if e.host.is_empty() {
                e.host = "/var/run/postgresql".to_owned();
            }
            Database::Postgres(e)
        }
        other => Database::Unknown {
            scheme: other.to_owned(),
        },
    }
}

fn redis(url: &str) -> Redis {
    if url.is_empty() {
        return Redis::InProcess;
    }
    match url.split_once("://") {
        Some(("redis", _)) => {
            let mut e = endpoint(url.split_once(':').map_or("", |(_, r)| r), 6379);
            if e.host.is_empty() {
                e.host = "127.0.0.1".to_owned();
            }
            Redis::Tcp(e)
        }
        Some((scheme, _)) => Redis::Unprobed {
            scheme: scheme.to_owned(),
        },
        None => Redis::Unprobed {
            scheme: "(no scheme)".to_owned(),
        },
    }
}

/// `//[user[:password]@]host[:port][/path][?query]` (what follows the scheme's colon).
fn endpoint(rest: &str, default_port: u16) -> Endpoint {
    let rest = rest.trim_start_matches("//");
    let (authority, path) = match rest.find(['/', '?']) {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (user, password) = match userinfo {
        Some(u) => match u.split_once(':') {
            Some((user, pw)) => (percent_decode(user), Some(percent_decode(pw))),
            None => (percent_decode(u), None),
        },
        None => (String::new(), None),
    };
    // `[::1]:5432`, `host:5432`, `host`.
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) if !h.is_empty() && (!h.contains(':') || h.ends_with(']')) => {
            (h, p.parse().unwrap_or(default_port))
        }
        Some(("", p)) => ("", p.parse().unwrap_or(default_port)),
        _ => (hostport, default_port),
    };
    let path = path.trim_start_matches('/');
    Endpoint {
        host: percent_decode(host),
        port,
        user: Some(user).filter(|u| !u.is_empty()),
        password: password.filter(|p| !p.is_empty()),
        path: percent_decode(path.split('?').next().unwrap_or("")),
    }
}

fn query_param(url: &str, key: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| percent_decode(v))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(toml: &str, db: &str, redis: &str) -> Context {
        Context::from_parts(Ok(Some(toml.parse().expect("toml"))), db, redis)
    }

    #[test]
    fn tls_mode_resolves_auto_like_sociald() {
        assert_eq!(Context::from_parts(Ok(None), "", "").tls_mode, "off");
        assert_eq!(
            ctx("[tls]\ndomains = [\"a.example\"]", "", "").tls_mode,
            "acme"
        );
        assert_eq!(
            ctx("[tls]\nmode = \"auto\"\ndomains = []", "", "").tls_mode,
            "off"
        );
        assert_eq!(
            ctx("[tls]\nmode = \"self-signed\"", "", "").tls_mode,
            "self-signed"
        );
        assert_eq!(
            ctx("[tls]\nmode = \"off\"\ndomains = [\"a\"]", "", "").tls_mode,
            "off"
        );
        assert!(!Context::from_parts(Err("bad".into()), "", "").tls_on());
    }

    #[test]
    fn sqlite_is_the_default_in_the_data_dir() {
        let c = ctx("[server]\ndata_dir = \"/srv/social/\"", "", "");
        assert_eq!(
            c.database,
            Database::Sqlite {
                path: "/srv/social/social.db".into()
            }
        );
        assert_eq!(c.redis, Redis::InProcess);
        let c = ctx(
            "[database]\nurl = \"sqlite:///var/lib/x.db?mode=rwc\"",
            "",
            "",
        );
        assert_eq!(
            c.database,
            Database::Sqlite {
                path: "/var/lib/x.db".into()
            }
        );
    }

    #[test]
    fn the_credential_overrides_the_config() {
        let c = ctx(
            "[database]\nurl = \"sqlite://x.db\"",
            "postgres://social:s%40cret@db.internal:5433/social",
            "redis://:pw@127.0.0.1:6380/2",
        );
        let Database::Postgres(pg) = c.database else {
            panic!("postgres")
        };
        assert_eq!(pg.host, "db.internal");
        assert_eq!(pg.port, 5433);
        assert_eq!(pg.user.as_deref(), Some("social"));
        assert_eq!(pg.password.as_deref(), Some("s@cret"));
        assert_eq!(pg.path, "social");
        assert!(!pg.is_local());
        let Redis::Tcp(r) = c.redis else {
            panic!("redis")
        };
        assert_eq!(
            (r.addr(), r.user.clone(), r.password.clone()),
            ("127.0.0.1:6380".into(), None, Some("pw".into()))
        );
        assert!(r.is_local());
    }

    #[test]
    fn postgres_socket_directories() {
        let c = ctx("", "postgres:///social?host=/run/postgresql", "");
        let Database::Postgres(pg) = c.database else {
            panic!("postgres")
        };
        assert_eq!(
            (pg.host.as_str(), pg.port, pg.path.as_str()),
            ("/run/postgresql", 5432, "social")
        );
        assert!(pg.is_local());
        let c = ctx("", "postgresql://social@/social", "");
        let Database::Postgres(pg) = c.database else {
            panic!("postgres")
        };
        assert_eq!(pg.host, "/var/run/postgresql");
        let c = ctx("", "postgres://u:p@[::1]:5432/db", "");
        let Database::Postgres(pg) = c.database else {
            panic!("postgres")
        };
        assert_eq!((pg.addr(), pg.is_local()), ("[::1]:5432".into(), true));
    }

    #[test]
    fn redis_variants() {
        let r = |url| ctx("", "", url).redis;
        let Redis::Tcp(e) = r("redis://default:pw@cache.lan") else {
            panic!("tcp")
        };
        assert_eq!(
            (e.addr(), e.user.as_deref()),
            ("cache.lan:6379".into(), Some("default"))
        );
        assert_eq!(
            r("rediss://cache.lan"),
            Redis::Unprobed {
                scheme: "rediss".into()
            }
        );
        assert_eq!(
            r("unix:///run/redis.sock"),
            Redis::Unprobed {
                scheme: "unix".into()
            }
        );
        let c = ctx("[redis]\nurl = \"redis://127.0.0.1\"", "", "");
        assert!(matches!(c.redis, Redis::Tcp(_)));
    }
}
