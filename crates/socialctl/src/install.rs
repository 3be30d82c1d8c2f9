//! `socialctl install`: provisions a Debian 12 host through the bundled Ansible playbook. It
//! checks the prerequisites, writes a deploy directory (install/deploy.rs) that plain
//! `ansible-playbook` can repeat, runs the playbook with a progress display (install/progress.rs)
//! and a full log, and ends with a summary or the failing task.

mod deploy;
mod progress;

use anyhow::Context as _;
use deploy::{Deployment, Target, yaml_list, yaml_str};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Where the socialctl package puts the playbook.
const PACKAGED_PLAYBOOK: &str = "/usr/share/socialctl/ansible";

/// Arguments of `socialctl install`.
#[derive(Debug, clap::Args)]
#[command(after_long_help = "\
Examples:
  socialctl install --host root@203.0.113.7 --domain social.example.org --email me@example.org
  socialctl install --local --domain social.example.org --email me@example.org --check

A re-run with the same arguments continues where a failed run stopped and changes nothing on a
host that already matches. Exit status: 0 done, 1 failed (the failing task and the log are named).")]
pub struct Args {
    /// The host to provision over SSH, as USER@HOST[:PORT] (USER root, or with passwordless sudo).
    #[arg(
        long,
        value_name = "USER@HOST",
        conflicts_with = "local",
        required_unless_present = "local"
    )]
    pub host: Option<String>,
    /// Provision this machine (run as root).
    #[arg(long)]
    pub local: bool,
    /// The site's DNS name; it must resolve to the host (the ACME CA checks it).
    #[arg(long, value_name = "NAME")]
    pub domain: String,
    /// Contact e-mail for the certificate authority (expiry and account notices).
    #[arg(long, value_name = "ADDRESS")]
    pub email: String,
    /// A .deb to install instead of the apt repository's: sociald, socialctl or
    /// social-hardening (repeatable).
    #[arg(long = "package", value_name = "FILE.deb")]
    pub packages: Vec<PathBuf>,
    /// Show what would change, change nothing (ansible-playbook --check --diff).
    #[arg(long)]
    pub check: bool,
    /// Address ranges allowed to reach SSH (the mgmt zone), repeatable. Default: every source,
    /// rate-limited and watched by fail2ban.
    #[arg(long = "mgmt-source", value_name = "CIDR")]
    pub mgmt_sources: Vec<String>,
    /// A YAML file of further role variables (docs/ansible.md), such as the firewall's zones
    /// and VLANs or tuning; kept as group_vars/all/vars.yml, where it overrides the command
    /// line's values.
    #[arg(long = "vars", value_name = "FILE.yml")]
    pub vars_file: Option<PathBuf>,
    /// ACME directory: letsencrypt, letsencrypt-staging or an https:// URL.
    #[arg(long, value_name = "URL", default_value = "letsencrypt")]
    pub acme_directory: String,
    /// PEM root of a private ACME CA's own HTTPS certificate.
    #[arg(long, value_name = "FILE")]
    pub acme_ca_root: Option<PathBuf>,
    /// SSH private key for the host.
    #[arg(long, value_name = "FILE")]
    pub ssh_key: Option<PathBuf>,
    /// Where the inventory, variables, secrets and logs of this deployment are kept.
    /// Default: /var/lib/socialctl/deployments/HOST (root), else
    /// ~/.local/state/socialctl/deployments/HOST.
    #[arg(long, value_name = "DIR")]
    pub deploy_dir: Option<PathBuf>,
    /// The playbook directory (site.yml and roles/). Default: /usr/share/socialctl/ansible.
    #[arg(long, value_name = "DIR", env = "SOCIALCTL_ANSIBLE_DIR")]
    pub playbook_dir: Option<PathBuf>,
}

/// Runs the installation; returns the exit status.
pub fn run(args: &Args) -> anyhow::Result<i32> {
    let started = Instant::now();
    match install(args, started) {
        Ok(code) => Ok(code),
        Err(e) => {
            eprintln!("socialctl install: {e:#}");
            Ok(1)
        }
    }
}

