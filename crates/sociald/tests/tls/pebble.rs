//! Debian's Pebble (a real ACME server) on loopback, with `pebble-challtestsrv` as its DNS
//! server (every name resolves to 127.0.0.1), and the test CA that signs Pebble's own HTTPS
//! certificate, generated here.

use super::common::TempDir;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where Pebble is (the test command exports it after installing the package); `None` skips.
pub fn binary() -> Option<PathBuf> {
    std::env::var_os("SOCIAL_TEST_PEBBLE").map(PathBuf::from)
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Polls until something accepts on `addr`.
pub fn wait_port(addr: SocketAddr, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(Instant::now() < deadline, "{what} did not listen on {addr}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The test CA: a root, and Pebble's HTTPS certificate for 127.0.0.1 and localhost.
pub struct TestCa {
    pub root_file: PathBuf,
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
    pub root: CertificateDer<'static>,
}

impl TestCa {
    pub fn create(dir: &Path) -> Self {
        let ca_key = rcgen::KeyPair::generate().expect("key");
        let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(rcgen::DnType::CommonName, "sociald test CA");
        ca.key_usages = vec![
            rcgen::KeyUsagePurpose::KeyCertSign,
            rcgen::KeyUsagePurpose::CrlSign,
        ];
        let ca_cert = ca.self_signed(&ca_key).expect("sign CA");
        let issuer = rcgen::Issuer::new(ca, ca_key);
        let key = rcgen::KeyPair::generate().expect("key");
        let mut leaf = rcgen::CertificateParams::new(vec!["localhost".into(), "127.0.0.1".into()])
            .expect("params");
        leaf.distinguished_name
            .push(rcgen::DnType::CommonName, "pebble");
        let leaf_cert = leaf.signed_by(&key, &issuer).expect("sign leaf");
        let ca = Self {
            root_file: dir.join("test-ca.pem"),
            cert_file: dir.join("pebble-cert.pem"),
            key_file: dir.join("pebble-key.pem"),
            root: ca_cert.der().clone(),
        };
        std::fs::write(&ca.root_file, ca_cert.pem()).expect("write");
        std::fs::write(&ca.cert_file, leaf_cert.pem()).expect("write");
        std::fs::write(&ca.key_file, key.serialize_pem()).expect("write");
        ca
    }
}

/// What Pebble is told.
pub struct Options {
    /// sociald's plain HTTP port (http-01 is validated there).
    pub http_port: u16,
    /// sociald's HTTPS port (tls-alpn-01 is validated there).
    pub tls_port: u16,
    /// Lifetime of the certificates Pebble issues.
    pub validity_secs: u64,
    /// Names Pebble refuses to issue for.
    pub blocklist: Vec<String>,
    /// Put in the certificates' Authority Information Access (empty: none).
    pub ocsp_url: String,
    /// External account binding required, with this (key id, base64url HMAC key).
    pub eab: Option<(String, String)>,
}

/// A running Pebble and its DNS server.
pub struct Pebble {
    pebble: Option<Child>,
    dns: Child,
    pub ca: TestCa,
    pub directory: String,
    pub management: SocketAddr,
}

impl Pebble {
    pub fn start(bin: &Path, dir: &TempDir, options: &Options) -> Self {
        let ca = TestCa::create(dir.path());
        let listen = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let management = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let dns_port = free_port();
        let dns_management = free_port();
        let config = serde_json::json!({
            "pebble": {
                "listenAddress": listen.to_string(),
                "managementListenAddress": management.to_string(),
                "certificate": ca.cert_file,
                "privateKey": ca.key_file,
                "httpPort": options.http_port,
                "tlsPort": options.tls_port,
                "ocspResponderURL": options.ocsp_url,
                "externalAccountBindingRequired": options.eab.is_some(),
                "externalAccountMACKeys": options
                    .eab
                    .iter()
                    .map(|(kid, key)| (kid.clone(), serde_json::Value::from(key.clone())))
                    .collect::<serde_json::Map<_, _>>(),
                "domainBlocklist": options.blocklist,
                "certificateValidityPeriod": options.validity_secs,
            }
        });
        let config_file = dir.path().join("pebble.json");
        std::fs::write(&config_file, config.to_string()).expect("write config");
        let challtestsrv = bin.with_file_name("pebble-challtestsrv");
        let dns = Command::new(challtestsrv)
            .args([
                "-dns01",
                &format!("127.0.0.1:{dns_port}"),
                "-management",
                &format!("127.0.0.1:{dns_management}"),
                "-http01",
                "",
                "-https01",
                "",
                "-tlsalpn01",
                "",
                "-defaultIPv4",
                "127.0.0.1",
                "-defaultIPv6",
                "",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start pebble-challtestsrv");
        wait_port(
            SocketAddr::from(([127, 0, 0, 1], dns_management)),
            "pebble-challtestsrv",
        );
        let mut pebble = Self {
            pebble: None,
            dns,
            ca,
            directory: format!("https://{listen}/dir"),
            management,
        };
        pebble.pebble = Some(
            Command::new(bin)
                .args(["-config"])
                .arg(&config_file)
                .args(["-dnsserver", &format!("127.0.0.1:{dns_port}")])
                // Validate at once, never refuse a nonce at random, never reuse an
                // authorization: every order goes through a real challenge.
                .env("PEBBLE_VA_NOSLEEP", "1")
                .env("PEBBLE_WFE_NONCEREJECT", "0")
                .env("PEBBLE_AUTHZREUSE", "0")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start pebble"),
        );
        wait_port(listen, "pebble");
        wait_port(management, "pebble management");
        pebble
    }

    /// Pebble's issuing root (it makes a new one at every start).
    pub fn issuing_root(&self) -> CertificateDer<'static> {
        let config = super::client::config(std::slice::from_ref(&self.ca.root), &[b"http/1.1"]);
        let mut tls = super::client::connect(self.management, "localhost", config)
            .expect("reach pebble's management port");
        let response = super::client::get(&mut tls, "localhost", "/roots/0").expect("get root");
        assert_eq!(response.status, 200, "{response:?}");
        CertificateDer::from_pem_slice(response.body.as_bytes()).expect("a PEM root")
    }

    /// Stops Pebble (the CA is then unreachable); its DNS server stays.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.pebble.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Pebble {
    fn drop(&mut self) {
        self.stop();
        let _ = self.dns.kill();
        let _ = self.dns.wait();
    }
}
