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
use crate::eval::metrics::ClassReport;
use crate::link::WeightsChoice;
use crate::model::PreviewKind;
use crate::page::{BackendBadge, CodeScatter, PreviewGrid, Reaction, TrainView};
use crate::protocol::{Command, Event, ExportedWeights, HalfReport, WarmUp};
use crate::train::{Hyperparameters, LossHistory, ModelKind};
use crate::web::{browser_offers_webgpu, now_ms};
use crate::worker::supervision::{Heartbeat, PING_INTERVAL_MS, Supervisor};

pub use crate::worker::{COVERAGE_INTERVAL, COVERAGE_SAMPLES};

/// The Train panel's state: a [`TrainView`] (plain data, tested natively) in a signal, what the
/// view shows of it as memos, and the training worker it keeps in step with.
#[derive(Clone, Copy)]
pub struct TrainState {
    view: RwSignal<TrainView>,
    /// Whether training is running (the Train / Pause toggle).
    pub running: Memo<bool>,
    /// Whether a pause was asked for and the worker is finishing its slice.
    pub pausing: Memo<bool>,
    /// Every step's loss terms.
    pub history: Memo<LossHistory>,
    /// The latest preview grid.
    pub preview: Memo<Option<PreviewGrid>>,
    /// For a model with an encoder: where it puts a fixed batch of held-out digits.
    pub codes: Memo<Option<CodeScatter>>,
    /// What the preview grid shows for the current model.
    pub preview_kind: Memo<PreviewKind>,
    /// Recent training speed.
    pub steps_per_second: Memo<Option<f64>>,
    /// Passes over the training digits so far.
    pub epochs: Memo<f64>,
    /// A message for the user (divergence, read-back failure, budget reached, a restart).
    pub notice: Memo<Option<String>>,
    /// Whether a single step (with its read back and preview) is in flight.
    pub stepping: Memo<bool>,
    /// A GAN in slow motion: what its last half step did, until it trains another way.
    pub slow_motion: Memo<Option<HalfReport>>,
    /// Whether training stopped because a loss became NaN or infinite.
    pub diverged: Memo<bool>,
    /// The settings the current session was started with.
    pub applied: Memo<Hyperparameters>,
    /// For a generator: the classifier's verdict on its samples, by step.
    pub coverage: Memo<Vec<(usize, ClassReport)>>,
    /// Whether the weights in use are fresh from the seed or the shipped pretrained ones.
    pub weights_source: Memo<WeightsChoice>,
    /// The training worker's backend, once it is ready.
    pub backend: Memo<Option<BackendBadge>>,
    /// Whether the worker is timing the backends to choose one.
    pub measuring_backends: Memo<bool>,
    /// Where the warm-up of the session's WebGPU kernels stands, if it has one.
    pub warm_up: Memo<Option<WarmUp>>,
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
    /// Who waits for the answer to each request (load, export, snapshot).
    waiting: StoredValue<HashMap<u64, oneshot::Sender<Event>>, LocalStorage>,
    /// The heartbeat and restart budget of the worker.
    supervisor: StoredValue<Supervisor>,
    /// Whether a worker broke on WebGPU, so its successors train on the CPU (until the user picks
    /// a backend).
    cpu_after_crash: StoredValue<bool>,
    /// Numbers the workers started, so only the current one is heard.
    worker_epoch: StoredValue<u64>,
}

/// What the panel shows of `view`, read by `read`: it notifies only when that changes.
fn shown<T: Clone + PartialEq + Send + Sync + 'static>(
    view: RwSignal<TrainView>,
    read: fn(&TrainView) -> T,
) -> Memo<T> {
    Memo::new(move |_| view.with(read))
}

impl TrainState {
    /// Fresh state, with the training worker started on `runtime`'s digits. A worker that
    /// cannot start leaves a notice that says why.
    pub fn new(runtime: &Runtime) -> Self {
        let view = RwSignal::new(TrainView::new());
        let state = Self {
            view,
            running: shown(view, TrainView::running),
            pausing: shown(view, TrainView::pausing),
            history: shown(view, |v| v.history().clone()),
            preview: shown(view, |v| v.preview().cloned()),
            codes: shown(view, |v| v.codes().cloned()),
            preview_kind: shown(view, TrainView::preview_kind),
            steps_per_second: shown(view, TrainView::steps_per_second),
            epochs: shown(view, TrainView::epochs),
            notice: shown(view, |v| v.notice().map(str::to_string)),
            stepping: shown(view, TrainView::stepping),
            slow_motion: shown(view, |v| v.slow_motion().cloned()),
            diverged: shown(view, TrainView::diverged),
            applied: shown(view, TrainView::applied),
            coverage: shown(view, |v| v.coverage().to_vec()),
            weights_source: shown(view, TrainView::weights_source),
            backend: shown(view, |v| v.backend().cloned()),
            measuring_backends: shown(view, TrainView::measuring_backends),
            warm_up: shown(view, |v| v.warm_up().cloned()),
            backend_preference: RwSignal::new(runtime.backend_preference),
            judge: StoredValue::new(None),
            worker: StoredValue::new_local(None),
            worker_module: StoredValue::new(WorkerModule::Page),
            files: StoredValue::new(runtime.files.clone()),
            dataset: runtime.dataset,
            waiting: StoredValue::new_local(HashMap::new()),
            supervisor: StoredValue::new(Supervisor::default()),
            cpu_after_crash: StoredValue::new(false),
            worker_epoch: StoredValue::new(0),
        };
        // The page's header shows the badge too.
        let header_badge = runtime.training_backend;
        Effect::new(move |_| header_badge.set(state.backend.get()));
        state.spawn_worker();
        set_interval(
            move || state.heartbeat(),
            std::time::Duration::from_millis(PING_INTERVAL_MS as u64),
        );
        state
    }

