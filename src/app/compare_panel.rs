//! The Compare panel: every model side by side on the same inputs. One column per model
//! (the shipped pretrained weights, plus a frozen copy of what the Train panel trained), one
//! row per comparison: reconstructions, random samples, interpolations, image completion, and
//! a table of numbers computed in the browser, on the CPU backend.

use std::collections::HashMap;
use std::rc::Rc;

use burn::tensor::{Device, Tensor, TensorData};
use leptos::html::Canvas;
use leptos::prelude::*;

use super::Runtime;
use super::driver::TrainState;
use super::image_grid::draw_grid;
use super::model_card::ObjectiveFold;
use super::pretrained::PretrainedStore;
use crate::data::IMAGE_PIXELS;
use crate::model::DigitClassifier;
use crate::train::batches::upload;
use crate::train::compare::{
    INTERPOLATION_STEPS, MaskKind, ModelScores, classifier_features, hidden_pixel_error, interpolate, score_model,
};
use crate::train::sessions::session_from_file;
use crate::train::{Hyperparameters, ModelKind, Session, read_floats};
use crate::web::yield_to_browser;
use crate::weights::WeightsFile;

/// Held-out digits shown in the reconstruction and completion rows.
const SHOWN: usize = 8;
/// Samples judged per model for the metrics table.
const JUDGED_SAMPLES: usize = 1_000;

/// The comparisons, one row each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Row {
    Reconstruction,
    Samples,
    Interpolation,
    Completion,
}

impl Row {
    const ALL: [Row; 4] = [Row::Reconstruction, Row::Samples, Row::Interpolation, Row::Completion];

    fn id(self) -> &'static str {
        match self {
            Row::Reconstruction => "reconstruction",
            Row::Samples => "samples",
            Row::Interpolation => "interpolation",
            Row::Completion => "completion",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Row::Reconstruction => "Reconstruction",
            Row::Samples => "Random samples",
            Row::Interpolation => "Interpolation",
            Row::Completion => "Image completion",
        }
    }

    /// What the row shows, in plain words.
    fn caption(self) -> &'static str {
        match self {
            Row::Reconstruction => {
                "The same eight held-out digits through every model with an encoder. The autoencoders minimise \
                 reconstruction error only, so they rebuild digits most faithfully; the VAEs pay for their KL term \
                 with blurrier copies. A GAN has no encoder: it cannot take a digit in at all."
            }
            Row::Samples => {
                "Eight samples from each model, from one shared seed. A plain autoencoder's decoder fed random codes \
                 makes poor digits, because nothing arranged its codes to fill the space a random code lands in; the \
                 VAE's KL term did exactly that; the GAN learned to fool a discriminator and gives the sharpest."
            }
            Row::Interpolation => {
                "Eight steps on a straight line between two codes: the codes of two held-out digits for models with \
                 an encoder, two noise vectors for the GANs. A smooth morph means a well-organised latent space."
            }
            Row::Completion => {
                "Part of each digit is hidden; each model fills it in. Autoencoders and VAEs iterate their \
                 reconstruction with the visible pixels clamped; a GAN searches its noise space (Adam, 60 steps, \
                 best of 4 starts) for an image that matches the visible pixels. The number is the mean squared \
                 error on the hidden pixels (lower is better)."
            }
        }
    }
}

/// One column: a model, where its weights come from, and its session.
#[derive(Clone)]
struct Column {
    key: String,
    title: String,
    kind: ModelKind,
    /// The settings it was trained with, for its folded objective.
    settings: Hyperparameters,
    origin: String,
    steps: usize,
    wall_seconds: Option<f64>,
    parameters: usize,
    session: Rc<Box<dyn Session>>,
}

/// A column's heading: what the table's header and the metrics table show of it.
#[derive(Clone, PartialEq)]
struct ColumnHeading {
    key: String,
    title: String,
    origin: String,
    kind: ModelKind,
    settings: Hyperparameters,
}

