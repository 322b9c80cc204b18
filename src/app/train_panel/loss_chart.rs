//! The Train panel's loss chart: every term against the step, smoothed, the curve the model
//! card's formula points at lit up, and hovering a curve lights its term.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::super::chart::{draw_loss_chart, term_at};
use super::super::downloads::download_csv;
use super::super::driver::TrainState;
use crate::train::ModelKind;

/// What the loss chart plots, for `kind`.
fn chart_caption(kind: ModelKind) -> &'static str {
    if kind.is_adversarial() {
        "Discriminator and generator losses, and the discriminator's mean belief that real digits (D(x)) and \
         fakes (D(G(z))) are real"
    } else {
        "Loss terms per step, in nats per image"
    }
}

/// The chart of `state`'s history for `kind`; `highlight` names the curve lit up (shared with
/// the model card).
#[component]
pub(super) fn LossChart(
    state: TrainState,
    kind: RwSignal<ModelKind>,
    highlight: RwSignal<Option<String>>,
) -> impl IntoView {
    let smoothing = RwSignal::new(0.9f32);
    let chart_ref = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let (canvas, smoothing, lit) = (chart_ref.get(), smoothing.get(), highlight.get());
        state.history.with(|history| {
            let Some(canvas) = canvas else { return };
            let term = lit
                .as_ref()
                .and_then(|name| history.names.iter().position(|n| n == name));
            draw_loss_chart(&canvas, history, smoothing, term);
            // Set once drawn, so a test can see which curve is lit.
            let _ = canvas.set_attribute("data-highlight", lit.as_deref().unwrap_or(""));
        });
    });
    let hover_chart = move |ev: leptos::ev::MouseEvent| {
        let Some(canvas) = chart_ref.get_untracked() else {
            return;
        };
        // The canvas may be drawn scaled: map the pointer to canvas pixels.
        let rect = canvas.get_bounding_client_rect();
        let scale = f64::from(canvas.width()) / rect.width().max(1.0);
        let (x, y) = (f64::from(ev.offset_x()) * scale, f64::from(ev.offset_y()) * scale);
        let lit = state
            .history
            .with_untracked(|h| term_at(&canvas, h, smoothing.get_untracked(), x, y).map(|term| h.names[term].clone()));
        if lit != highlight.get_untracked() {
            highlight.set(lit);
        }
    };
    let export_csv = move |_| {
        let csv = state.history.with_untracked(|h| h.to_csv());
        download_csv(&csv, &format!("genplay-{}-losses.csv", kind.get_untracked().id()));
    };
    view! {
        <figure class="chart" data-control="chart">
            <canvas node_ref=chart_ref data-testid="loss-chart" width="640" height="300"
                on:mousemove=hover_chart on:mouseleave=move |_| highlight.set(None)
                role="img" aria-label="Chart of every loss term against the training step"></canvas>
            <figcaption>
                {move || chart_caption(kind.get())}
                <label class="smoothing">" smoothing "
                    <input type="range" min="0" max="0.99" step="0.01" data-testid="smoothing"
                        prop:value=move || smoothing.get().to_string()
                        on:input=move |ev| if let Ok(v) = event_target_value(&ev).parse() { smoothing.set(v) } />
                </label>
                <button class="link" data-testid="export-csv" on:click=export_csv>"Download losses (CSV)"</button>
            </figcaption>
        </figure>
    }
}
