//! The results tables, each figure next to its target. Issue #2, on this 2-core machine:
//! at least 5,000 req/s, p99 <= 20 ms, idle RSS <= 20 MB, ready <= 200 ms on an existing
//! database. P7: the API's home timeline at least 10,000 req/s with p99 <= 20 ms, and at
//! least 1,000 posts/s.

use crate::SeedSpec;
use crate::wrk::{Load, WrkResult};

pub const TARGET_RPS: f64 = 5_000.0;
pub const TARGET_P99_MS: f64 = 20.0;
pub const TARGET_RSS_MB: f64 = 20.0;
pub const TARGET_READY_MS: f64 = 200.0;
pub const TARGET_API_RPS: f64 = 10_000.0;
pub const TARGET_API_P99_MS: f64 = 20.0;
pub const TARGET_POSTS_PER_S: f64 = 1_000.0;

#[derive(Clone, Debug)]
pub struct Row {
    /// `sqlite`, `postgres`, or `sqlite+tls` (the same over HTTPS).
    pub backend: String,
    pub idle_rss_mb: f64,
    pub ready_ms: f64,
    /// `GET /home` (absent with `--only api`).
    pub html: Option<HtmlRun>,
    /// The client API (absent with `--only html` and on the HTTPS run).
    pub api: Option<ApiRun>,
    /// HTTPS runs: full TLS handshakes per second (no resumption).
    pub handshakes_per_s: Option<f64>,
}

#[derive(Clone, Debug)]
pub struct HtmlRun {
    pub result: WrkResult,
    pub loaded_rss_mb: f64,
    pub home_bytes: usize,
    /// sociald's own CPU time (user + system) per request served in the measured run: the
    /// figure to compare between builds on a shared machine, where req/s moves with whatever
    /// else runs.
    pub cpu_us_per_request: f64,
}

#[derive(Clone, Debug)]
pub struct ApiRun {
    /// `GET /api/v1/timelines/home?limit=20` with a bearer token.
    pub timeline: WrkResult,
    pub timeline_cpu_us: f64,
    pub timeline_bytes: usize,
    pub timeline_statuses: usize,
    /// `POST /api/v1/statuses`, a distinct text each.
    pub posts: WrkResult,
    pub post_cpu_us: f64,
    /// Timeline readers and posters at once (`MIXED_READERS` + `MIXED_POSTERS` connections):
    /// the timeline as it fares while the data changes under it (every post drops the home
    /// pages PostgreSQL's sociald keeps in memory).
    pub mixed_timeline: WrkResult,
    pub mixed_posts: WrkResult,
    /// Highest RSS sampled (every 100 ms) during both API runs, and at their end.
    pub rss_peak_mb: f64,
    pub rss_end_mb: f64,
}

fn mark(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISS" }
}

pub fn print(spec: SeedSpec, load: &Load, rows: &[Row]) {
    if rows.iter().any(|r| r.html.is_some()) {
        print_html(spec, load, rows);
    }
    if rows.iter().any(|r| r.api.is_some()) {
        print_api(spec, load, rows);
    }
}

fn print_html(spec: SeedSpec, load: &Load, rows: &[Row]) {
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
        let Some(h) = &r.html else { continue };
        let w = &h.result;
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
            h.loaded_rss_mb,
            w.errors,
            h.cpu_us_per_request,
        );
    }
    for r in rows {
        if let Some(h) = &r.html {
            println!("{}: /home page is {} bytes", r.backend, h.home_bytes);
        }
    }
    for tls in rows.iter().filter(|r| r.handshakes_per_s.is_some()) {
        let plain_name = tls.backend.trim_end_matches("+tls");
        let plain = rows.iter().find(|r| r.backend == plain_name);
        if let (Some(tls_html), Some(plain_html)) = (&tls.html, plain.and_then(|p| p.html.as_ref()))
        {
            let (t, p) = (
                tls_html.result.requests_per_s,
                plain_html.result.requests_per_s,
            );
            println!(
                "HTTPS vs HTTP ({plain_name}, same run): {t:.0} vs {p:.0} req/s = {:.0}% (TLS 1.3, HTTP/1.1 keep-alive)",
                100.0 * t / p.max(1.0)
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

fn print_api(spec: SeedSpec, load: &Load, rows: &[Row]) {
    println!();
    println!(
        "client API (bearer token from the OAuth code flow): GET /api/v1/timelines/home?limit=20, then \
         POST /api/v1/statuses (distinct texts); {} accounts, {} posts, {} follows each; wrk -t{} -c{} -d{}s",
        spec.accounts, spec.posts, spec.follows, load.threads, load.connections, load.duration_s
    );
    println!(
        "{:<10} {:>16} {:>15} {:>15} {:>11} {:>11} {:>10} {:>12} {:>9} {:>12} {:>13} {:>12}",
        "backend",
        "timeline req/s",
        "p99 ms",
        "posts/s",
        "post p99",
        "post p50",
        "tl p50",
        "errors t/p",
        "RSS peak",
        "RSS end MB",
        "tl CPU us/req",
        "post CPU us"
    );
    println!(
        "{:<10} {:>16} {:>15} {:>15}",
        "target",
        format!(">= {TARGET_API_RPS:.0}"),
        format!("<= {TARGET_API_P99_MS:.0}"),
        format!(">= {TARGET_POSTS_PER_S:.0}"),
    );
    for r in rows {
        let Some(a) = &r.api else { continue };
        let (t, p) = (&a.timeline, &a.posts);
        println!(
            "{:<10} {:>11.0} {:>4} {:>10.2} {:>4} {:>10.0} {:>4} {:>11.2} {:>11.2} {:>10.2} {:>12} {:>9.1} {:>12.1} {:>13.0} {:>12.0}",
            r.backend,
            t.requests_per_s,
            mark(t.requests_per_s >= TARGET_API_RPS && t.errors == 0),
            t.p99_ms,
            mark(t.p99_ms <= TARGET_API_P99_MS),
            p.requests_per_s,
            mark(p.requests_per_s >= TARGET_POSTS_PER_S && p.errors == 0),
            p.p99_ms,
            p.p50_ms,
            t.p50_ms,
            format!("{}/{}", t.errors, p.errors),
            a.rss_peak_mb,
            a.rss_end_mb,
            a.timeline_cpu_us,
            a.post_cpu_us,
        );
    }
    for r in rows {
        let Some(a) = &r.api else { continue };
        let (t, p) = (&a.mixed_timeline, &a.mixed_posts);
        println!(
            "{}: timeline and posting at once (wrk -c{} and -c{}): timeline {:.0} req/s p99 {:.2} ms, \
             {:.0} posts/s p99 {:.2} ms, errors {}/{}",
            r.backend,
            crate::server::MIXED_READERS,
            crate::server::MIXED_POSTERS,
            t.requests_per_s,
            t.p99_ms,
            p.requests_per_s,
            p.p99_ms,
            t.errors,
            p.errors,
        );
    }
    for r in rows {
        let Some(a) = &r.api else { continue };
        let answers: Vec<String> = a
            .posts
            .statuses
            .iter()
            .map(|(code, n)| format!("{n} x {code}"))
            .collect();
        println!(
            "{}: API home timeline is {} statuses, {} bytes; posting answers: {}",
            r.backend,
            a.timeline_statuses,
            a.timeline_bytes,
            if answers.is_empty() {
                "none".to_owned()
            } else {
                answers.join(", ")
            }
        );
        if let Some(sample) = &a.posts.first_error {
            println!("{}: first refused post: {sample}", r.backend);
        }
    }
}
