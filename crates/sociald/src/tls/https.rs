//! Serving the site over TLS: rustls (TLS 1.3 and 1.2 only, AEAD suites with forward secrecy,
//! the server's suite order), HTTP/2 and HTTP/1.1 by ALPN, a handshake deadline, connections
//! drained on shutdown; and the port-80 side when HTTPS is on: ACME http-01 answers and a
//! redirect of everything else to HTTPS.

use super::resolver::{ACME_TLS_ALPN, Certs, Resolver};
use anyhow::Context as _;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower::ServiceExt as _;

/// A client must finish its TLS handshake within this.
const HANDSHAKE_DEADLINE: Duration = Duration::from_secs(10);
/// An HTTP/1 client must send its request headers within this.
const HEADER_DEADLINE: Duration = Duration::from_secs(30);

/// The rustls configuration of every HTTPS listener.
pub fn server_config(certs: Arc<Certs>) -> anyhow::Result<Arc<rustls::ServerConfig>> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .context("TLS protocol versions")?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(Resolver(certs)));
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec(), ACME_TLS_ALPN.to_vec()];
    config.ignore_client_order = true;
    config.ticketer = rustls::crypto::ring::Ticketer::new().context("session tickets")?;
    config.session_storage = rustls::server::ServerSessionMemoryCache::new(4096);
    Ok(Arc::new(config))
}

