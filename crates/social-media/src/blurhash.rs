//! The BlurHash of an image (<https://blurha.sh>): a short string clients draw as a blurred
//! placeholder while the image loads. Computed on the thumbnail, so it is cheap.

use image::RgbImage;

const BASE83: &[u8; 83] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~";

fn base83(value: u32, length: u32, out: &mut String) {
    for i in 1..=length {
        let digit = (value / 83u32.pow(length - i)) % 83;
        out.push(char::from(BASE83[digit as usize]));
    }
}

fn srgb_to_linear(v: u8) -> f64 {
    let v = f64::from(v) / 255.0;
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

fn linear_to_srgb(v: f64) -> u32 {
    let v = v.clamp(0.0, 1.0);
    let s = if v <= 0.003_130_8 {
        v * 12.92
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    };
    // In 0..=255 after the clamp above.
    (s * 255.0 + 0.5) as u32
}

fn sign_pow(v: f64, exp: f64) -> f64 {
    v.abs().powf(exp).copysign(v)
}

/// The hash with `x` × `y` components (each 1..=9).
pub fn encode(image: &RgbImage, x: u32, y: u32) -> String {
    let (x, y) = (x.clamp(1, 9), y.clamp(1, 9));
    let (w, h) = (image.width().max(1), image.height().max(1));
    let linear: Vec<[f64; 3]> = image.pixels().map(|p| p.0.map(srgb_to_linear)).collect();
    let mut factors = Vec::with_capacity((x * y) as usize);
    for j in 0..y {
        for i in 0..x {
            let norm = if i == 0 && j == 0 { 1.0 } else { 2.0 };
            let mut sum = [0.0; 3];
            for py in 0..image.height() {
                let by = (std::f64::consts::PI * f64::from(j) * f64::from(py) / f64::from(h)).cos();
                for px in 0..image.width() {
                    let basis = by
                        * (std::f64::consts::PI * f64::from(i) * f64::from(px) / f64::from(w))
                            .cos();
                    let p = linear[(py * image.width() + px) as usize];
                    for c in 0..3 {
                        sum[c] += basis * p[c];
                    }
                }
            }
            let scale = norm / f64::from(w * h);
            factors.push(sum.map(|s| s * scale));
        }
    }
    let mut out = String::with_capacity(28);
    base83((x - 1) + (y - 1) * 9, 1, &mut out);
    let ac = &factors[1..];
    let max = if ac.is_empty() {
        base83(0, 1, &mut out);
        1.0
    } else {
        let actual = ac
            .iter()
            .flat_map(|f| f.iter().map(|v| v.abs()))
            .fold(0.0_f64, f64::max);
        let quantised = (actual * 166.0 - 0.5).floor().clamp(0.0, 82.0) as u32;
        base83(quantised, 1, &mut out);
        f64::from(quantised + 1) / 166.0
    };
    let dc = factors[0];
    base83(
        (linear_to_srgb(dc[0]) << 16) + (linear_to_srgb(dc[1]) << 8) + linear_to_srgb(dc[2]),
        4,
        &mut out,
    );
    for f in ac {
        let q = f.map(|v| {
            (sign_pow(v / max, 0.5) * 9.0 + 9.5)
                .floor()
                .clamp(0.0, 18.0) as u32
        });
        base83(q[0] * 19 * 19 + q[1] * 19 + q[2], 2, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_image_hashes_to_its_colour() {
        let image = RgbImage::from_pixel(8, 8, image::Rgb([255, 0, 0]));
        let hash = encode(&image, 4, 3);
        assert_eq!(hash.len(), 28);
        // Size flag 3 + 2*9 = 21 -> 'L'; then the AC maximum; then DC = 0xFF0000.
        assert!(hash.starts_with('L'), "{hash}");
        let mut dc = String::new();
        base83(0xFF_0000, 4, &mut dc);
        assert_eq!(&hash[2..6], dc);
    }
}
