//! Keeping a valid certificate in place: the stored one at start, a first order when there is
//! none, then renewal at 2/3 of the lifetime (or at a random point of the CA's ARI window,
//! RFC 9773), and after a failure retries after about 1 min, 10 min, 100 min, then daily
//! (never later than half the time left), serving the old certificate meanwhile. Nothing
//! assumes a lifetime: a 6-day and a 90-day certificate are both renewed with a third left.

use super::acme::{self, AcmeSettings};
use super::certs::{self, CertInfo, Stored};
use super::resolver::Certs;
use super::status::{self, Status};
use instant_acme::{Account, CertificateIdentifier};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

/// The renewer of one site's certificate.
pub struct Renewer {
    settings: AcmeSettings,
    certs: Arc<Certs>,
    stored: Stored,
    retry_base: i64,
    status: Mutex<Status>,
}

/// Why the renewer wakes up next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Wake {
    Renew,
    /// Ask the CA's ARI endpoint again (its Retry-After came before the window).
    Recheck,
}

/// The delay before retry number `failures` (1 = the first retry): `base`, 10x, 100x, then
/// daily; while the certificate is still valid, never more than half its remaining time (and
/// never less than `base`).
pub fn retry_delay(failures: u32, base: i64, now: i64, cert: Option<&CertInfo>) -> i64 {
    const DAY: i64 = 86_400;
    let step = match failures {
        0 | 1 => base,
        2 => base.saturating_mul(10),
        3 => base.saturating_mul(100),
        _ => DAY,
    }
    .min(DAY);
    match cert {
        Some(c) if c.not_after > now => step.min(((c.not_after - now) / 2).max(base)),
        _ => step,
    }
}

/// When a certificate is due without ARI: two thirds into its lifetime.
pub fn two_thirds(cert: &CertInfo) -> i64 {
    cert.not_before + cert.lifetime() * 2 / 3
}

/// A point of the ARI window `[start, end]` chosen by `fraction` (0..1, random in use), not
/// before `now`.
pub fn in_window(start: i64, end: i64, now: i64, fraction: f64) -> i64 {
    if end <= now {
        return now;
    }
    let start = start.max(now);
    let span = (end - start).max(0);
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    let offset = (span as f64 * fraction.clamp(0.0, 1.0)) as i64;
    start + offset
}

impl Renewer {
    /// Loads the stored certificate and, when it is valid for the configured names, serves it.
    pub fn new(settings: AcmeSettings, certs: Arc<Certs>, retry_base_secs: u64) -> Arc<Self> {
        let stored = Stored::new(&settings.dir, "cert");
        let renewer = Arc::new(Self {
            stored,
            certs,
            retry_base: i64::try_from(retry_base_secs).unwrap_or(60),
            status: Mutex::new(Status {
                mode: "acme".into(),
                domains: settings.domains.clone(),
                directory: settings.directory.clone(),
                ..Status::default()
            }),
            settings,
        });
        renewer.load_stored();
        renewer
    }

