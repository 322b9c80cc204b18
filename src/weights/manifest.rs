//! `public/weights/manifest.json`: one entry per shipped weights file, written by the
//! pretraining command and read by the app before it fetches a file.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::zoo::Hyperparameters;

/// File name of the manifest, next to the weights files.
pub const MANIFEST_FILE: &str = "manifest.json";

/// Every shipped weights file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// One entry per file.
    pub files: Vec<ManifestEntry>,
}

/// One shipped weights file and how it was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// The model's id.
    pub model: String,
    /// File name, relative to the manifest.
    pub file: String,
    /// The model's full burn `Config`.
    pub config: Value,
    /// The hyper-parameters it was trained with (models of the zoo).
    pub settings: Option<Hyperparameters>,
    /// Training steps.
    pub steps: usize,
    /// Seed of the run.
    pub seed: u64,
    /// Wall time of the training, in seconds.
    pub wall_seconds: f64,
    /// Where it was trained ("flex CPU, native", …).
    pub trained_on: String,
    /// Held-out metrics, by name (see the pretraining command for their definitions).
    pub metrics: BTreeMap<String, f64>,
    /// Size of the file in bytes.
    pub bytes: usize,
    /// SHA-256 of the file, lowercase hex.
    pub sha256: String,
}

/// The names of the held-out metrics in a manifest entry, written by the pretraining command and
/// read by the page.
pub mod metric {
    /// The digit classifier's accuracy on the held-out digits.
    pub const HELD_OUT_ACCURACY: &str = "held_out_accuracy";
    /// Reconstruction cross-entropy on the held-out digits, nats per image.
    pub const HELD_OUT_RECONSTRUCTION_BCE: &str = "held_out_reconstruction_bce";
    /// A VAE's KL term on the held-out digits, nats per image.
    pub const HELD_OUT_KL: &str = "held_out_kl";
    /// A VAE's ELBO on the held-out digits, nats per image.
    pub const HELD_OUT_ELBO: &str = "held_out_elbo";
    /// Digit classes the classifier finds among 1,000 samples.
    pub const SAMPLE_CLASSES_COVERED: &str = "sample_classes_covered";
    /// The classifier's mean confidence on the samples.
    pub const SAMPLE_MEAN_CONFIDENCE: &str = "sample_mean_confidence";
    /// The Inception-Score-like figure of the samples.
    pub const SAMPLE_INCEPTION_SCORE: &str = "sample_inception_score";
    /// A conditional model's share of samples read as the class asked for.
    pub const SAMPLE_CLASS_ACCURACY: &str = "sample_class_accuracy";
}

impl Manifest {
    /// The entry of `model`, if one is shipped.
    pub fn entry(&self, model: &str) -> Option<&ManifestEntry> {
        self.files.iter().find(|e| e.model == model)
    }

    /// Replaces the entry of the same model, or adds it; entries stay in insertion order.
    pub fn upsert(&mut self, entry: ManifestEntry) {
        match self.files.iter_mut().find(|e| e.model == entry.model) {
            Some(existing) => *existing = entry,
            None => self.files.push(entry),
        }
    }
}

impl ManifestEntry {
    /// Checks downloaded `bytes` against the entry's size and checksum.
    pub fn verify(&self, bytes: &[u8]) -> Result<(), String> {
        if bytes.len() != self.bytes {
            return Err(format!(
                "{} is {} bytes, the manifest says {}",
                self.file,
                bytes.len(),
                self.bytes
            ));
        }
        let digest = sha256_hex(bytes);
        if digest != self.sha256 {
            return Err(format!(
                "{} has SHA-256 {digest}, the manifest says {}",
                self.file, self.sha256
            ));
        }
        Ok(())
    }
}

/// SHA-256 of `bytes`, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}
