//! The Train panel's dataset picker: the shipped MNIST digits, or the user's own files (an IDX
//! pair, or PNG/JPEG images, picked as files or as a folder). The files are read and checked
//! ([`crate::data::user_data`]), a preview of the first images is shown, and only "Use this
//! dataset" replaces the one in use: a file that fails leaves everything as it was. Images are
//! decoded a slice at a time, yielding to the browser between slices, with their progress and a
//! Cancel ([`reading`]).

mod picker_status;
mod reading;

use std::sync::Arc;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::Runtime;
use crate::data::Dataset;
use picker_status::PickerStatus;
use reading::{Step, read_picked};

/// The dataset picker. `on_use` is called with a dataset the user accepted (or MNIST again).
#[component]
pub fn DatasetPicker(runtime: StoredValue<Runtime>, on_use: Callback<Arc<Dataset>>) -> impl IntoView {
    let dataset = runtime.with_value(|r| r.dataset);
    let step = RwSignal::new(Step::Idle);
    // Counts the picks: a newer pick or a Cancel ends the reading or decoding of an older one.
    let picks = StoredValue::new(0u64);
    let cancel = move || picks.update_value(|p| *p += 1);
    let folder_ref = NodeRef::<leptos::html::Input>::new();
    // Not an attribute leptos knows: set on the element itself.
    Effect::new(move |_| {
        if let Some(input) = folder_ref.get() {
            let _ = input.set_attribute("webkitdirectory", "");
        }
    });
    let on_pick = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else {
            return;
        };
        if let Some(list) = input.files() {
            let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
            cancel();
            let pick = picks.get_value();
            leptos::task::spawn_local(read_picked(files, step, move || picks.get_value() != pick));
        }
        input.set_value("");
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
            <PickerStatus step cancel on_use />
        </div>
    }
}
