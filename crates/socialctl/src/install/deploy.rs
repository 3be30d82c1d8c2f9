//! The deploy directory: the inventory, variables, secrets and ansible.cfg that `socialctl
//! install` runs the playbook with, kept so that plain `ansible-playbook` repeats the deployment.

use anyhow::Context as _;
use std::fmt::Write as _;
use std::io::Read as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

/// How Ansible reaches the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Over SSH.
    Ssh {
        user: String,
        host: String,
        port: Option<u16>,
    },
    /// This machine, without SSH.
    Local,
}

impl Target {
    /// Parses `USER@HOST[:PORT]` (IPv6: `USER@[ADDR]:PORT`).
    pub fn parse(spec: &str) -> anyhow::Result<Self> {
        let (user, rest) = spec
            .split_once('@')
            .with_context(|| format!("--host {spec:?}: expected USER@HOST[:PORT]"))?;
        let valid_user = !user.is_empty()
            && user
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        anyhow::ensure!(
            valid_user,
            "--host {spec:?}: {user:?} is not a valid user name"
        );
        let (host, port) = if let Some(inner) = rest.strip_prefix('[') {
            let (addr, after) = inner
                .split_once(']')
                .with_context(|| format!("--host {spec:?}: unclosed '['"))?;
            (addr, after.strip_prefix(':'))
        } else if rest.matches(':').count() == 1 {
            let (h, p) = rest.split_once(':').unwrap_or((rest, ""));
            (h, Some(p))
        } else {
            (rest, None)
        };
        let valid_host = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'));
        anyhow::ensure!(
            valid_host,
            "--host {spec:?}: {host:?} is not a host name or address"
        );
        let port = match port {
            None => None,
            Some(p) => Some(
                p.parse::<u16>()
                    .ok()
                    .filter(|&p| p > 0)
                    .with_context(|| format!("--host {spec:?}: {p:?} is not a port"))?,
            ),
        };
        Ok(Self::Ssh {
            user: user.to_owned(),
            host: host.to_owned(),
            port,
        })
    }

    /// The inventory name of the host.
    pub fn name(&self) -> String {
        match self {
            Self::Ssh { host, .. } => host.clone(),
            Self::Local => "localhost".to_owned(),
        }
    }
}

/// Everything written into the deploy directory.
#[derive(Debug)]
pub struct Deployment {
    pub dir: PathBuf,
    pub playbook_dir: PathBuf,
    pub target: Target,
    pub ssh_options: Vec<String>,
    /// Role variables (name, YAML value already encoded).
    pub vars: Vec<(String, String)>,
    /// The text of --vars FILE, kept as group_vars/all/vars.yml (loaded after main.yml and
    /// secrets.yml, so its values win); None removes a vars.yml left by an earlier run.
    pub extra_vars: Option<String>,
}

/// Variables whose values are generated once per deployment and kept in secrets.yml (0600).
pub const SECRETS: &[&str] = &["redis_password", "postgresql_app_password"];

/// A YAML scalar: JSON strings are valid YAML.
pub fn yaml_str(value: &str) -> String {
    serde_json::Value::String(value.to_owned()).to_string()
}

/// A YAML flow sequence of strings.
pub fn yaml_list(values: &[String]) -> String {
    serde_json::Value::from(values.to_vec()).to_string()
}

