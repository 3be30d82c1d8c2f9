//! One measured run of `sociald`: spawn it on a database, time spawn → first 200 from
//! `/readyz`, read its idle RSS, log in as the bench user through the real form, load `/home`
//! with wrk; then (`parts.api`) get a bearer token through the OAuth flow and load the API's
//! home timeline, then post statuses, with wrk; stop it. With `tls`, the HTML part over HTTPS
//! (sociald's self-signed development certificate), plus new TLS handshakes per second.

use crate::api;
use crate::handshakes;
use crate::report::{ApiRun, HtmlRun, Row};
use crate::seed;
use crate::wrk::{self, Load, Target};
use anyhow::{Context, bail};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// What a run measures.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Serve HTTPS too (the self-signed development certificate) and measure over it.
    pub tls: bool,
    /// `GET /home` (HTML, session cookie).
    pub html: bool,
    /// The API's home timeline and `POST /api/v1/statuses` (bearer token).
    pub api: bool,
}

pub async fn measure(
    backend: &'static str,
    sociald: &Path,
    database_url: &str,
    run_dir: &Path,
    port: u16,
    load: &Load,
    parts: Plan,
) -> anyhow::Result<Row> {
    let tls = parts.tls;
    let label = if tls {
        format!("{backend}+tls")
    } else {
        backend.to_owned()
    };
    let port = if port == 0 { free_port()? } else { port };
    let https_port = free_port()?;
    let data_dir = run_dir.join(format!("{label}-data"));
    std::fs::create_dir_all(&data_dir)?;
    let config = run_dir.join(format!("{label}.toml"));
    let tls_toml = if tls {
        "[tls]\nmode = \"self-signed\"\n"
    } else {
        ""
    };
    // The limiter stays on (its cost is measured) with limits no benchmark reaches: wrk sends
    // one token's requests at thousands per second.
    let limits = "[rate_limits]\napi = \"1000000000/1m\"\napi_anonymous = \"1000000000/1m\"\n\
                  posts = \"1000000000/1m\"\nfollows = \"1000000000/1m\"\n\
                  posts_per_address = \"1000000000/1m\"\nfollows_per_address = \"1000000000/1m\"\n";
    // The spam defence is off: the posting run is one account writing thousands of posts a
    // second, which the defence rightly holds (posts per hour), so it would measure the
    // held-post path instead of posting.
    let spam = "[spam]\nenabled = false\n";
    std::fs::write(&config, format!("{tls_toml}{limits}{spam}"))?;
    let log_path = run_dir.join(format!("{label}-sociald.log"));
    let log = std::fs::File::create(&log_path)?;
    // Over TLS the site is https://localhost:PORT (the self-signed certificate's name).
    let base = if tls {
        format!("https://localhost:{https_port}")
    } else {
        format!("http://127.0.0.1:{port}")
    };

    eprintln!("{label}: starting {} on {base}", sociald.display());
    let started = Instant::now();
    let mut command = Command::new(sociald);
    command
        .arg("serve")
        .arg("--config")
        .arg(&config)
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data-dir")
        .arg(&data_dir)
        .arg("--database-url")
        .arg(database_url);
    if tls {
        command
            .arg("--listen-https")
            .arg(format!("127.0.0.1:{https_port}"));
    }
    let mut child = command
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("spawning {}", sociald.display()))?;
    let result = async {
        let root_pem = if tls {
            Some(wait_file(&data_dir.join("tls/self-signed.pem"), &mut child).await?)
        } else {
            None
        };
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(10));
        if let Some(pem) = &root_pem {
            builder = builder
                .add_root_certificate(reqwest::Certificate::from_pem(pem)?)
                .resolve("localhost", SocketAddr::from(([127, 0, 0, 1], https_port)));
        }
        let client = builder.build()?;
        let ready = wait_ready(&client, &base, &mut child, started, Duration::from_secs(60)).await?;
        let ready_ms = ready.as_secs_f64() * 1e3;
        let pid = child.id().context("sociald has no pid")?;
        let idle_rss_mb = rss_mb(pid)?;
        let cookie = login(&client, &base, tls).await?;
        let home = client.get(format!("{base}/home")).header("Cookie", &cookie).send().await?;
        if home.status() != 200 {
            bail!("GET /home as {} answered {}", seed::BENCH_USER, home.status());
        }
        let home_bytes = home.bytes().await?.len();
        eprintln!("{label}: ready in {ready_ms:.0} ms, idle RSS {idle_rss_mb:.1} MB, /home {home_bytes} bytes");
        let html = if parts.html {
            // wrk does not verify certificates; 127.0.0.1 keeps it off ::1.
            let url = if tls {
                format!("https://127.0.0.1:{https_port}/home")
            } else {
                format!("{base}/home")
            };
            let target = Target::get(url, format!("Cookie: {cookie}"));
            wrk::warm_up(load, &target).await?;
            let (result, cpu_us_per_request) = measured(load, &target, pid).await?;
            let loaded_rss_mb = rss_mb(pid)?;
            Some(HtmlRun { result, loaded_rss_mb, home_bytes, cpu_us_per_request })
        } else {
            None
        };
        let handshakes_per_s = match &root_pem {
            Some(pem) => {
                let addr = SocketAddr::from(([127, 0, 0, 1], https_port));
                let rate = handshakes::measure(addr, "localhost", pem, load.connections as usize, load.duration_s.min(10)).await?;
                eprintln!("{label}: {rate:.0} new TLS handshakes/s");
                Some(rate)
            }
            None => None,
        };
        let api = if parts.api {
            Some(measure_api(&label, &client, &base, &cookie, run_dir, load, pid).await?)
        } else {
            None
        };
        Ok(Row { backend: label.clone(), idle_rss_mb, ready_ms, html, api, handshakes_per_s })
    }
    .await;
    stop(&mut child).await;
    result.with_context(|| format!("{label} run (server log: {})", log_path.display()))
}

