//! The results table, each figure next to its target (issue #2: on this 2-core machine,
//! >= 5,000 req/s, p99 <= 20 ms, idle RSS <= 20 MB, ready <= 200 ms on an existing database).

use crate::SeedSpec;
use crate::wrk::{Load, WrkResult};

pub const TARGET_RPS: f64 = 5_000.0;
pub const TARGET_P99_MS: f64 = 20.0;
pub const TARGET_RSS_MB: f64 = 20.0;
pub const TARGET_READY_MS: f64 = 200.0;

#[derive(Clone, Debug)]
pub struct Row {
    /// `sqlite`, `postgres`, or `sqlite+tls` (the same over HTTPS).
    pub backend: String,
    pub result: WrkResult,
    pub idle_rss_mb: f64,
    pub loaded_rss_mb: f64,
    pub ready_ms: f64,
    pub home_bytes: usize,
    /// sociald's own CPU time (user + system) per request served in the measured run: the
    /// figure to compare between builds on a shared machine, where req/s moves with whatever
    /// else runs.
    pub cpu_us_per_request: f64,
    /// HTTPS runs: full TLS handshakes per second (no resumption).
    pub handshakes_per_s: Option<f64>,
}

fn mark(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISS" }
}

pub fn print(spec: SeedSpec, load: &Load, rows: &[Row]) {
    println!();
    println!(
        "home timeline (HTML, signed in): {} accounts, {} posts, {} follows each; wrk -t{} -c{} -d{}s",
        spec.accounts, spec.posts, spec.follows, load.threads, load.connections, load.duration_s
    );
    println!(
        "{:<10} {:>16} {:>15} {:>18} {:>16} {:>9} {:>13} {:>10} {:>12}",
        "backend",
        "req/s",
        "p99 ms",
        "idle RSS MB",
        "ready ms",
        "p50 ms",
        "RSS loaded MB",
        "errors",
        "CPU us/req"
    );
    println!(
        "{:<10} {:>16} {:>15} {:>18} {:>16}",
        "target",
        format!(">= {TARGET_RPS:.0}"),
        format!("<= {TARGET_P99_MS:.0}"),
        format!("<= {TARGET_RSS_MB:.0}"),
        format!("<= {TARGET_READY_MS:.0}"),
    );
    for r in rows {
        let w = &r.result;
        println!(
            "{:<10} {:>11.0} {:>4} {:>10.2} {:>4} {:>13.1} {:>4} {:>11.0} {:>4} {:>9.2} {:>13.1} {:>10} {:>12.0}",
            r.backend,
            w.requests_per_s,
            mark(w.requests_per_s >= TARGET_RPS && w.errors == 0),
            w.p99_ms,
            mark(w.p99_ms <= TARGET_P99_MS),
            r.idle_rss_mb,
            mark(r.idle_rss_mb <= TARGET_RSS_MB),
            r.ready_ms,
            mark(r.ready_ms <= TARGET_READY_MS),
            w.p50_ms,
            r.loaded_rss_mb,
            w.errors,
            r.cpu_us_per_request,
        );
    }
    for r in rows {
        println!("{}: /home page is {} bytes", r.backend, r.home_bytes);
    }
    for tls in rows.iter().filter(|r| r.handshakes_per_s.is_some()) {
        let plain_name = tls.backend.trim_end_matches("+tls");
        if let Some(plain) = rows.iter().find(|r| r.backend == plain_name) {
            println!(
                "HTTPS vs HTTP ({plain_name}, same run): {:.0} vs {:.0} req/s = {:.0}% (TLS 1.3, HTTP/1.1 keep-alive)",
                tls.result.requests_per_s,
                plain.result.requests_per_s,
                100.0 * tls.result.requests_per_s / plain.result.requests_per_s.max(1.0)
            );
        }
        if let Some(rate) = tls.handshakes_per_s {
            println!(
                "{}: {rate:.0} new TLS handshakes/s (full, no resumption, ECDSA P-256, client on the same 2 cores)",
                tls.backend
            );
        }
    }
}
