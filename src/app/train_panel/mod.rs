//! The Train panel: pick a model, set its hyper-parameters, train it on real MNIST digits and
//! watch it learn: live loss chart, an 8x8 grid of reconstructions or samples, progress, speed.
//! Its state is [`TrainState`] (over the plain [`crate::page::TrainView`]); this folder holds
//! the views.

mod controls;
mod coverage_watch;
mod keys;
mod loss_chart;
mod preview_grid;
mod stats;

use leptos::prelude::*;

use super::Runtime;
use super::code_scatter::CodeScatterView;
use super::dataset_picker::DatasetPicker;
use super::driver::TrainState;
use super::model_card::ModelCardView;
use super::pretrained::PretrainedStore;
use super::settings_form::SettingsForm;
use super::slow_motion::SlowMotion;
use super::weights_controls::WeightsControls;
use crate::backend::choice::BackendPreference;
use crate::data::Dataset;
use crate::link::WeightsChoice;
use crate::train::{Hyperparameters, ModelKind};
use controls::{BackendNote, TrainControls};
use coverage_watch::CoverageWatch;
use loss_chart::LossChart;
use preview_grid::PreviewGridView;
use stats::{TrainNotice, TrainStats};

/// Why `kind` cannot train on `dataset`: a class-conditional model learns from labels, which a
/// user's dataset may lack.
fn missing_labels(kind: ModelKind, dataset: &Dataset) -> Option<String> {
    (kind.is_conditional() && !dataset.is_labelled()).then(|| {
        format!(
            "The {} learns from each image's class, and “{}” has no labels: pick another model, or load \
             labelled files (a labels file, class folders or class prefixes in the file names).",
            kind.label(),
            dataset.name
        )
    })
}

/// The Train panel, over the training `state` of the model `kind` with `settings`.
#[component]
pub fn TrainPanel(
    runtime: StoredValue<Runtime>,
    state: TrainState,
    kind: RwSignal<ModelKind>,
    settings: RwSignal<Hyperparameters>,
    pretrained: PretrainedStore,
    /// Whether the panel is on screen (its keyboard shortcuts work only then).
    active: Signal<bool>,
    /// What a share link asked for on opening: pretrained weights, and whether to start.
    opening: (WeightsChoice, bool),
) -> impl IntoView {
    let restart = move || state.reset(kind.get_untracked(), settings.get_untracked());
    restart();
    let (opening_weights, autorun) = opening;
    if autorun && opening_weights == WeightsChoice::Fresh {
        state.play();
    }

    let dataset = runtime.with_value(|r| r.dataset);
    let use_dataset = Callback::new(move |chosen: std::sync::Arc<Dataset>| {
        state.use_dataset(&chosen);
        dataset.set(chosen);
        restart();
    });
    let needs_labels = move || dataset.with(|d| missing_labels(kind.get(), d));
    let blocked = Signal::derive(move || needs_labels().is_some());
    let settings_changed = Signal::derive(move || settings.get() != state.applied.get());

    let pick_model = move |picked: ModelKind| {
        let seed = settings.get_untracked().seed;
        kind.set(picked);
        settings.set(Hyperparameters {
            seed,
            ..Hyperparameters::defaults(picked)
        });
        restart();
    };
    // A new backend takes effect with a fresh session (the weights live on the old device).
    let pick_backend = move |picked: BackendPreference| {
        state.set_backend(picked);
        restart();
    };
    let toggle = move || match (blocked.get_untracked(), state.running.get_untracked()) {
        (true, _) => {}
        (false, true) => state.pause(),
        (false, false) => state.play(),
    };
    let step = move || {
        if !blocked.get_untracked() {
            state.single_step();
        }
    };
    let lower_learning_rate = move || {
        settings.update(|s| s.learning_rate = (s.learning_rate / 10.0).max(1e-6));
        restart();
    };
    keys::listen_for_shortcuts(active, toggle, step, restart);

    // The curve lit up by the model card's formula, or by hovering the chart itself.
    let highlight = RwSignal::new(None::<String>);
    let curves = Signal::derive(move || state.history.with(|h| h.names.clone()));

    view! {
        <section class="panel train" data-testid="train-panel">
            <h2>"Train"</h2>
            <BackendNote state />
            <TrainControls state kind blocked settings_changed pick_model pick_backend toggle restart />
            <Show when=move || kind.get().is_adversarial()>
                <SlowMotion state />
            </Show>
            <p class="model-summary">{move || kind.get().summary()}</p>
            <ModelCardView kind settings curves highlight />
            {move || needs_labels().map(|message| view! {
                <p class="notice warning" role="status" data-testid="needs-labels">{message}</p>
            })}
            <DatasetPicker runtime on_use=use_dataset />
            <WeightsControls kind settings state pretrained autoload=opening_weights == WeightsChoice::Pretrained />
            <details class="settings-box" data-control="settings" open>
                <summary>"Hyper-parameters"
                    <span class="hint">{move || settings_changed.get().then_some(" — changed: press “Apply & reset” to use them")}</span>
                </summary>
                <SettingsForm kind settings />
            </details>
            <TrainStats state />
            <TrainNotice state restart lower_learning_rate />
            <div class="views">
                <LossChart state kind highlight />
                <PreviewGridView state kind />
                <CodeScatterView codes=state.codes />
            </div>
            <CoverageWatch runtime state pretrained />
            <p class="keys" data-testid="keyboard-help">
                "Keys: " <kbd>"Space"</kbd> " train / pause · " <kbd>"S"</kbd> " one step · " <kbd>"R"</kbd> " reset"
            </p>
        </section>
    }
}
