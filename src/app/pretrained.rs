//! The shipped pretrained weights, fetched when first needed: the manifest once, each file
//! once (checked against the manifest's size and SHA-256), kept for the rest of the visit.

use std::collections::HashMap;

use leptos::prelude::*;

use super::Runtime;
use super::web_files::{fetch_with_progress, get};
use crate::model::DigitClassifier;
use crate::train::sessions::session_from_file;
use crate::train::{ModelKind, Session, classifier_from_file};
use crate::weights::manifest::MANIFEST_FILE;
use crate::weights::{CLASSIFIER_ID, Manifest, ManifestEntry, WeightsFile};

/// Where the shipped weights are served, relative to the page.
const WEIGHTS_DIR: &str = "weights";

/// The manifest and the files downloaded so far.
#[derive(Clone, Copy)]
pub struct PretrainedStore {
    manifest: StoredValue<Option<Manifest>>,
    files: StoredValue<HashMap<String, Vec<u8>>, LocalStorage>,
}

impl PretrainedStore {
    /// An empty store: nothing is downloaded until asked for.
    pub fn new() -> Self {
        Self {
            manifest: StoredValue::new(None),
            files: StoredValue::new_local(HashMap::new()),
        }
    }

    /// The manifest entry and parsed file of `model` (named `label` in messages). `progress`
    /// hears what is happening, with `(received, expected)` bytes while a file downloads.
    pub async fn fetch(
        self,
        model: &str,
        label: &str,
        progress: impl Fn(String, Option<(usize, usize)>),
    ) -> Result<(ManifestEntry, WeightsFile), String> {
        let (entry, bytes) = self.fetch_bytes(model, label, progress).await?;
        let file = WeightsFile::parse(&bytes).map_err(|e| format!("The pretrained weights are damaged: {e}."))?;
        Ok((entry, file))
    }

    /// The manifest entry of `model` and its file's bytes, checked against the manifest.
    pub async fn fetch_bytes(
        self,
        model: &str,
        label: &str,
        progress: impl Fn(String, Option<(usize, usize)>),
    ) -> Result<(ManifestEntry, Vec<u8>), String> {
        if self.manifest.with_value(Option::is_none) {
            progress("Fetching the list of pretrained weights…".into(), None);
            self.manifest.set_value(Some(fetch_manifest().await?));
        }
        let entry = self
            .manifest
            .with_value(|m| m.as_ref().and_then(|m| m.entry(model).cloned()))
            .ok_or_else(|| format!("No pretrained weights are shipped for the {label}."))?;
        if let Some(bytes) = self.files.with_value(|files| files.get(&entry.file).cloned()) {
            return Ok((entry, bytes));
        }
        let text = format!("Downloading the pretrained {label}…");
        let url = format!("{WEIGHTS_DIR}/{}", entry.file);
        let bytes = fetch_with_progress(&url, entry.bytes, |received, expected| {
            progress(text.clone(), Some((received, expected)))
        })
        .await?;
        entry.verify(&bytes).map_err(|problem| {
            format!("The downloaded weights are not the ones shipped ({problem}); nothing was loaded.")
        })?;
        self.files.update_value(|files| {
            files.insert(entry.file.clone(), bytes.clone());
        });
        Ok((entry, bytes))
    }
}

impl PretrainedStore {
    /// A session of `kind` on the runtime's device with its shipped weights loaded, started
    /// with the settings the manifest records.
    pub async fn session(
        self,
        runtime: StoredValue<Runtime>,
        kind: ModelKind,
    ) -> Result<(ManifestEntry, Box<dyn Session>), String> {
        let (entry, file) = self.fetch(kind.id(), kind.label(), |_, _| {}).await?;
        let settings = entry
            .settings
            .ok_or_else(|| format!("the manifest gives no settings for the {}", kind.label()))?;
        let session = runtime
            .with_value(|r| session_from_file(kind, &settings, file, &r.data, &r.device))
            .map_err(|e| format!("The pretrained {} did not load: {e}.", kind.label()))?;
        Ok((entry, session))
    }

    /// The shipped digit classifier, on the runtime's device.
    pub async fn classifier(self, runtime: StoredValue<Runtime>) -> Result<DigitClassifier, String> {
        let (_, file) = self.fetch(CLASSIFIER_ID, "digit classifier", |_, _| {}).await?;
        runtime
            .with_value(|r| classifier_from_file(file, &r.device))
            .map_err(|e| format!("The digit classifier did not load: {e}."))
    }
}

async fn fetch_manifest() -> Result<Manifest, String> {
    let url = format!("{WEIGHTS_DIR}/{MANIFEST_FILE}");
    let response = get(&url).await.map_err(|e| format!("Could not download {url}: {e}."))?;
    response
        .json()
        .await
        .map_err(|e| format!("The list of pretrained weights is damaged: {e}."))
}