/// What the panel computed for one column.
#[derive(Clone, Default)]
struct Results {
    images: HashMap<Row, Vec<f32>>,
    completion_error: Option<f64>,
    scores: Option<Result<ModelScores, String>>,
}

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
    let columns = StoredValue::new_local(Vec::<Column>::new());
    let column_titles = RwSignal::new(Vec::<ColumnHeading>::new());
    let results = RwSignal::new(HashMap::<String, Results>::new());
    let progress = RwSignal::new(None::<(String, usize, usize)>);
    let problem = RwSignal::new(None::<String>);
    let pair = RwSignal::new((0usize, 1usize));
    let judge = StoredValue::new_local(None::<(DigitClassifier, Vec<f32>)>);
    let started = StoredValue::new(false);
    let busy = StoredValue::new(false);
    // A pass asked for while one runs (true: with the numbers): run as soon as that one ends.
    let pending = StoredValue::new(None::<bool>);

    let device = StoredValue::new_local(runtime.with_value(|r| r.device.clone()));
    let dataset = runtime.with_value(|r| r.dataset);
    let digit_classes = Signal::derive(move || dataset.with(|d| d.has_digit_classes()));
    let held_out = runtime.with_value(|r| upload(&dataset.get_untracked().split.held_out, &r.device));
    let held_out = StoredValue::new_local(held_out);
    let inputs = StoredValue::new_local(held_out.with_value(|h| h.clone().slice(0..SHOWN)));
    let input_pixels =
        RwSignal::new(dataset.with_untracked(|d| d.split.held_out.pixels[..SHOWN * IMAGE_PIXELS].to_vec()));

    let refresh_titles = move || {
        column_titles.set(columns.with_value(|cs| {
            cs.iter()
                .map(|c| ColumnHeading {
                    key: c.key.clone(),
                    title: c.title.clone(),
                    origin: c.origin.clone(),
                    kind: c.kind,
                    settings: c.settings,
                })
                .collect()
        }))
    };

    // Images of every row for every column, then the numbers: one column at a time, yielding.
    let recompute = move |with_scores: bool| {
        if busy.get_value() {
            pending.update_value(|p| *p = Some(p.unwrap_or(false) || with_scores));
            return;
        }
        busy.set_value(true);
        leptos::task::spawn_local(async move {
            let mut with_scores = with_scores;
            loop {
                let device = device.get_value();
                let all: Vec<Column> = columns.with_value(Clone::clone);
                let total = all.len();
                for (done, column) in all.iter().enumerate() {
                    progress.set(Some((format!("Drawing the {}", column.title), done, total)));
                    let outcome = column_images(
                        column,
                        &inputs.get_value(),
                        &held_out.get_value(),
                        pair.get_untracked(),
                        seed.get_untracked(),
                        mask.get_untracked(),
                        &input_pixels.get_untracked(),
                        &device,
                    )
                    .await;
                    match outcome {
                        Ok((images, completion_error)) => results.update(|r| {
                            let entry = r.entry(column.key.clone()).or_default();
                            entry.images = images;
                            entry.completion_error = Some(completion_error);
                        }),
                        Err(e) => problem.set(Some(format!("The {} could not be drawn: {e}.", column.title))),
                    }
                    yield_to_browser().await;
                }
                if with_scores {
                    if judge.with_value(Option::is_none) {
                        progress.set(Some(("Loading the digit classifier".into(), 0, total)));
                        match load_judge(pretrained, runtime, &held_out.get_value()).await {
                            Ok(loaded) => judge.set_value(Some(loaded)),
                            Err(e) => problem.set(Some(format!("The metrics need the digit classifier: {e}"))),
                        }
                    }
                    for (done, column) in all.iter().enumerate() {
                        let Some((classifier, features)) = judge.get_value() else {
                            break;
                        };
                        progress.set(Some((format!("Scoring the {}", column.title), done, total)));
                        yield_to_browser().await;
                        let scores = score_model(
                            column.session.as_ref().as_ref(),
                            &classifier,
                            &held_out.get_value(),
                            &features,
                            JUDGED_SAMPLES,
                            seed.get_untracked(),
                            &Device::flex(),
                        )
                        .await;
                        results.update(|r| {
                            r.entry(column.key.clone()).or_default().scores = Some(scores.map_err(|e| e.to_string()))
                        });
                    }
                }
                let Some(next) = pending.get_value() else { break };
                pending.set_value(None);
                with_scores = next;
            }
            progress.set(None);
            busy.set_value(false);
        });
    };

    // Another dataset in use: its held-out images become the inputs, and the numbers are
    // measured on them (the classifier's reference features too).
    Effect::new(move |first: Option<()>| {
        let held = dataset.with(|d| d.split.held_out.clone());
        if first.is_none() {
            return;
        }
        let device = device.get_value();
        let uploaded = upload(&held, &device);
        inputs.set_value(uploaded.clone().slice(0..SHOWN));
        held_out.set_value(uploaded);
        input_pixels.set(held.pixels[..SHOWN * IMAGE_PIXELS].to_vec());
        judge.set_value(None);
        pair.set((0, 1));
        if started.get_value() {
            recompute(true);
        }
    });

    // A drawing from the Draw panel becomes the first input.
    Effect::new(move |_| {
        let Some(drawn) = drawing.get() else { return };
        input_pixels.update(|p| p[..IMAGE_PIXELS].copy_from_slice(&drawn));
        let device = device.get_value();
        let pixels = input_pixels.get_untracked();
        inputs.set_value(Tensor::<2>::from_data(
            TensorData::new(pixels, [SHOWN, IMAGE_PIXELS]),
            &device,
        ));
        if started.get_value() {
            recompute(false);
        }
    });

    // Load every pretrained model the first time the panel is shown.
    Effect::new(move |_| {
        if !visible.get() || started.get_value() {
            return;
        }
        started.set_value(true);
        leptos::task::spawn_local(async move {
            let total = ModelKind::ALL.len();
            for (done, kind) in ModelKind::ALL.into_iter().enumerate() {
                progress.set(Some((format!("Loading the pretrained {}", kind.label()), done, total)));
                match load_pretrained_column(pretrained, runtime, kind).await {
                    Ok(column) => columns.update_value(|cs| cs.push(column)),
                    Err(e) => problem.set(Some(e)),
                }
                refresh_titles();
                yield_to_browser().await;
            }
            progress.set(None);
            recompute(true);
        });
    });

    let add_trained = move |_| {
        let kind = train_kind.get_untracked();
        let steps = train.history.with_untracked(|h| h.len());
        let settings = train.applied.get_untracked();
        leptos::task::spawn_local(async move {
            let outcome = async {
                let bytes = train.export_weights().await?.bytes.into_vec();
                let file = WeightsFile::parse(&bytes).map_err(|e| e.to_string())?;
                runtime
                    .with_value(|r| session_from_file(kind, &settings, file, &r.data, &r.device))
                    .map_err(|e| e.to_string())
            }
            .await;
            match outcome {
                Ok(session) => {
                    let key = format!("trained-{}-{steps}", kind.id());
                    let column = Column {
                        key: key.clone(),
                        title: format!("Your {}", kind.label()),
                        kind,
                        settings,
                        origin: format!("trained here, {steps} steps"),
                        steps,
                        wall_seconds: None,
                        parameters: session.parameter_count(),
                        session: Rc::new(session),
                    };
                    columns.update_value(|cs| {
                        cs.retain(|c| c.key != key);
                        cs.push(column);
                    });
                    refresh_titles();
                    recompute(true);
                }
                Err(e) => problem.set(Some(format!("Could not copy the model from the Train panel: {e}."))),
            }
        });
    };

    let set_pair_end = move |ev: leptos::ev::Event, first: bool| {
        if let Ok(value) = event_target_value(&ev).parse::<usize>() {
            let last = dataset.with_untracked(|d| d.split.held_out.len()).saturating_sub(1);
            let value = value.min(last);
            pair.update(|p| if first { p.0 = value } else { p.1 = value });
            recompute(false);
        }
    };
    let set_from = move |ev| set_pair_end(ev, true);
    let set_to = move |ev| set_pair_end(ev, false);
    let options = view! {
        <div class="controls compare-options">
            <label>"Seed "
                <input type="number" min="0" data-testid="compare-seed" prop:value=move || seed.get().to_string()
                    on:change=move |ev| if let Ok(v) = event_target_value(&ev).parse() { seed.set(v); recompute(false) } />
            </label>
            <label>"Hide "
                <select data-testid="compare-mask" on:change=move |ev| {
                    if let Some(m) = MaskKind::from_id(&event_target_value(&ev)) { mask.set(m); recompute(false) }
                }>
                    {MaskKind::ALL.into_iter().map(|m| view! {
                        <option value=m.id() selected=move || mask.get() == m>{m.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Interpolate held-out digits "
                <input type="number" min="0" max=move || dataset.with(|d| d.split.held_out.len().saturating_sub(1).to_string()) class="short" data-testid="compare-from" aria-label="First held-out digit to interpolate between"
                    prop:value=move || pair.get().0.to_string() on:change=set_from />
                " and "
                <input type="number" min="0" max=move || dataset.with(|d| d.split.held_out.len().saturating_sub(1).to_string()) class="short" data-testid="compare-to" aria-label="Second held-out digit to interpolate between"
                    prop:value=move || pair.get().1.to_string() on:change=set_to />
            </label>
            <button data-testid="compare-add-trained" on:click=add_trained
                title="Freeze a copy of the model in the Train panel and add it as a column">
                {move || format!("Add my {} from Train", train_kind.get().label())}
            </button>
            <button data-testid="compare-metrics" on:click=move |_| recompute(true)>"Recompute metrics"</button>
        </div>
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
            {options}
            {move || progress.get().map(|(text, done, total)| view! {
                <div class="progress-row" data-testid="compare-progress">
                    <progress max=total.to_string() value=done.to_string()></progress>
                    <span class="progress-text">{format!("{text}… ({done} of {total})")}</span>
                </div>
            })}
            {move || problem.get().map(|p| view! { <p class="notice warning" role="alert">{p}</p> })}
            // Wider than a narrow screen: it scrolls, and the keyboard can scroll it too.
            <div class="compare-scroll" tabindex="0" role="region" aria-label="Every model's images, side by side">
                <table class="compare-table" data-testid="compare-table">
                    <thead>
                        <tr>
                            <th></th>
                            {move || column_titles.get().into_iter().map(|heading| view! {
                                <th data-testid=format!("column-{}", heading.key)>
                                    {heading.title}<br/><span class="origin">{heading.origin}</span>
                                    <ObjectiveFold kind=heading.kind settings=heading.settings />
                                </th>
                            }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {Row::ALL.into_iter().map(|row| view! {
                            <tr data-testid=format!("row-{}", row.id())>
                                <th scope="row">
                                    {row.title()}
                                    {(row == Row::Reconstruction || row == Row::Completion).then(|| view! {
                                        <InputStrip pixels=input_pixels mask=(row == Row::Completion).then_some(mask) />
                                    })}
                                    <p class="caption">{row.caption()}</p>
                                </th>
                                {move || column_titles.get().into_iter().map(|ColumnHeading { key, .. }| {
                                    let cell_key = key.clone();
                                    let pixels = Signal::derive(move || results.with(|r| {
                                        r.get(&cell_key).and_then(|c| c.images.get(&row).cloned())
                                    }));
                                    let error = Signal::derive(move || results.with(|r| r.get(&key).and_then(|c| c.completion_error)));
                                    view! { <ImageCell row pixels error /> }
                                }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <MetricsTable columns column_titles results digit_classes />
        </section>
    }
}

/// One cell of images, or why there are none.
#[component]
fn ImageCell(row: Row, pixels: Signal<Option<Vec<f32>>>, error: Signal<Option<f64>>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        if let (Some(c), Some(p)) = (canvas.get(), pixels.get()) {
            draw_grid(&c, &p, 4);
        }
    });
    let state = move || {
        if pixels.with(Option::is_some) {
            "ready"
        } else {
            "pending"
        }
    };
    view! {
        <td class="cell" data-testid=format!("cell-{}", row.id()) data-state=state>
            {move || match pixels.get() {
                Some(p) if p.is_empty() => view! {
                    <span class="no-encoder">"A GAN has no encoder: it cannot take a digit in."</span>
                }.into_any(),
                _ => view! {
                    <canvas node_ref=canvas width="112" height="56" role="img" aria-label=row.title()></canvas>
                }.into_any(),
            }}
            {move || (row == Row::Completion).then(|| error.get().map(|e| view! {
                <span class="cell-number" data-testid="completion-error">{format!("hidden-pixel MSE {e:.3}")}</span>
            }))}
        </td>
    }
}

/// The held-out inputs (optionally masked) in a row's header.
#[component]
fn InputStrip(pixels: RwSignal<Vec<f32>>, mask: Option<RwSignal<MaskKind>>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let Some(c) = canvas.get() else { return };
        let mut shown = pixels.get();
        if let Some(mask) = mask {
            let visible = mask.get().visible();
            for (i, p) in shown.iter_mut().enumerate() {
                if visible[i % IMAGE_PIXELS] == 0.0 {
                    *p = 0.35;
                }
            }
        }
        draw_grid(&c, &shown, 4);
    });
    view! {
        <canvas class="inputs" node_ref=canvas width="112" height="56" role="img"
            aria-label="The held-out digits the row starts from"></canvas>
    }
}

/// The numbers, one row per model.
#[component]
fn MetricsTable(
    columns: StoredValue<Vec<Column>, LocalStorage>,
    column_titles: RwSignal<Vec<ColumnHeading>>,
    results: RwSignal<HashMap<String, Results>>,
    /// Whether the digit classifier's classes are the dataset's: else its figures are not shown.
    digit_classes: Signal<bool>,
) -> impl IntoView {
    let rows = move || {
        column_titles.track();
        let all: Vec<Column> = columns.with_value(Clone::clone);
        all.into_iter()
            .map(|column| {
                let key = column.key.clone();
                let scores = Signal::derive(move || results.with(|r| r.get(&key).and_then(|c| c.scores.clone())));
                let cell = move |f: fn(&ModelScores) -> String| {
                    move || match scores.get() {
                        Some(Ok(s)) => f(&s),
                        Some(Err(e)) => format!("failed: {e}"),
                        None => "…".into(),
                    }
                };
                let by_classifier = move |f: fn(&ModelScores) -> String| {
                    move || {
                        if digit_classes.get() {
                            cell(f)()
                        } else {
                            "n/a".to_string()
                        }
                    }
                };
                let histogram = move || {
                    scores.get().and_then(Result::ok).filter(|_| digit_classes.get()).map(|s| {
                        let tallest = s.samples.histogram.iter().copied().max().unwrap_or(1).max(1);
                        s.samples.histogram.iter().enumerate().map(|(digit, &count)| view! {
                            <span class="bar" title=format!("{digit}: {count} samples")
                                style=format!("height: {}px", 2 + 22 * count / tallest)></span>
                        }).collect_view()
                    })
                };
                let time = column.wall_seconds.map_or("–".to_string(), |s| format!("{s:.0} s"));
                view! {
                    <tr data-testid=format!("metrics-{}", column.key) data-model=column.kind.id()
                        data-covered=move || scores.get().and_then(Result::ok).map(|s| s.samples.classes_covered.to_string())
                        data-finite=move || scores.get().and_then(Result::ok).map(|s| all_finite(&s).to_string())>
                        <th scope="row">{column.title.clone()}</th>
                        <td>{cell(|s| number(s.reconstruction_bce, 1))}</td>
                        <td>{cell(|s| number(s.reconstruction_mse, 2))}</td>
                        <td>{cell(|s| number(s.elbo, 1))}</td>
                        <td><div class="histogram">{histogram}</div></td>
                        <td>{by_classifier(|s| format!("{} of 10", s.samples.classes_covered))}</td>
                        <td>{by_classifier(|s| format!("{:.2}", s.samples.inception_score))}</td>
                        <td>{by_classifier(|s| format!("{:.0}", s.frechet))}</td>
                        <td>{column.parameters.to_string()}</td>
                        <td>{column.steps.to_string()}</td>
                        <td>{time}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div class="compare-scroll" tabindex="0" role="region" aria-label="Every model's held-out figures">
            <table class="metrics-table" data-testid="metrics-table">
                <thead><tr>
                    <th>"model"</th>
                    <th title="Mean binary cross-entropy between each held-out image (the 1,000 held-out digits of MNIST) and its reconstruction, summed over the 784 pixels: nats per image, lower is better.">"recon BCE"</th>
                    <th title="Mean squared error between each held-out digit and its reconstruction, summed over pixels (intensities 0 to 1), per image.">"recon MSE"</th>
                    <th title="Evidence lower bound on log p(x) for the held-out digits: minus (reconstruction cross-entropy + KL of the posterior to the prior), nats per image, one posterior sample each; higher is better.">"ELBO"</th>
                    <th title="How the shipped digit classifier labels 1,000 samples: one bar per digit 0 to 9.">"sample classes"</th>
                    <th title="Digit classes holding at least 2% of the 1,000 samples. A model that collapses onto a few modes covers few.">"covered"</th>
                    <th title="Inception-Score-like figure: exp of the mean KL divergence from each sample's class probabilities to their average. 1 for one class or unsure predictions, up to 10 for confident, evenly spread ones.">"IS"</th>
                    <th title="Fréchet distance between Gaussians fitted to the classifier's 128 penultimate features of 1,000 samples and of the 1,000 held-out digits (as FID, with our classifier instead of Inception). Lower means the samples look more like real digits.">"Fréchet"</th>
                    <th title="Trainable parameters (for a GAN, generator and discriminator).">"parameters"</th>
                    <th title="Training steps behind these weights.">"steps"</th>
                    <th title="Wall time of the training that made these weights.">"time"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {move || (!digit_classes.get()).then(|| view! {
                <p class="hint" data-testid="metrics-not-applicable">
                    "n/a: the classes covered, IS and Fréchet distance judge samples with the shipped digit \
                     classifier, whose classes (the digits 0 to 9) are not this dataset's."
                </p>
            })}
        </div>
    }
}

/// `v` with `digits` decimals, or a dash.
fn number(v: Option<f64>, digits: usize) -> String {
    v.map_or("–".to_string(), |v| format!("{v:.digits$}"))
}

/// Whether every figure that applies is a finite number.
fn all_finite(s: &ModelScores) -> bool {
    [s.reconstruction_bce, s.reconstruction_mse, s.elbo]
        .into_iter()
        .flatten()
        .chain([s.frechet, s.samples.inception_score, s.samples.mean_confidence])
        .all(f64::is_finite)
}

/// A column with `kind`'s shipped weights.
async fn load_pretrained_column(
    pretrained: PretrainedStore,
    runtime: StoredValue<Runtime>,
    kind: ModelKind,
) -> Result<Column, String> {
    let (entry, session) = pretrained.session(runtime, kind).await?;
    Ok(Column {
        key: kind.id().to_string(),
        title: kind.label().to_string(),
        kind,
        settings: entry.settings.unwrap_or_else(|| Hyperparameters::defaults(kind)),
        origin: "pretrained".into(),
        steps: entry.steps,
        wall_seconds: Some(entry.wall_seconds),
        parameters: session.parameter_count(),
        session: Rc::new(session),
    })
}

/// The shipped classifier and its features of the held-out digits.
async fn load_judge(
    pretrained: PretrainedStore,
    runtime: StoredValue<Runtime>,
    held_out: &Tensor<2>,
) -> Result<(DigitClassifier, Vec<f32>), String> {
    let classifier = pretrained.classifier(runtime).await?;
    let features = classifier_features(&classifier, held_out)
        .await
        .map_err(|e| e.to_string())?;
    Ok((classifier, features))
}

/// Every row's images for one column, and the completion's hidden-pixel error. A model without
/// an encoder gets an empty reconstruction (shown as such).
#[allow(clippy::too_many_arguments)]
async fn column_images(
    column: &Column,
    inputs: &Tensor<2>,
    held_out: &Tensor<2>,
    (from, to): (usize, usize),
    seed: u64,
    mask: MaskKind,
    input_pixels: &[f32],
    device: &Device,
) -> Result<(HashMap<Row, Vec<f32>>, f64), String> {
    let session = column.session.as_ref().as_ref();
    let read = |t: Tensor<2>| async move { read_floats(t).await.map_err(|e| e.to_string()) };
    let mut images = HashMap::new();
    let reconstruction = match session.reconstruct(inputs.clone()) {
        Some(r) => read(r).await?,
        None => Vec::new(),
    };
    images.insert(Row::Reconstruction, reconstruction);
    let samples = session.samples(SHOWN, seed).ok_or("the model cannot sample")?;
    images.insert(Row::Samples, read(samples).await?);
    let pick = |i: usize| held_out.clone().slice(i..i + 1);
    images.insert(
        Row::Interpolation,
        read(interpolate(session, pick(from), pick(to), INTERPOLATION_STEPS, seed)).await?,
    );
    let visible_values = mask.visible();
    let visible_rows: Vec<f32> = (0..SHOWN).flat_map(|_| visible_values.clone()).collect();
    let visible = Tensor::<2>::from_data(TensorData::new(visible_rows, [SHOWN, IMAGE_PIXELS]), device);
    let completed = read(session.complete(inputs.clone(), visible, seed)).await?;
    let error = hidden_pixel_error(&completed, input_pixels, &visible_values);
    images.insert(Row::Completion, completed);
    Ok((images, error))
}