fn install(args: &Args, started: Instant) -> anyhow::Result<i32> {
    let target = match &args.host {
        Some(spec) => Target::parse(spec)?,
        None => Target::Local,
    };
    validate_domain(&args.domain)?;
    validate_email(&args.email)?;
    for cidr in &args.mgmt_sources {
        validate_cidr(cidr)?;
    }
    let acme_directory = validate_acme_directory(&args.acme_directory)?;
    let packages = classify_packages(&args.packages)?;
    if let Some(root) = &args.acme_ca_root {
        let text = std::fs::read_to_string(root)
            .with_context(|| format!("--acme-ca-root {}", root.display()))?;
        anyhow::ensure!(
            text.contains("-----BEGIN CERTIFICATE-----"),
            "--acme-ca-root {}: not a PEM certificate",
            root.display()
        );
    }
    let extra_vars = match &args.vars_file {
        Some(file) => Some(
            std::fs::read_to_string(file).with_context(|| format!("--vars {}", file.display()))?,
        ),
        None => None,
    };
    let playbook_dir = playbook_dir(args.playbook_dir.as_deref())?;
    let ssh_options = ssh_options(args.ssh_key.as_deref())?;

    step("checking the target");
    check_target(&target, &ssh_options)?;
    let ansible_playbook = ensure_ansible()?;
    if let (Some(file), Some(text)) = (&args.vars_file, &extra_vars) {
        check_vars_file(file, text)?;
    }

    let dir = match &args.deploy_dir {
        Some(dir) => absolute(dir)?,
        None => default_deploy_dir(&target.name())?,
    };
    let mut vars = vec![
        ("sociald_domain".to_owned(), yaml_str(&args.domain)),
        (
            "sociald_acme_contact".to_owned(),
            yaml_list(std::slice::from_ref(&args.email)),
        ),
        (
            "sociald_acme_directory".to_owned(),
            yaml_str(&acme_directory),
        ),
        // sociald reaches Redis with the password the redis role sets (secrets.yml).
        (
            "sociald_redis_password".to_owned(),
            yaml_str("{{ redis_password }}"),
        ),
    ];
    if let Some(root) = &args.acme_ca_root {
        vars.push((
            "sociald_acme_ca_root_file".to_owned(),
            yaml_str(&absolute(root)?.display().to_string()),
        ));
    }
    for (var, file) in &packages {
        vars.push(((*var).to_owned(), yaml_str(&file.display().to_string())));
    }
    if !args.mgmt_sources.is_empty() {
        vars.push((
            "firewall__zones".to_owned(),
            format!(
                "{{\"public\": {{\"interfaces\": [\"*\"]}}, \"mgmt\": {{\"sources\": {}}}}}",
                yaml_list(&args.mgmt_sources)
            ),
        ));
        vars.push((
            "fail2ban_ignoreip".to_owned(),
            yaml_list(&args.mgmt_sources),
        ));
    }
    let deployment = Deployment {
        dir: dir.clone(),
        playbook_dir: playbook_dir.clone(),
        target: target.clone(),
        ssh_options,
        vars,
        extra_vars,
    };
    deployment.write()?;

    let stamp = timestamp();
    let log = dir.join("logs").join(format!("install-{stamp}.log"));
    let events = dir.join("logs").join(format!("install-{stamp}.events"));
    step(&format!(
        "running the playbook{} (full log: {})",
        if args.check { " in check mode" } else { "" },
        log.display()
    ));
    let outcome = run_playbook(&ansible_playbook, &deployment, args.check, &log, &events)?;
    let elapsed = started.elapsed();
    Ok(report(args, &target, &deployment, &outcome, &log, elapsed))
}

fn step(what: &str) {
    eprintln!("==> {what}");
}

/// What the run left behind.
#[derive(Debug)]
struct Outcome {
    exit: Option<i32>,
    progress: progress::Progress,
}

