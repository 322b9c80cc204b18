//! Weights in and out of the Train panel: one-click pretrained weights (fetched when first
//! needed, checked against the manifest's SHA-256, with download progress), a weights file of
//! the user's own (file picker or drag and drop), and export of what they trained.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::driver::TrainState;
use super::pretrained::PretrainedStore;
use super::web_files::{read_file, save_bytes};
use crate::link::WeightsChoice;
use crate::train::{Hyperparameters, ModelKind};
use crate::weights::{MAX_WEIGHTS_BYTES, ManifestEntry};

/// What the weights controls are doing or last did.
#[derive(Debug, Clone, PartialEq)]
enum Status {
    Idle,
    /// Working; with `(received, expected)` bytes while downloading.
    Busy(String, Option<(usize, usize)>),
    Done(String),
    Failed(String),
}

/// "1.6 MB" or "820 kB".
pub fn size_text(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{} kB", bytes.div_ceil(1000))
    }
}

/// One line on a shipped file: steps, training time, and its headline held-out figure.
fn provenance(entry: &ManifestEntry) -> String {
    let headline = [
        ("held_out_elbo", "held-out ELBO", " nats"),
        ("held_out_reconstruction_bce", "held-out reconstruction", " nats"),
        ("sample_classes_covered", "classes covered by samples", " of 10"),
    ]
    .iter()
    .find_map(|(key, label, unit)| entry.metrics.get(*key).map(|v| format!("; {label} {v:.1}{unit}")))
    .unwrap_or_default();
    format!(
        "{} steps, trained natively in {:.0} s{headline}",
        entry.steps, entry.wall_seconds
    )
}

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

    let load_pretrained = move |_: ()| {
        let wanted = kind.get_untracked();
        leptos::task::spawn_local(async move {
            let progress = move |text: String, bytes| status.set(Status::Busy(text, bytes));
            match pretrained.fetch_bytes(wanted.id(), wanted.label(), progress).await {
                // The user picked another model while this one downloaded.
                Ok(_) if kind.get_untracked() != wanted => status.set(Status::Idle),
                Ok((entry, bytes)) => {
                    // The session must have the file's shape: take its settings, keep the budget.
                    // The form and the model change only once the file has loaded.
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
                    match loaded {
                        Ok(()) => {
                            if let Some(next) = next {
                                settings.set(next);
                            }
                            state.weights_source.set(WeightsChoice::Pretrained);
                            status.set(Status::Done(format!(
                                "Loaded the pretrained {}: {}.",
                                wanted.label(),
                                provenance(&entry)
                            )))
                        }
                        Err(e) => status.set(Status::Failed(format!(
                            "The pretrained weights did not load: {e}. The model in use is unchanged."
                        ))),
                    }
                }
                Err(message) => status.set(Status::Failed(message)),
            }
        });
    };

    if autoload {
        load_pretrained(());
    }

    let load_user_file = move |file: web_sys::File| {
        let wanted = kind.get_untracked();
        leptos::task::spawn_local(async move {
            let name = file.name();
            let size = file.size() as usize;
            if size > MAX_WEIGHTS_BYTES {
                status.set(Status::Failed(format!(
                    "{name} was not loaded: it is {}, more than the {} a weights file may have. The model in use \
                     is unchanged.",
                    size_text(size as u64),
                    size_text(MAX_WEIGHTS_BYTES as u64)
                )));
                return;
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
        });
    };

    let on_pick = move |ev: leptos::ev::Event| {
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let Some(input) = input {
            if let Some(file) = input.files().and_then(|files| files.get(0)) {
                load_user_file(file);
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
            load_user_file(file);
        }
    };
    let export = move |_| {
        let current = kind.get_untracked();
        status.set(Status::Busy("Reading the weights back from the device…".into(), None));
        leptos::task::spawn_local(async move {
            // Named after the steps the file holds, as the worker wrote it.
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
        });
    };
    let busy = move || matches!(status.get(), Status::Busy(..));

    view! {
        <div class="weights" data-control="weights" class:dragging=move || dragging.get() data-testid="weights-controls"
            on:dragover=move |ev: web_sys::DragEvent| { ev.prevent_default(); dragging.set(true); }
            on:dragleave=move |_| dragging.set(false)
            on:drop=on_drop>
            <span class="weights-label">"Weights"</span>
            <button data-testid="load-pretrained" on:click=move |_| load_pretrained(()) disabled=busy
                title="Download weights trained natively with this same model code (checked against the manifest)">
                "Load pretrained"
            </button>
            <label class="button" title="A .bpk file exported from genplay for this model and settings">
                "Load weights file…"
                <input type="file" accept=".bpk,application/octet-stream" data-testid="weights-file"
                    on:change=on_pick disabled=busy />
            </label>
            <button data-testid="export-weights" on:click=export disabled=busy>"Export weights"</button>
            <span class="drop-hint">{format!("or drop a .bpk file here (at most {})", size_text(MAX_WEIGHTS_BYTES as u64))}</span>
            {move || match status.get() {
                Status::Idle => None,
                Status::Busy(text, progress) => Some(view! {
                    <p class="weights-status" data-testid="weights-status" data-state="busy">
                        {text}
                        {progress.map(|(received, expected)| view! {
                            " "<progress data-testid="weights-progress" max=expected.max(1).to_string()
                                value=received.to_string()></progress>
                            {format!(" {} of {}", size_text(received as u64), size_text(expected as u64))}
                        })}
                    </p>
                }.into_any()),
                Status::Done(text) => Some(view! {
                    <p class="weights-status" data-testid="weights-status" data-state="done">{text}</p>
                }.into_any()),
                Status::Failed(text) => Some(view! {
                    <p class="weights-status notice error" role="alert" data-testid="weights-status"
                        data-state="failed">{text}</p>
                }.into_any()),
            }}
        </div>
    }
}