    /// Changes the view with `change` and sends the command it returns, if any.
    fn act(self, change: impl FnOnce(&mut TrainView) -> Option<Command>) {
        if let Some(command) = self.view.try_update(change).flatten() {
            self.send(command);
        }
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
            self.view.update(TrainView::worker_replaced);
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
            Err(message) => self.unavailable(&message),
        }
    }

    fn send(self, command: Command) {
        self.worker.with_value(|w| w.as_ref().map(|w| w.send(&command)));
    }

    /// Drops the session and starts a fresh, untrained one of `kind` with `settings`, showing
    /// its preview.
    pub fn reset(self, kind: ModelKind, settings: Hyperparameters) {
        self.act(|view| Some(view.reset(kind, settings)));
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
            self.view.update(TrainView::forget_backend);
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

    /// The weights in use are the shipped pretrained ones.
    pub fn mark_pretrained(self) {
        self.view.update(TrainView::mark_pretrained);
    }

    /// Sends the command of `request` (a request number and its command) and waits for its
    /// answer (none where the page's state is gone).
    async fn request(self, request: Option<(u64, Command)>) -> Option<Event> {
        let (request, command) = request?;
        let (answer, answered) = oneshot::channel();
        self.waiting.update_value(|w| {
            w.insert(request, answer);
        });
        self.send(command);
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
        self.view.update(|view| view.loaded_as(kind, settings));
        Ok(())
    }

    async fn load(
        self,
        bytes: Vec<u8>,
        start_as: Option<(ModelKind, Hyperparameters)>,
        resume: bool,
    ) -> Result<(), String> {
        let request = self.view.try_update(|view| view.load_request(bytes, start_as, resume));
        match self.request(request).await {
            Some(Event::Loaded { outcome, .. }) => outcome,
            _ => Err("the training worker did not answer".into()),
        }
    }

    /// The current weights as a weights file (f32, with the config and settings) and the steps
    /// they were trained for.
    pub async fn export_weights(self) -> Result<ExportedWeights, String> {
        let request = self.view.try_update(TrainView::export_request);
        exported(self.request(request).await)
    }

    /// Starts or resumes training (not past the budget, nor after divergence).
    pub fn play(self) {
        self.act(TrainView::play);
    }

    /// Pauses training after the slice in progress; `running` stays true until the worker says
    /// it stopped, so the figures shown once paused are final.
    pub fn pause(self) {
        self.act(TrainView::pause);
    }

    /// Runs exactly one step (when paused) and shows its result.
    pub fn single_step(self) {
        self.act(TrainView::single_step);
    }

    /// Runs the next half of a GAN's step (when paused): the slow-motion view.
    pub fn half_step(self) {
        self.act(TrainView::half_step);
    }

    /// Takes an event from the worker and carries out what it asks of the page.
    fn on_event(self, event: Event) {
        let Some(reaction) = self.view.try_update(|view| view.on_event(event, now_ms())).flatten() else {
            return;
        };
        match reaction {
            Reaction::Answer { request, event } => {
                if let Some(answer) = self.waiting.try_update_value(|w| w.remove(&request)).flatten() {
                    let _ = answer.send(event);
                }
            }
            Reaction::RememberSpeed(speed) => speed_store::remember_speed(speed),
            Reaction::Recover { reason } => self.recover(reason),
            Reaction::Pong { ping } => self.supervisor.update_value(|s| s.pong(ping)),
            Reaction::TakeSnapshot => self.take_snapshot(),
        }
    }
}

/// What an export's answer holds.
fn exported(answer: Option<Event>) -> Result<ExportedWeights, String> {
    match answer {
        Some(Event::Exported { outcome, .. }) => outcome,
        _ => Err("the training worker did not answer".into()),
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

    /// Asks the worker for its weights and keeps them, with the loss history up to the step
    /// they were taken at: while training runs (every few seconds), and whenever a run stops or
    /// a single step is done, so a crash after the user paused loses nothing.
    fn take_snapshot(self) {
        let Some((request, command, ticket)) = self.view.try_update_untracked(|view| view.snapshot_request(now_ms()))
        else {
            return;
        };
        leptos::task::spawn_local(async move {
            let answer = self.request(Some((request, command))).await;
            self.view.update_untracked(|view| view.snapshot_answered(now_ms()));
            if let Ok(weights) = exported(answer) {
                self.view.update_untracked(|view| view.keep_snapshot(ticket, weights));
            }
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
            return self.unavailable(&format!("{reason}, again and again"));
        }
        let on_gpu = self.worker_module.get_value() == WorkerModule::WebGpu;
        self.cpu_after_crash.update_value(|cpu| *cpu |= on_gpu);
        self.spawn_worker();
        let Some((reset, restore)) = self.view.try_update(|view| view.begin_recovery(&reason, on_gpu)) else {
            return;
        };
        self.send(reset);
        let Some(restore) = restore else { return };
        leptos::task::spawn_local(async move {
            let outcome = self
                .load(restore.weights().to_vec(), Some(restore.start_as()), true)
                .await;
            let commands = self.view.try_update(|view| view.finish_recovery(restore, outcome));
            for command in commands.into_iter().flatten() {
                self.send(command);
            }
        });
    }

    /// After the worker failed: nothing runs, and the notice says why.
    fn unavailable(self, message: &str) {
        self.view.update(|view| view.unavailable(message));
    }
}