fn run_playbook(
    ansible_playbook: &Path,
    deployment: &Deployment,
    check: bool,
    log: &Path,
    events: &Path,
) -> anyhow::Result<Outcome> {
    let mut log_file =
        std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
    std::fs::File::create(events).with_context(|| format!("creating {}", events.display()))?;
    let site = deployment.playbook_dir.join("site.yml");
    let mut command = Command::new(ansible_playbook);
    command
        .arg(&site)
        .current_dir(&deployment.dir)
        .env("ANSIBLE_CONFIG", deployment.dir.join("ansible.cfg"))
        .env("SOCIALCTL_EVENTS", events)
        .env("ANSIBLE_NOCOLOR", "1")
        .env("ANSIBLE_FORCE_COLOR", "0")
        .env("PYTHONUNBUFFERED", "1")
        .stdin(Stdio::null());
    if check {
        command.args(["--check", "--diff"]);
    }
    writeln!(
        log_file,
        "# socialctl install {}: {} {}{}",
        timestamp(),
        ansible_playbook.display(),
        site.display(),
        if check { " --check --diff" } else { "" }
    )?;
    log_file.flush()?;
    let mut child = command
        .stdout(log_file.try_clone()?)
        .stderr(log_file)
        .spawn()
        .with_context(|| format!("starting {}", ansible_playbook.display()))?;
    let mut feed = progress::Feed::open(events)?;
    let mut state = progress::Progress::default();
    let mut display = progress::Display::new();
    let exit = loop {
        let done = child.try_wait()?;
        let fresh = feed.poll()?;
        if !fresh.is_empty() {
            for event in fresh {
                state.apply(event);
            }
            display.show(&state);
        }
        if let Some(status) = done {
            // The plugin wrote its last line before ansible-playbook exited.
            for event in feed.poll()? {
                state.apply(event);
            }
            break status.code();
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    display.finish();
    Ok(Outcome {
        exit,
        progress: state,
    })
}

fn report(
    args: &Args,
    target: &Target,
    deployment: &Deployment,
    outcome: &Outcome,
    log: &Path,
    elapsed: Duration,
) -> i32 {
    let progress = &outcome.progress;
    let mut out = std::io::stdout().lock();
    if outcome.exit != Some(0) || !progress.failures.is_empty() {
        let _ = writeln!(out, "\nFAILED after {}:", minutes(elapsed));
        for failure in &progress.failures {
            let what = if failure.unreachable {
                "cannot reach the host"
            } else {
                "task failed"
            };
            let _ = writeln!(
                out,
                "  {what}: {} on {}\n    {}",
                progress::label(&failure.role, &failure.task),
                failure.host,
                first_lines(&failure.message, 6)
            );
        }
        if progress.failures.is_empty() {
            let _ = writeln!(
                out,
                "  ansible-playbook exited with {} before any task failed (bad inventory or \
                 variables?)",
                outcome
                    .exit
                    .map_or("a signal".to_owned(), |c| format!("status {c}"))
            );
        }
        let _ = writeln!(
            out,
            "Full log: {}\nFix the cause, then run the same command again: it continues \
             where it stopped.",
            log.display()
        );
        return 1;
    }
    if let Some(stats) = &progress.stats {
        for (host, s) in stats {
            let _ = writeln!(
                out,
                "{host}: ok={} changed={} unreachable={} failed={} skipped={}",
                s.ok, s.changed, s.unreachable, s.failures, s.skipped
            );
        }
    }
    let changed: u64 = progress
        .stats
        .iter()
        .flat_map(|s| s.values())
        .map(|s| s.changed)
        .sum();
    if args.check {
        if changed == 0 {
            let _ = writeln!(out, "Check mode: nothing would change.");
        } else {
            let _ = writeln!(out, "Check mode: {changed} task(s) would change something:");
            for change in &progress.changes {
                let _ = writeln!(out, "  {change}");
            }
            let _ = writeln!(out, "Diffs are in the log: {}", log.display());
        }
        return 0;
    }
    let admin = match target {
        Target::Ssh { user, host, port } => format!(
            "ssh {}{user}@{host} {}sociald admin create-user --admin NAME",
            port.map_or(String::new(), |p| format!("-p {p} ")),
            if user == "root" { "" } else { "sudo " }
        ),
        Target::Local => "sociald admin create-user --admin NAME".to_owned(),
    };
    let _ = writeln!(
        out,
        "\nDone in {} ({}).\n\
         \n  Site:            https://{}/\
         \n  Create an admin: {admin}\
         \n  Check the host:  socialctl status{}\
         \n  Full log:        {}\
         \n  Deployment:      {} (repeat: see its README)",
        minutes(elapsed),
        if changed == 0 {
            "no change: the host already matched".to_owned()
        } else {
            format!("{changed} change(s)")
        },
        args.domain,
        match target {
            Target::Ssh { user, host, .. } => format!(" --host {user}@{host}"),
            Target::Local => String::new(),
        },
        log.display(),
        deployment.dir.display()
    );
    if args.mgmt_sources.is_empty() {
        let _ = writeln!(
            out,
            "\nNote: SSH answers every address (rate-limited, fail2ban). Narrow it with \
             --mgmt-source CIDR."
        );
    }
    0
}

fn minutes(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

fn first_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut shown = lines
        .iter()
        .take(n)
        .copied()
        .collect::<Vec<_>>()
        .join("\n    ");
    if lines.len() > n {
        shown.push_str("\n    … (see the log)");
    }
    shown
}

/// UTC time as 20261202T221500Z, for log names.
fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    )
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    std::path::absolute(path).with_context(|| format!("resolving {}", path.display()))
}

