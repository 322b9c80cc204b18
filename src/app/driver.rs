//! The Train panel's state, and its link to the training worker ([`crate::worker`]): the page
//! sends commands and turns the worker's events into the signals the panel shows. No training
//! step runs on the page's main thread.

use std::collections::HashMap;
use std::sync::Arc;

use futures_channel::oneshot;
use leptos::prelude::*;
use serde_bytes::ByteBuf;

use super::Runtime;
use super::dataset::MnistFiles;
use super::speed_store;
use super::training_worker::{TrainingWorker, WorkerModule};
use crate::backend::choice::BackendPreference;
use crate::data::idx::{encode_idx_images, encode_idx_labels};
use crate::data::{Dataset, IMAGE_SIDE};
use crate::link::WeightsChoice;
use crate::model::PreviewKind;
use crate::protocol::{Command, Event, ExportedWeights, HalfReport, StopReason};
use crate::train::metrics::ClassReport;
use crate::train::{Hyperparameters, LossHistory, ModelKind, RateMeter};
use crate::web::{browser_offers_webgpu, now_ms};
use crate::worker::supervision::{Heartbeat, PING_INTERVAL_MS, Supervisor};

pub use crate::worker::{COVERAGE_INTERVAL, COVERAGE_SAMPLES};

/// A preview grid from the worker.
pub struct PreviewGrid {
    /// Steps the model had done when it was drawn.
    pub step: usize,
    /// `64 * 784` intensities in `[0, 1]`.
    pub pixels: Vec<f32>,
}

/// The first two numbers of the codes of a fixed batch of held-out digits, with their classes.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeScatter {
    /// Steps the model had done when they were encoded.
    pub step: usize,
    /// `(x, y)` of each digit, flattened.
    pub points: Vec<f32>,
    /// The class of each digit.
    pub classes: Vec<u8>,
}

/// The Train panel's state: what the view shows, kept in step with the training worker.
#[derive(Clone, Copy)]
pub struct TrainState {
    /// Whether training is running (the Train / Pause toggle): from a press of Train until the
    /// worker says it stopped.
    pub running: RwSignal<bool>,
    /// Whether a pause was asked for and the worker is finishing its slice.
    pub pausing: RwSignal<bool>,
    /// Every step's loss terms.
    pub history: RwSignal<LossHistory>,
    /// The latest preview grid.
    pub preview: RwSignal<Option<PreviewGrid>>,
    /// For a model with an encoder: where it puts a fixed batch of held-out digits.
    pub codes: RwSignal<Option<CodeScatter>>,
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
    /// A GAN in slow motion: what its last half step did, until it trains another way.
    pub slow_motion: RwSignal<Option<HalfReport>>,
    /// Whether training stopped because a loss became NaN or infinite.
    pub diverged: RwSignal<bool>,
    /// The settings the current session was started with.
    pub applied: RwSignal<Hyperparameters>,
    /// For a generator: the classifier's verdict on its samples, by step.
    pub coverage: RwSignal<Vec<(usize, ClassReport)>>,
    /// Whether the weights in use are fresh from the seed or the shipped pretrained ones.
    pub weights_source: RwSignal<WeightsChoice>,
    /// The training worker's backend: its badge and why it is in use, once it is ready.
    pub backend: RwSignal<Option<(String, String)>>,
    /// Whether the worker is timing the backends to choose one.
    pub measuring_backends: RwSignal<bool>,
    /// Which backend the user wants training on.
    pub backend_preference: RwSignal<BackendPreference>,
    /// The classifier that judges samples (a weights file), once sent to the worker.
    judge: StoredValue<Option<Vec<u8>>>,
    worker: StoredValue<Option<TrainingWorker>, LocalStorage>,
    /// Which module the worker runs.
    worker_module: StoredValue<WorkerModule>,
    /// The shipped digits and the dataset in use, for a worker started afresh.
    files: StoredValue<Arc<MnistFiles>>,
    dataset: RwSignal<Arc<Dataset>>,
    /// Numbers the sessions: bumped whenever the weights in use are replaced, so events about
    /// older weights, still on their way, are dropped.
    generation: StoredValue<u64>,
    /// The last generation number handed out (to a reset or a load): never handed out twice,
    /// so a load answered after a newer reset cannot pass for it.
    last_generation: StoredValue<u64>,
    /// Numbers the play presses, so a stop of an older run does not stop a newer one.
    run: StoredValue<u64>,
    /// Numbers requests that get an answer (load, export), and who waits for each.
    next_request: StoredValue<u64>,
    waiting: StoredValue<HashMap<u64, oneshot::Sender<Event>>, LocalStorage>,
    rate: StoredValue<RateMeter>,
    /// The model in use, as the last reset or load named it.
    kind: StoredValue<ModelKind>,
    /// The latest snapshot of the weights in training, and when the last one was asked for.
    snapshot: StoredValue<Option<Snapshot>>,
    snapshot_asked_ms: StoredValue<f64>,
    /// The loss history to show when a restored worker resumes its snapshot.
    restoring: StoredValue<Option<LossHistory>>,
    /// The heartbeat and restart budget of the worker.
    supervisor: StoredValue<Supervisor>,
    /// Whether a worker broke on WebGPU, so its successors train on the CPU (until the user picks
    /// a backend).
    cpu_after_crash: StoredValue<bool>,
    /// Numbers the workers started, so only the current one is heard.
    worker_epoch: StoredValue<u64>,
}

