//! Reading the files a user picked into a dataset: their total size checked first, each read,
//! then checked and decoded ([`crate::data::user_data`]) a slice at a time, yielding to the
//! browser between slices so the progress paints and a Cancel can be clicked.

use std::sync::Arc;

use leptos::prelude::*;

use super::super::web_files::read_file;
use super::super::weights_controls::size_text;
use crate::data::{Dataset, DatasetError, Loading, UserFile, start_loading};

/// The most bytes of files read at once.
const MAX_TOTAL_BYTES: u64 = 300_000_000;
/// Source pixels decoded between two yields to the browser: a few 1000x1000 photos, or a
/// thousand 64x64 images (one image larger than this is one slice).
const SLICE_PIXELS: u64 = 4_000_000;

/// Where the picker stands.
#[derive(Clone)]
pub(super) enum Step {
    Idle,
    Reading(String),
    /// Decoding images: how many are done, of how many.
    Decoding(usize, usize),
    /// Read and checked, waiting for the user's yes.
    Preview(Arc<Dataset>),
    Failed(String),
}

/// Reads `files` into a dataset, showing each stage in `step`; stops, changing nothing more, as
/// soon as `superseded` says a newer pick or a Cancel came.
pub(super) async fn read_picked(files: Vec<web_sys::File>, step: RwSignal<Step>, superseded: impl Fn() -> bool) {
    // Summed in 64 bits: file sizes are doubles, and a 32-bit sum (wasm32's usize) wraps.
    let total: u64 = files.iter().map(|f| f.size() as u64).sum();
    if total > MAX_TOTAL_BYTES {
        return step.set(Step::Failed(format!(
            "Those files hold {}, more than the {} read at once. The dataset in use is unchanged.",
            size_text(total),
            size_text(MAX_TOTAL_BYTES)
        )));
    }
    step.set(Step::Reading(format!(
        "Reading {} files ({})…",
        files.len(),
        size_text(total)
    )));
    let mut read_files = Vec::with_capacity(files.len());
    for file in &files {
        let path = js_sys::Reflect::get(file, &"webkitRelativePath".into())
            .ok()
            .and_then(|p| p.as_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| file.name());
        let read = read_file(file).await;
        if superseded() {
            return;
        }
        match read {
            Ok(bytes) => read_files.push(UserFile { path, bytes }),
            Err(e) => return step.set(Step::Failed(format!("{e}. The dataset in use is unchanged."))),
        }
    }
    let refused = |e: DatasetError| {
        Step::Failed(format!(
            "These files were not loaded: {e}. The dataset in use is unchanged."
        ))
    };
    let mut decoding = match start_loading(&read_files) {
        Ok(Loading::Done(loaded)) => return step.set(Step::Preview(Arc::new(loaded))),
        Ok(Loading::Decoding(decoding)) => decoding,
        Err(e) => return step.set(refused(e)),
    };
    while !decoding.is_done() {
        step.set(Step::Decoding(decoding.decoded(), decoding.total()));
        // Let the progress paint, and a Cancel or a newer pick be clicked.
        crate::web::yield_to_browser().await;
        if superseded() {
            return;
        }
        if let Err(e) = decoding.decode_next(SLICE_PIXELS) {
            return step.set(refused(e));
        }
    }
    step.set(match decoding.finish() {
        Ok(loaded) => Step::Preview(Arc::new(loaded)),
        Err(e) => refused(e),
    });
}
