//! The Augment panel: does generated data help a classifier trained on few labels? It runs the
//! experiment of [`crate::train::augment`] in a worker of its own (the Train panel's worker
//! keeps training meanwhile), with a progress bar, then shows each arm's held-out accuracy
//! over the seeds as a chart and a table, and a few of the digits each arm added.

use leptos::html::Canvas;
use leptos::prelude::*;
use serde_bytes::ByteBuf;

use super::Runtime;
use super::image_grid::draw_grid;
use super::pretrained::PretrainedStore;
use super::training_worker::{TrainingWorker, WorkerModule};
use crate::backend::choice::BackendPreference;
use crate::backend::memory::SpeedMemory;
use crate::protocol::{Command, Event, PretrainedGenerator};
use crate::train::augment::{
    ArmOutcome, AugmentArm, AugmentPlan, AugmentProgress, EXAMPLES_PER_CLASS, MAX_AUGMENT_SEEDS, PER_CLASS_CHOICES,
};
use crate::web::now_ms;

/// A finished experiment: the plan it ran and what it measured.
#[derive(Clone, PartialEq)]
struct Finished {
    plan: AugmentPlan,
    outcomes: Vec<ArmOutcome>,
    seconds: f64,
}

/// The Augment panel.
#[component]
pub fn AugmentPanel(
    runtime: StoredValue<Runtime>,
    pretrained: PretrainedStore,
    /// Labelled digits per class (K), shared with the share link.
    per_class: RwSignal<usize>,
    /// Number of seeds, shared with the share link.
    seeds: RwSignal<usize>,
) -> impl IntoView {
    let defaults = AugmentPlan::default();
    let extra = RwSignal::new(defaults.extra_per_class);
    let classifier_steps = RwSignal::new(defaults.classifier_steps);
    let generator_steps = RwSignal::new(defaults.generator_steps);
    let chosen_arms = RwSignal::new(defaults.arms.clone());
    let progress = RwSignal::new(None::<AugmentProgress>);
    let finished = RwSignal::new(None::<Finished>);
    let problem = RwSignal::new(None::<String>);
    let running = RwSignal::new(false);
    let started_at = StoredValue::new(0.0f64);
    let worker = StoredValue::new_local(None::<TrainingWorker>);

    let stop_worker = move || worker.with_value(|w| w.as_ref().map(TrainingWorker::terminate));
    let fail = move |message: String| {
        stop_worker();
        problem.set(Some(message));
        progress.set(None);
        running.set(false);
    };

    let run = move || {
        let plan = AugmentPlan {
            per_class: per_class.get_untracked(),
            seeds: seeds.get_untracked(),
            extra_per_class: extra.get_untracked(),
            classifier_steps: classifier_steps.get_untracked(),
            generator_steps: generator_steps.get_untracked(),
            arms: AugmentArm::ALL
                .into_iter()
                .filter(|arm| chosen_arms.with_untracked(|chosen| chosen.contains(arm)))
                .collect(),
        };
        if let Err(message) = plan.validate() {
            problem.set(Some(format!("Cannot run: {message}.")));
            return;
        }
        problem.set(None);
        running.set(true);
        started_at.set_value(now_ms());
        progress.set(Some(AugmentProgress {
            done: 0,
            total: plan.total_steps(),
            activity: "fetching the shipped conditional generators".into(),
        }));
        leptos::task::spawn_local(async move {
            let mut generators = Vec::new();
            for arm in plan.arms.iter().copied() {
                let Some(kind) = arm.pretrained_model() else { continue };
                match pretrained.fetch_bytes(kind.id(), kind.label(), |_, _| {}).await {
                    Ok((entry, bytes)) => match entry.settings {
                        Some(settings) => generators.push(PretrainedGenerator {
                            arm,
                            settings,
                            weights: ByteBuf::from(bytes),
                        }),
                        None => return fail(format!("The manifest gives no settings for the {}.", kind.label())),
                    },
                    Err(message) => return fail(message),
                }
            }
            if !running.get_untracked() {
                return;
            }
            let ran = plan.clone();
            let on_event = move |event: Event| match event {
                Event::AugmentProgress(now) => progress.set(Some(now)),
                Event::AugmentFinished { outcomes } => {
                    stop_worker();
                    finished.set(Some(Finished {
                        plan: ran.clone(),
                        outcomes,
                        seconds: (now_ms() - started_at.get_value()) / 1000.0,
                    }));
                    progress.set(None);
                    running.set(false);
                }
                Event::Failed { message } | Event::Crashed { message } => {
                    fail(format!("The experiment stopped: {message}."))
                }
                _ => {}
            };
            let on_crash = move |message: String| fail(format!("The experiment stopped: {message}."));
            let files = runtime.with_value(|r| r.files.clone());
            // The worker of the last run is replaced (and dropped) here, outside its own handlers.
            match TrainingWorker::spawn(WorkerModule::Page, on_event, on_crash) {
                Ok(spawned) => {
                    spawned.send(&Command::Start {
                        images: ByteBuf::from(files.images.clone()),
                        labels: ByteBuf::from(files.labels.clone()),
                        // Networks this small train faster on the CPU than through a GPU's dispatches.
                        backend: BackendPreference::Cpu,
                        remembered: SpeedMemory::default(),
                    });
                    spawned.send(&Command::Augment { plan, generators });
                    worker.set_value(Some(spawned));
                }
                Err(message) => fail(format!("The experiment could not start: {message}.")),
            }
        });
    };
    let stop = move || {
        stop_worker();
        progress.set(None);
        running.set(false);
        problem.set(Some("Stopped: nothing was measured.".into()));
    };

    let number_input = |label: &'static str, id: &'static str, value: RwSignal<usize>, min: usize, max: usize| {
        view! {
            <label>
                {label} " "
                <input type="number" data-testid=id min=min.to_string() max=max.to_string()
                    prop:value=move || value.get().to_string()
                    on:change=move |ev| {
                        if let Ok(v) = event_target_value(&ev).trim().parse::<usize>() {
                            value.set(v.clamp(min, max));
                        }
                    }
                    disabled=move || running.get() />
            </label>
        }
    };
    let progress_text = move || {
        progress.get().map(|p| {
            let fraction = p.done as f64 / p.total.max(1) as f64;
            let elapsed = (now_ms() - started_at.get_value()) / 1000.0;
            let left = if fraction > 0.02 {
                format!(", about {:.0} s left", elapsed * (1.0 - fraction) / fraction)
            } else {
                String::new()
            };
            format!("{:.0}% — {}{left}", fraction * 100.0, p.activity)
        })
    };
    let dataset_note = move || {
        runtime.with_value(|r| r.dataset).with(|d| {
            (!d.is_shipped()).then(|| {
                format!(
                    "The experiment uses the shipped MNIST digits, not “{}”: its generators and its classes are MNIST's.",
                    d.name
                )
            })
        })
    };

    view! {
        <section class="panel augment" data-testid="augment-panel">
            <h2>"Augment"</h2>
            <p class="intro">
                "Can generated digits stand in for labels you do not have? Take K labelled digits per class, train a \
                 small classifier (MLP 784-256-10, Adam) on them alone, on them plus shifted and rotated copies, and on \
                 them plus digits written to order by a conditional VAE or GAN. Each classifier is scored on the 1,000 \
                 held-out digits, for several seeds (each seed draws other labelled digits)."
            </p>
            <p class="notice" data-testid="augment-provenance">
                "Where the generators learned matters: the shipped conditional VAE and GAN were trained on all 9,000 \
                 labelled training digits, so their samples carry far more labelled information than K per class — \
                 read those rows as an upper bound. The fair few-label tests are the conditional VAE and GAN trained \
                 here on the same K labelled digits per class and nothing else."
            </p>
            {dataset_note}
            <div class="controls augment-controls">
                <label>
                    "Labelled digits per class (K) "
                    <select data-testid="augment-k" disabled=move || running.get()
                        on:change=move |ev| {
                            if let Ok(k) = event_target_value(&ev).parse() {
                                per_class.set(k);
                            }
                        }>
                        {PER_CLASS_CHOICES.into_iter().map(|k| view! {
                            <option value=k.to_string() selected=move || per_class.get() == k>{k.to_string()}</option>
                        }).collect_view()}
                    </select>
                </label>
                {number_input("Seeds", "augment-seeds", seeds, 1, MAX_AUGMENT_SEEDS)}
                {number_input("Extra digits per class", "augment-extra", extra, 1, 1_000)}
                {number_input("Classifier steps", "augment-classifier-steps", classifier_steps, 1, 20_000)}
                {number_input("Generator steps", "augment-generator-steps", generator_steps, 1, 20_000)}
                <fieldset class="augment-arms" data-testid="augment-arms">
                    <legend>"Compare"</legend>
                    {AugmentArm::ALL.into_iter().map(|arm| view! {
                        <label>
                            <input type="checkbox" data-arm=format!("{arm:?}") disabled=move || running.get()
                                prop:checked=move || chosen_arms.with(|chosen| chosen.contains(&arm))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    chosen_arms.update(|chosen| {
                                        chosen.retain(|a| *a != arm);
                                        if on {
                                            chosen.push(arm);
                                        }
                                    });
                                } />
                            " " {arm.label()}
                            {(arm == AugmentArm::FewShotCgan).then_some(" (about four times the run time)")}
                        </label>
                    }).collect_view()}
                </fieldset>
                <button class="primary" data-testid="augment-run" on:click=move |_| run() disabled=move || running.get()>
                    {move || if finished.with(Option::is_some) { "Run again" } else { "Run the experiment" }}
                </button>
                <button data-testid="augment-stop" on:click=move |_| stop() disabled=move || !running.get()>"Stop"</button>
            </div>
            <p class="hint">"Runs on the CPU in a worker of its own, so the Train panel keeps training meanwhile."</p>
            {move || progress.get().map(|p| view! {
                <div class="progress-row">
                    <progress data-testid="augment-progress" max=p.total.to_string() value=p.done.to_string()></progress>
                    <span class="progress-text" data-testid="augment-progress-text">{progress_text}</span>
                </div>
            })}
            {move || problem.get().map(|p| view! { <p class="notice warning" role="status" data-testid="augment-problem">{p}</p> })}
            {move || finished.get().map(|f| view! { <Results finished=f /> })}
        </section>
    }
}

