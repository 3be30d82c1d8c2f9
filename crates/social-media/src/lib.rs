//! Image uploads: the type sniffed from the bytes (JPEG, PNG, GIF, WebP and nothing else), size
//! and pixel limits checked before decoding, EXIF orientation applied, then a re-encode that
//! keeps no metadata (EXIF with GPS, XMP, comments, colour profiles), a downscaled original,
//! a thumbnail and a blurhash; and the [`files::MediaFiles`] directory the results live in.
//!
//! CPU-bound and blocking: callers run [`process`] on a blocking thread.

pub mod blurhash;
pub mod files;
pub mod samples;
pub mod sniff;

pub use files::MediaFiles;
pub use sniff::Format;

use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageReader};
use std::io::Cursor;

/// What an upload may be, and what it becomes.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest upload in bytes (checked by the caller before reading, and again here).
    pub max_bytes: usize,
    /// Widest or tallest accepted image, read from the header before decoding.
    pub max_side: u32,
    /// Most pixels (width × height) accepted, read from the header before decoding.
    pub max_pixels: u64,
    /// The stored image's longer side is at most this (larger images are downscaled).
    pub stored_side: u32,
    /// The thumbnail's longer side.
    pub thumb_side: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            max_side: 8192,
            max_pixels: 33_177_600,
            stored_side: 1920,
            thumb_side: 400,
        }
    }
}

/// Why an upload is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum MediaError {
    /// Not one of the accepted formats, whatever its name or declared type says (422).
    #[error("file type not supported")]
    Unsupported,
    /// Above `Limits::max_bytes` (413).
    #[error("file too large")]
    TooLarge,
    /// Above the pixel or side limits (422).
    #[error("image dimensions {width}x{height} are too large")]
    TooManyPixels { width: u32, height: u32 },
    /// The bytes claim an accepted format but do not decode: truncated or corrupt (422).
    #[error("the image could not be read")]
    Corrupt,
    /// Encoding our own output failed (500).
    #[error("encoding failed: {0}")]
    Encode(String),
}

/// One encoded image, ready to be written.
#[derive(Clone, Debug)]
pub struct Encoded {
    pub bytes: Vec<u8>,
    /// `image/jpeg` or `image/png`.
    pub mime: &'static str,
    /// `jpg` or `png`.
    pub ext: &'static str,
    pub width: u32,
    pub height: u32,
}

/// The result of [`process`]: the stored image, its thumbnail, and a blurhash.
#[derive(Clone, Debug)]
pub struct Processed {
    pub original: Encoded,
    pub thumbnail: Encoded,
    pub blurhash: String,
    /// The format the upload was in.
    pub source: Format,
}

/// Checks, decodes and re-encodes one upload. A GIF keeps its first frame only.
pub fn process(bytes: &[u8], limits: &Limits) -> Result<Processed, MediaError> {
    if bytes.len() > limits.max_bytes {
        return Err(MediaError::TooLarge);
    }
    let format = sniff::sniff(bytes).ok_or(MediaError::Unsupported)?;
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(limits.max_side);
    decoder_limits.max_image_height = Some(limits.max_side);
    // Room for the decoded frame (RGBA, 16 bits at worst) plus the decoder's own buffers.
    decoder_limits.max_alloc = Some(limits.max_pixels.saturating_mul(8) + (64 << 20));
    reader.limits(decoder_limits);
    let mut decoder = reader.into_decoder().map_err(|e| header_error(&e))?;
    let (width, height) = decoder.dimensions();
    if width == 0
        || height == 0
        || width > limits.max_side
        || height > limits.max_side
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(MediaError::TooManyPixels { width, height });
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|_| MediaError::Corrupt)?;
    image.apply_orientation(orientation);
    let stored = fit(image, limits.stored_side, FilterType::CatmullRom);
    let thumb = fit(stored.clone(), limits.thumb_side, FilterType::Triangle);
    let alpha = has_transparency(&stored);
    Ok(Processed {
        blurhash: blurhash::encode(&thumb.to_rgb8(), 4, 3),
        original: encode(&stored, alpha)?,
        thumbnail: encode(&thumb, alpha)?,
        source: format,
    })
}

/// A header that does not parse is corrupt; one over the decoder limits is too large.
fn header_error(e: &image::ImageError) -> MediaError {
    match e {
        image::ImageError::Limits(_) => MediaError::TooManyPixels {
            width: 0,
            height: 0,
        },
        image::ImageError::Unsupported(_) => MediaError::Unsupported,
        _ => MediaError::Corrupt,
    }
}

/// `image` scaled down (never up) so its longer side is at most `side`.
fn fit(image: DynamicImage, side: u32, filter: FilterType) -> DynamicImage {
    if image.width() <= side && image.height() <= side {
        return image;
    }
    image.resize(side, side, filter)
}

/// Whether any pixel is not fully opaque (only then is PNG worth its size).
fn has_transparency(image: &DynamicImage) -> bool {
    if !image.color().has_alpha() {
        return false;
    }
    image.to_rgba8().pixels().any(|p| p.0[3] < 255)
}

/// Photos (and anything opaque) as JPEG quality 85; images with transparency as PNG. The
/// encoders write pixels only: no EXIF, XMP, ICC or comment survives.
fn encode(image: &DynamicImage, alpha: bool) -> Result<Encoded, MediaError> {
    let mut out = Cursor::new(Vec::new());
    let (mime, ext) = if alpha {
        image
            .to_rgba8()
            .write_to(&mut out, image::ImageFormat::Png)
            .map_err(|e| MediaError::Encode(e.to_string()))?;
        ("image/png", "png")
    } else {
        let rgb = image.to_rgb8();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
            .encode_image(&rgb)
            .map_err(|e| MediaError::Encode(e.to_string()))?;
        ("image/jpeg", "jpg")
    };
    Ok(Encoded {
        bytes: out.into_inner(),
        mime,
        ext,
        width: image.width(),
        height: image.height(),
    })
}

#[cfg(test)]
mod tests;
