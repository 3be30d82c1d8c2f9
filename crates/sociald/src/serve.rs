//! `sociald serve`: open the store (migrations), listen, announce readiness, serve until
//! SIGTERM/SIGINT, then drain in-flight requests and close the store.

use crate::config::{Checked, Config};
use crate::{listeners, notify, redact, tls};
use anyhow::Context as _;
use social_store::{Store, StoreOptions};
use social_web::{AppState, WebConfig};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinSet;

/// Everything `serve` needs, resolved before the runtime starts.
pub struct Plan {
    pub config: Config,
    pub checked: Checked,
    /// Sockets from systemd, if socket-activated.
    pub activated: Option<listeners::Activated>,
    /// The command that creates the first admin, with the flags this server was started with.
    pub create_admin_hint: String,
    pub started: Instant,
}

/// Runs the server on a runtime with one worker per core; returns when it has stopped.
pub fn run(plan: Plan) -> anyhow::Result<()> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("sociald-worker")
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let result = runtime.block_on(serve(plan));
    // Requests past the grace period were already cut off; do not wait for stragglers.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

async fn serve(plan: Plan) -> anyhow::Result<()> {
    let Plan {
        config,
        checked,
        activated,
        create_admin_hint,
        started,
    } = plan;
    // Installed first, so a SIGTERM during start-up is not fatal but a clean stop.
    let mut signals = Signals::install()?;
    let store = open_store(&config).await?;
    let tls = tls::setup(&config, &checked.tls)?;

    let web_config = WebConfig {
        instance_name: config.instance.name.clone(),
        post_max_chars: config.instance.post_max_chars,
        trusted_proxies: checked.trusted_proxies.clone(),
        tls: tls.is_some(),
        max_body_bytes: config.server.max_body_bytes,
        media_dir: config.media_dir(),
        media_max_bytes: config.media.max_bytes,
        media_max_pixels: config.media.max_pixels,
        rate_limits: checked.rate_limits.clone(),
        spam: config.spam.defence(),
        signup_pow: config.spam.signup_pow(),
        // Under TLS the first domain is canonical; otherwise each request's Host is used.
        base_url: tls
            .as_ref()
            .and(checked.tls.domains.first())
            .map(|domain| format!("https://{domain}")),
    };
    let mut state = AppState::new(web_config, store.clone());
    if let Some(smtp) = &checked.smtp {
        let mailer = social_web::mail::Mailer::start(smtp.settings()?)
            .map_err(|e| anyhow::anyhow!("[smtp]: {e}"))?;
        tracing::info!(host = %smtp.host, port = smtp.port, "e-mail is on");
        state = state.with_mailer(mailer);
    }
    let app = social_web::router(state.clone());
    let sweeper = tokio::spawn(hourly_maintenance(state.clone()));
    let opened = listeners::open(activated, &checked.listen, &checked.tls.listen).await?;

    let (stop_tx, stop_rx) = watch::channel(false);
    let mut servers = JoinSet::new();
    let mut addrs = Vec::with_capacity(opened.http.len() + opened.https.len());
    let mut held_https = Vec::new();
    // With HTTPS on, plain HTTP only redirects (and answers http-01).
    let plain_app = match &tls {
        None => {
            held_https = opened.https;
            warn_unserved_https(&held_https);
            app.clone()
        }
        Some(tls) => {
            let mut https_port = None;
            for listener in opened.https {
                let listener = tokio::net::TcpListener::from_std(listener)
                    .context("adopting an HTTPS socket")?;
                let addr = listener
                    .local_addr()
                    .context("reading a listener's address")?;
                https_port.get_or_insert(addr.port());
                eprintln!("sociald listening on https://{addr}");
                addrs.push(format!("https://{addr}"));
                let config = Arc::clone(&tls.server_config);
                let app = app.clone();
                let stop = stop_rx.clone();
                servers.spawn(async move {
                    tls::https::serve(listener, config, app, stop)
                        .await
                        .with_context(|| format!("serving https://{addr}"))
                });
            }
            if https_port.is_none() {
                tracing::warn!(
                    "TLS is on but no HTTPS socket is open: set tls.listen or use sociald-https.socket"
                );
            }
            // The health endpoints stay on plain HTTP too: local checks (127.0.0.1:8080 of
            // sociald.socket) need no certificate.
            axum::Router::new()
                .route(
                    "/healthz",
                    axum::routing::get(social_web::pages::health::healthz),
                )
                .route(
                    "/readyz",
                    axum::routing::get(social_web::pages::health::readyz),
                )
                .with_state(state)
                .merge(tls::https::redirect_router(tls::https::Redirect {
                    certs: Arc::clone(&tls.certs),
                    domains: tls.domains.clone(),
                    https_port: https_port.filter(|p| *p != 443),
                }))
        }
    };
    let renewer = tls
        .as_ref()
        .and_then(|t| t.renewer.clone())
        .map(|renewer| tokio::spawn(renewer.run(stop_rx.clone())));
    for listener in opened.http {
        let addr = listener
            .local_addr()
            .context("reading a listener's address")?;
        eprintln!("sociald listening on http://{addr}");
        addrs.push(addr.to_string());
        let mut stop = stop_rx.clone();
        let service = plain_app
            .clone()
            .into_make_service_with_connect_info::<SocketAddr>();
        servers.spawn(async move {
            axum::serve(listener, service)
                .with_graceful_shutdown(async move {
                    // An error means the sender is gone, which also means: stop.
                    let _ = stop.wait_for(|stop| *stop).await;
                })
                .await
                .with_context(|| format!("serving {addr}"))
        });
    }

    let ready_ms = started.elapsed().as_millis();
    notify::ready(&format!("serving on {}", addrs.join(", ")));
    tracing::info!(
        listen = %addrs.join(","),
        backend = store.backend_name(),
        cache = store.cache().kind(),
        ready_ms,
        "ready"
    );

    if let Some(interval) = notify::watchdog_interval() {
        tokio::spawn(notify::watchdog(store.clone(), interval));
    }
    match store.count_accounts().await {
        Ok(0) => eprintln!(
            "sociald: no account exists yet; create the first admin with:\n    {create_admin_hint}"
        ),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "counting accounts failed"),
    }

    let outcome = tokio::select! {
        name = signals.recv() => {
            tracing::info!(signal = name, "shutting down: draining in-flight requests");
            Ok(())
        }
        Some(ended) = servers.join_next() => Err(match ended {
            Ok(Ok(())) => anyhow::anyhow!("a listener stopped unexpectedly"),
            Ok(Err(e)) => e,
            Err(e) => anyhow::anyhow!("a listener task failed: {e}"),
        }),
    };
    notify::stopping("draining in-flight requests");
    // send_replace: the receivers may already be gone when a listener failed.
    stop_tx.send_replace(true);
    let grace = Duration::from_secs(config.server.shutdown_grace_secs);
    let drained = tokio::time::timeout(grace, async {
        while let Some(ended) = servers.join_next().await {
            if let Ok(Err(e)) = ended {
                tracing::warn!(error = %e, "listener ended with an error");
            }
        }
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            grace_secs = grace.as_secs(),
            "grace period over; cutting open requests"
        );
        servers.abort_all();
    }
    if let Some(renewer) = renewer {
        renewer.abort();
    }
    sweeper.abort();
    store.close().await;
    drop(held_https);
    tracing::info!("stopped");
    outcome
}