    fn load_stored(&self) {
        let pem = match self.stored.load() {
            Ok(Some(pem)) => pem,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(target: "social::tls", error = %format!("{e:#}"), "cannot read the stored certificate");
                return;
            }
        };
        let loaded =
            certs::info(&pem.chain).and_then(|info| Ok((certs::certified_key(&pem)?, info)));
        match loaded {
            Ok((key, info)) if info.not_after > status::now() => {
                self.certs.install(key);
                tracing::info!(
                    target: "social::tls",
                    subject = %info.subject,
                    issuer = %info.issuer,
                    not_after = %status::rfc3339(info.not_after),
                    "serving the stored certificate"
                );
                self.update(|s| s.certificate = Some(info));
            }
            Ok((_, info)) => tracing::warn!(
                target: "social::tls",
                not_after = %status::rfc3339(info.not_after),
                "the stored certificate has expired; ordering a new one"
            ),
            Err(e) => tracing::warn!(
                target: "social::tls",
                error = %format!("{e:#}"),
                file = %self.stored.cert.display(),
                "the stored certificate is unusable; ordering a new one"
            ),
        }
    }

    fn update(&self, change: impl FnOnce(&mut Status)) {
        let snapshot = {
            let mut status = self
                .status
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            change(&mut status);
            status.updated_at = status::now();
            status.clone()
        };
        if let Err(e) = snapshot.save(&self.settings.dir) {
            tracing::warn!(target: "social::tls", error = %format!("{e:#}"), "cannot write the TLS status file");
        }
    }

    fn served(&self) -> Option<CertInfo> {
        self.status
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .certificate
            .clone()
    }

    /// Runs until `stop` turns true.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        let mut account: Option<Account> = None;
        let mut failures: u32 = 0;
        let mut retry_at: Option<i64> = None;
        loop {
            let now = status::now();
            let cert = self.served();
            let (at, wake, reason) = match (&cert, retry_at) {
                (_, Some(at)) => (at, Wake::Renew, format!("retry {failures} after a failure")),
                (None, None) => (now, Wake::Renew, "no certificate yet".to_owned()),
                (Some(c), None) if !c.covers(&self.settings.domains) => (
                    now,
                    Wake::Renew,
                    "the configured domains changed".to_owned(),
                ),
                (Some(c), None) => self.planned(c, &mut account, now).await,
            };
            self.update(|s| {
                s.next_renewal = Some(at);
                s.next_renewal_reason.clone_from(&reason);
            });
            if at > now {
                tracing::info!(
                    target: "social::tls",
                    at = %status::rfc3339(at),
                    reason = %reason,
                    "next certificate check scheduled"
                );
                let wait = Duration::from_secs(u64::try_from(at - now).unwrap_or(0));
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = super::stopped(&mut stop) => return,
                }
                if wake == Wake::Recheck {
                    continue;
                }
            }
            if *stop.borrow() {
                return;
            }
            tracing::info!(
                target: "social::tls",
                domains = %self.settings.domains.join(","),
                directory = %self.settings.directory,
                attempt = failures + 1,
                "ordering a certificate"
            );
            let attempt = tokio::select! {
                result = self.renew(&mut account) => result,
                () = super::stopped(&mut stop) => return,
            };
            match attempt {
                Ok(info) => {
                    failures = 0;
                    retry_at = None;
                    // The status file first: whoever reacts to the log line reads it current.
                    self.update(|s| {
                        s.certificate = Some(info.clone());
                        s.last_renewal = Some(status::now());
                        s.last_error = None;
                        s.last_error_at = None;
                        s.failures = 0;
                    });
                    tracing::info!(
                        target: "social::tls",
                        subject = %info.subject,
                        issuer = %info.issuer,
                        serial = %info.serial,
                        not_after = %status::rfc3339(info.not_after),
                        "certificate installed"
                    );
                }
                Err(e) => {
                    failures += 1;
                    // A stale session (the CA restarted, a nonce went bad) must not stick.
                    account = None;
                    if e.chain()
                        .any(|c| c.to_string().contains("accountDoesNotExist"))
                    {
                        let path = self.settings.account_path();
                        tracing::warn!(target: "social::tls", file = %path.display(), "the CA no longer knows the ACME account; registering a new one next time");
                        let _ = std::fs::remove_file(path);
                    }
                    let now = status::now();
                    let delay = retry_delay(failures, self.retry_base, now, cert.as_ref());
                    retry_at = Some(now + delay);
                    let error = format!("{e:#}");
                    self.update(|s| {
                        s.last_error = Some(error.clone());
                        s.last_error_at = Some(now);
                        s.failures = failures;
                        s.next_renewal = Some(now + delay);
                        s.next_renewal_reason = format!("retry {failures} after a failure");
                    });
                    tracing::warn!(
                        target: "social::tls",
                        error = %error,
                        attempt = failures,
                        retry_in_secs = delay,
                        serving_old = self.certs.has_current(),
                        "certificate order failed: error={error} retry_in={delay}s"
                    );
                }
            }
        }
    }

    /// When the served certificate is due: in the CA's ARI window when it offers one, else
    /// at 2/3 of its lifetime.
    async fn planned(
        &self,
        cert: &CertInfo,
        account: &mut Option<Account>,
        now: i64,
    ) -> (i64, Wake, String) {
        let fallback = (
            two_thirds(cert).max(now),
            Wake::Renew,
            "2/3 of the certificate's lifetime".to_owned(),
        );
        if account.is_none() {
            match acme::account(&self.settings).await {
                Ok(a) => *account = Some(a),
                Err(e) => {
                    tracing::debug!(target: "social::tls", error = %format!("{e:#}"), "no ARI: the CA is not reachable");
                    return fallback;
                }
            }
        }
        let Some(account) = account.as_ref() else {
            return fallback;
        };
        let Some(id) = self.certificate_id() else {
            return fallback;
        };
        match account.renewal_info(&id).await {
            Ok((info, retry_after)) => {
                let start = info.suggested_window.start.unix_timestamp();
                let end = info.suggested_window.end.unix_timestamp();
                let at = in_window(start, end, now, rand::random::<f64>());
                let recheck = now
                    + i64::try_from(retry_after.as_secs())
                        .unwrap_or(86_400)
                        .clamp(60, 86_400);
                if recheck < at {
                    (
                        recheck,
                        Wake::Recheck,
                        format!(
                            "ask the CA's ARI again (window opens {})",
                            status::rfc3339(start)
                        ),
                    )
                } else {
                    (at, Wake::Renew, "in the CA's ARI renewal window".to_owned())
                }
            }
            Err(instant_acme::Error::Unsupported(_)) => fallback,
            Err(e) => {
                tracing::debug!(target: "social::tls", error = %e, "ARI lookup failed");
                fallback
            }
        }
    }

    fn certificate_id(&self) -> Option<CertificateIdentifier<'static>> {
        let pem = self.stored.load().ok()??;
        let chain = certs::chain_der(&pem.chain).ok()?;
        CertificateIdentifier::try_from(&chain[0])
            .ok()
            .map(CertificateIdentifier::into_owned)
    }

    async fn renew(&self, account: &mut Option<Account>) -> anyhow::Result<CertInfo> {
        let current = match account.take() {
            Some(a) => a,
            None => acme::account(&self.settings).await?,
        };
        let pem = acme::order(&current, &self.settings, &self.certs).await;
        *account = Some(current);
        let pem = pem?;
        let info = certs::info(&pem.chain)?;
        anyhow::ensure!(
            info.covers(&self.settings.domains),
            "the CA issued a certificate for {:?}, not for {:?}",
            info.names,
            self.settings.domains
        );
        let key = certs::certified_key(&pem)?;
        self.stored.save(&pem)?;
        self.certs.install(key);
        Ok(info)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(not_before: i64, not_after: i64) -> CertInfo {
        CertInfo {
            subject: String::new(),
            issuer: String::new(),
            names: vec!["social.test".into()],
            serial: String::new(),
            not_before,
            not_after,
        }
    }

    #[test]
    fn renewal_is_due_with_a_third_of_the_lifetime_left_whatever_the_lifetime() {
        let day = 86_400;
        assert_eq!(two_thirds(&cert(0, 90 * day)), 60 * day);
        assert_eq!(two_thirds(&cert(0, 45 * day)), 30 * day);
        assert_eq!(two_thirds(&cert(0, 6 * day)), 4 * day);
        assert_eq!(two_thirds(&cert(100, 130)), 120);
    }

    #[test]
    fn retries_back_off_to_daily_but_not_past_half_the_time_left() {
        let day = 86_400;
        let none = None;
        let delays: Vec<i64> = (1..=6).map(|n| retry_delay(n, 60, 0, none)).collect();
        assert_eq!(delays, [60, 600, 6_000, day, day, day]);
        let long = cert(0, 60 * day);
        assert_eq!(retry_delay(4, 60, 0, Some(&long)), day);
        let short = cert(0, 1_000);
        assert_eq!(retry_delay(3, 60, 0, Some(&short)), 500);
        assert_eq!(
            retry_delay(3, 60, 990, Some(&short)),
            60,
            "never below the base"
        );
        let expired = cert(0, 10);
        assert_eq!(retry_delay(2, 60, 20, Some(&expired)), 600);
    }

    #[test]
    fn ari_windows_are_honoured() {
        assert_eq!(in_window(100, 200, 0, 0.0), 100);
        assert_eq!(in_window(100, 200, 0, 1.0), 200);
        assert_eq!(in_window(100, 200, 0, 0.5), 150);
        assert_eq!(in_window(100, 200, 150, 0.0), 150, "not in the past");
        assert_eq!(
            in_window(100, 200, 300, 0.7),
            300,
            "a past window means now"
        );
    }
}
