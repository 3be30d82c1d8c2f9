//! Certificates on disk and in memory: PEM parsing, what a certificate says (subject, issuer,
//! names, validity), private files written atomically with mode 0600, rustls `CertifiedKey`s,
//! and the certificates sociald signs itself (development mode, tls-alpn-01 answers).

use anyhow::Context as _;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What the served (leaf) certificate says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    /// DNS names of the subjectAltName extension.
    pub names: Vec<String>,
    /// Hexadecimal serial number.
    pub serial: String,
    /// Unix seconds.
    pub not_before: i64,
    /// Unix seconds.
    pub not_after: i64,
}

impl CertInfo {
    /// Lifetime in seconds (at least 1).
    pub fn lifetime(&self) -> i64 {
        (self.not_after - self.not_before).max(1)
    }

    /// Whether every name in `domains` is on the certificate.
    pub fn covers(&self, domains: &[String]) -> bool {
        domains.iter().all(|d| self.names.iter().any(|n| n == d))
    }
}

/// A certificate chain and its private key, both PEM.
#[derive(Clone)]
pub struct Pem {
    pub chain: String,
    pub key: String,
}

impl std::fmt::Debug for Pem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pem").finish_non_exhaustive()
    }
}

/// The certificates of a PEM chain, leaf first.
pub fn chain_der(chain_pem: &str) -> anyhow::Result<Vec<CertificateDer<'static>>> {
    let chain = CertificateDer::pem_slice_iter(chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .context("the certificate chain is not valid PEM")?;
    anyhow::ensure!(!chain.is_empty(), "the certificate chain is empty");
    Ok(chain)
}

/// Parses the leaf certificate of a PEM chain.
pub fn info(chain_pem: &str) -> anyhow::Result<CertInfo> {
    let chain = chain_der(chain_pem)?;
    info_der(&chain[0])
}

/// Parses one DER certificate.
pub fn info_der(der: &CertificateDer<'_>) -> anyhow::Result<CertInfo> {
    use x509_parser::prelude::{FromDer as _, GeneralName, X509Certificate};
    let (_, cert) = X509Certificate::from_der(der.as_ref())
        .map_err(|e| anyhow::anyhow!("the certificate cannot be parsed: {e}"))?;
    let mut names = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            if let GeneralName::DNSName(dns) = name {
                names.push(dns.to_ascii_lowercase());
            }
        }
    }
    Ok(CertInfo {
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        names,
        serial: cert.raw_serial_as_string().replace(':', ""),
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
    })
}

/// A rustls signing key for the chain and its PEM private key (ECDSA, RSA or Ed25519).
pub fn certified_key(pem: &Pem) -> anyhow::Result<Arc<CertifiedKey>> {
    let chain = chain_der(&pem.chain)?;
    let key = PrivateKeyDer::from_pem_slice(pem.key.as_bytes())
        .context("the private key is not valid PEM")?;
    let signer = rustls::crypto::ring::sign::any_supported_type(&key)
        .context("the private key type is not supported")?;
    let certified = CertifiedKey::new(chain, signer);
    certified
        .keys_match()
        .context("the private key does not belong to the certificate")?;
    Ok(Arc::new(certified))
}

/// A certificate for `domains` signed by its own new P-256 key, valid `days` days from now.
pub fn self_signed(domains: &[String], days: i64) -> anyhow::Result<Pem> {
    let key = rcgen::KeyPair::generate().context("generating a key")?;
    let mut params =
        rcgen::CertificateParams::new(domains.to_vec()).context("certificate names")?;
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(
        rcgen::DnType::CommonName,
        domains.first().map_or("localhost", String::as_str),
    );
    dn.push(
        rcgen::DnType::OrganizationName,
        "sociald self-signed (development)",
    );
    params.distinguished_name = dn;
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::minutes(5);
    params.not_after = now + time::Duration::days(days);
    let cert = params.self_signed(&key).context("signing")?;
    Ok(Pem {
        chain: cert.pem(),
        key: key.serialize_pem(),
    })
}

