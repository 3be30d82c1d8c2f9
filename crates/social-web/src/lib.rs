//! The HTTP layer of the social appliance: the axum [`router`] serving HTML pages (complete
//! without JavaScript), sessions, CSRF protection, security headers and health endpoints.
//! PLACEHOLDER: the web implementation fills this in; `WebConfig`, `AppState::new` and
//! `router` are the contract with `sociald`.

use social_store::Store;
use std::net::IpAddr;
use std::sync::Arc;

/// Settings the web layer needs, resolved by `sociald` from its configuration.
#[derive(Clone, Debug)]
pub struct WebConfig {
    /// Shown in page titles and the header.
    pub instance_name: String,
    /// Post length limit in characters (default 500).
    pub post_max_chars: usize,
    /// Peers whose `X-Forwarded-For` is believed. Each entry is a network: address + prefix.
    pub trusted_proxies: Vec<(IpAddr, u8)>,
    /// Served over TLS: cookies get `Secure` and the `__Host-` prefix; HSTS is sent.
    pub tls: bool,
    /// Request bodies above this are refused with 413 before they are read.
    pub max_body_bytes: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            instance_name: "social".into(),
            post_max_chars: social_core::validate::DEFAULT_POST_MAX_CHARS,
            trusted_proxies: Vec::new(),
            tls: false,
            max_body_bytes: 64 * 1024,
        }
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<WebConfig>,
    pub store: Store,
}

impl AppState {
    pub fn new(config: WebConfig, store: Store) -> Self {
        Self { config: Arc::new(config), store }
    }
}

/// The whole site. Serve it with
/// `into_make_service_with_connect_info::<std::net::SocketAddr>()` so handlers see the peer.
pub fn router(state: AppState) -> axum::Router {
    axum::Router::new().with_state(state)
}
