//! The Train panel's dataset picker: the shipped MNIST digits, or the user's own files (an IDX
//! pair, or PNG/JPEG images, picked as files or as a folder). The files are read and checked
//! ([`crate::data::user_data`]), a preview of the first images is shown, and only "Use this
//! dataset" replaces the one in use: a file that fails leaves everything as it was. Images are
//! decoded a slice at a time, yielding to the browser between slices, with their progress and a
//! Cancel.

use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::Runtime;
use super::image_grid::draw_grid;
use super::web_files::read_file;
use super::weights_controls::size_text;
use crate::data::{Dataset, IMAGE_PIXELS, Loading, UserFile, start_loading};

/// The most bytes of files read at once.
const MAX_TOTAL_BYTES: u64 = 300_000_000;
/// Images shown in the preview.
const PREVIEW_COUNT: usize = 16;
/// Source pixels decoded between two yields to the browser: a few 1000x1000 photos, or a
/// thousand 64x64 images (one image larger than this is one slice).
const SLICE_PIXELS: u64 = 4_000_000;

/// Where the picker stands.
#[derive(Clone)]
enum Step {
    Idle,
    Reading(String),
    /// Decoding images: how many are done, of how many.
    Decoding(usize, usize),
    /// Read and checked, waiting for the user's yes.
    Preview(Arc<Dataset>),
    Failed(String),
}

/// The dataset picker. `on_use` is called with a dataset the user accepted (or MNIST again).
#[component]
pub fn DatasetPicker(runtime: StoredValue<Runtime>, on_use: Callback<Arc<Dataset>>) -> impl IntoView {
    let dataset = runtime.with_value(|r| r.dataset);
    let step = RwSignal::new(Step::Idle);
    // Counts the picks: a newer pick or a Cancel ends the reading or decoding of an older one.
    let picks = StoredValue::new(0u64);
    let preview_ref = NodeRef::<Canvas>::new();
    let folder_ref = NodeRef::<leptos::html::Input>::new();
    // Not an attribute leptos knows: set on the element itself.
    Effect::new(move |_| {
        if let Some(input) = folder_ref.get() {
            let _ = input.set_attribute("webkitdirectory", "");
        }
    });

    let read = move |files: web_sys::FileList| {
        let files: Vec<web_sys::File> = (0..files.length()).filter_map(|i| files.get(i)).collect();
        picks.update_value(|p| *p += 1);
        let pick = picks.get_value();
        let superseded = move || picks.get_value() != pick;
        leptos::task::spawn_local(async move {
            // Summed in 64 bits: file sizes are doubles, and a 32-bit sum (wasm32's usize) wraps.
            let total: u64 = files.iter().map(|f| f.size() as u64).sum();
            if total > MAX_TOTAL_BYTES {
                step.set(Step::Failed(format!(
                    "Those files hold {}, more than the {} read at once. The dataset in use is unchanged.",
                    size_text(total),
                    size_text(MAX_TOTAL_BYTES)
                )));
                return;
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
                    Err(e) => {
                        step.set(Step::Failed(format!("{e}. The dataset in use is unchanged.")));
                        return;
                    }
                }
            }
            let refused = |e: crate::data::DatasetError| {
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
        });
    };
    let on_pick = move |ev: leptos::ev::Event| {
        let input = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
        if let Some(input) = input {
            if let Some(files) = input.files() {
                read(files);
            }
            input.set_value("");
        }
    };
    Effect::new(move |_| {
        let (Some(canvas), Step::Preview(loaded)) = (preview_ref.get(), step.get()) else {
            return;
        };
        let split = &loaded.split;
        let pixels: Vec<f32> = split
            .train
            .pixels
            .iter()
            .take(PREVIEW_COUNT * IMAGE_PIXELS)
            .copied()
            .collect();
        draw_grid(&canvas, &pixels, 8);
    });
    let accept = move |_| {
        if let Step::Preview(loaded) = step.get_untracked() {
            step.set(Step::Idle);
            on_use.run(loaded);
        }
    };
    let back_to_mnist = move |_| {
        let shipped = runtime.with_value(|r| Arc::new(Dataset::shipped(r.data.clone())));
        step.set(Step::Idle);
        on_use.run(shipped);
    };

    view! {
        <div class="dataset" data-control="dataset" data-testid="dataset-picker">
            <span class="weights-label">"Data"</span>
            <span class="dataset-name" data-testid="dataset-name" title=move || dataset.with(|d| d.summary())>
                {move || dataset.with(|d| d.summary())}
            </span>
            <label class="button" title="An IDX images file (with its labels file, or alone), gzipped or not — as Fashion-MNIST, KMNIST and EMNIST are distributed — or PNG/JPEG images labelled by a file-name prefix such as 3_001.png">
                "Use my files…"
                <input type="file" multiple data-testid="dataset-files" on:change=on_pick
                    accept=".gz,.idx,.ubyte,.idx3-ubyte,.idx1-ubyte,image/png,image/jpeg,application/octet-stream" />
            </label>
            <label class="button" title="A folder of PNG/JPEG images with one sub-folder per class">
                "Use a folder…"
                <input type="file" node_ref=folder_ref multiple data-testid="dataset-folder" on:change=on_pick />
            </label>
            {move || (!dataset.with(|d| d.is_shipped())).then(|| view! {
                <button data-testid="dataset-mnist" on:click=back_to_mnist>"Back to MNIST"</button>
            })}
            {move || match step.get() {
                Step::Idle => None,
                Step::Reading(text) => Some(view! {
                    <p class="weights-status" data-testid="dataset-status" data-state="busy">{text}</p>
                }.into_any()),
                Step::Decoding(done, total) => Some(view! {
                    <div class="notice-actions">
                        <p class="weights-status" role="status" data-testid="dataset-status" data-state="busy"
                            data-done=done data-total=total>
                            {format!("Decoding the images: {done} of {total}…")}
                        </p>
                        <button data-testid="dataset-stop" on:click=move |_| {
                            picks.update_value(|p| *p += 1);
                            step.set(Step::Failed(format!(
                                "Stopped after {done} of {total} images. The dataset in use is unchanged."
                            )));
                        }>"Cancel"</button>
                    </div>
                }.into_any()),
                Step::Failed(text) => Some(view! {
                    <p class="weights-status notice error" role="alert" data-testid="dataset-status"
                        data-state="failed">{text}</p>
                }.into_any()),
                Step::Preview(loaded) => Some(view! {
                    <div class="dataset-preview" data-testid="dataset-preview">
                        <canvas node_ref=preview_ref width="224" height="56" data-testid="dataset-preview-grid"
                            role="img" aria-label="The first images of the dataset, as the models will see them"></canvas>
                        <div>
                            <p data-testid="dataset-summary">{loaded.summary()}</p>
                            {loaded.notes.iter().map(|n| view! { <p class="hint">{n.clone()}</p> }).collect_view()}
                            <p class="hint">"Training on it starts the model in use afresh."</p>
                            <div class="notice-actions">
                                <button class="primary" data-testid="dataset-use" on:click=accept>"Use this dataset"</button>
                                <button data-testid="dataset-cancel" on:click=move |_| step.set(Step::Idle)>"Cancel"</button>
                            </div>
                        </div>
                    </div>
                }.into_any()),
            }}
        </div>
    }
}
