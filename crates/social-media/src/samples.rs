//! Sample uploads built in code, for this crate's tests and the HTTP tests: images in each
//! format, a JPEG carrying EXIF (orientation and GPS position) and a comment, and a PNG whose
//! header claims a huge size.

use image::{DynamicImage, ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use std::io::Cursor;

/// The comment [`jpeg_with_exif`] embeds; it must not survive processing.
pub const SECRET_COMMENT: &[u8] = b"secret-comment-do-not-keep";

/// A `width` × `height` picture: left half red, right half blue.
pub fn two_colours(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, _| {
        if x < width / 2 {
            Rgb([220, 20, 20])
        } else {
            Rgb([20, 20, 220])
        }
    })
}

/// The image encoded in `format` (JPEG, PNG, GIF or WebP).
pub fn encoded(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let image = match format {
        ImageFormat::Jpeg => DynamicImage::ImageRgb8(image.to_rgb8()),
        _ => image.clone(),
    };
    image
        .write_to(&mut out, format)
        .expect("encoding a sample in memory cannot fail");
    out.into_inner()
}

/// A half-transparent PNG.
pub fn png_with_alpha(width: u32, height: u32) -> Vec<u8> {
    let image = RgbaImage::from_pixel(width, height, Rgba([10, 200, 10, 128]));
    encoded(&DynamicImage::ImageRgba8(image), ImageFormat::Png)
}

/// A JPEG of [`two_colours`] with an EXIF block (the given orientation, a GPS latitude) and a
/// comment segment, inserted after the start-of-image marker.
pub fn jpeg_with_exif(width: u32, height: u32, orientation: u16) -> Vec<u8> {
    let plain = encoded(
        &DynamicImage::ImageRgb8(two_colours(width, height)),
        ImageFormat::Jpeg,
    );
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"MM\x00\x2a\x00\x00\x00\x08");
    // IFD0 at 8: Orientation, GPS IFD pointer (to 38), no next IFD.
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&[0x01, 0x12, 0x00, 0x03, 0, 0, 0, 1]);
    tiff.extend_from_slice(&orientation.to_be_bytes());
    tiff.extend_from_slice(&[0, 0]);
    tiff.extend_from_slice(&[0x88, 0x25, 0x00, 0x04, 0, 0, 0, 1, 0, 0, 0, 38]);
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    // GPS IFD at 38: GPSLatitudeRef "N", GPSLatitude (3 rationals at 68).
    tiff.extend_from_slice(&2u16.to_be_bytes());
    tiff.extend_from_slice(&[0x00, 0x01, 0x00, 0x02, 0, 0, 0, 2, b'N', 0, 0, 0]);
    tiff.extend_from_slice(&[0x00, 0x02, 0x00, 0x05, 0, 0, 0, 3, 0, 0, 0, 68]);
    tiff.extend_from_slice(&[0, 0, 0, 0]);
    for (num, den) in [(52u32, 1u32), (31, 1), (4512, 100)] {
        tiff.extend_from_slice(&num.to_be_bytes());
        tiff.extend_from_slice(&den.to_be_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend_from_slice(&tiff);
    let mut out = plain[..2].to_vec();
    push_segment(&mut out, 0xE1, &app1);
    push_segment(&mut out, 0xFE, SECRET_COMMENT);
    out.extend_from_slice(&plain[2..]);
    out
}

fn push_segment(out: &mut Vec<u8>, marker: u8, payload: &[u8]) {
    let len = u16::try_from(payload.len() + 2).expect("sample segments are small");
    out.extend_from_slice(&[0xFF, marker]);
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(payload);
}

/// A small valid PNG whose header is rewritten to claim `width` × `height` (a decompression
/// bomb's calling card), with a correct header checksum.
pub fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut png = encoded(
        &DynamicImage::ImageRgb8(two_colours(4, 4)),
        ImageFormat::Png,
    );
    // Signature (8), IHDR length (4), "IHDR" at 12, width at 16, height at 20, CRC at 29.
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Whether a JPEG or PNG carries any metadata: an EXIF/XMP (APP1) or comment segment, the
/// `Exif` signature anywhere, a PNG `eXIf`/`tEXt`/`iTXt`/`zTXt` chunk, or the sample comment.
pub fn has_metadata(bytes: &[u8]) -> bool {
    let contains = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    contains(b"Exif")
        || contains(b"http://ns.adobe.com/xap")
        || contains(SECRET_COMMENT)
        || contains(b"eXIf")
        || contains(b"tEXt")
        || contains(b"iTXt")
        || contains(b"zTXt")
        || jpeg_segments(bytes).any(|m| m == 0xE1 || m == 0xFE)
}

/// The markers of a JPEG's segments before the image data.
fn jpeg_segments(bytes: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let mut at = 2;
    std::iter::from_fn(move || {
        if !bytes.starts_with(&[0xFF, 0xD8]) || at + 4 > bytes.len() || bytes[at] != 0xFF {
            return None;
        }
        let marker = bytes[at + 1];
        if marker == 0xDA {
            return None;
        }
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        at += 2 + len;
        Some(marker)
    })
}
