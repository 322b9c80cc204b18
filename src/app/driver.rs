//! Drives a training session from the browser's event loop in short slices, so the page keeps
//! responding: each slice runs steps until about [`MAIN_THREAD_BUDGET_MS`] of main-thread time
//! is used (CPU backend) or until its adaptive step count is reached (WebGPU, where a step only
//! queues GPU work), then reads the losses back asynchronously and yields to the browser.

use burn::tensor::Tensor;
use leptos::prelude::*;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use super::Runtime;
use crate::link::WeightsChoice;
use crate::model::{DigitClassifier, PreviewKind};
use crate::train::catalogue::start_session;
use crate::train::metrics::{ClassReport, class_report};
use crate::train::{Hyperparameters, LossHistory, ModelKind, RateMeter, Session, model_config, read_floats};
use crate::weights::{Precision, WeightsError, WeightsFile, WeightsHeader, read_parameters};

/// Main-thread time one slice may use before it yields, in milliseconds.
const MAIN_THREAD_BUDGET_MS: f64 = 30.0;
/// Wall time one slice aims at, including the read back, in milliseconds.
const TARGET_SLICE_MS: f64 = 150.0;
/// Most steps queued in one slice.
const MAX_STEPS_PER_SLICE: usize = 32;
/// How often the preview grid is refreshed while training, in milliseconds.
const PREVIEW_INTERVAL_MS: f64 = 700.0;
/// Steps between two checks of a generator's class coverage.
pub const COVERAGE_INTERVAL: usize = 200;
/// Samples the classifier judges at each coverage check.
pub const COVERAGE_SAMPLES: usize = 256;
/// Seed of the noise of those samples (the same at every check).
const COVERAGE_SEED: u64 = 11;
/// Samples the classifier judges per main-thread task.
const COVERAGE_CHUNK: usize = 32;

/// The Train panel's state: what the view shows and what the loop drives.
#[derive(Clone, Copy)]
pub struct TrainState {
    /// Whether training is running (the Train / Pause toggle).
    pub running: RwSignal<bool>,
    /// Every step's loss terms.
    pub history: RwSignal<LossHistory>,
    /// The latest preview grid, `64 * 784` intensities.
    pub preview: RwSignal<Option<Vec<f32>>>,
    /// What the preview grid shows for the current model.
    pub preview_kind: RwSignal<PreviewKind>,
    /// Recent training speed.
    pub steps_per_second: RwSignal<Option<f64>>,
    /// Passes over the training digits so far.
    pub epochs: RwSignal<f64>,
    /// A message for the user (divergence, read-back failure, budget reached).
    pub notice: RwSignal<Option<String>>,
    /// Whether a single step (with its read back and preview) is in flight.
    pub stepping: RwSignal<bool>,
    /// Whether training stopped because a loss became NaN or infinite.
    pub diverged: RwSignal<bool>,
    /// The settings the current session was started with.
    pub applied: RwSignal<Hyperparameters>,
    /// For a generator: the classifier's verdict on its samples, by step.
    pub coverage: RwSignal<Vec<(usize, ClassReport)>>,
    /// Whether the weights in use are fresh from the seed or the shipped pretrained ones.
    pub weights_source: RwSignal<WeightsChoice>,
    /// The classifier that judges samples, once loaded.
    judge: StoredValue<Option<DigitClassifier>, LocalStorage>,
    session: StoredValue<Option<Box<dyn Session>>, LocalStorage>,
    /// Bumped on every reset, so a loop of an older session stops.
    generation: StoredValue<u64>,
    /// The generation whose loop (or single step) is running, if any.
    active_loop: StoredValue<Option<u64>>,
    rate: StoredValue<RateMeter>,
}