/// What the page keeps to restore a worker that broke: the weights in training as a weights file
/// (with their step count) and the optimisers' state, taken every [`SNAPSHOT_INTERVAL_MS`] while
/// training runs and whenever a run stops or a step is done, and the loss history up to them.
/// Held on the page, outside the worker.
#[derive(Clone)]
struct Snapshot {
    generation: u64,
    kind: ModelKind,
    settings: Hyperparameters,
    weights: Vec<u8>,
    /// The optimisers' state with the weights (empty where the worker trains on WebGPU).
    optimizer: Vec<ByteBuf>,
    history: LossHistory,
}

/// How often a snapshot of the weights in training is taken, in milliseconds.
const SNAPSHOT_INTERVAL_MS: f64 = 5_000.0;

impl TrainState {
    /// Fresh state, with the training worker started on `runtime`'s digits. A worker that
    /// cannot start leaves a notice that says why.
    pub fn new(runtime: &Runtime) -> Self {
        let state = Self {
            running: RwSignal::new(false),
            pausing: RwSignal::new(false),
            history: RwSignal::new(LossHistory::default()),
            preview: RwSignal::new(None),
            codes: RwSignal::new(None),
            preview_kind: RwSignal::new(PreviewKind::Samples),
            steps_per_second: RwSignal::new(None),
            epochs: RwSignal::new(0.0),
            notice: RwSignal::new(None),
            diverged: RwSignal::new(false),
            stepping: RwSignal::new(false),
            slow_motion: RwSignal::new(None),
            applied: RwSignal::new(Hyperparameters::defaults(ModelKind::VaeMlp)),
            coverage: RwSignal::new(Vec::new()),
            weights_source: RwSignal::new(WeightsChoice::Fresh),
            backend: runtime.training_backend,
            measuring_backends: RwSignal::new(false),
            backend_preference: RwSignal::new(runtime.backend_preference),
            judge: StoredValue::new(None),
            worker: StoredValue::new_local(None),
            worker_module: StoredValue::new(WorkerModule::Page),
            files: StoredValue::new(runtime.files.clone()),
            dataset: runtime.dataset,
            generation: StoredValue::new(0),
            last_generation: StoredValue::new(0),
            run: StoredValue::new(0),
            next_request: StoredValue::new(0),
            waiting: StoredValue::new_local(HashMap::new()),
            rate: StoredValue::new(RateMeter::default()),
            kind: StoredValue::new(ModelKind::VaeMlp),
            snapshot: StoredValue::new(None),
            snapshot_asked_ms: StoredValue::new(f64::NEG_INFINITY),
            restoring: StoredValue::new(None),
            supervisor: StoredValue::new(Supervisor::default()),
            cpu_after_crash: StoredValue::new(false),
            worker_epoch: StoredValue::new(0),
        };
        state.spawn_worker();
        set_interval(
            move || state.heartbeat(),
            std::time::Duration::from_millis(PING_INTERVAL_MS as u64),
        );
        state
    }

