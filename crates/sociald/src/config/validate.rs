//! Semantic checks of a parsed configuration (values serde accepts but sociald cannot use),
//! each failure naming its key.

use super::Config;
use std::net::{IpAddr, SocketAddr};

/// Values parsed out of a valid configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked {
    pub listen: Vec<SocketAddr>,
    pub trusted_proxies: Vec<(IpAddr, u8)>,
}

/// A semantic error: the dotted key and what is wrong with its value.
#[derive(Clone, Debug, PartialEq)]
pub struct Invalid {
    pub key: &'static str,
    pub message: String,
}

fn invalid(key: &'static str, message: impl Into<String>) -> Invalid {
    Invalid {
        key,
        message: message.into(),
    }
}

/// Upper bound of `instance.post_max_chars`: a post must still fit in a request body.
const POST_MAX_CHARS_LIMIT: usize = 100_000;

/// Checks every key whose type alone does not make it valid.
pub fn check(config: &Config) -> Result<Checked, Invalid> {
    let server = &config.server;
    if server.listen.is_empty() {
        return Err(invalid("server.listen", "give at least one ADDR:PORT"));
    }
    let mut listen = Vec::with_capacity(server.listen.len());
    for entry in &server.listen {
        let addr = entry.parse::<SocketAddr>().map_err(|_| {
            invalid(
                "server.listen",
                format!("{entry:?} is not ADDR:PORT (e.g. \"127.0.0.1:8080\" or \"[::1]:8080\")"),
            )
        })?;
        listen.push(addr);
    }
    if server.data_dir.as_os_str().is_empty() {
        return Err(invalid("server.data_dir", "must not be empty"));
    }
    let mut trusted_proxies = Vec::with_capacity(server.trusted_proxies.len());
    for entry in &server.trusted_proxies {
        trusted_proxies.push(parse_cidr(entry).map_err(|m| invalid("server.trusted_proxies", m))?);
    }
    if server.max_body_bytes < 1024 {
        return Err(invalid("server.max_body_bytes", "must be at least 1024"));
    }
    let instance = &config.instance;
    if instance.name.trim().is_empty() {
        return Err(invalid("instance.name", "must not be empty"));
    }
    if instance.post_max_chars == 0 || instance.post_max_chars > POST_MAX_CHARS_LIMIT {
        return Err(invalid(
            "instance.post_max_chars",
            format!("must be between 1 and {POST_MAX_CHARS_LIMIT}"),
        ));
    }
    let db = &config.database.url;
    if !db.is_empty()
        && !["sqlite:", "postgres://", "postgresql://"]
            .iter()
            .any(|p| db.starts_with(p))
    {
        return Err(invalid(
            "database.url",
            "must be empty (SQLite in data_dir) or start with sqlite:, postgres:// or postgresql://",
        ));
    }
    let redis = &config.redis.url;
    if !redis.is_empty()
        && !["redis://", "rediss://", "redis+unix://", "unix://"]
            .iter()
            .any(|p| redis.starts_with(p))
    {
        return Err(invalid(
            "redis.url",
            "must be empty (in-process cache) or start with redis://, rediss:// or unix://",
        ));
    }
    if let Err(e) = tracing_subscriber::EnvFilter::builder().parse(&config.log.level) {
        return Err(invalid("log.level", format!("{:?}: {e}", config.log.level)));
    }
    if !["auto", "journal", "stderr"].contains(&config.log.output.as_str()) {
        return Err(invalid(
            "log.output",
            "must be \"auto\", \"journal\" or \"stderr\"",
        ));
    }
    Ok(Checked {
        listen,
        trusted_proxies,
    })
}

/// Parses `ADDR/PREFIX` (or a bare `ADDR`, meaning one host) into a network.
pub fn parse_cidr(text: &str) -> Result<(IpAddr, u8), String> {
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let addr: IpAddr = addr
        .parse()
        .map_err(|_| format!("{text:?} is not a network (e.g. \"10.0.0.0/8\" or \"::1/128\")"))?;
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix {
        None => max,
        Some(p) => match p.parse::<u8>() {
            Ok(n) if n <= max => n,
            _ => return Err(format!("{text:?}: the prefix length must be 0 to {max}")),
        },
    };
    Ok((addr, prefix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let checked = check(&Config::default()).expect("defaults are valid");
        assert_eq!(
            checked.listen,
            vec!["127.0.0.1:8080".parse::<SocketAddr>().expect("addr")]
        );
    }

    #[test]
    fn cidrs() {
        assert_eq!(
            parse_cidr("10.0.0.0/8"),
            Ok(("10.0.0.0".parse().expect("ip"), 8))
        );
        assert_eq!(parse_cidr("::1"), Ok(("::1".parse().expect("ip"), 128)));
        assert!(parse_cidr("10.0.0.0/33").is_err());
        assert!(parse_cidr("nope/8").is_err());
    }

    #[test]
    fn bad_values_name_their_key() {
        let mut c = Config::default();
        c.instance.post_max_chars = 0;
        assert_eq!(check(&c).map_err(|e| e.key), Err("instance.post_max_chars"));
        let mut c = Config::default();
        c.server.listen = vec!["localhost".into()];
        assert_eq!(check(&c).map_err(|e| e.key), Err("server.listen"));
        let mut c = Config::default();
        c.log.level = "info,=[".into();
        assert_eq!(check(&c).map_err(|e| e.key), Err("log.level"));
    }
}
