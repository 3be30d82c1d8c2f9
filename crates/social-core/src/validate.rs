//! Validation of everything a person types: usernames, passwords, profile fields, post text.
//! Each check returns a [`ValidationError`] naming the field and saying what is wrong, so the
//! web layer can answer 422 with a reason and keep the rest of the form.

use std::fmt;

/// What is wrong with one field of a form.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    /// The form field (and API parameter) name.
    pub field: &'static str,
    /// A sentence a person can act on.
    pub message: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl ValidationError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// Result of a validation check.
pub type Validated<T> = Result<T, ValidationError>;

pub const USERNAME_MAX_CHARS: usize = 30;
pub const PASSWORD_MIN_CHARS: usize = 8;
/// Bounds the work one login attempt can cause.
pub const PASSWORD_MAX_BYTES: usize = 256;
pub const DISPLAY_NAME_MAX_CHARS: usize = 30;
pub const BIO_MAX_CHARS: usize = 500;
pub const SIGNUP_REASON_MAX_CHARS: usize = 500;
/// Default post length limit; the instance configuration may change it.
pub const DEFAULT_POST_MAX_CHARS: usize = 500;

/// A username: 1–30 of ASCII letters, digits and underscore. Returned as typed; uniqueness
/// ignores case (see [`username_key`]).
pub fn username(raw: &str) -> Validated<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(ValidationError::new("username", "Choose a username."));
    }
    if name.chars().count() > USERNAME_MAX_CHARS {
        return Err(ValidationError::new(
            "username",
            format!("A username has at most {USERNAME_MAX_CHARS} characters."),
        ));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(ValidationError::new(
            "username",
            "A username may contain only letters a–z, digits and underscores.",
        ));
    }
    Ok(name.to_owned())
}

/// The case-folded form under which usernames are unique and looked up.
pub fn username_key(name: &str) -> String {
    name.trim().to_ascii_lowercase()
}

/// A new password: 8 characters at least, 256 bytes at most, not the username.
pub fn new_password(password: &str, username: &str) -> Validated<()> {
    if password.chars().count() < PASSWORD_MIN_CHARS {
        return Err(ValidationError::new(
            "password",
            format!("A password has at least {PASSWORD_MIN_CHARS} characters."),
        ));
    }
    if password.len() > PASSWORD_MAX_BYTES {
        return Err(ValidationError::new(
            "password",
            format!("A password has at most {PASSWORD_MAX_BYTES} bytes."),
        ));
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(ValidationError::new(
            "password",
            "The password must not be the username.",
        ));
    }
    Ok(())
}

fn plain_text(
    field: &'static str,
    raw: &str,
    max_chars: usize,
    allow_newlines: bool,
) -> Validated<String> {
    let text = raw.trim();
    let count = text.chars().count();
    if count > max_chars {
        return Err(ValidationError::new(
            field,
            format!("At most {max_chars} characters (this has {count})."),
        ));
    }
    if text
        .chars()
        .any(|c| c.is_control() && !(allow_newlines && matches!(c, '\n' | '\r' | '\t')))
    {
        return Err(ValidationError::new(
            field,
            "Control characters are not allowed.",
        ));
    }
    Ok(text.replace("\r\n", "\n"))
}

/// A display name: at most 30 characters, one line.
pub fn display_name(raw: &str) -> Validated<String> {
    plain_text("display_name", raw, DISPLAY_NAME_MAX_CHARS, false)
}

/// A profile bio: at most 500 characters, line breaks allowed.
pub fn bio(raw: &str) -> Validated<String> {
    plain_text("bio", raw, BIO_MAX_CHARS, true)
}

/// The reason given with a sign-up request under approval mode.
pub fn signup_reason(raw: &str) -> Validated<String> {
    plain_text("reason", raw, SIGNUP_REASON_MAX_CHARS, true)
}

/// A content warning (Mastodon's `spoiler_text`): one line of plain text, counted with the
/// post's text against the one character limit (as Mastodon counts it). Returns the trimmed
/// warning and the characters left for the text.
pub fn content_warning(raw: &str, max_chars: usize) -> Validated<(String, usize)> {
    let warning = plain_text("spoiler_text", raw, max_chars, false)?;
    let left = max_chars - warning.chars().count();
    Ok((warning, left))
}

/// Post text with a content warning: the text takes what the warning leaves of `max_chars`,
/// and a too long pair names the shared limit.
pub fn post_text_with_warning(
    raw: &str,
    warning_chars: usize,
    max_chars: usize,
) -> Validated<String> {
    let count = raw.trim().chars().count() + warning_chars;
    if count > max_chars {
        return Err(ValidationError::new(
            "text",
            format!(
                "At most {max_chars} characters with the content warning (these have {count})."
            ),
        ));
    }
    post_text(raw, max_chars - warning_chars)
}

/// Post text: not empty, at most `max_chars` characters.
pub fn post_text(raw: &str, max_chars: usize) -> Validated<String> {
    let text = plain_text("text", raw, max_chars, true)?;
    if text.is_empty() {
        return Err(ValidationError::new("text", "A post cannot be empty."));
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        assert_eq!(username(" Alice_1 ").as_deref(), Ok("Alice_1"));
        assert!(username("").is_err());
        assert!(username("a-b").is_err());
        assert!(username("ä").is_err());
        assert!(username(&"x".repeat(31)).is_err());
        assert_eq!(username_key("Alice"), "alice");
    }

    #[test]
    fn passwords() {
        assert!(new_password("short", "bob").is_err());
        assert!(new_password("BobBobBob", "bobbobbob").is_err());
        assert!(new_password(&"x".repeat(257), "bob").is_err());
        assert!(new_password("correct horse", "bob").is_ok());
    }

    #[test]
    fn post_text_limits() {
        assert!(post_text("   ", 500).is_err());
        assert!(post_text(&"é".repeat(500), 500).is_ok());
        let err = post_text(&"é".repeat(501), 500).unwrap_err();
        assert_eq!(err.field, "text");
        assert!(post_text("nul\0byte", 500).is_err());
        assert_eq!(post_text("a\r\nb", 500).as_deref(), Ok("a\nb"));
    }

    #[test]
    fn content_warning_shares_the_limit() {
        assert_eq!(content_warning("  ", 10), Ok((String::new(), 10)));
        assert_eq!(
            content_warning(" spoilers ", 10),
            Ok(("spoilers".into(), 2))
        );
        assert_eq!(
            content_warning("x\ny", 10).unwrap_err().field,
            "spoiler_text"
        );
        assert!(content_warning("bell\u{7}", 10).is_err());
        assert!(content_warning(&"é".repeat(11), 10).is_err());
        assert_eq!(post_text_with_warning("hi", 8, 10).as_deref(), Ok("hi"));
        let err = post_text_with_warning("hi!", 8, 10).unwrap_err();
        assert_eq!(err.field, "text");
        assert!(err.message.contains("content warning"), "{}", err.message);
        assert!(post_text_with_warning("  ", 0, 10).is_err());
    }

    #[test]
    fn display_name_is_one_line() {
        assert!(display_name("two\nlines").is_err());
        assert!(bio("two\nlines").is_ok());
    }
}
