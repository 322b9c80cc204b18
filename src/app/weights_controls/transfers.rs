//! What the weights controls do: load the shipped weights of a model, load a file of the user's
//! own, export what they trained. Each says what it is doing, and what came of it, in `status`;
//! a file that fails to load leaves the model in use as it was.

use leptos::prelude::*;

use super::super::driver::TrainState;
use super::super::pretrained::PretrainedStore;
use super::super::web_files::{read_file, save_bytes};
use super::status::{Status, provenance, size_text};
use crate::train::{Hyperparameters, ModelKind};
use crate::weights::MAX_WEIGHTS_BYTES;

/// Downloads and loads the shipped weights of `wanted`; the form takes the file's settings (the
/// step budget kept) once it has loaded.
pub(super) async fn load_shipped(
    wanted: ModelKind,
    kind: RwSignal<ModelKind>,
    settings: RwSignal<Hyperparameters>,
    state: TrainState,
    pretrained: PretrainedStore,
    status: RwSignal<Status>,
) {
    let progress = move |text: String, bytes| status.set(Status::Busy(text, bytes));
    let (entry, bytes) = match pretrained.fetch_bytes(wanted.id(), wanted.label(), progress).await {
        // The user picked another model while this one downloaded.
        Ok(_) if kind.get_untracked() != wanted => return status.set(Status::Idle),
        Ok(fetched) => fetched,
        Err(message) => return status.set(Status::Failed(message)),
    };
    // The session must have the file's shape: take its settings, keep the budget. The form and
    // the model change only once the file has loaded.
    let next = entry.settings.map(|trained| Hyperparameters {
        step_budget: settings.get_untracked().step_budget,
        ..trained
    });
    status.set(Status::Busy(
        format!("Loading the pretrained {}…", wanted.label()),
        None,
    ));
    let loaded = match next {
        Some(next) => state.load_as(wanted, next, bytes).await,
        None => state.load_weights(bytes).await,
    };
    status.set(match loaded {
        Ok(()) => {
            if let Some(next) = next {
                settings.set(next);
            }
            state.mark_pretrained();
            Status::Done(format!(
                "Loaded the pretrained {}: {}.",
                wanted.label(),
                provenance(&entry)
            ))
        }
        Err(e) => Status::Failed(format!(
            "The pretrained weights did not load: {e}. The model in use is unchanged."
        )),
    });
}

/// Reads `file` and loads it into the model in use (`wanted`), unless it is over the size limit.
pub(super) async fn load_user_file(
    file: web_sys::File,
    wanted: ModelKind,
    state: TrainState,
    status: RwSignal<Status>,
) {
    let name = file.name();
    let size = file.size() as u64;
    if size > MAX_WEIGHTS_BYTES as u64 {
        return status.set(Status::Failed(format!(
            "{name} was not loaded: it is {}, more than the {} a weights file may have. The model in use \
             is unchanged.",
            size_text(size),
            size_text(MAX_WEIGHTS_BYTES as u64)
        )));
    }
    status.set(Status::Busy(format!("Reading {name}…"), None));
    let outcome = match read_file(&file).await {
        Ok(bytes) => state.load_weights(bytes).await,
        Err(message) => Err(message),
    };
    status.set(match outcome {
        Ok(()) => Status::Done(format!("Loaded {name} into the {}.", wanted.label())),
        Err(problem) => Status::Failed(format!(
            "{name} was not loaded: {problem}. The model in use is unchanged."
        )),
    });
}

/// Exports the weights in use (of `current`) as a file named after the steps it holds.
pub(super) async fn export(current: ModelKind, state: TrainState, status: RwSignal<Status>) {
    status.set(Status::Busy("Reading the weights back from the device…".into(), None));
    let outcome = state.export_weights().await.and_then(|file| {
        let file_name = format!("genplay-{}-step{}.bpk", current.id(), file.steps);
        save_bytes(&file.bytes, &file_name).map(|()| (file_name, file.bytes.len()))
    });
    status.set(match outcome {
        Ok((file_name, bytes)) => Status::Done(format!(
            "Exported {file_name} ({}): burn's burnpack format, with the model's config.",
            size_text(bytes as u64)
        )),
        Err(problem) => Status::Failed(format!("The export failed: {problem}.")),
    });
}