fn default_deploy_dir(name: &str) -> anyhow::Result<PathBuf> {
    let base = if is_root() {
        PathBuf::from("/var/lib/socialctl")
    } else if let Some(state) = std::env::var_os("XDG_STATE_HOME").filter(|s| !s.is_empty()) {
        PathBuf::from(state).join("socialctl")
    } else {
        let home = std::env::var_os("HOME").context("HOME is not set: pass --deploy-dir")?;
        PathBuf::from(home).join(".local/state/socialctl")
    };
    Ok(base.join("deployments").join(name))
}

fn is_root() -> bool {
    // /proc/self is owned by the process's effective user.
    std::os::unix::fs::MetadataExt::uid(&match std::fs::metadata("/proc/self") {
        Ok(m) => m,
        Err(_) => return false,
    }) == 0
}

/// The playbook directory: the flag or SOCIALCTL_ANSIBLE_DIR, the packaged one, or (in a source
/// checkout) the repository's ansible/.
fn playbook_dir(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    let candidates: Vec<PathBuf> = match given {
        Some(dir) => vec![absolute(dir)?],
        None => vec![
            PathBuf::from(PACKAGED_PLAYBOOK),
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ansible"),
        ],
    };
    candidates
        .iter()
        .find(|dir| dir.join("site.yml").is_file())
        .map(|dir| dir.canonicalize().unwrap_or_else(|_| dir.clone()))
        .with_context(|| {
            format!(
                "no playbook: {} has no site.yml (install the socialctl package, or pass \
                 --playbook-dir)",
                candidates[0].display()
            )
        })
}

