//! The ACME client side (RFC 8555, with instant-acme): the account (created once, its
//! credentials kept 0600 in the state directory, one per directory URL), and one order from
//! new order to certificate, answering tls-alpn-01 or http-01 through [`Certs`].

use super::certs::{self, Pem};
use super::resolver::Certs;
use crate::config::{AcmeConfig, Challenge, TlsPlan};
use anyhow::Context as _;
use instant_acme::{
    Account, AccountCredentials, AuthorizationStatus, ChallengeType, ExternalAccountKey,
    Identifier, NewAccount, NewOrder, OrderStatus, RetryPolicy,
};
use sha2::Digest as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What an order needs to know.
#[derive(Clone, Debug)]
pub struct AcmeSettings {
    pub directory: String,
    pub domains: Vec<String>,
    pub challenge: Challenge,
    pub contact: Vec<String>,
    pub ca_root: Option<PathBuf>,
    /// (key id, HMAC key)
    pub eab: Option<(String, Vec<u8>)>,
    /// The state directory's `tls/` folder.
    pub dir: PathBuf,
}

impl AcmeSettings {
    pub fn new(plan: &TlsPlan, acme: &AcmeConfig, dir: &Path) -> Self {
        let eab = (!acme.eab_kid.is_empty())
            .then(|| {
                crate::config::decode_base64url(&acme.eab_hmac_key)
                    .map(|key| (acme.eab_kid.clone(), key))
            })
            .flatten();
        Self {
            directory: plan.directory.clone(),
            domains: plan.domains.clone(),
            challenge: plan.challenge,
            contact: plan.contact.clone(),
            ca_root: (!acme.ca_root.is_empty()).then(|| PathBuf::from(&acme.ca_root)),
            eab,
            dir: dir.to_owned(),
        }
    }

    /// `<dir>/acme-account-<first 12 hex digits of SHA-256(directory)>.json`: a new CA (or
    /// staging vs production) gets its own account, and switching back finds the old one.
    pub fn account_path(&self) -> PathBuf {
        let digest = sha2::Sha256::digest(self.directory.as_bytes());
        let hex: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        self.dir.join(format!("acme-account-{hex}.json"))
    }
}

/// The account at the CA: restored from its stored credentials, or registered now (agreeing to
/// the CA's terms) and stored.
pub async fn account(settings: &AcmeSettings) -> anyhow::Result<Account> {
    let path = settings.account_path();
    let builder = || -> anyhow::Result<_> {
        Ok(match &settings.ca_root {
            Some(root) => Account::builder_with_root(root)
                .with_context(|| format!("loading acme.ca_root {}", root.display()))?,
            None => Account::builder().context("loading the system's trusted roots")?,
        })
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let credentials: AccountCredentials = serde_json::from_str(&text)
                .with_context(|| format!("{} is not an ACME account", path.display()))?;
            return builder()?
                .from_credentials(credentials)
                .await
                .with_context(|| format!("reaching the ACME directory {}", settings.directory));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(anyhow::anyhow!("cannot read {}: {e}", path.display())),
    }
    let contact: Vec<&str> = settings.contact.iter().map(String::as_str).collect();
    let eab = settings
        .eab
        .as_ref()
        .map(|(kid, key)| ExternalAccountKey::new(kid.clone(), key));
    let (account, credentials) = builder()?
        .create(
            &NewAccount {
                contact: &contact,
                terms_of_service_agreed: true,
                only_return_existing: false,
            },
            settings.directory.clone(),
            eab.as_ref(),
        )
        .await
        .with_context(|| format!("registering an account at {}", settings.directory))?;
    let json = serde_json::to_vec(&credentials).context("serialising the account")?;
    certs::write_private(&path, &json)?;
    tracing::info!(
        target: "social::tls",
        directory = %settings.directory,
        account = %account.id(),
        file = %path.display(),
        "ACME account registered"
    );
    Ok(account)
}

/// Runs one order for `settings.domains` to the end: the certificate chain and its new key.
pub async fn order(
    account: &Account,
    settings: &AcmeSettings,
    answers: &Certs,
) -> anyhow::Result<Pem> {
    let result = order_inner(account, settings, answers).await;
    answers.clear_answers();
    result
}

async fn order_inner(
    account: &Account,
    settings: &AcmeSettings,
    answers: &Certs,
) -> anyhow::Result<Pem> {
    let identifiers: Vec<Identifier> = settings
        .domains
        .iter()
        .map(|d| Identifier::Dns(d.clone()))
        .collect();
    let mut order = account
        .new_order(&NewOrder::new(&identifiers))
        .await
        .context("the CA refused the new order")?;
    let wanted = match settings.challenge {
        Challenge::TlsAlpn01 => ChallengeType::TlsAlpn01,
        Challenge::Http01 => ChallengeType::Http01,
    };
    let mut authorizations = order.authorizations();
    while let Some(authz) = authorizations.next().await {
        let mut authz = authz.context("fetching an authorization")?;
        match authz.status {
            AuthorizationStatus::Valid => continue,
            AuthorizationStatus::Pending => {}
            other => anyhow::bail!("the authorization for {} is {other:?}", authz.identifier()),
        }
        let domain = authz.identifier().to_string();
        let mut challenge = authz
            .challenge(wanted.clone())
            .with_context(|| format!("the CA offers no {wanted:?} challenge for {domain}"))?;
        let key_authorization = challenge.key_authorization();
        match settings.challenge {
            Challenge::TlsAlpn01 => {
                let answer = certs::alpn_challenge(&domain, key_authorization.digest().as_ref())?;
                answers.put_alpn_answer(&domain, answer);
            }
            Challenge::Http01 => {
                let token = challenge.token.clone();
                answers.put_http_answer(&token, key_authorization.as_str());
            }
        }
        challenge
            .set_ready()
            .await
            .with_context(|| format!("telling the CA the {domain} challenge is ready"))?;
    }
    let patience = RetryPolicy::new()
        .initial_delay(Duration::from_millis(250))
        .backoff(1.5)
        .timeout(Duration::from_secs(120));
    let status = match order.poll_ready(&patience).await {
        Ok(status) => status,
        Err(instant_acme::Error::Api(problem)) => {
            anyhow::bail!("the CA rejected the order: {problem}")
        }
        Err(e) => return Err(e).context("waiting for the CA to validate"),
    };
    if status != OrderStatus::Ready {
        let why = challenge_errors(&mut order).await;
        anyhow::bail!("the CA did not validate the order ({status:?}): {why}");
    }
    let (key_pem, csr) = certs::key_and_csr(&settings.domains)?;
    order
        .finalize_csr(&csr)
        .await
        .context("the CA refused the CSR")?;
    let chain = order
        .poll_certificate(&patience)
        .await
        .context("downloading the certificate")?;
    Ok(Pem {
        chain,
        key: key_pem,
    })
}

/// The CA's reasons, per domain, after a failed validation.
async fn challenge_errors(order: &mut instant_acme::Order) -> String {
    let mut reasons = Vec::new();
    let mut authorizations = order.authorizations();
    while let Some(Ok(mut authz)) = authorizations.next().await {
        let Ok(state) = authz.refresh().await else {
            continue;
        };
        let domain = state.identifier().to_string();
        for challenge in &state.challenges {
            if let Some(problem) = &challenge.error {
                reasons.push(format!("{domain}: {problem}"));
            }
        }
    }
    if reasons.is_empty() {
        "no reason given".into()
    } else {
        reasons.join("; ")
    }
}
