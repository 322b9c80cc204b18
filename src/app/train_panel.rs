//! The Train panel: pick a model, set its hyper-parameters, train it on real MNIST digits and
//! watch it learn: live loss chart, an 8x8 grid of reconstructions or samples, progress, speed.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::Runtime;
use super::chart::{draw_loss_chart, term_at};
use super::code_scatter::CodeScatterView;
use super::coverage_chart::draw_coverage;
use super::dataset_picker::DatasetPicker;
use super::downloads::{download_csv, download_png};
use super::driver::TrainState;
use super::driver::{COVERAGE_INTERVAL, COVERAGE_SAMPLES};
use super::image_grid::draw_grid;
use super::model_card::ModelCardView;
use super::pretrained::PretrainedStore;
use super::settings_form::SettingsForm;
use super::slow_motion::SlowMotion;
use super::weights_controls::WeightsControls;
use crate::backend::choice::BackendPreference;
use crate::link::WeightsChoice;
use crate::model::PreviewKind;
use crate::train::{Hyperparameters, ModelKind};
use crate::web::browser_offers_webgpu;
use crate::weights::CLASSIFIER_ID;

/// Steps averaged for the "first" and "recent" loss figures.
const LOSS_WINDOW: usize = 5;

/// What the loss chart plots, for `kind`.
fn chart_caption(kind: ModelKind) -> &'static str {
    if kind.is_adversarial() {
        "Discriminator and generator losses, and the discriminator's mean belief that real digits (D(x)) and \
         fakes (D(G(z))) are real"
    } else {
        "Loss terms per step, in nats per image"
    }
}

