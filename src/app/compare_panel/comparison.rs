//! The Compare panel's state and its passes: every row's images for every column, then the
//! numbers, one column at a time, yielding to the browser between columns.

use std::collections::HashMap;
use std::sync::Arc;

use burn::tensor::{Device, Tensor, TensorData};
use leptos::prelude::*;

use super::super::Runtime;
use super::super::pretrained::PretrainedStore;
use super::columns::{Column, ColumnHeading, Results, load_judge};
use crate::data::{Dataset, Digits, IMAGE_PIXELS};
use crate::eval::compare::{ComparisonInputs, MaskKind, comparison_images, score_model};
use crate::model::DigitClassifier;
use crate::train::ModelKind;
use crate::train::batches::upload;
use crate::web::yield_to_browser;

/// Held-out digits shown in the reconstruction and completion rows.
pub(super) const SHOWN: usize = 8;
/// Samples judged per model for the metrics table.
const JUDGED_SAMPLES: usize = 1_000;

/// What a pass is doing, for the progress bar.
#[derive(Clone, PartialEq)]
pub(super) struct Progress {
    pub doing: String,
    pub done: usize,
    pub total: usize,
}

/// The Compare panel's state: its columns, what was computed for each, and the inputs.
#[derive(Clone, Copy)]
pub(super) struct Comparison {
    pub columns: StoredValue<Vec<Column>, LocalStorage>,
    /// The columns' headings, in order: what the tables are drawn from.
    pub headings: RwSignal<Vec<ColumnHeading>>,
    /// By column key.
    pub results: RwSignal<HashMap<String, Results>>,
    pub progress: RwSignal<Option<Progress>>,
    pub problem: RwSignal<Option<String>>,
    /// The held-out digits the interpolation joins.
    pub pair: RwSignal<(usize, usize)>,
    /// The seed of the samples, interpolations and completions (in share links).
    pub seed: RwSignal<u64>,
    /// The completion mask (in share links).
    pub mask: RwSignal<MaskKind>,
    /// The inputs' pixels (the first may be a drawing).
    pub input_pixels: RwSignal<Vec<f32>>,
    pub dataset: RwSignal<Arc<Dataset>>,
    /// Whether the panel was shown, so its models are loaded.
    pub started: StoredValue<bool>,
    judge: StoredValue<Option<(DigitClassifier, Vec<f32>)>, LocalStorage>,
    busy: StoredValue<bool>,
    /// A pass asked for while one runs (true: with the numbers): run as soon as that one ends.
    pending: StoredValue<Option<bool>>,
    device: StoredValue<Device, LocalStorage>,
    held_out: StoredValue<Tensor<2>, LocalStorage>,
    inputs: StoredValue<Tensor<2>, LocalStorage>,
    pretrained: PretrainedStore,
    runtime: StoredValue<Runtime>,
}

impl Comparison {
    /// No columns yet; the inputs are the dataset's first held-out digits.
    pub fn new(
        runtime: StoredValue<Runtime>,
        pretrained: PretrainedStore,
        seed: RwSignal<u64>,
        mask: RwSignal<MaskKind>,
    ) -> Self {
        let device = runtime.with_value(|r| r.device.clone());
        let dataset = runtime.with_value(|r| r.dataset);
        let held_out = upload(&dataset.get_untracked().split.held_out, &device);
        let pixels = dataset.with_untracked(|d| d.split.held_out.pixels[..SHOWN * IMAGE_PIXELS].to_vec());
        Self {
            columns: StoredValue::new_local(Vec::new()),
            headings: RwSignal::new(Vec::new()),
            results: RwSignal::new(HashMap::new()),
            progress: RwSignal::new(None),
            problem: RwSignal::new(None),
            pair: RwSignal::new((0, 1)),
            seed,
            mask,
            input_pixels: RwSignal::new(pixels),
            dataset,
            started: StoredValue::new(false),
            judge: StoredValue::new_local(None),
            busy: StoredValue::new(false),
            pending: StoredValue::new(None),
            device: StoredValue::new_local(device),
            inputs: StoredValue::new_local(held_out.clone().slice(0..SHOWN)),
            held_out: StoredValue::new_local(held_out),
            pretrained,
            runtime,
        }
    }

    fn show_progress(self, doing: String, done: usize, total: usize) {
        self.progress.set(Some(Progress { doing, done, total }));
    }

    /// Adds `column` (replacing one with its key) at the end.
    pub fn add_column(self, column: Column) {
        self.columns.update_value(|cs| {
            cs.retain(|c| c.heading.key != column.heading.key);
            cs.push(column);
        });
        self.headings.set(
            self.columns
                .with_value(|cs| cs.iter().map(|c| c.heading.clone()).collect()),
        );
    }