/// SSH options for the pre-checks and for Ansible: `SOCIALCTL_SSH_OPTS` first (ssh keeps the first value of an
/// option, so they override these), host keys trusted on first use, the key.
fn ssh_options(key: Option<&Path>) -> anyhow::Result<Vec<String>> {
    let mut options: Vec<String> = std::env::var("SOCIALCTL_SSH_OPTS")
        .map(|extra| extra.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default();
    options.extend([
        "-o".to_owned(),
        "StrictHostKeyChecking=accept-new".to_owned(),
    ]);
    if let Some(key) = key {
        anyhow::ensure!(key.is_file(), "--ssh-key {}: no such file", key.display());
        options.push("-i".to_owned());
        options.push(absolute(key)?.display().to_string());
    }
    Ok(options)
}

/// Reachable over SSH, Debian 12, root or passwordless sudo.
fn check_target(target: &Target, ssh_options: &[String]) -> anyhow::Result<()> {
    let os_release = match target {
        Target::Local => {
            anyhow::ensure!(is_root(), "--local needs root: run it with sudo");
            std::fs::read_to_string("/etc/os-release").context("reading /etc/os-release")?
        }
        Target::Ssh { user, host, port } => {
            let probe = if user == "root" {
                "cat /etc/os-release"
            } else {
                "sudo -n true && cat /etc/os-release"
            };
            let mut ssh = Command::new("ssh");
            ssh.args(["-o", "BatchMode=yes", "-o", "ConnectTimeout=15"])
                .args(ssh_options);
            if let Some(port) = port {
                ssh.args(["-p", &port.to_string()]);
            }
            let output = ssh
                .arg(format!("{user}@{host}"))
                .arg(probe)
                .stdin(Stdio::null())
                .output()
                .context("running ssh (install openssh-client)")?;
            let stderr = String::from_utf8_lossy(&output.stderr);
            let reason = stderr
                .lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("");
            match output.status.code() {
                Some(0) => {}
                Some(255) => anyhow::bail!(
                    "cannot reach {user}@{host} over SSH: {reason}\n  hint: check the address, \
                     that sshd runs there and that your key is authorized (--ssh-key FILE)"
                ),
                _ if user != "root" => anyhow::bail!(
                    "{user}@{host}: {user} has no passwordless sudo ({reason})\n  hint: log in \
                     as root, or allow {user} `sudo` without a password"
                ),
                _ => anyhow::bail!("{user}@{host}: cannot read /etc/os-release ({reason})"),
            }
            String::from_utf8_lossy(&output.stdout).into_owned()
        }
    };
    check_debian_12(&target.name(), &os_release)
}

fn check_debian_12(name: &str, os_release: &str) -> anyhow::Result<()> {
    let field = |key: &str| {
        os_release.lines().find_map(|l| {
            l.strip_prefix(key)
                .and_then(|r| r.strip_prefix('='))
                .map(|v| v.trim().trim_matches('"').to_owned())
        })
    };
    let id = field("ID").unwrap_or_default();
    let version = field("VERSION_ID").unwrap_or_default();
    if id == "debian" && version == "12" {
        return Ok(());
    }
    let pretty = field("PRETTY_NAME").unwrap_or_else(|| format!("{id} {version}"));
    anyhow::bail!(
        "{name} runs {pretty}; socialctl install supports Debian 12 (bookworm) only\n  hint: \
         install Debian 12 on the host (a fresh minimal install is best)"
    )
}

/// ansible-playbook from PATH; as root on Debian, installs Debian's ansible-core when missing.
fn ensure_ansible() -> anyhow::Result<PathBuf> {
    if let Some(found) = which("ansible-playbook") {
        return Ok(found);
    }
    anyhow::ensure!(
        is_root() && Path::new("/usr/bin/apt-get").exists(),
        "ansible-playbook is not installed\n  hint: `sudo apt-get install ansible-core` (or \
         `pipx install ansible-core`), then run this again"
    );
    step("installing ansible-core (apt-get)");
    let status = Command::new("apt-get")
        .args(["install", "-y", "--no-install-recommends", "ansible-core"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .stdin(Stdio::null())
        .status()
        .context("running apt-get")?;
    anyhow::ensure!(
        status.success(),
        "apt-get install ansible-core failed ({status})"
    );
    which("ansible-playbook")
        .context("ansible-core is installed but ansible-playbook is not on PATH")
}

/// Exits non-zero with a one-line reason unless standard input is a YAML mapping.
const CHECK_VARS_PY: &str = r#"
import sys, yaml
try:
    doc = yaml.safe_load(sys.stdin)
except yaml.YAMLError as e:
    sys.exit(" ".join(str(e).split()))
if not isinstance(doc, dict) or not all(isinstance(k, str) for k in doc):
    sys.exit("not a mapping of variable names to values")
"#;

/// Checks the text of --vars FILE: it must be a YAML mapping (read with the YAML parser Ansible
/// itself uses, python3-yaml, a dependency of ansible-core).
fn check_vars_file(file: &Path, text: &str) -> anyhow::Result<()> {
    let check = Command::new("python3")
        .args(["-c", CHECK_VARS_PY])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("running python3 to read --vars")
        .and_then(|mut child| {
            use std::io::Write as _;
            child
                .stdin
                .take()
                .context("python3 stdin")?
                .write_all(text.as_bytes())
                .context("writing to python3")?;
            child.wait_with_output().context("waiting for python3")
        })?;
    anyhow::ensure!(
        check.status.success(),
        "--vars {}: {}",
        file.display(),
        String::from_utf8_lossy(&check.stderr).trim()
    );
    Ok(())
}

fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// Maps each --package file to the role variable that installs it, by its Debian package name.
fn classify_packages(files: &[PathBuf]) -> anyhow::Result<Vec<(&'static str, PathBuf)>> {
    let mut out: Vec<(&'static str, PathBuf)> = Vec::new();
    for file in files {
        anyhow::ensure!(file.is_file(), "--package {}: no such file", file.display());
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".deb"))
            .and_then(|n| n.split('_').next())
            .with_context(|| {
                format!(
                    "--package {}: not a NAME_VERSION_ARCH.deb file",
                    file.display()
                )
            })?;
        let var = match name {
            "sociald" => "sociald_package_file",
            "socialctl" => "sociald_socialctl_package_file",
            "social-hardening" => "hardening_package_file",
            other => anyhow::bail!(
                "--package {}: {other:?} is not one of the appliance's packages (sociald, \
                 socialctl, social-hardening)",
                file.display()
            ),
        };
        anyhow::ensure!(
            out.iter().all(|(v, _)| *v != var),
            "--package: two files for {name}"
        );
        out.push((var, absolute(file)?));
    }
    Ok(out)
}

fn validate_domain(domain: &str) -> anyhow::Result<()> {
    let labels: Vec<&str> = domain.split('.').collect();
    let ok = domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && !labels
            .last()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_digit()));
    anyhow::ensure!(
        ok,
        "--domain {domain:?}: not a DNS name (like social.example.org; no IP addresses: \
         certificates are issued for names)"
    );
    Ok(())
}

