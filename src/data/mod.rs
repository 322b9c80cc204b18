//! MNIST digits: the IDX file format, the shipped files, the fixed train / held-out split,
//! turning a drawing into an MNIST-style digit, and datasets a user brings.

pub mod augment;
pub mod idx;
pub mod mnist;
pub mod preprocess;
pub mod user_data;

pub use idx::{IdxError, decode_idx_pair};
pub use mnist::{Digits, HELD_OUT, IMAGE_PIXELS, IMAGE_SIDE, MnistError, MnistSplit};
pub use user_data::{Dataset, DatasetError, ImageDecoding, Loading, UserFile, load_user_files, start_loading};
