//! `social-bench`: seeds (or reuses a cached) data set, then for SQLite and PostgreSQL starts
//! the release `sociald` on it and measures start-to-ready time, idle RSS, the home
//! timeline's throughput and p99 latency under `wrk` (HTML page, and the client API's JSON
//! with a bearer token), `POST /api/v1/statuses` throughput and RSS under load, and prints
//! them next to the targets. `scripts/bench` builds everything, starts PostgreSQL and runs
//! this.

mod api;
mod dataset;
mod handshakes;
mod report;
mod seed;
mod server;
mod wrk;

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};
use std::path::PathBuf;

/// Seed parameters; part of the cache key.
#[derive(Clone, Copy, Debug)]
pub struct SeedSpec {
    pub accounts: usize,
    pub posts: usize,
    pub follows: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Which {
    Sqlite,
    Postgres,
    Both,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Only {
    /// The HTML home page (and the HTTPS run) and the client API.
    All,
    /// The HTML home page and the HTTPS run.
    Html,
    /// The client API (timeline, posting) on plain HTTP.
    Api,
}

/// Benchmark sociald's home timeline on a seeded data set.
#[derive(Debug, Parser)]
#[command(name = "social-bench", version, about)]
struct Cli {
    /// The sociald binary to measure (build it with --release).
    #[arg(long, default_value = "target/release/sociald")]
    sociald: PathBuf,
    /// Which backends to measure.
    #[arg(long, value_enum, default_value = "both")]
    backend: Which,
    /// An admin URL of a PostgreSQL server (database `postgres`); the data set goes into the
    /// database `social_bench` next to it. Required for the PostgreSQL run.
    #[arg(long, env = "SOCIAL_BENCH_PG_URL")]
    pg_url: Option<String>,
    /// Where pg_dump, pg_restore live.
    #[arg(long, default_value = "/usr/lib/postgresql/15/bin")]
    pg_bin: PathBuf,
    /// Seeded data sets are cached here, keyed by the seed parameters and migrations.
    #[arg(long, default_value = "/var/cache/social-bench")]
    cache_dir: PathBuf,
    /// The store's migrations (hashed into the cache key).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../social-store/migrations"))]
    migrations: PathBuf,
    /// Seeded accounts (the first, `bench`, is the one that logs in).
    #[arg(long, default_value_t = 1_000)]
    accounts: usize,
    /// Seeded posts, spread evenly over the accounts.
    #[arg(long, default_value_t = 100_000)]
    posts: usize,
    /// How many accounts each account follows.
    #[arg(long, default_value_t = 50)]
    follows: usize,
    /// wrk: seconds of measurement.
    #[arg(long, default_value_t = 15)]
    duration: u64,
    /// wrk: seconds of warm-up before measuring (not reported).
    #[arg(long, default_value_t = 3)]
    warmup: u64,
    /// wrk: concurrent connections.
    #[arg(long, default_value_t = 16)]
    connections: u32,
    /// wrk: threads.
    #[arg(long, default_value_t = 2)]
    threads: u32,
    /// Port for sociald (0: pick a free one).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Skip the HTTPS run (SQLite over TLS, and new TLS handshakes per second).
    #[arg(long)]
    no_https: bool,
    /// Which measurements: the HTML home page (with the HTTPS run), the client API
    /// (timeline, then posting, which writes into this run's private copy of the data set),
    /// or all.
    #[arg(long, value_enum, default_value = "all")]
    only: Only,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let spec = SeedSpec {
        accounts: cli.accounts,
        posts: cli.posts,
        follows: cli.follows,
    };
    if spec.accounts < 2 || spec.follows >= spec.accounts {
        bail!("need at least 2 accounts and fewer follows than accounts");
    }
    let sociald = std::fs::canonicalize(&cli.sociald).with_context(|| {
        format!(
            "{} (build it: cargo build --release -p sociald)",
            cli.sociald.display()
        )
    })?;
    let cache = dataset::Cache::new(&cli.cache_dir, &cli.migrations, spec)?;
    let load = wrk::Load {
        threads: cli.threads,
        connections: cli.connections,
        duration_s: cli.duration,
        warmup_s: cli.warmup,
    };
    let plain = server::Plan {
        tls: false,
        html: cli.only != Only::Api,
        api: cli.only != Only::Html,
    };
    let https = !cli.no_https && plain.html;
    let over_tls = server::Plan {
        tls: true,
        html: true,
        api: false,
    };
    let run_dir = tempdir()?;
    let mut rows = Vec::new();
    let mut failures = Vec::new();

    if matches!(cli.backend, Which::Sqlite | Which::Both) {
        let run = async {
            let url = cache.sqlite(&run_dir.join("sqlite")).await?;
            server::measure("sqlite", &sociald, &url, &run_dir, cli.port, &load, plain).await
        };
        match run.await {
            Ok(row) => rows.push(row),
            Err(e) => failures.push(format!("sqlite: {e:#}")),
        }
        if https {
            let run = async {
                let url = cache.sqlite(&run_dir.join("sqlite-tls")).await?;
                server::measure(
                    "sqlite", &sociald, &url, &run_dir, cli.port, &load, over_tls,
                )
                .await
            };
            match run.await {
                Ok(row) => rows.push(row),
                Err(e) => failures.push(format!("sqlite over HTTPS: {e:#}")),
            }
        }
    }
    if matches!(cli.backend, Which::Postgres | Which::Both) {
        let run = async {
            let Some(admin_url) = cli.pg_url.as_deref() else {
                bail!("--pg-url (or SOCIAL_BENCH_PG_URL) is needed for the PostgreSQL run");
            };
            let url = cache.postgres(admin_url, &cli.pg_bin).await?;
            server::measure("postgres", &sociald, &url, &run_dir, cli.port, &load, plain).await
        };
        match run.await {
            Ok(row) => rows.push(row),
            Err(e) => failures.push(format!("postgres: {e:#}")),
        }
    }

    report::print(spec, &load, &rows);
    if failures.is_empty() {
        std::fs::remove_dir_all(&run_dir).ok();
        return Ok(());
    }
    for failure in &failures {
        eprintln!("FAILED {failure}");
    }
    bail!(
        "{} backend run(s) failed; logs kept in {}",
        failures.len(),
        run_dir.display()
    )
}

/// A fresh private directory for this run's copies, data dirs and logs.
fn tempdir() -> anyhow::Result<PathBuf> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("social-bench-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}