fn validate_email(email: &str) -> anyhow::Result<()> {
    let ok = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && domain.contains('.')
            && !email
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == ',')
    });
    anyhow::ensure!(ok, "--email {email:?}: not an e-mail address");
    Ok(())
}

fn validate_cidr(cidr: &str) -> anyhow::Result<()> {
    let (addr, prefix) = cidr.split_once('/').unwrap_or((cidr, ""));
    let max = match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => 32,
        Ok(std::net::IpAddr::V6(_)) => 128,
        Err(_) => anyhow::bail!("--mgmt-source {cidr:?}: not an address or CIDR range"),
    };
    anyhow::ensure!(
        prefix.is_empty() || prefix.parse::<u8>().is_ok_and(|p| p <= max),
        "--mgmt-source {cidr:?}: bad prefix length"
    );
    Ok(())
}

fn validate_acme_directory(directory: &str) -> anyhow::Result<String> {
    match directory {
        "letsencrypt" | "letsencrypt-staging" => Ok(directory.to_owned()),
        url if url.starts_with("https://") && url.len() > "https://".len() => Ok(url.to_owned()),
        other => anyhow::bail!(
            "--acme-directory {other:?}: letsencrypt, letsencrypt-staging or an https:// URL"
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vars_files_must_be_yaml_mappings() {
        let file = Path::new("zones.yml");
        check_vars_file(file, "firewall__zones:\n  public: {vlan: 10}\n").expect("a mapping");
        for (bad, reason) in [
            ("- a\n- b\n", "not a mapping"),
            ("just text\n", "not a mapping"),
            ("a: [1, 2\n", "expected ',' or ']'"),
            ("1: one\n", "not a mapping"),
        ] {
            let err = check_vars_file(file, bad).expect_err(bad).to_string();
            assert!(err.starts_with("--vars zones.yml: "), "{err}");
            assert!(err.contains(reason), "{bad:?}: {err}");
        }
    }

    #[test]
    fn domains() {
        for good in ["social.example.org", "a.b", "x-1.example.co.uk"] {
            assert!(validate_domain(good).is_ok(), "{good}");
        }
        for bad in [
            "localhost",
            "10.0.0.1",
            "-a.example.org",
            "a..b",
            "a_b.example",
            "é.example",
        ] {
            assert!(validate_domain(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_and_ranges() {
        assert!(validate_email("me@example.org").is_ok());
        for bad in [
            "me",
            "me@localhost",
            "@example.org",
            "a b@example.org",
            "a@b.c,d@e.f",
        ] {
            assert!(validate_email(bad).is_err(), "{bad}");
        }
        for good in ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"] {
            assert!(validate_cidr(good).is_ok(), "{good}");
        }
        for bad in ["203.0.113.0/33", "example.org", "10.0.0.0/x"] {
            assert!(validate_cidr(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_debian_12_passes() {
        let bookworm =
            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n";
        assert!(check_debian_12("h", bookworm).is_ok());
        let bullseye =
            "PRETTY_NAME=\"Debian GNU/Linux 11 (bullseye)\"\nID=debian\nVERSION_ID=\"11\"\n";
        let err = check_debian_12("h", bullseye)
            .expect_err("11 refused")
            .to_string();
        assert!(err.contains("runs Debian GNU/Linux 11 (bullseye)"), "{err}");
        let ubuntu = "PRETTY_NAME=\"Ubuntu 24.04 LTS\"\nID=ubuntu\nVERSION_ID=\"24.04\"\n";
        assert!(check_debian_12("h", ubuntu).is_err());
    }

    #[test]
    fn packages_map_to_role_variables() {
        let dir = std::env::temp_dir().join(format!("socialctl-pkgs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let sociald = dir.join("sociald_0.1.0-1_amd64.deb");
        let hardening = dir.join("social-hardening_0.1.0-1_all.deb");
        let other = dir.join("nginx_1.0_amd64.deb");
        for f in [&sociald, &hardening, &other] {
            std::fs::write(f, b"!<arch>\n").expect("write");
        }
        let mapped = classify_packages(&[sociald.clone(), hardening.clone()]).expect("ok");
        assert_eq!(mapped[0].0, "sociald_package_file");
        assert_eq!(mapped[1].0, "hardening_package_file");
        assert!(classify_packages(&[other]).is_err());
        assert!(classify_packages(&[sociald.clone(), sociald]).is_err());
        assert!(classify_packages(&[dir.join("missing_1_all.deb")]).is_err());
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