impl TrainState {
    /// Fresh state with no session.
    pub fn new() -> Self {
        Self {
            running: RwSignal::new(false),
            history: RwSignal::new(LossHistory::default()),
            preview: RwSignal::new(None),
            preview_kind: RwSignal::new(PreviewKind::Samples),
            steps_per_second: RwSignal::new(None),
            epochs: RwSignal::new(0.0),
            notice: RwSignal::new(None),
            diverged: RwSignal::new(false),
            stepping: RwSignal::new(false),
            applied: RwSignal::new(Hyperparameters::defaults(ModelKind::VaeMlp)),
            coverage: RwSignal::new(Vec::new()),
            judge: StoredValue::new_local(None),
            weights_source: RwSignal::new(WeightsChoice::Fresh),
            session: StoredValue::new_local(None),
            generation: StoredValue::new(0),
            active_loop: StoredValue::new(None),
            rate: StoredValue::new(RateMeter::default()),
        }
    }

    /// Drops the session and starts a fresh, untrained one of `kind` with `settings`, showing
    /// its preview.
    pub fn reset(self, runtime: &Runtime, kind: ModelKind, settings: Hyperparameters) {
        self.applied.set(settings);
        self.weights_source.set(WeightsChoice::Fresh);
        let session = start_session(kind, &settings, &runtime.data, &runtime.device);
        self.history.set(LossHistory::new(session.loss_names()));
        self.preview_kind.set(session.preview_kind());
        self.session.set_value(Some(session));
        self.preview.set(None);
        self.start_afresh();
    }

    /// After the weights in use were replaced: stops training (results of a slice still in
    /// flight belong to the old weights), clears every figure measured on the old ones, then
    /// shows the new preview and judges the new samples. The loss history is the caller's.
    fn start_afresh(self) {
        self.running.set(false);
        self.generation.update_value(|g| *g += 1);
        self.diverged.set(false);
        self.steps_per_second.set(None);
        self.epochs.set(0.0);
        self.notice.set(None);
        self.rate.update_value(RateMeter::clear);
        self.coverage.set(Vec::new());
        leptos::task::spawn_local(async move {
            self.refresh_preview().await;
            self.check_coverage().await;
        });
    }

    /// Sets the classifier that judges a generator's samples, and judges the current ones.
    pub fn set_judge(self, classifier: DigitClassifier) {
        self.judge.set_value(Some(classifier));
        if self.coverage.with_untracked(Vec::is_empty) {
            leptos::task::spawn_local(self.check_coverage());
        }
    }

    /// Whether a classifier is there to judge samples.
    pub fn has_judge(self) -> bool {
        self.judge.with_value(Option::is_some)
    }

    /// Loads the weights in `file` into the current session of `kind`, which stops training and
    /// starts its loss history afresh. A file that does not fit changes nothing.
    pub fn load_weights(self, kind: ModelKind, file: WeightsFile) -> Result<(), WeightsError> {
        let applied = self.applied.get_untracked();
        file.check_fits(kind.id(), &model_config(kind, &applied))?;
        let precision = file.header.precision;
        let loaded = self.session.try_update_value(|session| {
            session
                .as_mut()
                .map(|s| s.load_parameters(file.into_tensors(), precision))
        });
        loaded.flatten().unwrap_or(Err(WeightsError::TensorMismatch(
            "there is no model to load into".into(),
        )))?;
        self.history.update(|h| *h = LossHistory::new(&h.names));
        self.start_afresh();
        Ok(())
    }

    /// The current weights of `kind` as the bytes of a weights file (f32, with the config and
    /// settings), read back from the device asynchronously.
    pub async fn export_weights(self, kind: ModelKind, steps: usize) -> Result<Vec<u8>, WeightsError> {
        let applied = self.applied.get_untracked();
        let parameters = self
            .session
            .with_value(|s| s.as_ref().map(|s| s.parameters(Precision::F32)))
            .ok_or_else(|| WeightsError::Readback("there is no model to export".into()))?;
        let tensors = read_parameters(parameters).await?;
        let header = WeightsHeader {
            model: kind.id().into(),
            config: model_config(kind, &applied),
            settings: Some(applied),
            steps,
            precision: Precision::F32,
        };
        WeightsFile::encode(&header, tensors)
    }

    /// Steps left before the step budget is reached.
    pub fn steps_left(self) -> usize {
        self.applied
            .get_untracked()
            .step_budget
            .saturating_sub(self.history.with_untracked(LossHistory::len))
    }