/// Connections reading the timeline, and posting, in the run that does both at once.
pub const MIXED_READERS: u32 = 12;
pub const MIXED_POSTERS: u32 = 4;

/// The API part: token, then the home timeline, then posting (which changes the data set,
/// so it comes last), each warmed up and measured with wrk, RSS sampled all along.
async fn measure_api(
    label: &str,
    client: &reqwest::Client,
    base: &str,
    cookie: &str,
    run_dir: &Path,
    load: &Load,
    pid: u32,
) -> anyhow::Result<ApiRun> {
    let token = api::token(client, base, cookie)
        .await
        .context("getting a bearer token through the OAuth flow")?;
    let bearer = format!("Authorization: Bearer {token}");
    let timeline_url = format!("{base}/api/v1/timelines/home?limit=20");
    let (timeline_bytes, timeline_statuses) =
        api::check_timeline(client, &timeline_url, &token).await?;
    eprintln!(
        "{label}: API token obtained; home timeline {timeline_statuses} statuses, {timeline_bytes} bytes"
    );
    let sampler = RssSampler::start(pid);
    let timeline_target = Target::get(timeline_url, bearer.clone());
    wrk::warm_up(load, &timeline_target).await?;
    let (timeline, timeline_cpu_us) = measured(load, &timeline_target, pid).await?;
    eprintln!(
        "{label}: API timeline {:.0} req/s, p99 {:.2} ms, {} errors",
        timeline.requests_per_s, timeline.p99_ms, timeline.errors
    );

    let script = run_dir.join("post_statuses.lua");
    std::fs::write(&script, include_str!("post_statuses.lua"))?;
    let run_tag = run_dir
        .file_name()
        .map_or_else(|| "run".to_owned(), |n| n.to_string_lossy().into_owned());
    let posting = Target {
        url: format!("{base}/api/v1/statuses"),
        headers: vec![bearer],
        script: Some(script),
        script_args: vec![run_tag, label.replace('+', "-")],
    };
    wrk::warm_up(load, &posting).await?;
    let (posts, post_cpu_us) = measured(load, &posting, pid).await?;
    eprintln!(
        "{label}: API posting {:.0} posts/s, p99 {:.2} ms, answers {:?}",
        posts.requests_per_s, posts.p99_ms, posts.statuses
    );
    if let Some(sample) = &posts.first_error {
        eprintln!("{label}: first refused post: {sample}");
    }
    // Both at once: readers while the data changes under them.
    let readers = Load {
        threads: 1,
        connections: MIXED_READERS,
        ..load.clone()
    };
    let posters = Load {
        threads: 1,
        connections: MIXED_POSTERS,
        ..load.clone()
    };
    let mixed_posting = Target {
        script_args: vec![
            format!("{}-mixed", posting.script_args[0]),
            posting.script_args[1].clone(),
        ],
        ..posting.clone()
    };
    let (mixed_timeline, mixed_posts) = tokio::try_join!(
        wrk::run(&readers, &timeline_target),
        wrk::run(&posters, &mixed_posting)
    )?;
    eprintln!(
        "{label}: at once: timeline {:.0} req/s, p99 {:.2} ms; posting {:.0} posts/s, p99 {:.2} ms",
        mixed_timeline.requests_per_s,
        mixed_timeline.p99_ms,
        mixed_posts.requests_per_s,
        mixed_posts.p99_ms
    );
    let rss_end_mb = rss_mb(pid)?;
    let rss_peak_mb = sampler.stop().await.max(rss_end_mb);
    Ok(ApiRun {
        timeline,
        timeline_cpu_us,
        timeline_bytes,
        timeline_statuses,
        posts,
        post_cpu_us,
        mixed_timeline,
        mixed_posts,
        rss_peak_mb,
        rss_end_mb,
    })
}

