//! MNIST digits: the IDX file format, the shipped files, the fixed train / held-out split, and
//! turning a drawing into an MNIST-style digit.

pub mod idx;
pub mod mnist;
pub mod preprocess;

pub use idx::{IdxError, decode_idx_pair};
pub use mnist::{Digits, HELD_OUT, IMAGE_PIXELS, IMAGE_SIDE, MnistError, MnistSplit};