/// The tls-alpn-01 answer for `domain` (RFC 8737): a self-signed certificate naming only the
/// domain, with the critical acmeIdentifier extension holding `digest` (SHA-256 of the key
/// authorization).
pub fn alpn_challenge(domain: &str, digest: &[u8]) -> anyhow::Result<Arc<CertifiedKey>> {
    let key = rcgen::KeyPair::generate().context("generating a key")?;
    let mut params =
        rcgen::CertificateParams::new(vec![domain.to_owned()]).context("certificate name")?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params.custom_extensions = vec![rcgen::CustomExtension::new_acme_identifier(digest)];
    let cert = params.self_signed(&key).context("signing")?;
    let signer = rustls::crypto::ring::sign::any_supported_type(&PrivateKeyDer::Pkcs8(
        key.serialize_der().into(),
    ))
    .context("loading the challenge key")?;
    Ok(Arc::new(CertifiedKey::new(
        vec![cert.der().clone()],
        signer,
    )))
}

/// A new P-256 key and a CSR naming `domains` (no subject: CAs take the names from the SANs).
pub fn key_and_csr(domains: &[String]) -> anyhow::Result<(String, Vec<u8>)> {
    let key = rcgen::KeyPair::generate().context("generating a key")?;
    let mut params =
        rcgen::CertificateParams::new(domains.to_vec()).context("certificate names")?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    let csr = params.serialize_request(&key).context("building the CSR")?;
    Ok((key.serialize_pem(), csr.der().to_vec()))
}

/// Where a certificate and its key are kept: `<dir>/<stem>.pem` and `<dir>/<stem>.key`.
#[derive(Clone, Debug)]
pub struct Stored {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl Stored {
    pub fn new(dir: &Path, stem: &str) -> Self {
        Self {
            cert: dir.join(format!("{stem}.pem")),
            key: dir.join(format!("{stem}.key")),
        }
    }

    /// The stored pair, `None` when either file is missing.
    pub fn load(&self) -> anyhow::Result<Option<Pem>> {
        let read = |path: &Path| match std::fs::read_to_string(path) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
        };
        match (read(&self.cert)?, read(&self.key)?) {
            (Some(chain), Some(key)) => Ok(Some(Pem { chain, key })),
            _ => Ok(None),
        }
    }

    /// Replaces the pair: the key first, then the chain, each written whole to a temporary
    /// file and renamed (a crash leaves the old or the new file, never half of one).
    pub fn save(&self, pem: &Pem) -> anyhow::Result<()> {
        write_private(&self.key, pem.key.as_bytes())?;
        write_private(&self.cert, pem.chain.as_bytes())
    }
}

/// Writes `bytes` to `path` atomically, readable by the owner only (0600).
pub fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path
        .parent()
        .with_context(|| format!("{} has no directory", path.display()))?;
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp = path.with_extension(format!("tmp.{}", std::process::id()));
    let written = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn self_signed_certificates_say_what_they_are() {
        let domains = names(&["social.test", "www.social.test"]);
        let pem = self_signed(&domains, 30).expect("signs");
        let info = info(&pem.chain).expect("parses");
        assert_eq!(info.names, domains);
        assert!(info.covers(&names(&["www.social.test"])));
        assert!(!info.covers(&names(&["other.test"])));
        assert!(info.subject.contains("CN=social.test"), "{}", info.subject);
        assert_eq!(info.subject, info.issuer);
        let days = (info.not_after - info.not_before) / 86_400;
        assert_eq!(days, 30, "{info:?}");
        certified_key(&pem).expect("key matches");
    }

    #[test]
    fn a_key_from_another_certificate_is_refused() {
        let domains = names(&["social.test"]);
        let a = self_signed(&domains, 1).expect("a");
        let b = self_signed(&domains, 1).expect("b");
        let mixed = Pem {
            chain: a.chain,
            key: b.key,
        };
        let err = certified_key(&mixed).expect_err("mismatch");
        assert!(format!("{err:#}").contains("does not belong"), "{err:#}");
        assert!(info("not pem").is_err());
    }

    #[test]
    fn private_files_are_0600_and_replaced_whole() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = std::env::temp_dir().join(format!("sociald-certs-{}", std::process::id()));
        let stored = Stored::new(&dir, "cert");
        assert!(stored.load().expect("reads").is_none());
        let pem = self_signed(&names(&["social.test"]), 1).expect("signs");
        stored.save(&pem).expect("saves");
        for path in [&stored.cert, &stored.key] {
            let mode = std::fs::metadata(path)
                .expect("exists")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{}", path.display());
        }
        let again = stored.load().expect("reads").expect("present");
        assert_eq!(again.chain, pem.chain);
        let leftovers = std::fs::read_dir(&dir)
            .expect("dir")
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.file_name().to_string_lossy().contains("tmp"))
            })
            .count();
        assert_eq!(leftovers, 0);
        std::fs::remove_dir_all(&dir).expect("cleanup");
    }
}
