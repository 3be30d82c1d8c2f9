//! Outgoing e-mail: the SMTP settings and a background sender, so no request ever waits on the
//! relay. A failed delivery is logged and tried again later (up to [`MAX_ATTEMPTS`] times,
//! backing off); mail still queued when sociald stops is lost, and people ask for a new link
//! (the links' tokens are stored hashed only, so they are never written to a queue table).

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// Deliveries tried per message before it is dropped (with an error in the log).
pub const MAX_ATTEMPTS: u32 = 6;
/// Messages waiting at most; past it new ones are dropped with a warning.
const QUEUE_LEN: usize = 1000;

/// How the connection to the relay is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required), usually port 587.
    StartTls,
    /// TLS from the first byte ("SMTPS"), usually port 465.
    Tls,
    /// No encryption: sociald allows it only for a relay on the loopback interface.
    None,
}

/// Where and how mail is sent, resolved by `sociald` from `[smtp]`.
#[derive(Clone)]
pub struct MailSettings {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// The `From:` mailbox, `Name <address>` or a bare address.
    pub from: String,
    pub username: Option<String>,
    /// Read from a file or the environment by `sociald`; never logged.
    pub password: Option<String>,
    /// The site's public URL, no trailing slash: links in mail start with it (never with a
    /// request's `Host` header, which a client chooses).
    pub link_base_url: String,
    /// DNS server asked for MX records of sign-up addresses; None: the first `nameserver`
    /// of `/etc/resolv.conf`.
    pub dns_resolver: Option<SocketAddr>,
    /// Delay before the first retry; each later one waits four times longer.
    pub retry_base: Duration,
}

impl std::fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("from", &self.from)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("link_base_url", &self.link_base_url)
            .field("dns_resolver", &self.dns_resolver)
            .finish()
    }
}

/// One message, plain text.
#[derive(Clone, Debug)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

struct Queued {
    mail: Mail,
    attempt: u32,
}

/// Handle to the background sender. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    tx: mpsc::Sender<Queued>,
    settings: Arc<MailSettings>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("settings", &self.settings)
            .finish()
    }
}

impl Mailer {
    /// Checks the settings and starts the sender task (needs a Tokio runtime). It ends when
    /// every handle is dropped.
    pub fn start(settings: MailSettings) -> Result<Mailer, String> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e| format!("the From address {:?} is invalid: {e}", settings.from))?;
        let builder = match settings.security {
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&settings.host)
                    .map_err(|e| format!("SMTP relay {}: {e}", settings.host))?
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&settings.host)
                .map_err(|e| format!("SMTP relay {}: {e}", settings.host))?,
            SmtpSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.host.as_str())
            }
        };
        let mut builder = builder
            .port(settings.port)
            .timeout(Some(Duration::from_secs(30)));
        if let (Some(user), Some(password)) = (&settings.username, &settings.password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
        }
        let transport = builder.build();
        let (tx, rx) = mpsc::channel(QUEUE_LEN);
        let settings = Arc::new(settings);
        tokio::spawn(run(
            transport,
            from,
            rx,
            tx.downgrade(),
            settings.retry_base,
        ));
        Ok(Mailer { tx, settings })
    }

    pub fn settings(&self) -> &MailSettings {
        &self.settings
    }

    /// An absolute link to `path` (which starts with `/`) on the public site.
    pub fn link(&self, path: &str) -> String {
        format!(
            "{}{path}",
            self.settings.link_base_url.trim_end_matches('/')
        )
    }

    /// Queues a message; never waits on the relay.
    pub fn queue(&self, mail: Mail) {
        if self.tx.try_send(Queued { mail, attempt: 0 }).is_err() {
            tracing::warn!(target: "social::mail", "mail queue full: a message was dropped");
        }
    }
}

async fn run(
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    mut rx: mpsc::Receiver<Queued>,
    retry: mpsc::WeakSender<Queued>,
    retry_base: Duration,
) {
    while let Some(queued) = rx.recv().await {
        let attempt = queued.attempt + 1;
        match deliver(&transport, &from, &queued.mail).await {
            Ok(()) => {
                tracing::info!(target: "social::mail", attempt, "mail delivered to the relay");
            }
            Err(error) if attempt < MAX_ATTEMPTS => {
                let delay = retry_base.saturating_mul(4u32.saturating_pow(queued.attempt));
                tracing::warn!(target: "social::mail", attempt, %error, retry_in_secs = delay.as_secs(), "mail delivery failed; will retry");
                let retry = retry.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    if let Some(tx) = retry.upgrade() {
                        let _ = tx
                            .send(Queued {
                                mail: queued.mail,
                                attempt,
                            })
                            .await;
                    }
                });
            }
            Err(error) => {
                tracing::error!(target: "social::mail", attempt, %error, "mail delivery failed; giving up");
            }
        }
    }
}

async fn deliver(
    transport: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    mail: &Mail,
) -> Result<(), String> {
    let to: Mailbox = mail
        .to
        .parse()
        .map_err(|e| format!("recipient address: {e}"))?;
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|e| format!("building the message: {e}"))?;
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}