    /// The module a worker needs for `preference`: the one with WebGPU where the browser has
    /// WebGPU, the CPU is not asked for, and no worker broke on WebGPU.
    fn module_for(self, preference: BackendPreference) -> WorkerModule {
        if preference != BackendPreference::Cpu && browser_offers_webgpu() && !self.cpu_after_crash.get_value() {
            WorkerModule::WebGpu
        } else {
            WorkerModule::Page
        }
    }

    /// Starts a training worker (ending the previous one, if any) and gives it the digits, the
    /// dataset in use and the classifier; the caller then resets the session.
    fn spawn_worker(self) {
        // Each worker's reports count only while it is the current one: a replaced worker's last
        // messages (or its error event after a crash it already reported) change nothing.
        let epoch = self.worker_epoch.get_value() + 1;
        self.worker_epoch.set_value(epoch);
        let current = move || self.worker_epoch.get_value() == epoch;
        let crash = move |message: String| {
            if current() {
                self.recover(message);
            }
        };
        let on_event = move |event: Event| {
            if current() {
                self.on_event(event);
            }
        };
        let preference = match self.cpu_after_crash.get_value() {
            true => BackendPreference::Cpu,
            false => self.backend_preference.get_untracked(),
        };
        let module = self.module_for(preference);
        self.supervisor.update_value(Supervisor::new_worker);
        if let Some(old) = self.worker.try_update_value(Option::take).flatten() {
            old.terminate();
            // Whoever waits for an answer from the old worker hears that none will come.
            self.waiting.update_value(HashMap::clear);
            self.measuring_backends.set(false);
        }
        self.worker_module.set_value(module);
        match TrainingWorker::spawn(module, on_event, crash) {
            Ok(worker) => {
                let files = self.files.get_value();
                worker.send(&Command::Start {
                    images: ByteBuf::from(files.images.clone()),
                    labels: ByteBuf::from(files.labels.clone()),
                    backend: preference,
                    remembered: speed_store::remembered_speeds(),
                });
                self.worker.set_value(Some(worker));
                let dataset = self.dataset.get_untracked();
                if !dataset.is_shipped() {
                    self.use_dataset(&dataset);
                }
                if let Some(weights) = self.judge.get_value() {
                    self.set_judge(weights);
                }
            }
            Err(message) => show_crash(self, message),
        }
    }

    fn send(self, command: Command) {
        self.worker.with_value(|w| w.as_ref().map(|w| w.send(&command)));
    }

    /// Drops the session and starts a fresh, untrained one of `kind` with `settings`, showing
    /// its preview.
    pub fn reset(self, kind: ModelKind, settings: Hyperparameters) {
        self.kind.set_value(kind);
        self.applied.set(settings);
        self.weights_source.set(WeightsChoice::Fresh);
        let generation = self.start_afresh();
        self.preview.set(None);
        self.codes.set(None);
        self.history.set(LossHistory::default());
        self.send(Command::Reset {
            generation,
            kind,
            settings,
        });
    }

    /// A generation number never handed out before.
    fn new_generation(self) -> u64 {
        let generation = self.last_generation.get_value() + 1;
        self.last_generation.set_value(generation);
        generation
    }

