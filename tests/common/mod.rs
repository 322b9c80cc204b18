//! Helpers shared by the native integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use genplay::data::MnistSplit;
use genplay::data::mnist::{IMAGES_FILE, LABELS_FILE};

pub mod seeded;

/// The folder with the shipped MNIST files.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("public/data")
}

/// The raw bytes of the shipped images and labels files.
pub fn mnist_bytes() -> (Vec<u8>, Vec<u8>) {
    let read = |name| std::fs::read(data_dir().join(name)).unwrap();
    (read(IMAGES_FILE), read(LABELS_FILE))
}

/// The shipped digits, split.
pub fn mnist() -> MnistSplit {
    let (images, labels) = mnist_bytes();
    MnistSplit::from_idx(&images, &labels).expect("the shipped MNIST files decode")
}
