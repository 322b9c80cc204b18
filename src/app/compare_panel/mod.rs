//! The Compare panel: every model on the same inputs, side by side (reconstruction, samples,
//! interpolation, completion), and a table of held-out numbers. Columns hold the shipped
//! pretrained models and any model the user copies from the Train panel. What each model shows
//! is computed natively testable code ([`crate::eval::compare`]); this folder only holds the
//! panel's state ([`comparison`]) and its views.

mod columns;
mod comparison;
mod images_table;
mod metrics_table;
mod options;
mod rows;

use leptos::prelude::*;

use super::Runtime;
use super::driver::TrainState;
use super::pretrained::PretrainedStore;
use crate::eval::compare::MaskKind;
use crate::train::ModelKind;
use crate::train::sessions::session_from_file;
use crate::weights::WeightsFile;
use columns::Column;
use comparison::{Comparison, Progress};
use images_table::ImagesTable;
use metrics_table::MetricsTable;
use options::CompareOptions;

/// The Compare panel. `visible` says whether the user is looking at it (nothing loads before).
#[component]
pub fn ComparePanel(
    runtime: StoredValue<Runtime>,
    pretrained: PretrainedStore,
    train: TrainState,
    train_kind: RwSignal<ModelKind>,
    visible: Signal<bool>,
    /// The seed of the samples, interpolations and completions (in share links).
    seed: RwSignal<u64>,
    /// The completion mask (in share links).
    mask: RwSignal<MaskKind>,
    /// A drawing sent from the Draw panel: it replaces the first input digit.
    drawing: RwSignal<Option<Vec<f32>>>,
) -> impl IntoView {
    let comparison = Comparison::new(runtime, pretrained, seed, mask);
    let dataset = comparison.dataset;
    let digit_classes = Signal::derive(move || dataset.with(|d| d.has_digit_classes()));

    // Another dataset in use: its held-out images become the inputs.
    Effect::new(move |first: Option<()>| {
        let held = dataset.with(|d| d.split.held_out.clone());
        if first.is_some() {
            comparison.use_held_out(&held);
        }
    });
    Effect::new(move |_| {
        if let Some(drawn) = drawing.get() {
            comparison.use_drawing(&drawn);
        }
    });
    // Load every pretrained model the first time the panel is shown.
    Effect::new(move |_| {
        if visible.get() && !comparison.started.get_value() {
            comparison.started.set_value(true);
            leptos::task::spawn_local(comparison.load_pretrained());
        }
    });

    let add_trained = move || {
        let kind = train_kind.get_untracked();
        let steps = train.history.with_untracked(|h| h.len());
        let settings = train.applied.get_untracked();
        leptos::task::spawn_local(async move {
            let copied = async {
                let bytes = train.export_weights().await?.bytes.into_vec();
                let file = WeightsFile::parse(&bytes).map_err(|e| e.to_string())?;
                runtime
                    .with_value(|r| session_from_file(kind, &settings, file, &r.data, &r.device))
                    .map_err(|e| e.to_string())
            };
            match copied.await {
                Ok(session) => {
                    comparison.add_column(Column::trained(kind, settings, steps, session));
                    comparison.recompute(true);
                }
                Err(e) => comparison
                    .problem
                    .set(Some(format!("Could not copy the model from the Train panel: {e}."))),
            }
        });
    };

    view! {
        <section class="panel compare" data-testid="compare-panel">
            <h2>"Compare"</h2>
            <p class="model-summary">
                "Every model on the same inputs. Columns hold the shipped pretrained weights (trained natively with \
                 this same code) and any model you add from the Train panel; everything below is computed here, in \
                 your browser, on the CPU."
            </p>
            <p class="dataset-line" data-testid="compare-dataset">
                {move || dataset.with(|d| format!(
                    "Inputs and held-out figures: {}.{}",
                    d.summary(),
                    if d.is_shipped() { "" } else { " The pretrained columns were trained on MNIST." }
                ))}
            </p>
            <CompareOptions comparison train_kind add_trained />
            {move || comparison.progress.get().map(|Progress { doing, done, total }| view! {
                <div class="progress-row" data-testid="compare-progress">
                    <progress max=total.to_string() value=done.to_string()></progress>
                    <span class="progress-text">{format!("{doing}… ({done} of {total})")}</span>
                </div>
            })}
            {move || comparison.problem.get().map(|p| view! { <p class="notice warning" role="alert">{p}</p> })}
            <ImagesTable comparison />
            <MetricsTable columns=comparison.columns headings=comparison.headings results=comparison.results digit_classes />
        </section>
    }
}