    /// Before the weights in use are replaced: stops training, clears every figure measured on
    /// the old ones and returns the next generation (which the caller gives the new weights).
    fn start_afresh(self) -> u64 {
        let generation = self.new_generation();
        self.generation.set_value(generation);
        self.running.set(false);
        self.pausing.set(false);
        self.stepping.set(false);
        self.slow_motion.set(None);
        self.diverged.set(false);
        self.steps_per_second.set(None);
        self.epochs.set(0.0);
        self.notice.set(None);
        self.rate.update_value(RateMeter::clear);
        self.coverage.set(Vec::new());
        generation
    }

    /// Trains on `dataset` from now on: the worker gets its images (the caller then resets the
    /// session, which the worker builds on them).
    pub fn use_dataset(self, dataset: &Dataset) {
        let (pixels, labels) = dataset.split.to_bytes();
        self.send(Command::Data {
            images: ByteBuf::from(encode_idx_images(&pixels, IMAGE_SIDE)),
            labels: ByteBuf::from(encode_idx_labels(&labels)),
            digit_classes: dataset.has_digit_classes(),
        });
    }

    /// Forgets the backend speeds measured so far, here and in the browser's storage: each model
    /// is timed on both backends again the next time it trains.
    pub fn forget_speeds(self) {
        speed_store::forget_speeds();
        self.send(Command::ForgetSpeeds);
    }

    /// Trains on `preference`'s backend from the next reset on; starts a worker with the other
    /// module if this one lacks (or needlessly has) WebGPU.
    pub fn set_backend(self, preference: BackendPreference) {
        self.backend_preference.set(preference);
        let after_crash = self.cpu_after_crash.get_value();
        self.cpu_after_crash.set_value(false);
        if !after_crash && self.module_for(preference) == self.worker_module.get_value() {
            self.send(Command::Backend { preference });
        } else {
            self.backend.set(None);
            self.spawn_worker();
        }
    }

    /// Sends the classifier that judges a generator's samples (a weights file) to the worker.
    pub fn set_judge(self, weights: Vec<u8>) {
        self.judge.set_value(Some(weights.clone()));
        self.send(Command::Judge {
            weights: ByteBuf::from(weights),
        });
    }

    /// Whether the classifier was sent to the worker.
    pub fn has_judge(self) -> bool {
        self.judge.with_value(Option::is_some)
    }

    /// Sends `command` made with a fresh request number and waits for its answer.
    async fn request(self, command: impl FnOnce(u64) -> Command) -> Option<Event> {
        let request = self.next_request.get_value();
        self.next_request.set_value(request + 1);
        let (answer, answered) = oneshot::channel();
        self.waiting.update_value(|w| {
            w.insert(request, answer);
        });
        self.send(command(request));
        answered.await.ok()
    }

    /// Loads the weights file `bytes` into the current session, which stops training and
    /// starts its loss history afresh. A file that does not fit changes nothing; the error
    /// says why.
    pub async fn load_weights(self, bytes: Vec<u8>) -> Result<(), String> {
        self.load(bytes, None, false).await
    }

    /// Replaces the session with one of `kind` with `settings` holding the weights file
    /// `bytes` (a shipped file, with the manifest's settings). Nothing changes, here or in the
    /// worker, unless the file loads completely; then `settings` are the ones applied.
    pub async fn load_as(self, kind: ModelKind, settings: Hyperparameters, bytes: Vec<u8>) -> Result<(), String> {
        self.load(bytes, Some((kind, settings)), false).await?;
        self.kind.set_value(kind);
        self.applied.set(settings);
        Ok(())
    }

    async fn load(
        self,
        bytes: Vec<u8>,
        start_as: Option<(ModelKind, Hyperparameters)>,
        resume: bool,
    ) -> Result<(), String> {
        let generation = self.new_generation();
        let weights = ByteBuf::from(bytes);
        let answer = self
            .request(|request| Command::Load {
                request,
                generation,
                weights,
                start_as,
                resume,
            })
            .await;
        match answer {
            Some(Event::Loaded { outcome, .. }) => outcome,
            _ => Err("the training worker did not answer".into()),
        }
    }

