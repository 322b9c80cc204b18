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
    MnistSplit::read_folder(&data_dir()).expect("the shipped MNIST files decode")
}

/// A session of `kind` with the shipped pretrained weights loaded, on the CPU backend.
pub fn pretrained_session(kind: genplay::train::ModelKind) -> Box<dyn genplay::train::Session> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("public/weights");
    genplay::train::sessions::shipped_session(&dir, kind, &mnist(), &seeded::device()).unwrap()
}

/// The shipped digit classifier, on the CPU backend.
pub fn pretrained_classifier() -> genplay::model::DigitClassifier {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("public/weights/classifier.bpk");
    let file = genplay::weights::WeightsFile::parse(&std::fs::read(path).unwrap()).unwrap();
    genplay::train::classifier_from_file(file, &seeded::device()).unwrap()
}