/// Sockets named `https` need TLS: with TLS off, serving plain HTTP on them would be wrong,
/// so they stay open but unaccepted, and one warning says so.
fn warn_unserved_https(held: &[std::net::TcpListener]) {
    if held.is_empty() {
        return;
    }
    let addrs = held
        .iter()
        .map(|l| {
            l.local_addr()
                .map_or_else(|_| "?".into(), |a| a.to_string())
        })
        .collect::<Vec<_>>()
        .join(",");
    tracing::warn!(
        sockets = %addrs,
        "sockets named https are not served: TLS is off (set tls.domains, see docs/tls.md)"
    );
}

async fn open_store(config: &Config) -> anyhow::Result<Store> {
    if config.database.url.is_empty() {
        std::fs::create_dir_all(&config.server.data_dir).with_context(|| {
            format!(
                "creating the data directory {}",
                config.server.data_dir.display()
            )
        })?;
    }
    let database_url = config.database_url();
    let shown = redact::url(&database_url);
    tracing::debug!(database = %shown, "opening the store");
    Store::open(StoreOptions {
        database_url,
        max_connections: config.database.max_connections,
        redis_url: config.redis_url(),
    })
    .await
    .with_context(|| format!("opening the database {shown}"))
}

/// Hourly, the first run a minute after start: purges accounts suspended for 30 days (their
/// media rows become unattached), removes unattached media older than a day, prunes the text
/// fingerprints the spam defence no longer compares (older than its window), and checks the
/// moderator-inactivity switch (open registrations become approval ones after a week without
/// a moderator or admin at work).
async fn hourly_maintenance(state: AppState) {
    let mut tick = tokio::time::interval_at(
        tokio::time::Instant::now() + Duration::from_secs(60),
        Duration::from_secs(3600),
    );
    loop {
        tick.tick().await;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        let cutoff = now - social_core::instance::PURGE_SUSPENDED_AFTER_MS;
        match state.store.purge_suspended_accounts(cutoff, 100).await {
            Ok(purged) if purged.is_empty() => {}
            Ok(purged) => tracing::info!(
                target: "social::moderation",
                accounts = ?purged.iter().map(|a| a.0).collect::<Vec<_>>(),
                "purged the content of accounts suspended for 30 days"
            ),
            Err(e) => tracing::warn!(error = %e, "purging suspended accounts failed"),
        }
        match social_web::media::sweep_orphans(&state, now).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "swept unattached media"),
            Err(e) => tracing::warn!(error = %e, "sweeping unattached media failed"),
        }
        if let Some(spam) = &state.config.spam {
            let window = i64::try_from(spam.repeat_window_s.saturating_mul(1000)).unwrap_or(0);
            if let Err(e) = state.store.prune_post_fingerprints(now - window).await {
                tracing::warn!(error = %e, "pruning post fingerprints failed");
            }
        }
        let idle = social_core::instance::UNMODERATED_AFTER_MS;
        match state
            .store
            .close_registrations_if_unmoderated(now, idle)
            .await
        {
            Ok(false) => {}
            Ok(true) => tracing::warn!(
                target: "social::moderation",
                "registrations switched from open to approval: no moderator or admin has been active for 7 days"
            ),
            Err(e) => tracing::warn!(error = %e, "checking moderator activity failed"),
        }
    }
}

/// SIGTERM and SIGINT handlers.
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl Signals {
    fn install() -> anyhow::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            term: signal(SignalKind::terminate()).context("installing the SIGTERM handler")?,
            int: signal(SignalKind::interrupt()).context("installing the SIGINT handler")?,
        })
    }

    /// Waits for either signal; returns which.
    async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.term.recv() => "SIGTERM",
            _ = self.int.recv() => "SIGINT",
        }
    }
}

/// Opens the store for a short admin task (same configuration resolution as `serve`).
pub async fn open_store_for_admin(config: &Config) -> anyhow::Result<Store> {
    open_store(config).await
}