    /// The current weights as a weights file (f32, with the config and settings) and the steps
    /// they were trained for.
    pub async fn export_weights(self) -> Result<ExportedWeights, String> {
        self.exported(|request| Command::Export { request }).await
    }

    /// The answer to an export (`command`: [`Command::Export`] or [`Command::Snapshot`]).
    async fn exported(self, command: impl FnOnce(u64) -> Command) -> Result<ExportedWeights, String> {
        match self.request(command).await {
            Some(Event::Exported { outcome, .. }) => outcome,
            _ => Err("the training worker did not answer".into()),
        }
    }

    /// Steps left before the step budget is reached.
    pub fn steps_left(self) -> usize {
        self.applied
            .get_untracked()
            .step_budget
            .saturating_sub(self.history.with_untracked(LossHistory::len))
    }

    /// Starts or resumes training (not past the budget, nor after divergence).
    pub fn play(self) {
        if self.steps_left() == 0 || self.diverged.get_untracked() {
            return;
        }
        let run = self.run.get_value() + 1;
        self.run.set_value(run);
        self.notice.set(None);
        self.rate.update_value(RateMeter::clear);
        self.running.set(true);
        self.pausing.set(false);
        // A step begun in slow motion is finished by the run.
        self.slow_motion.set(None);
        self.send(Command::Play { run });
    }

    /// Pauses training after the slice in progress; `running` stays true until the worker says
    /// it stopped, so the figures shown once paused are final.
    pub fn pause(self) {
        if self.running.get_untracked() {
            self.pausing.set(true);
            self.send(Command::Pause);
        }
    }

    /// Whether a single step or half step can run now: paused, none in flight, budget left,
    /// losses finite.
    fn can_step(self) -> bool {
        !(self.running.get_untracked()
            || self.stepping.get_untracked()
            || self.steps_left() == 0
            || self.diverged.get_untracked())
    }

    /// Runs exactly one step (when paused) and shows its result.
    pub fn single_step(self) {
        if !self.can_step() {
            return;
        }
        self.stepping.set(true);
        self.slow_motion.set(None);
        self.send(Command::Step);
    }

    /// Runs the next half of a GAN's step (when paused): the slow-motion view.
    pub fn half_step(self) {
        if !self.can_step() {
            return;
        }
        self.stepping.set(true);
        self.send(Command::HalfStep);
    }

