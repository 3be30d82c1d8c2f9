//! Which certificate a TLS handshake gets: the current one (swapped atomically when a renewal
//! lands, so new connections see it at once and open ones keep theirs), or, for an ACME
//! validator that asks for ALPN `acme-tls/1`, the tls-alpn-01 answer for the name it asks for.
//! The http-01 answers live here too.

use arc_swap::ArcSwapOption;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// ALPN protocol of the tls-alpn-01 challenge (RFC 8737).
pub const ACME_TLS_ALPN: &[u8] = b"acme-tls/1";

/// The certificate state shared by the TLS listeners, the port-80 router and the renewer.
#[derive(Default)]
pub struct Certs {
    current: ArcSwapOption<CertifiedKey>,
    alpn_answers: RwLock<HashMap<String, Arc<CertifiedKey>>>,
    http_answers: RwLock<HashMap<String, String>>,
}

impl std::fmt::Debug for Certs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Certs")
            .field("has_current", &self.current.load().is_some())
            .finish_non_exhaustive()
    }
}

impl Certs {
    /// Serves `key` to every handshake from now on.
    pub fn install(&self, key: Arc<CertifiedKey>) {
        self.current.store(Some(key));
    }

    /// Whether a certificate is being served.
    pub fn has_current(&self) -> bool {
        self.current.load().is_some()
    }

    /// Answers tls-alpn-01 for `domain` with `answer` until [`Certs::clear_answers`].
    pub fn put_alpn_answer(&self, domain: &str, answer: Arc<CertifiedKey>) {
        write(&self.alpn_answers).insert(domain.to_owned(), answer);
    }

    /// Answers http-01 for `token` with `key_authorization`.
    pub fn put_http_answer(&self, token: &str, key_authorization: &str) {
        write(&self.http_answers).insert(token.to_owned(), key_authorization.to_owned());
    }

    /// The http-01 answer for a token, if one is pending.
    pub fn http_answer(&self, token: &str) -> Option<String> {
        read(&self.http_answers).get(token).cloned()
    }

    /// Forgets every pending challenge answer (the order is over).
    pub fn clear_answers(&self) {
        write(&self.alpn_answers).clear();
        write(&self.http_answers).clear();
    }
}

fn read<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    // A panic while holding the lock cannot leave a map half-updated: take it anyway.
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
    lock.write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The rustls side of [`Certs`].
#[derive(Debug)]
pub struct Resolver(pub Arc<Certs>);

impl ResolvesServerCert for Resolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let wants_acme = hello
            .alpn()
            .is_some_and(|mut protocols| protocols.any(|p| p == ACME_TLS_ALPN));
        if wants_acme {
            let name = hello.server_name()?.to_ascii_lowercase();
            return read(&self.0.alpn_answers).get(&name).cloned();
        }
        self.0.current.load_full()
    }
}
