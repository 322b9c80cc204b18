//! Weights in and out of the Train panel: one-click pretrained weights (fetched when first
//! needed, checked against the manifest's SHA-256, with download progress), a weights file of
//! the user's own (file picker or drag and drop), and export of what they trained.

mod status;
mod transfers;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::driver::TrainState;
use super::pretrained::PretrainedStore;
use crate::train::{Hyperparameters, ModelKind};
use crate::weights::MAX_WEIGHTS_BYTES;
use status::{Status, StatusLine};
use transfers::{export, load_shipped, load_user_file};

pub use status::size_text;

/// The weights controls of the Train panel.
#[component]
pub fn WeightsControls(
    kind: RwSignal<ModelKind>,
    settings: RwSignal<Hyperparameters>,
    state: TrainState,
    pretrained: PretrainedStore,
    /// Load the pretrained weights as soon as the controls appear (a share link asked for them).
    autoload: bool,
) -> impl IntoView {
    let status = RwSignal::new(Status::Idle);
    let dragging = RwSignal::new(false);
    Effect::new(move |_| {
        kind.track();
        status.set(Status::Idle);
    });

    let load_pretrained = move || {
        let wanted = kind.get_untracked();
        leptos::task::spawn_local(load_shipped(wanted, kind, settings, state, pretrained, status));
    };
    if autoload {
        load_pretrained();
    }
    let load_file = move |file: web_sys::File| {
        leptos::task::spawn_local(load_user_file(file, kind.get_untracked(), state, status));
    };

    let on_pick = move |ev: leptos::ev::Event| {
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let Some(input) = input {
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                load_file(file);
            }
            // Picking the same file again must fire `change` again.
            input.set_value("");
        }
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        // One load or export at a time, as the disabled buttons say.
        if matches!(status.get_untracked(), Status::Busy(..)) {
            return;
        }
        if let Some(file) = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0)) {
            load_file(file);
        }
    };
    let export_file = move |_| leptos::task::spawn_local(export(kind.get_untracked(), state, status));
    let busy = move || matches!(status.get(), Status::Busy(..));

    view! {
        <div class="weights" data-control="weights" class:dragging=move || dragging.get() data-testid="weights-controls"
            on:dragover=move |ev: web_sys::DragEvent| { ev.prevent_default(); dragging.set(true); }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop>
            <span class="weights-label">"Weights"</span>
            <button data-testid="load-pretrained" on:click=move |_| load_pretrained() disabled=busy
                title="Download weights trained natively with this same model code (checked against the manifest)">
                "Load pretrained"
            </button>
            <label class="button" title="A .bpk file exported from genplay for this model and settings">
                "Load weights file…"
                <input type="file" accept=".bpk,application/octet-stream" data-testid="weights-file"
                    on:change=on_pick disabled=busy />
            </label>
            <button data-testid="export-weights" on:click=export_file disabled=busy>"Export weights"</button>
            <span class="drop-hint">{format!("or drop a .bpk file here (at most {})", size_text(MAX_WEIGHTS_BYTES as u64))}</span>
            <StatusLine status />
        </div>
    }
}