/// "1 min 20 s" or "45 s".
fn duration_text(seconds: f64) -> String {
    let seconds = seconds.round() as u64;
    if seconds >= 60 {
        format!("{} min {} s", seconds / 60, seconds % 60)
    } else {
        format!("{seconds} s")
    }
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
    let smoothing = RwSignal::new(0.9f32);
    let judge_problem = RwSignal::new(None::<String>);
    let restart = move || state.reset(kind.get_untracked(), settings.get_untracked());
    restart();
    let (opening_weights, autorun) = opening;
    if autorun && opening_weights == WeightsChoice::Fresh {
        state.play();
    }

    let dataset = runtime.with_value(|r| r.dataset);
    let use_dataset = Callback::new(move |chosen: std::sync::Arc<crate::data::Dataset>| {
        state.use_dataset(&chosen);
        dataset.set(chosen);
        restart();
    });
    let foreign_classes = move || dataset.with(|d| (!d.has_digit_classes()).then(|| d.name.clone()));
    // A class-conditional model learns from labels, which a user's dataset may lack.
    let needs_labels = move || {
        let kind = kind.get();
        dataset.with(|d| {
            (kind.is_conditional() && !d.is_labelled()).then(|| {
                format!(
                    "The {} learns from each image's class, and “{}” has no labels: pick another model, or load \
                     labelled files (a labels file, class folders or class prefixes in the file names).",
                    kind.label(),
                    d.name
                )
            })
        })
    };

    let on_model_change = move |ev: leptos::ev::Event| {
        if let Some(picked) = ModelKind::from_id(&event_target_value(&ev)) {
            let seed = settings.get_untracked().seed;
            kind.set(picked);
            settings.set(Hyperparameters {
                seed,
                ..Hyperparameters::defaults(picked)
            });
            restart();
        }
    };
    let toggle = move || {
        if untrack(needs_labels).is_some() {
            return;
        }
        if state.running.get_untracked() {
            state.pause()
        } else {
            state.play()
        }
    };
    let lower_learning_rate = move |_| {
        settings.update(|s| s.learning_rate = (s.learning_rate / 10.0).max(1e-6));
        restart();
    };
    let settings_changed = move || settings.get() != state.applied.get();
    // A new backend takes effect with a fresh session (the weights live on the old device).
    let on_backend_change = move |ev: leptos::ev::Event| {
        if let Some(picked) = BackendPreference::from_id(&event_target_value(&ev)) {
            state.set_backend(picked);
            restart();
        }
    };

    window_event_listener(leptos::ev::keydown, move |ev| {
        let target_tag = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .map(|e| e.tag_name());
        let typing = matches!(target_tag.as_deref(), Some("INPUT" | "SELECT" | "TEXTAREA"));
        // Space on a focused button presses that button; leave it to the browser.
        let on_button = target_tag.as_deref() == Some("BUTTON");
        if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() || !active.get_untracked() {
            return;
        }
        match ev.key().as_str() {
            " " if !on_button => toggle(),
            "s" | "S" if untrack(needs_labels).is_none() => state.single_step(),
            // A held-down R repeats: one reset, not dozens each uploading the dataset again.
            "r" | "R" if !ev.repeat() => restart(),
            "r" | "R" => {}
            _ => return,
        }
        ev.prevent_default();
    });

    // The classifier that judges samples is fetched the first time a model that samples is picked.
    Effect::new(move |_| {
        let samples = state.preview_kind.get() == PreviewKind::Samples;
        if !samples || state.has_judge() || judge_problem.get_untracked().is_some() {
            return;
        }
        judge_problem.set(Some(String::new()));
        leptos::task::spawn_local(async move {
            let loaded = pretrained
                .fetch_bytes(CLASSIFIER_ID, "digit classifier", |_, _| {})
                .await;
            match loaded {
                Ok((_, weights)) => {
                    judge_problem.set(None);
                    state.set_judge(weights);
                }
                Err(problem) => judge_problem.set(Some(format!("Class coverage is unavailable: {problem}"))),
            }
        });
    });
    let coverage_ref = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let canvas = coverage_ref.get();
        state
            .coverage
            .with(|reports| canvas.map(|c| draw_coverage(&c, reports)));
    });
    let coverage_summary = move || {
        state.coverage.with(|reports| {
            reports.last().map(|(_, r)| {
                format!(
                    "{} of 10 digit classes covered; mean confidence {:.2}; inception score {:.2}",
                    r.classes_covered, r.mean_confidence, r.inception_score
                )
            })
        })
    };

    let chart_ref = NodeRef::<Canvas>::new();
    let grid_ref = NodeRef::<Canvas>::new();
    // The curve lit up by the model card's formula, or by hovering the chart itself.
    let highlight = RwSignal::new(None::<String>);
    let curves = Signal::derive(move || state.history.with(|h| h.names.clone()));
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
            let name = format!(
                "genplay-{}-step{}.png",
                kind.get_untracked().id(),
                state.history.with_untracked(|h| h.len())
            );
            download_png(&canvas, &name);
        }
    };
    let export_csv = move |_| {
        let csv = state.history.with_untracked(|h| h.to_csv());
        download_csv(&csv, &format!("genplay-{}-losses.csv", kind.get_untracked().id()));
    };

    let steps = move || state.history.with(|h| h.len());
    let budget = move || state.applied.get().step_budget;
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
    let time_left = move || {
        let left = budget().saturating_sub(steps());
        match state.steps_per_second.get() {
            Some(rate) if rate > 0.0 && state.running.get() => duration_text(left as f64 / rate),
            _ => "–".into(),
        }
    };
    let preview_caption = move || match state.preview_kind.get() {
        PreviewKind::Reconstructions => "Reconstructions of 64 held-out digits it never trains on",
        PreviewKind::Samples => "Samples from 64 fixed random codes, the same at every refresh",
    };
    let backend_note = move || {
        state
            .backend
            .with(|b| b.as_ref().map(|(_, explanation)| explanation.clone()))
            .unwrap_or_else(|| "Starting the training worker…".into())
    };

    // Measured speeds are kept across visits; the user can have them measured afresh.
    let can_time_again = move || {
        state.backend_preference.get() == BackendPreference::Auto
            && !state.measuring_backends.get()
            && browser_offers_webgpu()
    };
    let train_badge = move || {
        state
            .backend
            .with(|b| b.as_ref().map(|(badge, _)| badge.clone()))
            .unwrap_or_else(|| "starting…".into())
    };

    view! {
        <section class="panel train" data-testid="train-panel">
            <h2>"Train"</h2>
            <p class="backend-note" data-testid="backend-note" data-measuring=move || state.measuring_backends.get().to_string()>
                <span class="badge" data-testid="train-backend">{train_badge}</span>" "{backend_note}
                {move || can_time_again().then(|| view! {
                    " "<button class="link" data-testid="time-again" on:click=move |_| state.forget_speeds()
                        title="Forget the measured speeds: each model is timed on both backends again the next time it trains">
                        "Time again"
                    </button>
                })}
            </p>
            <div class="controls">
                <label data-control="model">
                    "Model "
                    <select data-testid="model-select" on:change=on_model_change prop:value=move || kind.get().id()>
                        {ModelKind::ALL.into_iter().map(|k| view! {
                            <option value=k.id() selected=move || kind.get() == k>{k.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label data-control="backend" title="Changing the backend starts the model again">
                    "Backend "
                    <select data-testid="backend-select" on:change=on_backend_change
                        prop:value=move || state.backend_preference.get().id()>
                        {BackendPreference::ALL.into_iter().map(|p| view! {
                            <option value=p.id() selected=move || state.backend_preference.get() == p>{p.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button data-testid="train-button" data-control="train" class="primary" on:click=move |_| toggle()
                    disabled=move || state.diverged.get() || state.pausing.get() || needs_labels().is_some()>
                    {move || if state.pausing.get() {
                        "Pausing…"
                    } else if state.running.get() {
                        "Pause"
                    } else if steps() > 0 {
                        "Resume"
                    } else {
                        "Train"
                    }}
                </button>
                <button data-testid="step-button" data-control="step" on:click=move |_| state.single_step()
                    disabled=move || state.running.get() || state.diverged.get() || state.stepping.get()
                        || needs_labels().is_some()>"Step"</button>
                <button data-testid="reset-button" data-control="reset" on:click=move |_| restart()>
                    {move || if settings_changed() { "Apply & reset" } else { "Reset" }}
                </button>
            </div>
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
                    <span class="hint">{move || settings_changed().then_some(" — changed: press “Apply & reset” to use them")}</span>
                </summary>
                <SettingsForm kind settings />
            </details>
            <div class="progress-row">
                <progress data-testid="progress" max=move || budget().to_string() value=move || steps().to_string()></progress>
                <span class="progress-text">{move || format!("{} / {} steps", steps(), budget())}</span>
            </div>
            <dl class="stats" data-testid="stats"
                data-first-loss=move || loss_summary(false) data-recent-loss=move || loss_summary(true)>
                <div><dt>"step"</dt><dd data-testid="step-count">{steps}</dd></div>
                <div><dt>"epoch"</dt><dd data-testid="epoch">{move || format!("{:.2}", state.epochs.get())}</dd></div>
                <div><dt>"steps/s"</dt><dd data-testid="steps-per-second">
                    {move || state.steps_per_second.get().map(|r| format!("{r:.1}")).unwrap_or_else(|| "–".into())}
                </dd></div>
                <div><dt>"time left"</dt><dd data-testid="time-left">{time_left}</dd></div>
                <div><dt>"loss"</dt><dd data-testid="current-loss">{move || loss_summary(true)}</dd></div>
            </dl>
            {move || state.notice.get().map(|n| view! {
                <div class="notice warning" role="alert" data-testid="notice">
                    <p>{n}</p>
                    {move || state.diverged.get().then(|| view! {
                        <div class="notice-actions">
                            <button data-testid="diverged-reset" on:click=move |_| restart()>"Start again"</button>
                            <button data-testid="diverged-lower-lr" on:click=lower_learning_rate>
                                "Start again with learning rate ÷ 10"
                            </button>
                        </div>
                    })}
                </div>
            })}
            <div class="views">
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
                <figure class="grid">
                    <canvas node_ref=grid_ref data-testid="sample-grid" width="224" height="224"
                        role="img" aria-label="An 8 by 8 grid of the model's reconstructions or samples"></canvas>
                    <figcaption>
                        {preview_caption}
                        " "<button class="link" data-testid="export-png" on:click=export_png>"Download grid (PNG)"</button>
                    </figcaption>
                </figure>
                <CodeScatterView codes=state.codes />
            </div>
            <Show when=move || state.preview_kind.get() == PreviewKind::Samples>
                <figure class="coverage" data-testid="coverage" data-control="coverage">
                    <canvas node_ref=coverage_ref data-testid="coverage-chart" width="640" height="170"
                        role="img" aria-label="Chart of the digit classes the classifier finds among the samples, against the training step"></canvas>
                    <figcaption>
                        <strong data-testid="coverage-summary"
                            data-covered=move || state.coverage.with(|c| c.last().map(|(_, r)| r.classes_covered.to_string()))
                            data-checks=move || state.coverage.with(|c| c.len().to_string())>
                            {coverage_summary}
                        </strong>
                        {format!(
                            " — mode collapse watch: every {COVERAGE_INTERVAL} steps, the pretrained digit classifier                              (shipped with the site) labels {COVERAGE_SAMPLES} samples from fixed noise. A class counts as                              covered when at least 2% of the samples fall in it; a GAN that collapses covers few."
                        )}
                        {move || foreign_classes().map(|name| view! {
                            <span class="notice warning" role="status" data-testid="coverage-not-applicable">
                                {format!(" The watch is off: the classifier knows the digits 0 to 9, and the classes of “{name}” are others.")}
                            </span>
                        })}
                        {move || judge_problem.get().filter(|p| !p.is_empty()).map(|p| view! {
                            <span class="notice warning" role="status">{p}</span>
                        })}
                    </figcaption>
                </figure>
            </Show>
            <p class="keys" data-testid="keyboard-help">
                "Keys: " <kbd>"Space"</kbd> " train / pause · " <kbd>"S"</kbd> " one step · " <kbd>"R"</kbd> " reset"
            </p>
        </section>
    }
}
