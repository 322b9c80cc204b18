//! The Train panel's controls: the backend it trains on, the model menu, and the Train / Pause,
//! Step and Reset buttons.

use leptos::prelude::*;

use super::super::driver::TrainState;
use crate::backend::choice::BackendPreference;
use crate::train::ModelKind;
use crate::web::browser_offers_webgpu;

/// Which backend trains, why, and (where the choice is measured) a way to measure it again.
#[component]
pub(super) fn BackendNote(state: TrainState) -> impl IntoView {
    let note = move || {
        state
            .backend
            .with(|b| b.as_ref().map(|b| b.explanation.clone()))
            .unwrap_or_else(|| "Starting the training worker…".into())
    };
    let badge = move || {
        state
            .backend
            .with(|b| b.as_ref().map(|b| b.badge.clone()))
            .unwrap_or_else(|| "starting…".into())
    };
    // Measured speeds are kept across visits; the user can have them measured afresh.
    let can_time_again = move || {
        state.backend_preference.get() == BackendPreference::Auto
            && !state.measuring_backends.get()
            && browser_offers_webgpu()
    };
    let warm_up = move || state.warm_up.get();
    view! {
        <p class="backend-note" data-testid="backend-note" data-measuring=move || state.measuring_backends.get().to_string()
            data-kernels=move || warm_up().map(|w| w.id())>
            <span class="badge" data-testid="train-backend">{badge}</span>" "{note}
            {move || warm_up().map(|w| view! { " "<span data-testid="warm-up">{w.sentence()}</span> })}
            {move || can_time_again().then(|| view! {
                " "<button class="link" data-testid="time-again" on:click=move |_| state.forget_speeds()
                    title="Forget the measured speeds: each model is timed on both backends again the next time it trains">
                    "Time again"
                </button>
            })}
        </p>
    }
}

/// The row of controls. `blocked` says training cannot start (the model needs labels the data
/// lacks); `settings_changed` that the form differs from the settings in use.
#[component]
pub(super) fn TrainControls(
    state: TrainState,
    kind: RwSignal<ModelKind>,
    blocked: Signal<bool>,
    settings_changed: Signal<bool>,
    pick_model: impl Fn(ModelKind) + 'static,
    pick_backend: impl Fn(BackendPreference) + 'static,
    toggle: impl Fn() + 'static,
    restart: impl Fn() + Copy + 'static,
) -> impl IntoView {
    let steps = move || state.history.with(|h| h.len());
    let train_label = move || {
        if state.pausing.get() {
            "Pausing…"
        } else if state.running.get() {
            "Pause"
        } else if steps() > 0 {
            "Resume"
        } else {
            "Train"
        }
    };
    view! {
        <div class="controls">
            <label data-control="model">
                "Model "
                <select data-testid="model-select" prop:value=move || kind.get().id()
                    on:change=move |ev| if let Some(k) = ModelKind::from_id(&event_target_value(&ev)) { pick_model(k) }>
                    {ModelKind::ALL.into_iter().map(|k| view! {
                        <option value=k.id() selected=move || kind.get() == k>{k.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label data-control="backend" title="Changing the backend starts the model again">
                "Backend "
                <select data-testid="backend-select" prop:value=move || state.backend_preference.get().id()
                    on:change=move |ev| if let Some(p) = BackendPreference::from_id(&event_target_value(&ev)) { pick_backend(p) }>
                    {BackendPreference::ALL.into_iter().map(|p| view! {
                        <option value=p.id() selected=move || state.backend_preference.get() == p>{p.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <button data-testid="train-button" data-control="train" class="primary" on:click=move |_| toggle()
                disabled=move || state.diverged.get() || state.pausing.get() || blocked.get()>
                {train_label}
            </button>
            <button data-testid="step-button" data-control="step" on:click=move |_| state.single_step()
                disabled=move || state.running.get() || state.diverged.get() || state.stepping.get() || blocked.get()>
                "Step"
            </button>
            <button data-testid="reset-button" data-control="reset" on:click=move |_| restart()>
                {move || if settings_changed.get() { "Apply & reset" } else { "Reset" }}
            </button>
        </div>
    }
}
