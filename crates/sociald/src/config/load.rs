//! Loading the configuration: built-in defaults < config file < environment < command-line
//! flags, with errors that name the file, line and dotted key.

use super::validate::{self, Checked};
use super::{
    CREDENTIAL_ACME_EAB_HMAC_KEY, CREDENTIAL_DATABASE_URL, CREDENTIAL_REDIS_URL, Config,
    DEFAULT_CONFIG_PATH, ENV_CREDENTIALS_DIRECTORY, ENV_DATABASE_URL, ENV_LOG, ENV_REDIS_URL,
    HOST_CREDENTIALS_DIR,
};
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Why the configuration cannot be used. Displayed as `FILE: line N: KEY: message`, leaving out
/// the parts that are unknown (a bad environment value has no file or line).
#[derive(Debug)]
pub struct ConfigError {
    pub file: Option<PathBuf>,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{}: ", file.display())?;
        }
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Values given on the command line; they win over the file and the environment.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub listen: Vec<SocketAddr>,
    /// `--listen-https`: replaces `tls.listen`.
    pub listen_https: Vec<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub redis_url: Option<String>,
}

/// Reads, parses and checks one configuration file (no environment, no flags): what
/// `sociald config check FILE` does.
pub fn parse_file(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: Some(path.to_owned()),
        line: None,
        key: None,
        message: format!("cannot read: {e}"),
    })?;
    let config = parse_str(&text).map_err(|mut e| {
        e.file = Some(path.to_owned());
        e
    })?;
    validate::check(&config).map_err(|e| ConfigError {
        file: Some(path.to_owned()),
        line: find_key_line(&text, e.key),
        key: Some(e.key.to_owned()),
        message: e.message,
    })?;
    Ok(config)
}

/// Parses TOML text into a [`Config`]; unknown keys and wrong types are errors naming the
/// key path and line.
pub fn parse_str(text: &str) -> Result<Config, ConfigError> {
    let de = toml::Deserializer::new(text);
    serde_path_to_error::deserialize::<_, Config>(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let line = inner.span().map(|s| line_of(text, s.start));
        ConfigError {
            file: None,
            line,
            key: (!path.is_empty() && path != ".").then_some(path),
            message: inner.message().trim().to_owned(),
        }
    })
}

/// The whole resolution: the file (`--config`, which must exist, or the default path when it
/// exists), then `SOCIAL_*` environment variables, then systemd credentials, then flags; then
/// the semantic checks.
pub fn load(
    config_path: Option<&Path>,
    overrides: &Overrides,
) -> Result<(Config, Checked), ConfigError> {
    let mut config = match config_path {
        Some(path) => parse_file(path)?,
        None if Path::new(DEFAULT_CONFIG_PATH).exists() => {
            parse_file(Path::new(DEFAULT_CONFIG_PATH))?
        }
        None => Config::default(),
    };
    let credentials = std::env::var_os(ENV_CREDENTIALS_DIRECTORY).map(PathBuf::from);
    // Outside the unit (`sociald admin …` run by root on the server) the same files the unit
    // loads apply, so the command reaches the service's database; the environment and the
    // flags still win. Only with the installed configuration and a readable directory.
    if credentials.is_none()
        && config_path.is_none()
        && Path::new(DEFAULT_CONFIG_PATH).exists()
        && std::fs::read_dir(HOST_CREDENTIALS_DIR).is_ok()
    {
        apply_credentials(&mut config, Some(Path::new(HOST_CREDENTIALS_DIR)))?;
    }
    apply_env(&mut config)?;
    apply_credentials(&mut config, credentials.as_deref())?;
    if !overrides.listen.is_empty() {
        config.server.listen = overrides.listen.iter().map(ToString::to_string).collect();
    }
    if let Some(dir) = &overrides.data_dir {
        config.server.data_dir = dir.clone();
    }
    if let Some(url) = &overrides.database_url {
        config.database.url = url.clone();
    }
    if !overrides.listen_https.is_empty() {
        config.tls.listen = overrides
            .listen_https
            .iter()
            .map(ToString::to_string)
            .collect();
    }
    if let Some(url) = &overrides.redis_url {
        config.redis.url = url.clone();
    }
    let checked = validate::check(&config)
        .and_then(|checked| validate::check_complete(&config).map(|()| checked))
        .map_err(|e| ConfigError {
            file: None,
            line: None,
            key: Some(e.key.to_owned()),
            message: format!("{} (after environment and flags)", e.message),
        })?;
    Ok((config, checked))
}

