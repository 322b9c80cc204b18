//! MNIST digits: the IDX file format, the shipped files, and the fixed train / held-out split.

pub mod idx;
pub mod mnist;

pub use idx::{IdxError, decode_idx_pair};
pub use mnist::{Digits, HELD_OUT, IMAGE_PIXELS, IMAGE_SIDE, MnistError, MnistSplit};
