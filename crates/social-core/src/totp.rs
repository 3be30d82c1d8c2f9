//! Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP): HMAC-SHA-1, 6 digits,
//! 30-second steps, one step of clock drift either way; base32 secrets, `otpauth://` URIs
//! and the shape of recovery codes.

use hmac::{Hmac, Mac};
use sha1::Sha1;

/// Length of a time step in seconds.
pub const STEP_SECS: u64 = 30;
/// Digits of a code.
pub const DIGITS: usize = 6;
/// Steps of clock drift accepted either way.
pub const DRIFT_STEPS: i64 = 1;
/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;
/// Characters of a recovery code, without its dash.
pub const RECOVERY_CODE_LEN: usize = 10;
/// Recovery codes made at enrolment.
pub const RECOVERY_CODES: usize = 10;

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// RFC 4226 HOTP value of `counter`, reduced to [`DIGITS`] digits.
pub fn hotp(key: &[u8], counter: u64) -> u32 {
    // HMAC accepts keys of any length: `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(key) else {
        return u32::MAX;
    };
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    binary % 10u32.pow(DIGITS as u32)
}

/// The time step of a Unix time in seconds.
pub fn step_of(unix_secs: u64) -> i64 {
    i64::try_from(unix_secs / STEP_SECS).unwrap_or(i64::MAX)
}

/// The code of `step`, zero-padded.
pub fn code_at(key: &[u8], step: i64) -> String {
    format!("{:0width$}", hotp(key, step.max(0) as u64), width = DIGITS)
}

/// The step in `now ± DRIFT_STEPS` whose code is `code`, if it is later than `last_used`
/// (a code once accepted, or one older than it, cannot be used again). Compares every
/// candidate so the time taken does not depend on which one matched.
pub fn matching_step(key: &[u8], code: &str, now_secs: u64, last_used: i64) -> Option<i64> {
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = step_of(now_secs);
    let mut found = None;
    for step in (now - DRIFT_STEPS)..=(now + DRIFT_STEPS) {
        let expected = code_at(key, step);
        let same = expected
            .bytes()
            .zip(code.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
        if same && step > last_used && found.is_none() {
            found = Some(step);
        }
    }
    found
}

/// Base32 (RFC 4648) without padding, as authenticator apps take secrets.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Decodes base32, ignoring case, spaces and padding; None on any other character.
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|c| !matches!(c, b' ' | b'=')) {
        let upper = c.to_ascii_uppercase();
        let value = BASE32.iter().position(|&x| x == upper)? as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(((buffer >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}

/// The `otpauth://totp/…` URI an authenticator app reads from the QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret_b32: &str) -> String {
    let label = format!("{}:{}", uri_escape(issuer), uri_escape(account));
    format!(
        "otpauth://totp/{label}?secret={secret_b32}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
        uri_escape(issuer)
    )
}

fn uri_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// What the user typed in a second-factor field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecondFactor {
    /// Six digits from the app.
    Code(String),
    /// A recovery code, normalised (lower case, no dash or spaces).
    Recovery(String),
}

impl SecondFactor {
    /// Reads a code (`123 456` works) or a recovery code (`abcde-fghij`, any case); None for
    /// anything else.
    pub fn parse(input: &str) -> Option<Self> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if compact.len() == DIGITS && compact.bytes().all(|b| b.is_ascii_digit()) {
            Some(Self::Code(compact))
        } else if compact.len() == RECOVERY_CODE_LEN
            && compact.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            Some(Self::Recovery(compact.to_ascii_lowercase()))
        } else {
            None
        }
    }
}

/// A recovery code as shown to the user (`abcde-fghij`), from random bytes (at least 7).
pub fn recovery_code_from(random: &[u8]) -> String {
    let text = base32_encode(random).to_ascii_lowercase();
    let code: String = text.chars().take(RECOVERY_CODE_LEN).collect();
    let (a, b) = code.split_at(code.len().min(RECOVERY_CODE_LEN / 2));
    format!("{a}-{b}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B (SHA-1 key), the last six of its eight digits.
        let key = b"12345678901234567890";
        for (time, code) in [
            (59u64, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(code_at(key, step_of(time)), code, "t={time}");
        }
    }

    #[test]
    fn drift_and_replay() {
        let key = b"12345678901234567890";
        let now = 1_111_111_111;
        let step = step_of(now);
        let code = code_at(key, step);
        assert_eq!(matching_step(key, &code, now, 0), Some(step));
        assert_eq!(matching_step(key, &code, now, step), None, "replayed");
        let previous = code_at(key, step - 1);
        assert_eq!(matching_step(key, &previous, now, 0), Some(step - 1));
        assert_eq!(matching_step(key, &code_at(key, step - 2), now, 0), None);
        assert_eq!(matching_step(key, &code_at(key, step + 2), now, 0), None);
        assert_eq!(matching_step(key, "12345", now, 0), None);
        assert_eq!(matching_step(key, "abcdef", now, 0), None);
    }

    #[test]
    fn base32_round_trip() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_decode("mzxw6ytboi======"), Some(b"foobar".to_vec()));
        let secret = [7u8; SECRET_BYTES];
        assert_eq!(
            base32_decode(&base32_encode(&secret)),
            Some(secret.to_vec())
        );
        assert_eq!(base32_decode("M1"), None);
    }

    #[test]
    fn uri_and_codes() {
        let uri = otpauth_uri("My Social", "alice", "ABC");
        assert_eq!(
            uri,
            "otpauth://totp/My%20Social:alice?secret=ABC&issuer=My%20Social&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(
            SecondFactor::parse(" 123 456 "),
            Some(SecondFactor::Code("123456".into()))
        );
        assert_eq!(
            SecondFactor::parse("ABCDE-fghij"),
            Some(SecondFactor::Recovery("abcdefghij".into()))
        );
        assert_eq!(SecondFactor::parse("12345"), None);
        assert_eq!(SecondFactor::parse("abc!e-fghij"), None);
        let code = recovery_code_from(&[1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(code.len(), RECOVERY_CODE_LEN + 1);
        assert!(matches!(
            SecondFactor::parse(&code),
            Some(SecondFactor::Recovery(_))
        ));
    }
}