/// The chart, the table and the example strips of a finished experiment.
#[component]
fn Results(finished: Finished) -> impl IntoView {
    let Finished {
        plan,
        outcomes,
        seconds,
    } = finished;
    let baseline = outcomes
        .iter()
        .find(|o| o.arm == AugmentArm::RealOnly)
        .map(ArmOutcome::mean);
    let rows = outcomes
        .iter()
        .map(|outcome| {
            let change = baseline
                .filter(|_| outcome.arm != AugmentArm::RealOnly)
                .map(|b| format!("{:+.1}", (outcome.mean() - b) * 100.0))
                .unwrap_or_else(|| "—".into());
            let per_seed = outcome
                .accuracies
                .iter()
                .map(|a| format!("{:.1}", a * 100.0))
                .collect::<Vec<_>>()
                .join(", ");
            let examples = outcome.examples.clone();
            view! {
                <tr data-arm=format!("{:?}", outcome.arm)>
                    <th>{outcome.arm.label()}<p class="caption">{outcome.arm.provenance()}</p></th>
                    <td data-testid="augment-mean">{format!("{:.1}% ± {:.1}", outcome.mean() * 100.0, outcome.spread() * 100.0)}</td>
                    <td>{change}</td>
                    <td>{per_seed}</td>
                    <td>{(!examples.is_empty()).then(|| view! { <ExampleStrip pixels=examples /> })}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="augment-results" data-testid="augment-results">
            <p>{format!(
                "K = {} labelled digits per class ({} in all), {} seed{}, {} extra digits per class, classifiers trained \
                 {} steps, generators on the labelled digits {} steps; measured in {:.0} s.",
                plan.per_class,
                plan.per_class * 10,
                plan.seeds,
                if plan.seeds == 1 { "" } else { "s" },
                plan.extra_per_class,
                plan.classifier_steps,
                plan.generator_steps,
                seconds
            )}</p>
            <AccuracyChart outcomes=outcomes.clone() />
            <table class="metrics-table augment-table" data-testid="augment-table">
                <thead><tr>
                    <th>"Trained on"</th>
                    <th>"Held-out accuracy (mean ± sd)"</th>
                    <th>"vs labelled only, points"</th>
                    <th>"Per seed, %"</th>
                    <th>{format!("Digits it added ({} per class, first seed)", EXAMPLES_PER_CLASS)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// Horizontal bars of each arm's mean accuracy, with whiskers of one standard deviation and a
/// dot per seed, drawn as SVG (a few dozen lines; no chart crate is needed for five bars).
#[component]
fn AccuracyChart(outcomes: Vec<ArmOutcome>) -> impl IntoView {
    const WIDTH: f64 = 520.0;
    const LEFT: f64 = 150.0;
    const ROW: f64 = 26.0;
    let height = ROW * outcomes.len() as f64 + 24.0;
    let x = move |accuracy: f64| LEFT + accuracy.clamp(0.0, 1.0) * (WIDTH - LEFT - 28.0);
    let short = |arm: AugmentArm| match arm {
        AugmentArm::RealOnly => "labelled only",
        AugmentArm::Classic => "+ shifts, rotations",
        AugmentArm::FewShotCvae => "+ cVAE on K labels",
        AugmentArm::FewShotCgan => "+ cGAN on K labels",
        AugmentArm::PretrainedCvae => "+ shipped cVAE *",
        AugmentArm::PretrainedCgan => "+ shipped cGAN *",
    };
    let ticks = (0..=5)
        .map(|i| {
            let value = i as f64 / 5.0;
            view! {
                <line x1=x(value) x2=x(value) y1="0" y2=height - 18.0 class="grid" />
                <text x=x(value) y=height - 4.0 text-anchor="middle">{format!("{:.0}%", value * 100.0)}</text>
            }
        })
        .collect_view();
    let bars = outcomes
        .iter()
        .enumerate()
        .map(|(i, outcome)| {
            let y = i as f64 * ROW + 4.0;
            let (mean, spread) = (outcome.mean(), outcome.spread());
            let dots = outcome
                .accuracies
                .iter()
                .map(|&a| view! { <circle cx=x(a) cy=y + ROW / 2.0 - 2.0 r="2.5" class="seed" /> })
                .collect_view();
            view! {
                <text x=LEFT - 6.0 y=y + ROW / 2.0 + 2.0 text-anchor="end">{short(outcome.arm)}</text>
                <rect x=LEFT y=y width=x(mean) - LEFT height=ROW - 8.0 class=format!("bar arm-{:?}", outcome.arm) />
                <line x1=x(mean - spread) x2=x(mean + spread) y1=y + ROW / 2.0 - 4.0 y2=y + ROW / 2.0 - 4.0 class="whisker" />
                {dots}
            }
        })
        .collect_view();
    view! {
        <svg class="accuracy-chart" data-testid="augment-chart" viewBox=format!("0 0 {WIDTH} {height}")
            width=WIDTH height=height role="img" aria-label="Held-out accuracy of each arm">
            {ticks}
            {bars}
        </svg>
        <p class="caption">"Bars: mean held-out accuracy; whiskers: ± one standard deviation over seeds; dots: each seed. \
            * trained on all 9,000 labelled digits."</p>
    }
}

/// A few digits an arm added, ten to a row.
#[component]
fn ExampleStrip(pixels: Vec<f32>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        if let Some(canvas) = canvas.get() {
            draw_grid(&canvas, &pixels, 10);
        }
    });
    view! { <canvas class="examples" node_ref=canvas role="img" aria-label="Examples of the training set of this arm"></canvas> }
}