/// The measured wrk run, and sociald's CPU time per request served during it (microseconds).
async fn measured(load: &Load, target: &Target, pid: u32) -> anyhow::Result<(wrk::WrkResult, f64)> {
    let cpu_before = cpu_seconds(pid)?;
    let result = wrk::run(load, target).await?;
    let cpu = cpu_seconds(pid)? - cpu_before;
    let served = result.requests_per_s * load.duration_s as f64;
    let cpu_us = if served > 0.0 {
        cpu * 1e6 / served
    } else {
        0.0
    };
    Ok((result, cpu_us))
}

/// Samples a process's RSS every 100 ms in the background; `stop` gives the highest seen.
struct RssSampler {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<f64>,
}

impl RssSampler {
    fn start(pid: u32) -> Self {
        let (stop, mut stopped) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(async move {
            let mut peak: f64 = 0.0;
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            loop {
                tokio::select! {
                    _ = &mut stopped => return peak,
                    _ = tick.tick() => {
                        if let Ok(mb) = rss_mb(pid) {
                            peak = peak.max(mb);
                        }
                    }
                }
            }
        });
        Self { stop, task }
    }

    async fn stop(self) -> f64 {
        let _ = self.stop.send(());
        self.task.await.unwrap_or(0.0)
    }
}

/// Polls until `path` exists (sociald writes its certificate at start); returns its bytes.
async fn wait_file(path: &Path, child: &mut Child) -> anyhow::Result<Vec<u8>> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok(bytes) = std::fs::read(path)
            && !bytes.is_empty()
        {
            return Ok(bytes);
        }
        if let Some(status) = child.try_wait()? {
            bail!("sociald exited before writing {}: {status}", path.display());
        }
        if Instant::now() > deadline {
            bail!("{} did not appear", path.display());
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
    Ok(listener.local_addr()?.port())
}

