//! The shipped pretrained weights, fetched when first needed: the manifest once, each file
//! once (checked against the manifest's size and SHA-256), kept for the rest of the visit.

use std::collections::HashMap;

use gloo_net::http::Request;
use leptos::prelude::*;

use super::web_files::fetch_with_progress;
use crate::weights::manifest::MANIFEST_FILE;
use crate::weights::{Manifest, ManifestEntry, WeightsFile};

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
        if self.manifest.with_value(Option::is_none) {
            progress("Fetching the list of pretrained weights…".into(), None);
            self.manifest.set_value(Some(fetch_manifest().await?));
        }
        let entry = self
            .manifest
            .with_value(|m| m.as_ref().and_then(|m| m.entry(model).cloned()))
            .ok_or_else(|| format!("No pretrained weights are shipped for the {label}."))?;
        let cached = self.files.with_value(|files| files.get(&entry.file).cloned());
        let bytes = match cached {
            Some(bytes) => bytes,
            None => {
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
                bytes
            }
        };
        let file = WeightsFile::parse(&bytes).map_err(|e| format!("The pretrained weights are damaged: {e}."))?;
        Ok((entry, file))
    }
}

async fn fetch_manifest() -> Result<Manifest, String> {
    let url = format!("{WEIGHTS_DIR}/{MANIFEST_FILE}");
    let response = Request::get(&url)
        .send()
        .await
        .map_err(|e| format!("Could not download {url}: {e}."))?;
    if !response.ok() {
        return Err(format!("Could not download {url}: HTTP {}.", response.status()));
    }
    response
        .json()
        .await
        .map_err(|e| format!("The list of pretrained weights is damaged: {e}."))
}
