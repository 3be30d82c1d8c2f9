#![allow(clippy::unwrap_used)]

use super::*;
use crate::samples;
use image::ImageFormat;

fn decode(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory(bytes).unwrap()
}

#[test]
fn exif_and_comments_are_gone_and_orientation_is_applied() {
    let upload = samples::jpeg_with_exif(40, 20, 6);
    assert!(samples::has_metadata(&upload), "the sample carries EXIF");
    let out = process(&upload, &Limits::default()).unwrap();
    assert_eq!(out.source, Format::Jpeg);
    assert_eq!(out.original.mime, "image/jpeg");
    assert!(!samples::has_metadata(&out.original.bytes));
    assert!(!samples::has_metadata(&out.thumbnail.bytes));
    // Orientation 6: rotate 90° clockwise, so the red left half is now on top.
    assert_eq!((out.original.width, out.original.height), (20, 40));
    let stored = decode(&out.original.bytes).to_rgb8();
    assert_eq!(stored.dimensions(), (20, 40));
    let top = stored.get_pixel(10, 5).0;
    let bottom = stored.get_pixel(10, 35).0;
    assert!(top[0] > 150 && top[2] < 100, "top {top:?}");
    assert!(bottom[2] > 150 && bottom[0] < 100, "bottom {bottom:?}");
}

#[test]
fn each_format_is_accepted_and_downscaled() {
    let image = DynamicImage::ImageRgb8(samples::two_colours(3000, 1000));
    let limits = Limits::default();
    for format in [
        ImageFormat::Jpeg,
        ImageFormat::Png,
        ImageFormat::Gif,
        ImageFormat::WebP,
    ] {
        let out = process(&samples::encoded(&image, format), &limits).unwrap();
        assert_eq!((out.original.width, out.original.height), (1920, 640));
        assert_eq!((out.thumbnail.width, out.thumbnail.height), (400, 133));
        assert_eq!(out.original.mime, "image/jpeg", "{format:?}");
        assert_eq!(out.blurhash.len(), 28);
        assert_eq!(decode(&out.thumbnail.bytes).width(), 400);
    }
}

#[test]
fn transparency_keeps_png() {
    let out = process(&samples::png_with_alpha(30, 30), &Limits::default()).unwrap();
    assert_eq!(out.original.mime, "image/png");
    assert_eq!(out.original.ext, "png");
    assert!(decode(&out.original.bytes).color().has_alpha());
}

#[test]
fn refusals() {
    let limits = Limits::default();
    assert_eq!(
        process(b"just some text\n", &limits).unwrap_err(),
        MediaError::Unsupported
    );
    assert_eq!(
        process(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>", &limits).unwrap_err(),
        MediaError::Unsupported
    );
    let jpeg = samples::encoded(
        &DynamicImage::ImageRgb8(samples::two_colours(64, 64)),
        ImageFormat::Jpeg,
    );
    assert_eq!(
        process(&jpeg[..jpeg.len() / 2], &limits).unwrap_err(),
        MediaError::Corrupt
    );
    assert!(matches!(
        process(&samples::png_claiming(100_000, 100_000), &limits).unwrap_err(),
        MediaError::TooManyPixels { .. }
    ));
    assert!(matches!(
        process(&samples::png_claiming(8000, 8000), &limits).unwrap_err(),
        MediaError::TooManyPixels { .. }
    ));
    let small = Limits {
        max_bytes: 100,
        ..Limits::default()
    };
    assert_eq!(process(&jpeg, &small).unwrap_err(), MediaError::TooLarge);
}

#[test]
fn files_are_stored_and_removed() {
    let dir = tempfile::tempdir().unwrap();
    let files = MediaFiles::new(dir.path().join("media"));
    let out = process(&samples::jpeg_with_exif(10, 10, 1), &Limits::default()).unwrap();
    let names = files.store(&out).unwrap();
    assert!(files::is_stored_name(&names.original));
    assert!(files::is_stored_name(&names.thumbnail));
    let path = files.path_of(&names.original).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), out.original.bytes);
    files.try_remove(&names.original).unwrap();
    files.try_remove(&names.original).unwrap();
    assert!(!path.exists());
}
