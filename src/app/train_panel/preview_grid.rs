//! The Train panel's 8x8 grid of reconstructions or samples, refreshed as the worker sends it.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::super::downloads::download_png;
use super::super::driver::TrainState;
use super::super::image_grid::draw_grid;
use crate::model::PreviewKind;
use crate::train::ModelKind;

/// The latest preview grid of `state`'s model of `kind`.
#[component]
pub(super) fn PreviewGridView(state: TrainState, kind: RwSignal<ModelKind>) -> impl IntoView {
    let grid_ref = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let canvas = grid_ref.get();
        state.preview.with(|grid| {
            if let (Some(canvas), Some(grid)) = (canvas, grid) {
                draw_grid(&canvas, &grid.pixels, 8);
                // Set once the pixels are drawn, so a test can wait for the grid of a step.
                let _ = canvas.set_attribute("data-step", &grid.step.to_string());
            }
        });
    });
    let export_png = move |_| {
        if let Some(canvas) = grid_ref.get_untracked() {
            let steps = state.history.with_untracked(|h| h.len());
            download_png(
                &canvas,
                &format!("genplay-{}-step{steps}.png", kind.get_untracked().id()),
            );
        }
    };
    let caption = move || match state.preview_kind.get() {
        PreviewKind::Reconstructions => "Reconstructions of 64 held-out digits it never trains on",
        PreviewKind::Samples => "Samples from 64 fixed random codes, the same at every refresh",
    };
    view! {
        <figure class="grid">
            <canvas node_ref=grid_ref data-testid="sample-grid" width="224" height="224"
                role="img" aria-label="An 8 by 8 grid of the model's reconstructions or samples"></canvas>
            <figcaption>
                {caption}
                " "<button class="link" data-testid="export-png" on:click=export_png>"Download grid (PNG)"</button>
            </figcaption>
        </figure>
    }
}
