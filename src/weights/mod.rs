//! Trained weights in burn's own format (burnpack, from `burn-store`), with what genplay adds
//! around it: which model and configuration a file holds and how it was trained, checks that
//! refuse a file that does not fit the model in use, and the manifest of the shipped files.

pub mod file;
pub mod manifest;
pub mod snapshot;

pub use file::{CLASSIFIER_ID, MAX_WEIGHTS_BYTES, Precision, WeightsError, WeightsFile, WeightsHeader, model_label};
pub use manifest::{Manifest, ManifestEntry, metric, sha256_hex};
pub use snapshot::{NamedParameter, load_into, named_parameters, read_parameters, split_by_owner};
