//! The account-security part of the `Store` API: TOTP enrolment and checks (replay-proof),
//! recovery codes, and the sessions and OAuth authorizations an account can list and revoke.
//! Revoking drops the cached copies too, so it takes effect at once.

use super::Store;
use crate::backend::{Backend, now_ms};
use crate::cached;
use crate::error::{StoreError, StoreResult};
use crate::ops;
use crate::secrets;
use crate::security::{Authorization, SessionInfo, TotpCredential};
use rand::RngCore;
use social_core::AccountId;
use social_core::totp::{self, SecondFactor};

/// The `settings` key of the sign-up proof-of-work key.
const POW_SECRET_KEY: &str = "signup_pow_secret";

impl Store {
    /// The key that signs sign-up proof-of-work challenges (`social_core::pow`): 32 random
    /// bytes (as 64 hex digits) made on first use and kept in `settings`, so every sociald on
    /// the database accepts the others' challenges and a restart does not void open forms.
    /// There was no server secret to derive it from. Never logged, never sent.
    pub async fn signup_pow_secret(&self) -> StoreResult<std::sync::Arc<[u8]>> {
        if let Some(secret) = self.inner.pow_secret.get() {
            return Ok(secret.clone());
        }
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        let fresh: String = key.iter().map(|b| format!("{b:02x}")).collect();
        dispatch!(
            self,
            settings::insert_setting_if_absent(POW_SECRET_KEY, &fresh)
        )?;
        // A concurrent first use (another node) may have won; its value is the one kept.
        let kept = dispatch!(self, settings::get_setting(POW_SECRET_KEY))?.unwrap_or(fresh);
        let secret: std::sync::Arc<[u8]> = kept.into_bytes().into();
        Ok(self.inner.pow_secret.get_or_init(|| secret).clone())
    }
    pub async fn get_totp(&self, account: AccountId) -> StoreResult<Option<TotpCredential>> {
        dispatch!(self, security::get_totp(account.0))
    }
    /// Whether the account has confirmed two-factor authentication.
    pub async fn has_totp(&self, account: AccountId) -> StoreResult<bool> {
        Ok(self.get_totp(account).await?.is_some_and(|c| c.confirmed()))
    }
    /// Starts enrolment with a fresh secret (replacing an unconfirmed one) and returns it;
    /// Conflict when two-factor authentication is already on.
    pub async fn begin_totp(&self, account: AccountId) -> StoreResult<String> {
        let mut key = [0u8; totp::SECRET_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut key);
        let secret = totp::base32_encode(&key);
        if dispatch!(
            self,
            security::put_pending_totp(account.0, &secret, now_ms())
        )? {
            Ok(secret)
        } else {
            Err(StoreError::Conflict {
                what: "two-factor authentication",
            })
        }
    }
    /// Confirms enrolment with a current code; returns the new recovery codes (shown once,
    /// stored as hashes), or None when the code is wrong or nothing waits for confirmation.
    pub async fn confirm_totp(
        &self,
        account: AccountId,
        code: &str,
    ) -> StoreResult<Option<Vec<String>>> {
        let Some(cred) = self.get_totp(account).await?.filter(|c| !c.confirmed()) else {
            return Ok(None);
        };
        let key = totp::base32_decode(&cred.secret).unwrap_or_default();
        let Some(step) = totp::matching_step(&key, code, now_secs(), 0) else {
            return Ok(None);
        };
        let codes: Vec<String> = (0..totp::RECOVERY_CODES)
            .map(|_| {
                let mut random = [0u8; 8];
                rand::rngs::OsRng.fill_bytes(&mut random);
                totp::recovery_code_from(&random)
            })
            .collect();
        let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
        let done = dispatch!(
            self,
            security::confirm_totp(account.0, step, &hashes, now_ms())
        )?;
        Ok(done.then_some(codes))
    }
    /// Checks a second factor of an account with 2FA on: a current code not used before
    /// (the accepted step is recorded, so a code works once), or an unused recovery code
    /// (then used up).
    pub async fn check_second_factor(
        &self,
        account: AccountId,
        factor: &SecondFactor,
    ) -> StoreResult<bool> {
        match factor {
            SecondFactor::Code(code) => {
                let Some(cred) = self.get_totp(account).await?.filter(|c| c.confirmed()) else {
                    return Ok(false);
                };
                let key = totp::base32_decode(&cred.secret).unwrap_or_default();
                match totp::matching_step(&key, code, now_secs(), cred.last_step) {
                    Some(step) => dispatch!(self, security::use_totp_step(account.0, step)),
                    None => Ok(false),
                }
            }
            SecondFactor::Recovery(code) => {
                let hash = recovery_hash(code);
                dispatch!(
                    self,
                    security::use_recovery_code(account.0, &hash, now_ms())
                )
            }
        }
    }
    /// Unused recovery codes left.
    pub async fn count_recovery_codes(&self, account: AccountId) -> StoreResult<i64> {
        dispatch!(self, security::count_recovery_codes(account.0))
    }
    /// Turns two-factor authentication off (the caller has checked password and code).
    pub async fn delete_totp(&self, account: AccountId) -> StoreResult<()> {
        dispatch!(self, security::delete_totp(account.0))
    }

    // ---- sessions and authorizations -------------------------------------------------------

    /// The account's unexpired web sessions, most recently seen first.
    pub async fn list_sessions(&self, account: AccountId) -> StoreResult<Vec<SessionInfo>> {
        dispatch!(self, security::list_sessions(account.0, now_ms()))
    }
    /// Ends the account's session named `id` ([`SessionInfo::id`]); whether there was one.
    pub async fn revoke_session(&self, account: AccountId, id: &str) -> StoreResult<bool> {
        if id.len() != 16 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(false);
        }
        let hashes = dispatch!(self, security::delete_session_by_id(account.0, id))?;
        self.forget_sessions(&hashes).await;
        Ok(!hashes.is_empty())
    }
    /// Ends every session of the account but the one of `keep_token`; how many ended.
    pub async fn revoke_other_sessions(
        &self,
        account: AccountId,
        keep_token: &str,
    ) -> StoreResult<usize> {
        let keep = secrets::token_hash(keep_token);
        let hashes = dispatch!(self, security::delete_other_sessions(account.0, &keep))?;
        self.forget_sessions(&hashes).await;
        Ok(hashes.len())
    }
    async fn forget_sessions(&self, hashes: &[String]) {
        for hash in hashes {
            self.cache.delete(&cached::session_key(hash)).await;
        }
    }
    /// The account's live OAuth tokens and their apps, newest first.
    pub async fn list_authorizations(&self, account: AccountId) -> StoreResult<Vec<Authorization>> {
        dispatch!(self, security::list_authorizations(account.0, now_ms()))
    }
    /// Revokes one of the account's tokens by its ID; whether it was live.
    pub async fn revoke_authorization(
        &self,
        account: AccountId,
        token_id: i64,
    ) -> StoreResult<bool> {
        let hash = dispatch!(
            self,
            security::revoke_token_by_id(account.0, token_id, now_ms())
        )?;
        match hash {
            Some(h) => {
                self.cache.delete(&cached::token_key(&h)).await;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

/// What is stored of a recovery code: the SHA-256 of its normal form (lower case, no dash).
fn recovery_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    secrets::token_hash(&normal)
}

fn now_secs() -> u64 {
    u64::try_from(now_ms() / 1000).unwrap_or(0)
}