    /// Turns an event from the worker into what the panel shows.
    fn on_event(self, event: Event) {
        if event.generation().is_some_and(|g| g != self.generation.get_value()) {
            return;
        }
        match event {
            Event::Ready { badge, explanation } => self.backend.set(Some((badge, explanation))),
            Event::Backend {
                measuring,
                badge,
                explanation,
            } => {
                self.measuring_backends.set(measuring);
                self.backend.set(Some((badge, explanation)));
            }
            Event::SpeedMeasured(speed) => speed_store::remember_speed(speed),
            Event::Failed { message } => self.notice.set(Some(format!("Training: {message}."))),
            Event::Crashed { message } => self.recover(format!("the training worker broke ({message})")),
            Event::GpuLost { message } => self.recover(format!("the GPU stopped responding ({message})")),
            Event::Pong { ping } => self.supervisor.update_value(|s| s.pong(ping)),
            Event::Started {
                loss_names,
                preview_kind,
                steps,
                ..
            } => {
                // A resumed snapshot goes on with the history up to it (the fresh session that
                // a restored worker starts with first, at step 0, leaves it waiting).
                let resumed = match steps {
                    0 => None,
                    _ => self.restoring.try_update_value(Option::take).flatten(),
                };
                let history = resumed
                    .filter(|h| h.len() == steps)
                    .unwrap_or_else(|| LossHistory::new(&loss_names));
                self.history.set(history);
                self.preview_kind.set(preview_kind);
            }
            Event::Losses {
                values, steps, epochs, ..
            } => {
                self.history.update(|h| {
                    h.extend_flat(&values);
                });
                self.epochs.set(epochs);
                self.rate.update_value(|rate| rate.record(now_ms(), steps));
                self.steps_per_second.set(self.rate.with_value(RateMeter::rate));
                self.take_snapshot_when_due();
            }
            Event::Preview { step, pixels, .. } => self.preview.set(Some(PreviewGrid { step, pixels })),
            Event::Codes {
                step, points, classes, ..
            } => self.codes.set(Some(CodeScatter { step, points, classes })),
            Event::Coverage { step, report, .. } => self.coverage.update(|c| c.push((step, report))),
            Event::Stopped { run, reason, .. } => {
                let diverged = reason.as_ref().is_some_and(StopReason::is_divergence);
                let notice = reason.as_ref().map(StopReason::notice);
                if run == self.run.get_value() || diverged {
                    self.running.set(false);
                    self.pausing.set(false);
                }
                if diverged {
                    self.diverged.set(true);
                } else {
                    // The run's last state, before whatever the user does next.
                    self.take_snapshot();
                }
                if notice.is_some() {
                    self.notice.set(notice);
                }
            }
            Event::Stepped => {
                self.stepping.set(false);
                self.take_snapshot();
            }
            Event::HalfStepped { half, .. } => {
                self.stepping.set(false);
                if let Some(half) = half {
                    self.slow_motion.set(Some(half));
                }
            }
            Event::Notice { message, .. } => self.notice.set(Some(message)),
            // The training worker runs no augmentation experiment (the Augment panel has its own worker).
            Event::AugmentProgress(_) | Event::AugmentFinished { .. } => {}
            Event::Loaded {
                request,
                generation,
                ref outcome,
            } => {
                // A reset sent after the load (a newer generation) has replaced what it loaded.
                let superseded = generation < self.generation.get_value();
                if outcome.is_ok() && !superseded {
                    // Done here, before the answer is passed on: the new weights' preview is
                    // the worker's next message.
                    self.start_afresh();
                    self.generation.set_value(generation);
                    self.history.update(|h| *h = LossHistory::new(&h.names));
                }
                let event = match superseded && outcome.is_ok() {
                    true => Event::Loaded {
                        request,
                        generation,
                        outcome: Err("a newer model replaced it before it loaded".into()),
                    },
                    false => event,
                };
                self.answer(request, event);
            }
            Event::Exported { request, .. } => self.answer(request, event),
        }
    }

    /// Passes `event` to whoever waits for the answer to `request`.
    fn answer(self, request: u64, event: Event) {
        if let Some(answer) = self.waiting.try_update_value(|w| w.remove(&request)).flatten() {
            let _ = answer.send(event);
        }
    }
}

impl TrainState {
    /// A heartbeat tick: pings the worker, or replaces it when it has gone silent.
    fn heartbeat(self) {
        if self.worker.with_value(Option::is_none) {
            return;
        }
        match self.supervisor.try_update_value(|s| s.tick(now_ms())) {
            Some(Heartbeat::Ping(ping)) => self.send(Command::Ping { ping }),
            Some(Heartbeat::Silent) => self.recover("the training worker stopped responding".into()),
            _ => {}
        }
    }

    /// While training runs, every [`SNAPSHOT_INTERVAL_MS`]: [`Self::take_snapshot`].
    fn take_snapshot_when_due(self) {
        if now_ms() - self.snapshot_asked_ms.get_value() >= SNAPSHOT_INTERVAL_MS {
            self.take_snapshot();
        }
    }