fn apply_env(config: &mut Config) -> Result<(), ConfigError> {
    for (var, slot) in [
        (ENV_DATABASE_URL, &mut config.database.url),
        (ENV_REDIS_URL, &mut config.redis.url),
        (ENV_LOG, &mut config.log.level),
    ] {
        match std::env::var(var) {
            Ok(value) => *slot = value,
            Err(std::env::VarError::NotPresent) => {}
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(ConfigError {
                    file: None,
                    line: None,
                    key: Some(var.to_owned()),
                    message: "is not valid UTF-8".into(),
                });
            }
        }
    }
    Ok(())
}

/// systemd credentials (`LoadCredential=` in sociald.service): a file named after the key in
/// `$CREDENTIALS_DIRECTORY` replaces that value. Secrets then never sit in the config file, the
/// environment or the command line. A missing file is not an error (the credential is
/// optional), and neither is an empty one (sociald.service sets empty fallbacks with
/// `SetCredential=`, because systemd fails a unit whose `LoadCredential=` file is missing).
/// The content is used without its trailing newline.
pub fn apply_credentials(config: &mut Config, dir: Option<&Path>) -> Result<(), ConfigError> {
    let Some(dir) = dir else {
        return Ok(());
    };
    for (name, slot) in [
        (CREDENTIAL_DATABASE_URL, &mut config.database.url),
        (CREDENTIAL_REDIS_URL, &mut config.redis.url),
        (CREDENTIAL_ACME_EAB_HMAC_KEY, &mut config.acme.eab_hmac_key),
    ] {
        let path = dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(value) => {
                let value = value.trim_end_matches(['\n', '\r']);
                if !value.is_empty() {
                    *slot = value.to_owned();
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(ConfigError {
                    file: Some(path),
                    line: None,
                    key: Some(format!("credential {name}")),
                    message: format!("cannot read: {e}"),
                });
            }
        }
    }
    Ok(())
}

fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset).unwrap_or(text).matches('\n').count() + 1
}

/// Best-effort line of `section.key` in a file (plain `[section]` tables and dotted keys),
/// to point at a value that parsed but is not valid.
fn find_key_line(text: &str, dotted: &str) -> Option<usize> {
    let (section, key) = dotted.split_once('.')?;
    let mut current = String::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = name.trim().to_owned();
            continue;
        }
        let wanted = if current == section {
            key.to_owned()
        } else if current.is_empty() {
            dotted.to_owned()
        } else {
            continue;
        };
        if let Some(rest) = line.strip_prefix(wanted.as_str())
            && rest.trim_start().starts_with('=')
        {
            return Some(n + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let err =
            parse_str("[server]\nlisten = [\"127.0.0.1:1\"]\nlisen = 1\n").expect_err("must fail");
        let shown = err.to_string();
        assert!(shown.contains("line 3"), "{shown}");
        assert!(shown.contains("lisen"), "{shown}");
        assert!(shown.contains("server"), "{shown}");
    }

    #[test]
    fn wrong_type_is_named() {
        let err = parse_str("[instance]\npost_max_chars = \"many\"\n").expect_err("must fail");
        assert_eq!(err.key.as_deref(), Some("instance.post_max_chars"));
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn credentials_override_file_and_environment_values() {
        let dir = std::env::temp_dir().join(format!("sociald-cred-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join("database-url"), "postgres://u:secret@db/social\n").expect("write");
        let mut config =
            parse_str("[database]\nurl = \"sqlite:///x.db\"\n[redis]\nurl = \"redis://r\"\n")
                .expect("parses");
        apply_credentials(&mut config, Some(&dir)).expect("applies");
        assert_eq!(config.database.url, "postgres://u:secret@db/social");
        // No redis-url credential: the file's value stays.
        assert_eq!(config.redis.url, "redis://r");
        std::fs::write(dir.join("redis-url"), "redis://other:6379/1").expect("write");
        apply_credentials(&mut config, Some(&dir)).expect("applies");
        assert_eq!(config.redis.url, "redis://other:6379/1");
        std::fs::write(dir.join("database-url"), "").expect("write");
        let before = config.clone();
        apply_credentials(&mut config, Some(&dir)).expect("an empty credential is unset");
        assert_eq!(config, before);
        apply_credentials(&mut config, None).expect("no directory: nothing to do");
        assert_eq!(config, before);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn key_lines_are_found() {
        let text = "[server]\nlisten = []\n\n[instance]\npost_max_chars = 0\n";
        assert_eq!(find_key_line(text, "instance.post_max_chars"), Some(5));
        assert_eq!(find_key_line(text, "server.listen"), Some(2));
        assert_eq!(find_key_line("log.level = \"x\"\n", "log.level"), Some(1));
    }
}