impl Deployment {
    /// Writes (or refreshes) the directory. Secrets already there are kept.
    pub fn write(&self) -> anyhow::Result<()> {
        create_private_dir(&self.dir)?;
        create_private_dir(&self.dir.join("group_vars/all"))?;
        create_private_dir(&self.dir.join("logs"))?;
        write_file(&self.dir.join("inventory.yml"), &self.inventory(), 0o600)?;
        write_file(
            &self.dir.join("group_vars/all/main.yml"),
            &self.main_vars(),
            0o600,
        )?;
        self.write_secrets()?;
        let vars_file = self.dir.join("group_vars/all/vars.yml");
        match &self.extra_vars {
            Some(text) => write_file(
                &vars_file,
                &format!("# Copied by socialctl install from its --vars file.\n{text}"),
                0o600,
            )?,
            None => match std::fs::remove_file(&vars_file) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("removing {}", vars_file.display()));
                }
            },
        }
        write_file(&self.dir.join("ansible.cfg"), &self.ansible_cfg(), 0o600)?;
        write_file(&self.dir.join("README"), &self.readme(), 0o644)?;
        Ok(())
    }

    fn inventory(&self) -> String {
        let name = self.target.name();
        let mut host_vars = String::new();
        match &self.target {
            Target::Ssh { user, host, port } => {
                let _ = writeln!(host_vars, "      ansible_host: {}", yaml_str(host));
                let _ = writeln!(host_vars, "      ansible_user: {}", yaml_str(user));
                if let Some(port) = port {
                    let _ = writeln!(host_vars, "      ansible_port: {port}");
                }
                if user != "root" {
                    let _ = writeln!(host_vars, "      ansible_become: true");
                }
                if !self.ssh_options.is_empty() {
                    let _ = writeln!(
                        host_vars,
                        "      ansible_ssh_common_args: {}",
                        yaml_str(&self.ssh_options.join(" "))
                    );
                }
            }
            Target::Local => {
                let _ = writeln!(host_vars, "      ansible_connection: local");
            }
        }
        format!(
            "# Written by socialctl install; edit freely, then repeat with plain ansible-playbook\n\
             # (see README). One host in every group: web (sociald), db (PostgreSQL), cache (Redis).\n\
             all:\n  hosts:\n    {name}:\n{host_vars}  children:\n    \
             web:\n      hosts:\n        {name}:\n    \
             db:\n      hosts:\n        {name}:\n    \
             cache:\n      hosts:\n        {name}:\n",
            name = yaml_str(&name)
        )
    }

    fn main_vars(&self) -> String {
        let mut out = String::from(
            "# Written by socialctl install from its command line (variables: docs/ansible.md).\n",
        );
        for (name, value) in &self.vars {
            let _ = writeln!(out, "{name}: {value}");
        }
        out
    }

    fn write_secrets(&self) -> anyhow::Result<()> {
        let path = self.dir.join("group_vars/all/secrets.yml");
        let existing = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                "# Generated once by socialctl install; keep it private (mode 0600).\n".to_owned()
            }
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let mut text = existing.clone();
        for name in SECRETS {
            let present = existing
                .lines()
                .any(|l| l.strip_prefix(name).is_some_and(|r| r.starts_with(':')));
            if !present {
                let _ = writeln!(text, "{name}: {}", yaml_str(&random_secret(32)?));
            }
        }
        if text != existing {
            write_file(&path, &text, 0o600)?;
        }
        Ok(())
    }

    fn ansible_cfg(&self) -> String {
        let playbook = self.playbook_dir.display();
        format!(
            "# Written by socialctl install. ansible-playbook reads it when run from this directory.\n\
             [defaults]\n\
             inventory = inventory.yml\n\
             roles_path = {playbook}/roles\n\
             callback_plugins = {playbook}/callback_plugins\n\
             callbacks_enabled = social_progress\n\
             interpreter_python = /usr/bin/python3\n\
             retry_files_enabled = False\n\
             forks = 10\n\
             \n\
             [ssh_connection]\n\
             pipelining = True\n"
        )
    }

    fn readme(&self) -> String {
        format!(
            "This directory describes one deployment of the social appliance, written by\n\
             `socialctl install`:\n\n\
             \x20 inventory.yml             the host, in the groups web, db and cache\n\
             \x20 group_vars/all/main.yml   the variables from socialctl's command line\n\
             \x20 group_vars/all/secrets.yml generated passwords (keep private)\n\
             \x20 group_vars/all/vars.yml   the --vars file, if one was given (its values win)\n\
             \x20 ansible.cfg               where the roles are\n\
             \x20 logs/                     one full log per run\n\n\
             Repeat the deployment with socialctl (same arguments) or with Ansible itself:\n\n\
             \x20 cd {dir} && ansible-playbook {playbook}/site.yml\n\n\
             Add --check --diff to see what would change first.\n",
            dir = self.dir.display(),
            playbook = self.playbook_dir.display()
        )
    }
}

fn create_private_dir(path: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(path).with_context(|| format!("creating {}", path.display()))?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("chmod {}", path.display()))
}

