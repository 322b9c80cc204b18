//! The dataset picker's status: reading, decoding (with Cancel), why files were refused, or a
//! preview of what was read with "Use this dataset".

use std::sync::Arc;

use leptos::html::Canvas;
use leptos::prelude::*;

use super::super::image_grid::draw_grid;
use super::reading::Step;
use crate::data::{Dataset, IMAGE_PIXELS};

/// Images shown in the preview.
const PREVIEW_COUNT: usize = 16;

/// What `step` says; `cancel` ends a pick in progress, `on_use` takes an accepted dataset.
#[component]
pub(super) fn PickerStatus(
    step: RwSignal<Step>,
    cancel: impl Fn() + Copy + Send + Sync + 'static,
    on_use: Callback<Arc<Dataset>>,
) -> impl IntoView {
    let preview_ref = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let (Some(canvas), Step::Preview(loaded)) = (preview_ref.get(), step.get()) else {
            return;
        };
        let pixels: Vec<f32> = loaded
            .split
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
    move || {
        match step.get() {
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
                    cancel();
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
    }
    }
}