/// Accepts TLS connections on `listener` and serves `app` on them until `stop`; then waits
/// for open connections to finish their requests (the caller bounds the wait).
pub async fn serve(
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    app: axum::Router,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_DEADLINE)
        .keep_alive(true);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(100)
        .keep_alive_interval(Some(Duration::from_secs(60)));
    let builder = Arc::new(builder);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    loop {
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors and the like: pause instead of spinning.
                    tracing::warn!(target: "social::tls", error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = super::stopped(&mut stop) => break,
        };
        let _ = tcp.set_nodelay(true);
        let acceptor = acceptor.clone();
        let builder = Arc::clone(&builder);
        let app = app.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let tls = match tokio::time::timeout(HANDSHAKE_DEADLINE, acceptor.accept(tcp)).await {
                Ok(Ok(tls)) => tls,
                Ok(Err(e)) => {
                    tracing::debug!(target: "social::tls", remote_addr = %peer.ip(), error = %e, "TLS handshake failed");
                    return;
                }
                Err(_) => {
                    tracing::debug!(target: "social::tls", remote_addr = %peer.ip(), "TLS handshake timed out");
                    return;
                }
            };
            if tls.get_ref().1.alpn_protocol() == Some(ACME_TLS_ALPN) {
                // A tls-alpn-01 validation: the handshake was the answer (RFC 8737 3).
                tracing::info!(target: "social::tls", remote_addr = %peer.ip(), "answered a tls-alpn-01 validation");
                return;
            }
            let service = hyper::service::service_fn(
                move |mut request: hyper::Request<hyper::body::Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    app.clone().oneshot(request)
                },
            );
            let connection = builder
                .serve_connection(TokioIo::new(tls), service)
                .into_owned();
            if let Err(e) = watcher.watch(connection).await {
                tracing::debug!(target: "social::tls", remote_addr = %peer.ip(), error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

/// What the port-80 router needs.
#[derive(Clone, Debug)]
pub struct Redirect {
    pub certs: Arc<Certs>,
    /// The configured names; the first is used for requests naming another host.
    pub domains: Vec<String>,
    /// The HTTPS port when it is not 443.
    pub https_port: Option<u16>,
}

/// Port 80 with HTTPS on: http-01 answers, everything else redirected to HTTPS.
pub fn redirect_router(redirect: Redirect) -> axum::Router {
    axum::Router::new()
        .route(
            "/.well-known/acme-challenge/{token}",
            axum::routing::get(http01_answer),
        )
        .fallback(to_https)
        .with_state(Arc::new(redirect))
}

async fn http01_answer(
    State(redirect): State<Arc<Redirect>>,
    Path(token): Path<String>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Response {
    match redirect.certs.http_answer(&token) {
        Some(answer) => {
            tracing::info!(target: "social::tls", remote_addr = %peer.ip(), "answered an http-01 validation");
            ([(header::CONTENT_TYPE, "application/octet-stream")], answer).into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such ACME challenge\n").into_response(),
    }
}

async fn to_https(
    State(redirect): State<Arc<Redirect>>,
    method: Method,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let asked = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(host_without_port)
        .map(str::to_ascii_lowercase);
    // Only a configured name (or, without any, a plain host name) may appear in the target:
    // the Host header is the client's to choose, and this must not become an open redirect.
    let host = match asked {
        Some(h) if redirect.domains.contains(&h) => h,
        _ if !redirect.domains.is_empty() => redirect.domains[0].clone(),
        Some(h) if crate::config::check_domain(&h).is_ok() => h,
        _ => "localhost".to_owned(),
    };
    let port = redirect
        .https_port
        .map_or_else(String::new, |p| format!(":{p}"));
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    let location = format!("https://{host}{port}{path}");
    let status = if method == Method::GET || method == Method::HEAD {
        StatusCode::MOVED_PERMANENTLY
    } else {
        StatusCode::PERMANENT_REDIRECT
    };
    match HeaderValue::from_str(&location) {
        Ok(value) => (status, [(header::LOCATION, value)], "").into_response(),
        Err(_) => (StatusCode::BAD_REQUEST, "bad request target\n").into_response(),
    }
}

/// `example.org:80` → `example.org`; `[::1]:80` → `[::1]`.
fn host_without_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host.split_inclusive(']').next().unwrap_or(host);
    }
    host.rsplit_once(':').map_or(host, |(h, _)| h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_cut_from_hosts() {
        assert_eq!(host_without_port("social.test:80"), "social.test");
        assert_eq!(host_without_port("social.test"), "social.test");
        assert_eq!(host_without_port("[::1]:8080"), "[::1]");
    }

    /// Sends one request from 127.0.0.1 to the port-80 router.
    async fn send(redirect: Redirect, method: Method, host: &str, target: &str) -> Response {
        let request = axum::http::Request::builder()
            .method(method)
            .uri(target)
            .header(header::HOST, host)
            .extension(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 1))))
            .body(axum::body::Body::empty())
            .expect("request");
        redirect_router(redirect)
            .oneshot(request)
            .await
            .expect("infallible")
    }

    async fn location(
        redirect: Redirect,
        method: Method,
        host: &str,
        target: &str,
    ) -> (StatusCode, String) {
        let response = send(redirect, method, host, target).await;
        let status = response.status();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().expect("ascii").to_owned())
            .unwrap_or_default();
        (status, location)
    }

    #[tokio::test]
    async fn port_80_redirects_to_a_configured_name_only() {
        let redirect = Redirect {
            certs: Arc::new(Certs::default()),
            domains: vec!["social.test".into(), "www.social.test".into()],
            https_port: None,
        };
        assert_eq!(
            location(
                redirect.clone(),
                Method::GET,
                "www.social.test",
                "/@alice?max_id=5"
            )
            .await,
            (
                StatusCode::MOVED_PERMANENTLY,
                "https://www.social.test/@alice?max_id=5".into()
            )
        );
        assert_eq!(
            location(redirect.clone(), Method::GET, "evil.example:80", "/login").await,
            (
                StatusCode::MOVED_PERMANENTLY,
                "https://social.test/login".into()
            )
        );
        assert_eq!(
            location(redirect.clone(), Method::POST, "social.test", "/login")
                .await
                .0,
            StatusCode::PERMANENT_REDIRECT
        );
        let mut other_port = redirect.clone();
        other_port.https_port = Some(8443);
        assert_eq!(
            location(other_port, Method::GET, "social.test", "/")
                .await
                .1,
            "https://social.test:8443/"
        );
    }

    #[tokio::test]
    async fn http01_answers_only_pending_tokens() {
        let certs = Arc::new(Certs::default());
        certs.put_http_answer("tok-1", "tok-1.thumbprint");
        let redirect = Redirect {
            certs: Arc::clone(&certs),
            domains: vec!["social.test".into()],
            https_port: None,
        };
        let get = |target: &'static str| {
            let redirect = redirect.clone();
            async move {
                let response = send(redirect, Method::GET, "social.test", target).await;
                let status = response.status();
                let body = axum::body::to_bytes(response.into_body(), 1024)
                    .await
                    .expect("body");
                (status, String::from_utf8_lossy(&body).into_owned())
            }
        };
        assert_eq!(
            get("/.well-known/acme-challenge/tok-1").await,
            (StatusCode::OK, "tok-1.thumbprint".into())
        );
        assert_eq!(
            get("/.well-known/acme-challenge/other").await.0,
            StatusCode::NOT_FOUND
        );
        certs.clear_answers();
        assert_eq!(
            get("/.well-known/acme-challenge/tok-1").await.0,
            StatusCode::NOT_FOUND
        );
    }
}