    /// Asks the worker for its weights and keeps them, with the loss history up to the step
    /// they were taken at: while training runs (every few seconds), and whenever a run stops or
    /// a single step is done, so a crash after the user paused loses nothing.
    fn take_snapshot(self) {
        self.snapshot_asked_ms.set_value(now_ms());
        let (generation, kind, settings) = (
            self.generation.get_value(),
            self.kind.get_value(),
            self.applied.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            let Ok(ExportedWeights {
                bytes,
                steps,
                optimizer,
            }) = self.exported(|request| Command::Snapshot { request }).await
            else {
                return;
            };
            let weights = bytes.into_vec();
            let history = self.history.with_untracked(|h| h.truncated(steps));
            if self.generation.get_value() != generation || history.len() != steps {
                return;
            }
            self.snapshot.set_value(Some(Snapshot {
                generation,
                kind,
                settings,
                weights,
                optimizer,
                history,
            }));
        });
    }

    /// Replaces a worker that broke or went silent (`reason`) with a new one, restored from the
    /// latest snapshot of the model in use, on the CPU if it broke on WebGPU, and training again
    /// if it was; every request the old one owed is answered with an error. Gives up, and says
    /// so, when workers keep breaking.
    fn recover(self, reason: String) {
        if !self
            .supervisor
            .try_update_value(|s| s.may_restart(now_ms()))
            .unwrap_or(false)
        {
            return show_crash(self, format!("{reason}, again and again"));
        }
        let was_running = self.running.get_untracked();
        let on_gpu = self.worker_module.get_value() == WorkerModule::WebGpu;
        self.cpu_after_crash.update_value(|cpu| *cpu |= on_gpu);
        let (kind, settings) = (self.kind.get_value(), self.applied.get_untracked());
        let snapshot = self
            .snapshot
            .get_value()
            .filter(|s| s.generation == self.generation.get_value() && s.kind == kind && s.settings == settings);
        self.spawn_worker();
        let generation = self.start_afresh();
        self.send(Command::Reset {
            generation,
            kind,
            settings,
        });
        let on_cpu = if on_gpu { " on the CPU" } else { "" };
        let Some(snapshot) = snapshot else {
            self.history.set(LossHistory::default());
            self.notice.set(Some(format!(
                "{}; a new training worker starts{on_cpu} with the model afresh (no snapshot of it had been taken yet).",
                capitalised(&reason)
            )));
            return;
        };
        let steps = snapshot.history.len();
        self.restoring.set_value(Some(snapshot.history.clone()));
        leptos::task::spawn_local(async move {
            match self.load(snapshot.weights.clone(), Some((kind, settings)), true).await {
                Ok(()) => {
                    // Adam goes on with the moments it had (the worker checks they fit).
                    if !snapshot.optimizer.is_empty() {
                        self.send(Command::LoadOptimizer {
                            generation: self.generation.get_value(),
                            state: snapshot.optimizer.clone(),
                        });
                    }
                    self.snapshot.set_value(Some(Snapshot {
                        generation: self.generation.get_value(),
                        ..snapshot
                    }));
                    // Training goes on first: a press of Train clears the notice.
                    if was_running {
                        self.play();
                    }
                    self.notice.set(Some(format!(
                        "{}; training goes on{on_cpu} from step {steps}.",
                        capitalised(&reason)
                    )));
                }
                Err(e) => {
                    self.restoring.set_value(None);
                    self.notice.set(Some(format!(
                        "{}; a new training worker started{on_cpu}, but the snapshot did not load ({e}), so the model starts afresh.",
                        capitalised(&reason)
                    )));
                }
            }
        });
    }
}

/// `text` with its first letter in upper case.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// After the worker failed: nothing runs, and the notice says why.
fn show_crash(state: TrainState, message: String) {
    state.running.set(false);
    state.pausing.set(false);
    state.stepping.set(false);
    state.notice.set(Some(format!(
        "Training is unavailable: {message}. Reload the page to try again."
    )));
}
