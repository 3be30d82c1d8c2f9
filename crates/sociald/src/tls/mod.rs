//! HTTPS inside sociald (no proxy in front): rustls for the connections, certificates from an
//! ACME CA (instant-acme) renewed in the background, or self-signed in development mode.
//! See docs/tls.md.

pub mod acme;
pub mod certs;
pub mod https;
pub mod renew;
pub mod resolver;
pub mod status;

use crate::cli::TlsStatusArgs;
use crate::config::{Config, TlsMode, TlsPlan};
use anyhow::Context as _;
use renew::Renewer;
use resolver::Certs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// TLS as configured: the certificate state shared by every listener, the rustls
/// configuration, and the renewer to run in the background (ACME mode).
pub struct Tls {
    pub certs: Arc<Certs>,
    pub server_config: Arc<rustls::ServerConfig>,
    pub renewer: Option<Arc<Renewer>>,
    pub domains: Vec<String>,
}

/// `<data_dir>/tls`: the ACME account, the certificate and key, the status file.
pub fn dir(config: &Config) -> PathBuf {
    config.server.data_dir.join("tls")
}

/// The certificate file of a mode: `cert.pem` (ACME) or `self-signed.pem`.
pub fn stem(mode: TlsMode) -> &'static str {
    match mode {
        TlsMode::SelfSigned => "self-signed",
        TlsMode::Acme | TlsMode::Off => "cert",
    }
}

/// Resolves when `stop` turns true (or its sender is gone, which also means stop).
pub async fn stopped(stop: &mut tokio::sync::watch::Receiver<bool>) {
    // The guard `wait_for` returns is not Send: drop it here, not across a caller's await.
    let _ = stop.wait_for(|stop| *stop).await;
}

/// Makes rustls use ring everywhere (the server, and the ACME client's HTTPS), once.
pub fn install_crypto_provider() {
    // Err means a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Prepares TLS for `plan`: `None` when it is off. Loads or creates what the mode needs
/// (the stored ACME certificate, or the self-signed one).
pub fn setup(config: &Config, plan: &TlsPlan) -> anyhow::Result<Option<Tls>> {
    if plan.mode == TlsMode::Off {
        return Ok(None);
    }
    install_crypto_provider();
    let dir = dir(config);
    create_private_dir(&dir)?;
    let certs = Arc::new(Certs::default());
    let server_config = https::server_config(Arc::clone(&certs))?;
    let (renewer, domains) = match plan.mode {
        TlsMode::SelfSigned => {
            let domains = if plan.domains.is_empty() {
                vec!["localhost".to_owned()]
            } else {
                plan.domains.clone()
            };
            self_signed(&dir, &domains, &certs)?;
            (None, domains)
        }
        TlsMode::Acme | TlsMode::Off => {
            let settings = acme::AcmeSettings::new(plan, &config.acme, &dir);
            let renewer = Renewer::new(settings, Arc::clone(&certs), config.acme.retry_base_secs);
            (Some(renewer), plan.domains.clone())
        }
    };
    Ok(Some(Tls {
        certs,
        server_config,
        renewer,
        domains,
    }))
}

fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("creating {}", dir.display()))?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("making {} private", dir.display()))
}

/// Development mode: the stored self-signed certificate when it still names the domains and
/// has a week left, otherwise a new one for a year.
fn self_signed(dir: &Path, domains: &[String], certs: &Certs) -> anyhow::Result<()> {
    const WEEK: i64 = 7 * 86_400;
    let stored = certs::Stored::new(dir, stem(TlsMode::SelfSigned));
    let reusable = stored.load()?.filter(|pem| {
        certs::info(&pem.chain)
            .is_ok_and(|i| i.covers(domains) && i.not_after - status::now() > WEEK)
    });
    let pem = match reusable {
        Some(pem) => pem,
        None => {
            let pem = certs::self_signed(domains, 365)?;
            stored.save(&pem)?;
            pem
        }
    };
    let info = certs::info(&pem.chain)?;
    certs.install(certs::certified_key(&pem)?);
    tracing::warn!(
        target: "social::tls",
        domains = %domains.join(","),
        not_after = %status::rfc3339(info.not_after),
        "serving a self-signed certificate: for development only, browsers will warn"
    );
    status::Status {
        mode: "self-signed".into(),
        domains: domains.to_vec(),
        certificate: Some(info),
        next_renewal_reason: "self-signed: replaced at start when it has less than a week left"
            .into(),
        updated_at: status::now(),
        ..status::Status::default()
    }
    .save(dir)
}

/// `sociald tls status`: prints the report; `Ok(false)` when no valid certificate is in place.
pub fn status_command(args: &TlsStatusArgs) -> anyhow::Result<bool> {
    let (config, checked) =
        crate::config::load(args.store.config.as_deref(), &args.store.overrides())?;
    let mode = checked.tls.mode;
    let mode_name = match mode {
        TlsMode::Off => "off",
        TlsMode::Acme => "acme",
        TlsMode::SelfSigned => "self-signed",
    };
    let dir = dir(&config);
    let cert_file = dir.join(format!("{}.pem", stem(mode)));
    let cert = match std::fs::read_to_string(&cert_file) {
        Ok(text) => {
            Some(certs::info(&text).with_context(|| format!("reading {}", cert_file.display()))?)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(anyhow::anyhow!("cannot read {}: {e}", cert_file.display())),
    };
    let report = status::Status::load(&dir)
        .with_context(|| format!("reading {}", dir.join(status::FILE).display()))?;
    let now = status::now();
    if mode == TlsMode::Off {
        if args.json {
            println!("{}", serde_json::json!({"mode": "off", "healthy": true}));
        } else {
            println!("mode:          off (set tls.domains for ACME, see docs/tls.md)");
        }
        return Ok(true);
    }
    let (text, healthy) =
        status::render(mode_name, &cert_file, cert.as_ref(), report.as_ref(), now);
    if args.json {
        let json = serde_json::json!({
            "mode": mode_name,
            "healthy": healthy,
            "certificate_file": cert_file,
            "certificate": cert,
            "status": report,
        });
        println!("{json}");
    } else {
        print!("{text}");
    }
    Ok(healthy)
}
