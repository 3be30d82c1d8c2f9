//! Media attachments (uploaded images) and their rules: alt text length, the focal point, and
//! how many may hang on one post.

use crate::ids::{AccountId, MediaId, PostId};
use crate::validate::ValidationError;

/// Longest alt text (description), in characters, as Mastodon's default.
pub const DESCRIPTION_MAX_CHARS: usize = 1500;
/// Most attachments on one post.
pub const MAX_PER_POST: usize = 4;

/// The point of an image to keep in view when a client crops it: x and y in -1.0..=1.0,
/// (0, 0) the centre, (-1, 1) the top left corner (Mastodon's convention).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Focus {
    pub x: f64,
    pub y: f64,
}

impl Focus {
    /// Parses Mastodon's `"x,y"` form.
    pub fn parse(s: &str) -> Result<Focus, ValidationError> {
        let bad = || {
            ValidationError::new(
                "focus",
                "Focus must be two numbers \"x,y\" between -1.0 and 1.0.",
            )
        };
        let (x, y) = s.trim().split_once(',').ok_or_else(bad)?;
        let num = |v: &str| -> Result<f64, ValidationError> {
            let v: f64 = v.trim().parse().map_err(|_| bad())?;
            if v.is_finite() && (-1.0..=1.0).contains(&v) {
                Ok(v)
            } else {
                Err(bad())
            }
        };
        Ok(Focus {
            x: num(x)?,
            y: num(y)?,
        })
    }
}

/// Checks an alt text's length; returns it without surrounding whitespace.
pub fn description(text: &str) -> Result<String, ValidationError> {
    let text = text.trim();
    if text.chars().count() > DESCRIPTION_MAX_CHARS {
        return Err(ValidationError::new(
            "description",
            format!("Description is longer than {DESCRIPTION_MAX_CHARS} characters."),
        ));
    }
    Ok(text.to_owned())
}

/// An uploaded image as stored. Its files live under the media directory by the names here.
#[derive(Clone, Debug, PartialEq)]
pub struct MediaAttachment {
    pub id: MediaId,
    pub account_id: AccountId,
    /// `None` until a post is created with it.
    pub post_id: Option<PostId>,
    /// The re-encoded image, relative to the media directory (`ab/<hex>.jpg`).
    pub file_name: String,
    /// The thumbnail, relative to the media directory.
    pub thumb_name: String,
    /// Of the stored (re-encoded) file: `image/jpeg` or `image/png`.
    pub mime: String,
    pub width: u32,
    pub height: u32,
    /// Bytes of the stored file.
    pub size: i64,
    pub thumb_width: u32,
    pub thumb_height: u32,
    pub focus: Focus,
    /// Alt text; empty when none was given.
    pub description: String,
    pub blurhash: Option<String>,
    pub created_at_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn focus_parses_mastodon_form() {
        assert_eq!(
            Focus::parse("0.5,-0.25").ok(),
            Some(Focus { x: 0.5, y: -0.25 })
        );
        assert_eq!(
            Focus::parse(" -1 , 1 ").ok(),
            Some(Focus { x: -1.0, y: 1.0 })
        );
        for bad in ["", "0.5", "2,0", "0,-1.5", "a,b", "NaN,0", "inf,0"] {
            assert!(Focus::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn description_is_length_limited() {
        assert_eq!(description("  a cat  ").ok().as_deref(), Some("a cat"));
        assert!(description(&"é".repeat(DESCRIPTION_MAX_CHARS)).is_ok());
        assert!(description(&"é".repeat(DESCRIPTION_MAX_CHARS + 1)).is_err());
    }
}
