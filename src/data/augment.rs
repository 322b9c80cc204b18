//! Few-label subsets and classic data augmentation: a digit moved by a few pixels and turned by
//! a few degrees is still the same digit, so such copies are free extra labelled examples.
//!
//! Written by hand (about fifty lines of bilinear resampling) rather than with an image crate,
//! to keep one more dependency out of the WebAssembly the site ships.

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng, rngs::StdRng};

use super::{Digits, IMAGE_PIXELS, IMAGE_SIDE};

/// Largest shift of a classic augmentation, in pixels, in each direction.
pub const MAX_SHIFT_PIXELS: f32 = 2.0;
/// Largest rotation of a classic augmentation, in degrees, either way.
pub const MAX_ROTATION_DEGREES: f32 = 15.0;

/// `per_class` digits of each class found in `digits`, drawn at random with `seed`, ordered by
/// class. A class with fewer digits gives all it has.
pub fn take_per_class(digits: &Digits, per_class: usize, seed: u64) -> Digits {
    let mut order: Vec<usize> = (0..digits.len()).collect();
    order.shuffle(&mut StdRng::seed_from_u64(seed));
    let mut taken = Digits {
        pixels: Vec::new(),
        labels: Vec::new(),
    };
    for class in 0..=u8::MAX {
        let chosen = order.iter().filter(|&&i| digits.labels[i] == class).take(per_class);
        for &i in chosen {
            taken.labels.push(class);
            taken.pixels.extend_from_slice(image(digits, i));
        }
    }
    taken
}

/// `copies_per_class` shifted and rotated copies of each class of `digits`, going round that
/// class's digits in turn; each copy is moved by up to [`MAX_SHIFT_PIXELS`] and turned by up to
/// [`MAX_ROTATION_DEGREES`], drawn with `seed`.
pub fn shifted_and_rotated(digits: &Digits, copies_per_class: usize, seed: u64) -> Digits {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut copies = Digits {
        pixels: Vec::new(),
        labels: Vec::new(),
    };
    for class in 0..=u8::MAX {
        let members: Vec<usize> = (0..digits.len()).filter(|&i| digits.labels[i] == class).collect();
        for &i in members
            .iter()
            .cycle()
            .take(if members.is_empty() { 0 } else { copies_per_class })
        {
            let shift = [
                rng.random_range(-MAX_SHIFT_PIXELS..=MAX_SHIFT_PIXELS),
                rng.random_range(-MAX_SHIFT_PIXELS..=MAX_SHIFT_PIXELS),
            ];
            let degrees = rng.random_range(-MAX_ROTATION_DEGREES..=MAX_ROTATION_DEGREES);
            copies.pixels.extend(shift_and_rotate(image(digits, i), shift, degrees));
            copies.labels.push(class);
        }
    }
    copies
}

/// One 28x28 image moved by `shift` (x right, y down, in pixels) and turned by `degrees`
/// (clockwise on screen) about the image centre, by bilinear resampling; pixels brought in
/// from outside the frame are blank.
pub fn shift_and_rotate(pixels: &[f32], shift: [f32; 2], degrees: f32) -> Vec<f32> {
    let side = IMAGE_SIDE as f32;
    let centre = (side - 1.0) / 2.0;
    let (sin, cos) = degrees.to_radians().sin_cos();
    let at = |x: i64, y: i64| -> f32 {
        if (0..IMAGE_SIDE as i64).contains(&x) && (0..IMAGE_SIDE as i64).contains(&y) {
            pixels[y as usize * IMAGE_SIDE + x as usize]
        } else {
            0.0
        }
    };
    let mut out = Vec::with_capacity(IMAGE_PIXELS);
    for row in 0..IMAGE_SIDE {
        for col in 0..IMAGE_SIDE {
            // Where this output pixel comes from: undo the shift, then the rotation.
            let (dx, dy) = (col as f32 - shift[0] - centre, row as f32 - shift[1] - centre);
            let (x, y) = (cos * dx + sin * dy + centre, -sin * dx + cos * dy + centre);
            let (x0, y0) = (x.floor(), y.floor());
            let (fx, fy) = (x - x0, y - y0);
            let (x0, y0) = (x0 as i64, y0 as i64);
            let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1, y0) * fx;
            let bottom = at(x0, y0 + 1) * (1.0 - fx) + at(x0 + 1, y0 + 1) * fx;
            out.push(top * (1.0 - fy) + bottom * fy);
        }
    }
    out
}

/// The pixels of digit `index`.
fn image(digits: &Digits, index: usize) -> &[f32] {
    &digits.pixels[index * IMAGE_PIXELS..(index + 1) * IMAGE_PIXELS]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 28x28 image with one lit pixel at (`x`, `y`).
    fn dot(x: usize, y: usize) -> Vec<f32> {
        let mut pixels = vec![0.0; IMAGE_PIXELS];
        pixels[y * IMAGE_SIDE + x] = 1.0;
        pixels
    }

    fn lit(pixels: &[f32]) -> Vec<(usize, usize)> {
        (0..IMAGE_PIXELS)
            .filter(|&i| pixels[i] > 0.5)
            .map(|i| (i % IMAGE_SIDE, i / IMAGE_SIDE))
            .collect()
    }

    #[test]
    fn whole_pixel_shifts_move_a_dot_exactly() {
        assert_eq!(lit(&shift_and_rotate(&dot(10, 12), [2.0, -1.0], 0.0)), vec![(12, 11)]);
        assert_eq!(shift_and_rotate(&dot(3, 3), [0.0, 0.0], 0.0), dot(3, 3));
    }

    #[test]
    fn a_quarter_turn_moves_a_dot_clockwise_about_the_centre() {
        // On screen (y down), clockwise takes the top middle to the right middle.
        let turned = shift_and_rotate(&dot(14, 4), [0.0, 0.0], 90.0);
        assert_eq!(lit(&turned), vec![(23, 14)]);
    }

    #[test]
    fn subsets_and_copies_keep_classes_and_follow_the_seed() {
        let digits = Digits {
            pixels: (0..30).flat_map(|i| dot(i % 20 + 4, 14)).collect(),
            labels: (0..30).map(|i| (i % 3) as u8).collect(),
        };
        let few = take_per_class(&digits, 4, 1);
        assert_eq!(few.labels, [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
        assert_eq!(few, take_per_class(&digits, 4, 1));
        assert_ne!(few, take_per_class(&digits, 4, 2));
        let copies = shifted_and_rotated(&few, 5, 3);
        assert_eq!(copies.len(), 15);
        assert_eq!(copies.pixels.len(), 15 * IMAGE_PIXELS);
        assert_eq!(&copies.labels[..5], &[0; 5]);
        assert_ne!(copies.pixels[..IMAGE_PIXELS], few.pixels[..IMAGE_PIXELS]);
    }
}
