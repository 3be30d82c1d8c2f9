//! Values of the account-security part of the store: TOTP credentials, the web sessions and
//! OAuth authorizations an account can see and revoke on its settings pages.

/// An account's TOTP credential. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpCredential {
    /// Base32, as the user's app holds it.
    pub secret: String,
    /// None while enrolment waits for its first code.
    pub confirmed_at_ms: Option<i64>,
    /// The last time step whose code was accepted.
    pub last_step: i64,
}

impl TotpCredential {
    pub fn confirmed(&self) -> bool {
        self.confirmed_at_ms.is_some()
    }
}

impl std::fmt::Debug for TotpCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpCredential")
            .field("secret", &"<redacted>")
            .field("confirmed_at_ms", &self.confirmed_at_ms)
            .field("last_step", &self.last_step)
            .finish()
    }
}

/// A web session as its owner sees it on `/settings/sessions`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionInfo {
    /// The first 16 hex digits of the token's hash: names the session in forms without
    /// being usable as a credential.
    pub id: String,
    pub user_agent: String,
    /// Empty when not recorded (sessions older than this column).
    pub client_addr: String,
    pub created_at_ms: i64,
    /// Written at most once an hour.
    pub last_seen_at_ms: i64,
}

/// A live OAuth access token of an account, with its app's name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    pub token_id: i64,
    pub app_name: String,
    pub scopes: String,
    pub created_at_ms: i64,
    pub last_used_at_ms: i64,
}
