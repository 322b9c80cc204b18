//! The Train panel: pick a model, train it on real MNIST digits and watch it learn: a live
//! loss chart, an 8x8 grid of reconstructions or samples, steps per second and progress.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::Runtime;
use super::chart::draw_loss_chart;
use super::driver::TrainState;
use super::image_grid::draw_grid;
use crate::model::PreviewKind;
use crate::train::ModelKind;

/// Steps averaged for the "first" and "recent" loss figures.
const LOSS_WINDOW: usize = 5;

/// What the loss chart plots, for `kind`.
fn chart_caption(kind: ModelKind) -> &'static str {
    if kind.is_adversarial() {
        "Discriminator and generator losses, and the discriminator's mean belief that real digits (D(x)) and \
         fakes (D(G(z))) are real; faint raw, solid smoothed"
    } else {
        "Loss terms per step, in nats per image; faint raw, solid smoothed"
    }
}

/// The Train panel.
#[component]
pub fn TrainPanel(runtime: Runtime) -> impl IntoView {
    let kind = RwSignal::new(ModelKind::VaeMlp);
    let state = TrainState::new();
    let runtime = StoredValue::new(runtime);
    runtime.with_value(|r| state.reset(r, kind.get_untracked()));

    let on_model_change = move |ev: leptos::ev::Event| {
        if let Some(picked) = ModelKind::from_id(&event_target_value(&ev)) {
            kind.set(picked);
            runtime.with_value(|r| state.reset(r, picked));
        }
    };
    let toggle = move |_| {
        if state.running.get_untracked() {
            state.pause()
        } else {
            state.play()
        }
    };
    let step = move |_| state.single_step();
    let reset = move |_| runtime.with_value(|r| state.reset(r, kind.get_untracked()));

    let chart_ref = NodeRef::<Canvas>::new();
    let grid_ref = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let canvas = chart_ref.get();
        state
            .history
            .with(|history| canvas.map(|c| draw_loss_chart(&c, history)));
    });
    Effect::new(move |_| {
        let canvas = grid_ref.get();
        state.preview.with(|pixels| {
            if let (Some(canvas), Some(pixels)) = (canvas, pixels) {
                draw_grid(&canvas, pixels, 8);
            }
        });
    });

    let steps = move || state.history.with(|h| h.len());
    let loss_summary = move |window_at_end: bool| {
        state.history.with(|h| {
            let mean = if window_at_end {
                h.mean_of_last(0, LOSS_WINDOW)
            } else {
                h.mean_of_first(0, LOSS_WINDOW)
            };
            mean.map(|m| format!("{m:.3}")).unwrap_or_default()
        })
    };
    let preview_caption = move || {
        let preview_kind = if kind.get() == ModelKind::AeMlp {
            PreviewKind::Reconstructions
        } else {
            PreviewKind::Samples
        };
        match preview_kind {
            PreviewKind::Reconstructions => "Reconstructions of 64 held-out digits it never trains on",
            PreviewKind::Samples => "Samples decoded from 64 fixed random codes",
        }
    };
    let backend = runtime.with_value(|r| r.backend.clone());

    view! {
        <section class="panel train" data-testid="train-panel">
            <h2>"Train"</h2>
            <p class="backend-note" data-testid="backend-note">{backend.explanation()}</p>
            <div class="controls">
                <label>
                    "Model "
                    <select data-testid="model-select" on:change=on_model_change
                        prop:value=move || kind.get().id()>
                        {ModelKind::ALL.into_iter().map(|k| view! {
                            <option value=k.id() selected=move || kind.get() == k>{k.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button data-testid="train-button" class="primary" on:click=toggle>
                    {move || if state.running.get() { "Pause" } else if steps() > 0 { "Resume" } else { "Train" }}
                </button>
                <button data-testid="step-button" on:click=step disabled=move || state.running.get()>"Step"</button>
                <button data-testid="reset-button" on:click=reset>"Reset"</button>
            </div>
            <p class="model-summary">{move || kind.get().summary()}</p>
            <dl class="stats" data-testid="stats"
                data-first-loss=move || loss_summary(false) data-recent-loss=move || loss_summary(true)>
                <div><dt>"step"</dt><dd data-testid="step-count">{steps}</dd></div>
                <div><dt>"epoch"</dt><dd>{move || format!("{:.2}", state.epochs.get())}</dd></div>
                <div><dt>"steps/s"</dt><dd data-testid="steps-per-second">
                    {move || state.steps_per_second.get().map(|r| format!("{r:.1}")).unwrap_or_else(|| "–".into())}
                </dd></div>
                <div><dt>"loss"</dt><dd data-testid="current-loss">{move || loss_summary(true)}</dd></div>
            </dl>
            {move || state.notice.get().map(|n| view! { <p class="notice warning" role="alert" data-testid="notice">{n}</p> })}
            <div class="views">
                <figure class="chart">
                    <canvas node_ref=chart_ref data-testid="loss-chart" width="640" height="300"></canvas>
                    <figcaption>{move || chart_caption(kind.get())}</figcaption>
                </figure>
                <figure class="grid">
                    <canvas node_ref=grid_ref data-testid="sample-grid" width="224" height="224"></canvas>
                    <figcaption>{preview_caption}</figcaption>
                </figure>
            </div>
        </section>
    }
}