/// Writes a file atomically (temporary file, then rename) with the given mode.
pub fn write_file(path: &Path, text: &str, mode: u32) -> anyhow::Result<()> {
    let tmp = path.with_extension("socialctl-tmp");
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&tmp)
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::io::Write::write_all(&mut file, text.as_bytes())
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(mode))?;
    std::fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
}

/// `len` characters from [A-Za-z0-9], uniformly (rejection sampling over /dev/urandom bytes).
pub fn random_secret(len: usize) -> anyhow::Result<String> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut urandom = std::fs::File::open("/dev/urandom").context("opening /dev/urandom")?;
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        urandom
            .read_exact(&mut buf)
            .context("reading /dev/urandom")?;
        // 248 = 4 * 62: bytes at or above it would bias the first letters.
        for &b in buf.iter().filter(|&&b| b < 248) {
            if out.len() == len {
                break;
            }
            out.push(char::from(ALPHABET[usize::from(b) % ALPHABET.len()]));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_specs() {
        assert_eq!(
            Target::parse("root@example.org").expect("ok"),
            Target::Ssh {
                user: "root".into(),
                host: "example.org".into(),
                port: None
            }
        );
        assert_eq!(
            Target::parse("admin@10.0.0.5:2222").expect("ok"),
            Target::Ssh {
                user: "admin".into(),
                host: "10.0.0.5".into(),
                port: Some(2222)
            }
        );
        assert_eq!(
            Target::parse("root@[2001:db8::1]:22").expect("ok"),
            Target::Ssh {
                user: "root".into(),
                host: "2001:db8::1".into(),
                port: Some(22)
            }
        );
        for bad in [
            "example.org",
            "@host",
            "root@",
            "root@host:0",
            "root@host:x",
            "ro ot@host",
            "root@ho;st",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn secrets_are_generated_once_and_kept() {
        let dir = std::env::temp_dir().join(format!("socialctl-deploy-{}", std::process::id()));
        let deployment = Deployment {
            dir: dir.clone(),
            playbook_dir: PathBuf::from("/usr/share/socialctl/ansible"),
            target: Target::parse("root@h1").expect("ok"),
            ssh_options: vec!["-o".into(), "StrictHostKeyChecking=accept-new".into()],
            vars: vec![("sociald_domain".into(), yaml_str("social.example.org"))],
            extra_vars: None,
        };
        deployment.write().expect("write");
        let secrets = dir.join("group_vars/all/secrets.yml");
        let first = std::fs::read_to_string(&secrets).expect("secrets");
        assert!(first.contains("redis_password: \""), "{first}");
        let mode = std::fs::metadata(&secrets)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        deployment.write().expect("write again");
        assert_eq!(std::fs::read_to_string(&secrets).expect("secrets"), first);
        let inventory = std::fs::read_to_string(dir.join("inventory.yml")).expect("inventory");
        assert!(inventory.contains("ansible_host: \"h1\""), "{inventory}");
        assert!(
            inventory.contains("ansible_ssh_common_args: \"-o StrictHostKeyChecking=accept-new\""),
            "{inventory}"
        );
        assert!(!inventory.contains("ansible_become"), "{inventory}");
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn the_vars_file_is_kept_private_and_removed_when_not_given() {
        let dir = std::env::temp_dir().join(format!("socialctl-vars-{}", std::process::id()));
        let mut deployment = Deployment {
            dir: dir.clone(),
            playbook_dir: PathBuf::from("/usr/share/socialctl/ansible"),
            target: Target::Local,
            ssh_options: Vec::new(),
            vars: Vec::new(),
            extra_vars: Some("firewall__parent: eth0\n".into()),
        };
        deployment.write().expect("write");
        let vars = dir.join("group_vars/all/vars.yml");
        let text = std::fs::read_to_string(&vars).expect("vars.yml");
        assert!(text.ends_with("firewall__parent: eth0\n"), "{text}");
        let mode = std::fs::metadata(&vars).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        deployment.extra_vars = None;
        deployment.write().expect("write without --vars");
        assert!(
            !vars.exists(),
            "a run without --vars removes the earlier vars.yml"
        );
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }

    #[test]
    fn random_secrets_use_the_alphabet() {
        let a = random_secret(40).expect("secret");
        assert_eq!(a.len(), 40);
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(a, random_secret(40).expect("secret"));
    }
}