    /// Starts or resumes training in the background (not past the budget, nor after divergence).
    pub fn play(self) {
        if self.steps_left() == 0 || self.diverged.get_untracked() {
            return;
        }
        self.notice.set(None);
        self.running.set(true);
        if !self.loop_is_running() {
            leptos::task::spawn_local(self.run());
        }
    }

    /// Pauses training after the current slice.
    pub fn pause(self) {
        self.running.set(false);
    }

    /// Runs exactly one step (when paused) and shows its result.
    pub fn single_step(self) {
        if self.running.get_untracked()
            || self.loop_is_running()
            || self.steps_left() == 0
            || self.diverged.get_untracked()
        {
            return;
        }
        let generation = self.generation.get_value();
        self.active_loop.set_value(Some(generation));
        self.stepping.set(true);
        leptos::task::spawn_local(async move {
            if self.run_slice(1).await.is_some() && generation == self.generation.get_value() {
                self.refresh_preview().await;
            }
            self.release_loop(generation);
            self.stepping.set(false);
        });
    }

    /// Whether a loop of the current session is running (a loop of an older one may still be
    /// finishing its last read back; it stops on its own).
    fn loop_is_running(self) -> bool {
        self.active_loop.get_value() == Some(self.generation.get_value())
    }

    /// Marks the loop of `generation` as finished, unless a newer one has taken over.
    fn release_loop(self, generation: u64) {
        if self.active_loop.get_value() == Some(generation) {
            self.active_loop.set_value(None);
        }
    }

    /// The training loop: slices until paused, reset, or the loss is no longer finite.
    async fn run(self) {
        let generation = self.generation.get_value();
        self.active_loop.set_value(Some(generation));
        self.rate.update_value(RateMeter::clear);
        let current = move || generation == self.generation.get_value();
        let mut steps_per_slice = 1;
        let mut last_preview = now_ms();
        loop {
            while self.running.get_untracked() && current() {
                let started = now_ms();
                let Some(done) = self.run_slice(steps_per_slice.min(self.steps_left())).await else {
                    break;
                };
                if self.steps_left() == 0 {
                    let budget = self.applied.get_untracked().step_budget;
                    self.stop_with(format!(
                        "Reached the step budget of {budget} steps: raise it to train on."
                    ));
                }
                // Aim each slice at TARGET_SLICE_MS of wall time, read back included.
                let per_step = ((now_ms() - started) / done as f64).max(0.1);
                steps_per_slice = ((TARGET_SLICE_MS / per_step) as usize).clamp(1, MAX_STEPS_PER_SLICE);
                if current() && now_ms() - last_preview > PREVIEW_INTERVAL_MS {
                    self.refresh_preview().await;
                    last_preview = now_ms();
                }
                if current() && self.coverage_due() {
                    self.check_coverage().await;
                }
                yield_to_browser().await;
            }
            if current() {
                self.refresh_preview().await;
            }
            // Play may have been pressed again while the last read back was in flight.
            if !(self.running.get_untracked() && current()) {
                break;
            }
        }
        self.release_loop(generation);
    }

    /// Queues up to `max_steps` steps within the main-thread budget, reads their losses back
    /// and records them. Returns the number of steps done, or `None` if training must stop.
    async fn run_slice(self, max_steps: usize) -> Option<usize> {
        if max_steps == 0 {
            return None;
        }
        let started = now_ms();
        let generation = self.generation.get_value();
        let queued: Vec<Tensor<1>> = self.session.try_update_value(|session| {
            let session = session.as_mut()?;
            let mut queued = Vec::with_capacity(max_steps);
            while queued.len() < max_steps {
                queued.push(session.step());
                if now_ms() - started > MAIN_THREAD_BUDGET_MS {
                    break;
                }
            }
            Some(queued)
        })??;
        let done = queued.len();
        let values = match read_floats(Tensor::cat(queued, 0)).await {
            Ok(values) => values,
            Err(e) => {
                self.stop_with(format!("Training stopped: {e}."));
                return None;
            }
        };
        if generation != self.generation.get_value() {
            return None;
        }
        let mut diverged_at = None;
        self.history
            .update(|history| diverged_at = history.extend_flat(&values));
        let (steps, epochs) = self
            .session
            .with_value(|s| s.as_ref().map(|s| (s.steps_done(), s.epochs_done())))?;
        self.epochs.set(epochs);
        self.rate.update_value(|rate| rate.record(now_ms(), steps));
        self.steps_per_second.set(self.rate.with_value(RateMeter::rate));
        if let Some(step) = diverged_at {
            let rate = self.applied.get_untracked().learning_rate;
            self.diverged.set(true);
            self.stop_with(format!(
                "Training stopped: the loss became NaN or infinite at step {step}, so the model's weights are no \
                 longer numbers. A learning rate of {rate} is probably too high for this model: start again, or \
                 start again with a ten times lower learning rate."
            ));
            return None;
        }
        Some(done)
    }