/// Polls `/readyz` every millisecond until it answers 200; returns the time since `started`
/// (just before the spawn).
async fn wait_ready(
    client: &reqwest::Client,
    base: &str,
    child: &mut Child,
    started: Instant,
    limit: Duration,
) -> anyhow::Result<Duration> {
    let url = format!("{base}/readyz");
    loop {
        if let Ok(response) = client.get(&url).send().await
            && response.status() == 200
        {
            return Ok(started.elapsed());
        }
        if let Some(status) = child.try_wait()? {
            bail!("sociald exited before it was ready: {status}");
        }
        if started.elapsed() > limit {
            bail!("sociald not ready after {limit:?}");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// User + system CPU time a process has used so far, in seconds (from `/proc/PID/stat`).
fn cpu_seconds(pid: u32) -> anyhow::Result<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    // Fields after the command name (which is in parentheses and may hold spaces): utime and
    // stime are fields 14 and 15 of the whole line, so 12 and 13 after `) `.
    let rest = stat
        .rsplit_once(") ")
        .context("unexpected /proc/PID/stat")?
        .1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = fields.get(11).context("no utime")?.parse::<f64>()?
        + fields.get(12).context("no stime")?.parse::<f64>()?;
    // USER_HZ is 100 on every Linux this runs on (it is part of the kernel ABI).
    Ok(ticks / 100.0)
}

/// VmRSS of a process, in MB (MiB).
fn rss_mb(pid: u32) -> anyhow::Result<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .context("no VmRSS in /proc/PID/status")?
        .parse()?;
    Ok(kb / 1024.0)
}

/// Logs in through `/login` (double-submit CSRF cookie + form field); returns the `Cookie`
/// header value carrying the session.
async fn login(client: &reqwest::Client, base: &str, tls: bool) -> anyhow::Result<String> {
    // Under TLS the cookies carry the __Host- prefix.
    let prefix = if tls { "__Host-" } else { "" };
    let (csrf_name, session_name) = (format!("{prefix}csrf"), format!("{prefix}session"));
    let page = client.get(format!("{base}/login")).send().await?;
    if page.status() != 200 {
        bail!("GET /login answered {}", page.status());
    }
    let csrf_cookie =
        cookie(page.headers(), &csrf_name).context("GET /login set no csrf cookie")?;
    let html = page.text().await?;
    let csrf = hidden_value(&html, "csrf").context("the login form has no csrf field")?;
    let response = client
        .post(format!("{base}/login"))
        .header("Cookie", format!("{csrf_name}={csrf_cookie}"))
        .header("Origin", base)
        .form(&[
            ("username", seed::BENCH_USER),
            ("password", seed::PASSWORD),
            ("csrf", &csrf),
        ])
        .send()
        .await?;
    let session = cookie(response.headers(), &session_name).with_context(|| {
        format!(
            "POST /login answered {} without a session",
            response.status()
        )
    })?;
    Ok(format!("{session_name}={session}"))
}

/// The value of cookie `name` among the `Set-Cookie` headers.
fn cookie(headers: &reqwest::header::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .find_map(|v| {
            let pair = v.to_str().ok()?.split(';').next()?;
            let (k, v) = pair.split_once('=')?;
            (k.trim() == name).then(|| v.trim().to_owned())
        })
}

/// The `value` of the first `<input>` whose `name` is `name`, whatever the attribute order.
fn hidden_value(html: &str, name: &str) -> Option<String> {
    let wanted = format!("name=\"{name}\"");
    html.split("<input").skip(1).find_map(|rest| {
        let tag = &rest[..rest.find('>')?];
        if !tag.contains(&wanted) {
            return None;
        }
        let start = tag.find("value=\"")? + "value=\"".len();
        let len = tag[start..].find('"')?;
        Some(tag[start..start + len].to_owned())
    })
}

/// SIGTERM (graceful drain), then SIGKILL after 10 s.
async fn stop(child: &mut Child) {
    if let Some(pid) = child.id() {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .status()
            .await;
        if tokio::time::timeout(Duration::from_secs(10), child.wait())
            .await
            .is_ok()
        {
            return;
        }
    }
    let _ = child.kill().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_hidden_fields_in_any_attribute_order() {
        let html = r#"<form><input type="text" name="username"><input value="t0k" name="csrf" type="hidden"></form>"#;
        assert_eq!(hidden_value(html, "csrf").as_deref(), Some("t0k"));
        let html = r#"<input type="hidden" name="csrf" value="abc">"#;
        assert_eq!(hidden_value(html, "csrf").as_deref(), Some("abc"));
        assert_eq!(hidden_value(html, "other"), None);
    }
}