    /// Loads every shipped model as a column, then runs a pass with the numbers.
    pub async fn load_pretrained(self) {
        let total = ModelKind::ALL.len();
        for (done, kind) in ModelKind::ALL.into_iter().enumerate() {
            self.show_progress(format!("Loading the pretrained {}", kind.label()), done, total);
            match Column::pretrained(self.pretrained, self.runtime, kind).await {
                Ok(column) => self.add_column(column),
                Err(e) => self.problem.set(Some(e)),
            }
            yield_to_browser().await;
        }
        self.progress.set(None);
        self.recompute(true);
    }

    /// The held-out digits of another dataset become the inputs, and the numbers are measured
    /// on them (the classifier's reference features too).
    pub fn use_held_out(self, held: &Digits) {
        let uploaded = upload(held, &self.device.get_value());
        self.inputs.set_value(uploaded.clone().slice(0..SHOWN));
        self.held_out.set_value(uploaded);
        self.input_pixels.set(held.pixels[..SHOWN * IMAGE_PIXELS].to_vec());
        self.judge.set_value(None);
        self.pair.set((0, 1));
        if self.started.get_value() {
            self.recompute(true);
        }
    }

    /// A drawing from the Draw panel becomes the first input.
    pub fn use_drawing(self, drawn: &[f32]) {
        self.input_pixels.update(|p| p[..IMAGE_PIXELS].copy_from_slice(drawn));
        let pixels = self.input_pixels.get_untracked();
        let inputs = Tensor::<2>::from_data(TensorData::new(pixels, [SHOWN, IMAGE_PIXELS]), &self.device.get_value());
        self.inputs.set_value(inputs);
        if self.started.get_value() {
            self.recompute(false);
        }
    }

    /// Draws every column's images, then (`with_scores`) scores each; a pass asked for while one
    /// runs follows it.
    pub fn recompute(self, with_scores: bool) {
        if self.busy.get_value() {
            self.pending
                .update_value(|p| *p = Some(p.unwrap_or(false) || with_scores));
            return;
        }
        self.busy.set_value(true);
        leptos::task::spawn_local(async move {
            let mut with_scores = with_scores;
            loop {
                let all: Vec<Column> = self.columns.with_value(Clone::clone);
                self.draw(&all).await;
                if with_scores {
                    self.score(&all).await;
                }
                let Some(next) = self.pending.get_value() else { break };
                self.pending.set_value(None);
                with_scores = next;
            }
            self.progress.set(None);
            self.busy.set_value(false);
        });
    }

    async fn draw(self, all: &[Column]) {
        let (inputs, held_out) = (self.inputs.get_value(), self.held_out.get_value());
        let input_pixels = self.input_pixels.get_untracked();
        let on = ComparisonInputs {
            inputs: &inputs,
            input_pixels: &input_pixels,
            held_out: &held_out,
            pair: self.pair.get_untracked(),
            seed: self.seed.get_untracked(),
            mask: self.mask.get_untracked(),
        };
        for (done, column) in all.iter().enumerate() {
            let title = &column.heading.title;
            self.show_progress(format!("Drawing the {title}"), done, all.len());
            match comparison_images(column.session.as_ref(), &on).await {
                Ok(images) => self.results.update(|r| {
                    r.entry(column.heading.key.clone()).or_default().images = Some(images);
                }),
                Err(e) => self.problem.set(Some(format!("The {title} could not be drawn: {e}."))),
            }
            yield_to_browser().await;
        }
    }

    async fn score(self, all: &[Column]) {
        let held_out = self.held_out.get_value();
        if self.judge.with_value(Option::is_none) {
            self.show_progress("Loading the digit classifier".into(), 0, all.len());
            match load_judge(self.pretrained, self.runtime, &held_out).await {
                Ok(loaded) => self.judge.set_value(Some(loaded)),
                Err(e) => self
                    .problem
                    .set(Some(format!("The metrics need the digit classifier: {e}"))),
            }
        }
        let Some((classifier, features)) = self.judge.get_value() else {
            return;
        };
        // The Fréchet distance's matrix work runs on the CPU.
        let cpu = Device::flex();
        for (done, column) in all.iter().enumerate() {
            self.show_progress(format!("Scoring the {}", column.heading.title), done, all.len());
            yield_to_browser().await;
            let seed = self.seed.get_untracked();
            let session = column.session.as_ref();
            let scores = score_model(session, &classifier, &held_out, &features, JUDGED_SAMPLES, seed, &cpu).await;
            let scores = scores.map_err(|e| e.to_string());
            self.results
                .update(|r| r.entry(column.heading.key.clone()).or_default().scores = Some(scores));
        }
    }
}
