//! Turning a drawing into an MNIST-style digit, the way MNIST's digits were made (LeCun et
//! al.): the ink's bounding box is scaled, keeping its aspect ratio, so that its longer side is
//! 20 pixels, then placed in a 28x28 image so that its centre of mass is at the centre.

use super::mnist::{IMAGE_PIXELS, IMAGE_SIDE};

/// Side of the box the ink is scaled into.
const INK_BOX: usize = 20;
/// Intensity above which a pixel counts as ink when finding the bounding box.
const INK_THRESHOLD: f32 = 0.05;

/// The MNIST-style 28x28 digit (784 intensities in `[0, 1]`) of a `width` x `height` drawing
/// (`pixels` row by row, ink near 1), or `None` if nothing is drawn.
pub fn mnist_style(pixels: &[f32], width: usize, height: usize) -> Option<Vec<f32>> {
    if width == 0 || height == 0 || pixels.len() != width * height {
        return None;
    }
    let ink = |x: usize, y: usize| pixels[y * width + x];
    let (mut left, mut right, mut top, mut bottom) = (width, 0, height, 0);
    for y in 0..height {
        for x in 0..width {
            if ink(x, y) > INK_THRESHOLD {
                left = left.min(x);
                right = right.max(x);
                top = top.min(y);
                bottom = bottom.max(y);
            }
        }
    }
    if left > right {
        return None;
    }
    let (box_width, box_height) = (right - left + 1, bottom - top + 1);
    let scale = INK_BOX as f32 / box_width.max(box_height) as f32;
    let (out_width, out_height) = (
        ((box_width as f32 * scale).round() as usize).clamp(1, INK_BOX),
        ((box_height as f32 * scale).round() as usize).clamp(1, INK_BOX),
    );
    // Area-averaging resample of the box into out_width x out_height.
    let mut small = vec![0.0f32; out_width * out_height];
    for oy in 0..out_height {
        let (y0, y1) = (
            top as f32 + oy as f32 * box_height as f32 / out_height as f32,
            top as f32 + (oy + 1) as f32 * box_height as f32 / out_height as f32,
        );
        for ox in 0..out_width {
            let (x0, x1) = (
                left as f32 + ox as f32 * box_width as f32 / out_width as f32,
                left as f32 + (ox + 1) as f32 * box_width as f32 / out_width as f32,
            );
            small[oy * out_width + ox] = area_mean(pixels, width, (x0, x1), (y0, y1));
        }
    }
    // Centre of mass of the scaled ink, moved to the image centre.
    let mass: f32 = small.iter().sum();
    let (mut cx, mut cy) = (0.0f32, 0.0f32);
    for (i, &v) in small.iter().enumerate() {
        cx += v * (i % out_width) as f32;
        cy += v * (i / out_width) as f32;
    }
    let (cx, cy) = if mass > 0.0 {
        (cx / mass, cy / mass)
    } else {
        ((out_width - 1) as f32 / 2.0, (out_height - 1) as f32 / 2.0)
    };
    let centre = (IMAGE_SIDE as f32 - 1.0) / 2.0;
    let (shift_x, shift_y) = ((centre - cx).round() as i64, (centre - cy).round() as i64);
    let mut digit = vec![0.0f32; IMAGE_PIXELS];
    for (i, &v) in small.iter().enumerate() {
        let (x, y) = ((i % out_width) as i64 + shift_x, (i / out_width) as i64 + shift_y);
        if (0..IMAGE_SIDE as i64).contains(&x) && (0..IMAGE_SIDE as i64).contains(&y) {
            digit[y as usize * IMAGE_SIDE + x as usize] = v.clamp(0.0, 1.0);
        }
    }
    Some(digit)
}

/// Mean of `pixels` over the rectangle `[x0, x1) x [y0, y1)` (fractional edges weighted).
fn area_mean(pixels: &[f32], width: usize, (x0, x1): (f32, f32), (y0, y1): (f32, f32)) -> f32 {
    let height = pixels.len() / width;
    let (mut sum, mut area) = (0.0f32, 0.0f32);
    for y in y0.floor() as usize..(y1.ceil() as usize).min(height) {
        let wy = (y1.min(y as f32 + 1.0) - y0.max(y as f32)).max(0.0);
        for x in x0.floor() as usize..(x1.ceil() as usize).min(width) {
            let wx = (x1.min(x as f32 + 1.0) - x0.max(x as f32)).max(0.0);
            sum += pixels[y * width + x] * wx * wy;
            area += wx * wy;
        }
    }
    if area > 0.0 { sum / area } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `w` x `h` canvas with a filled rectangle of ink.
    fn canvas(w: usize, h: usize, (x0, y0, x1, y1): (usize, usize, usize, usize)) -> Vec<f32> {
        (0..w * h)
            .map(|i| {
                if (x0..x1).contains(&(i % w)) && (y0..y1).contains(&(i / w)) {
                    1.0
                } else {
                    0.0
                }
            })
            .collect()
    }

    fn ink_box(digit: &[f32]) -> (usize, usize, usize, usize) {
        let inked: Vec<usize> = (0..IMAGE_PIXELS).filter(|&i| digit[i] > 0.05).collect();
        let xs = inked.iter().map(|i| i % IMAGE_SIDE);
        let ys = inked.iter().map(|i| i / IMAGE_SIDE);
        (
            xs.clone().min().unwrap(),
            ys.clone().min().unwrap(),
            xs.max().unwrap(),
            ys.max().unwrap(),
        )
    }

    #[test]
    fn nothing_drawn_gives_nothing() {
        assert_eq!(mnist_style(&vec![0.0; 100], 10, 10), None);
        assert_eq!(mnist_style(&[], 0, 0), None);
    }

    #[test]
    fn a_stroke_anywhere_is_scaled_to_twenty_pixels_and_centred() {
        // A tall bar in the top-left corner of a 280 x 280 canvas.
        let digit = mnist_style(&canvas(280, 280, (10, 20, 50, 180)), 280, 280).unwrap();
        let (left, top, right, bottom) = ink_box(&digit);
        assert_eq!(bottom - top + 1, 20, "the longer side becomes 20 pixels");
        assert_eq!(right - left + 1, 5, "the aspect ratio is kept (40 x 160 -> 5 x 20)");
        let mass: f32 = digit.iter().sum();
        let cx: f32 = digit
            .iter()
            .enumerate()
            .map(|(i, v)| v * (i % IMAGE_SIDE) as f32)
            .sum::<f32>()
            / mass;
        let cy: f32 = digit
            .iter()
            .enumerate()
            .map(|(i, v)| v * (i / IMAGE_SIDE) as f32)
            .sum::<f32>()
            / mass;
        assert!(
            (cx - 13.5).abs() <= 0.5 && (cy - 13.5).abs() <= 0.5,
            "centre of mass at ({cx}, {cy})"
        );
        assert!(digit.iter().all(|v| (0.0..=1.0).contains(v)));
    }
}
