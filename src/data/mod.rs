//! MNIST digits: the IDX file format, the shipped files, the fixed train / held-out split,
//! turning a drawing into an MNIST-style digit, datasets a user brings, and the 2-D testbeds of
//! the mode-collapse lab.

pub mod augment;
pub mod idx;
pub mod mnist;
pub mod preprocess;
pub mod toy2d;
pub mod user_data;

pub use idx::{IdxError, decode_idx_pair};
pub use mnist::{Digits, HELD_OUT, IMAGE_PIXELS, IMAGE_SIDE, MnistError, MnistSplit};
pub use user_data::{Dataset, DatasetError, ImageDecoding, Loading, UserFile, load_user_files, start_loading};

/// One draw from N(0, 1) by the Box-Muller transform (`rand` alone has no normal distribution).
pub fn standard_normal(rng: &mut impl rand::Rng) -> f32 {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random::<f64>();
    ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
}