    /// Pauses and tells the user why.
    fn stop_with(self, message: String) {
        self.running.set(false);
        self.notice.set(Some(message));
    }

    /// Whether a generator has trained [`COVERAGE_INTERVAL`] steps since its last check.
    fn coverage_due(self) -> bool {
        let steps = self.history.with_untracked(LossHistory::len);
        let last = self.coverage.with_untracked(|c| c.last().map(|(step, _)| *step));
        last.is_some_and(|last| steps >= last + COVERAGE_INTERVAL)
    }

    /// For a generator, with a classifier loaded: judges [`COVERAGE_SAMPLES`] samples from
    /// fixed noise and records the class histogram at the current step.
    async fn check_coverage(self) {
        let generation = self.generation.get_value();
        let samples = self.session.with_value(|s| {
            s.as_ref()
                .and_then(|s| s.is_generator().then(|| s.samples(COVERAGE_SAMPLES, COVERAGE_SEED)))
                .flatten()
        });
        let Some(samples) = samples.filter(|_| self.has_judge()) else {
            return;
        };
        let step = self.history.with_untracked(LossHistory::len);
        // Judged in chunks, each read back before the next starts, so that on the CPU no
        // single main-thread task runs the classifier over all the samples.
        let mut probabilities = Vec::with_capacity(COVERAGE_SAMPLES * 10);
        for start in (0..COVERAGE_SAMPLES).step_by(COVERAGE_CHUNK) {
            let chunk = samples
                .clone()
                .slice(start..(start + COVERAGE_CHUNK).min(COVERAGE_SAMPLES));
            let Some(judged) = self
                .judge
                .with_value(|j| j.as_ref().map(|j| j.valid_probabilities(chunk)))
            else {
                return;
            };
            match read_floats(judged).await {
                Ok(values) => probabilities.extend(values),
                Err(e) => {
                    self.notice.set(Some(format!("Could not judge the samples: {e}.")));
                    return;
                }
            }
            if generation != self.generation.get_value() {
                return;
            }
            yield_to_browser().await;
        }
        self.coverage.update(|c| c.push((step, class_report(&probabilities))));
    }

    /// Reads the current preview grid back and shows it.
    async fn refresh_preview(self) {
        let Some(preview) = self.session.with_value(|s| s.as_ref().map(|s| s.preview())) else {
            return;
        };
        let generation = self.generation.get_value();
        match read_floats(preview).await {
            Ok(pixels) if generation == self.generation.get_value() => self.preview.set(Some(pixels)),
            Ok(_) => {}
            Err(e) => self.notice.set(Some(format!("Could not show the preview: {e}."))),
        }
    }
}

/// Lets the browser handle events and paint before the next slice. A message to oneself is
/// used rather than a timer: browsers throttle timers in background tabs (to once a second or
/// less), not messages, so training keeps its pace when the tab is hidden.
pub async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let posted = web_sys::MessageChannel::new().and_then(|channel| {
            channel.port1().set_onmessage(Some(&resolve));
            channel.port2().post_message(&JsValue::NULL)
        });
        if posted.is_err() {
            // No channel: resolve at once; the await still returns to the event loop.
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Milliseconds since the page started, from the high-resolution clock.
pub fn now_ms() -> f64 {
    web_sys::window().and_then(|w| w.performance()).map_or(0.0, |p| p.now())
}
