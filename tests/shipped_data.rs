//! The shipped MNIST files: their checksums and the split every part of genplay uses.

use genplay::data::{HELD_OUT, IMAGE_PIXELS, MnistSplit};
use sha2::{Digest, Sha256};

mod common;

#[test]
fn shipped_files_match_their_recorded_sha256() {
    let sums = std::fs::read_to_string(common::data_dir().join("SHA256SUMS")).unwrap();
    let mut checked = 0;
    for line in sums.lines() {
        let (expected, name) = line.split_once("  ").expect("`sha256  name` lines");
        let bytes = std::fs::read(common::data_dir().join(name)).unwrap();
        let actual = format!("{:x}", Sha256::digest(&bytes));
        assert_eq!(
            actual, expected,
            "{name} changed: regenerate it with tests/tools/mnist-to-idx.mjs"
        );
        checked += 1;
    }
    assert_eq!(checked, 2, "SHA256SUMS should list the images and the labels");
}

#[test]
fn split_holds_out_the_last_thousand_real_digits() {
    let split = common::mnist();
    assert_eq!(split.train.len(), 9_000);
    assert_eq!(split.held_out.len(), HELD_OUT);
    assert_eq!(split.train.pixels.len(), 9_000 * IMAGE_PIXELS);
    assert!(
        split
            .train
            .pixels
            .iter()
            .chain(&split.held_out.pixels)
            .all(|p| (0.0..=1.0).contains(p))
    );
    // Every class appears in both parts, in roughly MNIST's proportions.
    for part in [&split.train, &split.held_out] {
        let mut counts = [0usize; 10];
        part.labels.iter().for_each(|&l| counts[l as usize] += 1);
        let least = *counts.iter().min().unwrap() as f64 / part.len() as f64;
        assert!(least > 0.06, "a class is under-represented: {counts:?}");
    }
    // Real digits: about 19% of MNIST pixels are ink (> 0.5), and a digit is not blank.
    let ink = split.train.pixels.iter().filter(|&&p| p > 0.5).count() as f64 / split.train.pixels.len() as f64;
    assert!((0.10..0.25).contains(&ink), "ink fraction {ink}");
}

#[test]
fn a_truncated_copy_of_the_shipped_file_is_rejected() {
    let (images, labels) = common::mnist_bytes();
    let half = &images[..images.len() / 2];
    assert!(MnistSplit::from_idx(half, &labels).is_err());
}
