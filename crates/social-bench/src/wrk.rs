//! Runs `wrk` against one URL with extra headers (the session cookie, a bearer token) and
//! optionally a Lua script, and parses its report.

use anyhow::{Context, bail};
use tokio::process::Command;

#[derive(Clone, Debug)]
pub struct Load {
    pub threads: u32,
    pub connections: u32,
    pub duration_s: u64,
    pub warmup_s: u64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct WrkResult {
    pub requests_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// Non-2xx/3xx answers plus socket errors: must be 0 for the figures to mean anything.
    /// With a script that counts statuses (`status NNN COUNT` lines), every answer outside
    /// 2xx plus socket errors.
    pub errors: u64,
    /// Answers per HTTP status, when the script reported them (`status NNN COUNT`).
    pub statuses: Vec<(u16, u64)>,
    /// The script's sample of a refused answer (`first error: ...`), if any.
    pub first_error: Option<String>,
}

/// One wrk invocation: URL, extra request headers, and an optional Lua script with its
/// arguments (after `--`).
#[derive(Clone, Debug, Default)]
pub struct Target {
    pub url: String,
    pub headers: Vec<String>,
    pub script: Option<std::path::PathBuf>,
    pub script_args: Vec<String>,
}

impl Target {
    pub fn get(url: String, header: String) -> Self {
        Self {
            url,
            headers: vec![header],
            ..Self::default()
        }
    }
}

/// The warm-up run (discarded).
pub async fn warm_up(load: &Load, target: &Target) -> anyhow::Result<()> {
    if load.warmup_s > 0 {
        wrk(load, load.warmup_s, target, "warmup").await?;
    }
    Ok(())
}

/// The measured run.
pub async fn run(load: &Load, target: &Target) -> anyhow::Result<WrkResult> {
    let out = wrk(load, load.duration_s, target, "run").await?;
    parse(&out).with_context(|| format!("unexpected wrk output:\n{out}"))
}

/// `phase` is appended to the script's arguments (so a script can tell runs apart).
async fn wrk(load: &Load, seconds: u64, target: &Target, phase: &str) -> anyhow::Result<String> {
    let mut command = Command::new("wrk");
    command
        .arg(format!("-t{}", load.threads))
        .arg(format!("-c{}", load.connections))
        .arg(format!("-d{seconds}s"))
        .arg("--latency");
    for header in &target.headers {
        command.arg("-H").arg(header);
    }
    if let Some(script) = &target.script {
        command.arg("-s").arg(script);
    }
    command.arg(&target.url);
    if target.script.is_some() {
        command.arg("--").args(&target.script_args).arg(phase);
    }
    let output = command
        .output()
        .await
        .context("running wrk (apt-get install wrk)")?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!(
            "wrk failed: {}\n{text}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(text)
}

/// Reads `Requests/sec:`, the 50% and 99% lines of the latency distribution, and the error
/// lines of wrk's report.
pub fn parse(out: &str) -> anyhow::Result<WrkResult> {
    let mut r = WrkResult::default();
    let mut seen = (false, false);
    let (mut socket_errors, mut non_2xx_3xx) = (0, 0);
    for line in out.lines().map(str::trim) {
        if let Some(v) = line.strip_prefix("Requests/sec:") {
            r.requests_per_s = v.trim().parse().context("Requests/sec")?;
            seen.0 = true;
        } else if let Some(v) = line.strip_prefix("50%") {
            r.p50_ms = duration_ms(v.trim())?;
        } else if let Some(v) = line.strip_prefix("99%") {
            r.p99_ms = duration_ms(v.trim())?;
            seen.1 = true;
        } else if let Some(v) = line.strip_prefix("Non-2xx or 3xx responses:") {
            non_2xx_3xx += v.trim().parse::<u64>().context("Non-2xx")?;
        } else if let Some(v) = line.strip_prefix("Socket errors:") {
            // "connect 0, read 0, write 0, timeout 0"
            for part in v.split(',') {
                if let Some(n) = part.split_whitespace().nth(1) {
                    socket_errors += n.parse::<u64>().unwrap_or(0);
                }
            }
        } else if let Some(v) = line.strip_prefix("status ") {
            let mut parts = v.split_whitespace();
            let (Some(code), Some(count)) = (parts.next(), parts.next()) else {
                bail!("malformed status line {line:?}");
            };
            r.statuses.push((
                code.parse().context("status")?,
                count.parse().context("count")?,
            ));
        } else if let Some(v) = line.strip_prefix("first error:") {
            r.first_error = Some(v.trim().to_owned());
        }
    }
    if !(seen.0 && seen.1) {
        bail!("no Requests/sec or 99% latency line");
    }
    r.statuses.sort_unstable();
    let refused: u64 = if r.statuses.is_empty() {
        non_2xx_3xx
    } else {
        r.statuses
            .iter()
            .filter(|(code, _)| !(200..300).contains(code))
            .map(|(_, n)| n)
            .sum()
    };
    r.errors = socket_errors + refused;
    Ok(r)
}

/// `812.00us`, `1.23ms`, `1.02s`, `2.00m` → milliseconds.
fn duration_ms(v: &str) -> anyhow::Result<f64> {
    let split = v
        .find(|c: char| c.is_ascii_alphabetic())
        .context("duration without unit")?;
    let (num, unit) = v.split_at(split);
    let n: f64 = num.parse().with_context(|| format!("duration {v:?}"))?;
    Ok(match unit {
        "us" => n / 1e3,
        "ms" => n,
        "s" => n * 1e3,
        "m" => n * 60e3,
        "h" => n * 3600e3,
        _ => bail!("unknown duration unit in {v:?}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Running 15s test @ http://127.0.0.1:8080/home
  2 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.01ms    1.10ms  30.12ms   90.00%
    Req/Sec     4.10k   300.00     4.80k    70.00%
  Latency Distribution
     50%    1.80ms
     75%    2.30ms
     90%    3.00ms
     99%  812.00us
  122880 requests in 15.00s, 1.20GB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 4
Requests/sec:   8191.97
Transfer/sec:     81.92MB
";

    #[test]
    fn parses_a_wrk_report() {
        let r = parse(SAMPLE).expect("parses");
        assert_eq!(r.requests_per_s, 8191.97);
        assert_eq!(r.p50_ms, 1.8);
        assert!((r.p99_ms - 0.812).abs() < 1e-9);
        assert_eq!(r.errors, 7);
        assert!(r.statuses.is_empty());
    }

    #[test]
    fn script_status_counts_replace_wrks_own() {
        // wrk counts only >= 400 as "Non-2xx or 3xx"; the script counts every status.
        let out = format!(
            "{SAMPLE}status 201 1000\nstatus 302 3\nstatus 422 4\nfirst error: 422 {{\"error\": \"x\"}}\n"
        );
        let r = parse(&out).expect("parses");
        assert_eq!(r.statuses, vec![(201, 1000), (302, 3), (422, 4)]);
        assert_eq!(r.errors, 3 + 3 + 4);
        assert_eq!(r.first_error.as_deref(), Some("422 {\"error\": \"x\"}"));
    }

    #[test]
    fn converts_units() {
        assert_eq!(duration_ms("1.50s").expect("s"), 1500.0);
        assert!(duration_ms("12").is_err());
        assert!(parse("nothing").is_err());
    }
}
