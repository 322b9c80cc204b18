//! The training worker's logic, free of web code: commands are handled one at a time, in order,
//! and between them the current run of training advances one slice, so a pause, a reset or a
//! load takes effect after the slice in progress and never while one is half done.

use std::collections::HashMap;
use std::sync::Arc;

use burn::tensor::{Device, Tensor, TensorData};
use serde_bytes::ByteBuf;

use super::host::Host;
use super::lab::LabBench;
use super::preview_pace::PreviewPace;
use crate::backend::choice::{BackendInfo, BackendKind, BackendPreference, SpeedDuel, measure_steps_per_second};
use crate::backend::memory::{RememberedSpeed, SpeedMemory, date_text};
use crate::data::{IMAGE_PIXELS, MnistSplit};
use crate::eval::metrics::class_report;
use crate::experiment::augment::{AugmentExperiment, AugmentPlan};
use crate::lab::LabSettings;
use crate::lab::run::LabSlice;
use crate::model::DigitClassifier;
use crate::protocol::{Command, Event, ExportedWeights, HalfReport, PretrainedGenerator, StopReason, WarmUp};
use crate::train::history::first_non_finite_step;
use crate::train::sessions::{session_from_file, start_session};
use crate::train::{HalfStep, Hyperparameters, ModelKind, Session, classifier_from_file, read_floats};
use crate::weights::{Precision, WeightsFile, WeightsHeader, read_parameters};

/// Wall time one slice of steps aims at, including its read back, in milliseconds: short enough
/// for a pause to take effect at once, long enough to keep the device busy.
const TARGET_SLICE_MS: f64 = 150.0;
/// Most steps queued in one slice.
const MAX_STEPS_PER_SLICE: usize = 32;
/// Training steps of the augmentation experiment between two progress reports.
const AUGMENT_STEPS_PER_SLICE: usize = 16;
/// Steps between two checks of a generator's class coverage.
pub const COVERAGE_INTERVAL: usize = 200;
/// Samples the classifier judges at each coverage check.
pub const COVERAGE_SAMPLES: usize = 256;
/// Seed of the noise of those samples (the same at every check).
const COVERAGE_SEED: u64 = 11;
/// Held-out digits whose codes the Train panel's latent scatter shows.
pub const CODE_PROBE: usize = 200;
/// Why the CPU trains when the user chose it.
const CPU_CHOSEN: &str = "you asked for the CPU backend";

/// The model being trained: its session and what it was started with.
struct Model {
    session: Box<dyn Session>,
    kind: ModelKind,
    settings: Hyperparameters,
}

impl Model {
    /// Steps left before the step budget is reached.
    fn steps_left(&self) -> usize {
        self.settings.step_budget.saturating_sub(self.session.steps_done())
    }
}

/// The classifier that judges a generator's samples, on the training device, and its weights
/// file (to move it to another device).
struct Judge {
    classifier: DigitClassifier,
    weights: Vec<u8>,
}

/// A run of training in progress: from a play press until paused, replaced, out of budget or
/// diverged.
struct Run {
    /// Steps the next slice queues, adapted to [`TARGET_SLICE_MS`].
    steps_per_slice: usize,
    /// When the next preview is due.
    preview_pace: PreviewPace,
}

/// Where the encoder puts the probe digits, flattened `[x0, y0, x1, y1, …]`, with their classes.
struct CodeProbe {
    points: Tensor<1>,
    classes: Vec<u8>,
}

/// The worker's state and logic over a [`Host`]. Start it with [`WorkerCore::run`].
pub struct WorkerCore<H: Host> {
    host: H,
    /// burn's CPU device, once started.
    cpu: Option<Device>,
    /// The WebGPU device and its adapter's name, or why there is none; not asked for while
    /// the CPU is chosen.
    webgpu: Option<Result<(Device, String), String>>,
    /// Which backend the user wants.
    preference: BackendPreference,
    /// Speeds measured on both backends for [`BackendPreference::Auto`], on this visit or
    /// remembered by the browser from an earlier one.
    speeds: SpeedMemory,
    /// When this visit's worker started (milliseconds since 1970): older speeds are remembered.
    visit_started_ms: f64,
    /// Models whose timing failed on this visit, and why (they stay on the CPU).
    timing_failed: HashMap<ModelKind, String>,
    /// The device sessions train on, and which backend it is.
    device: Option<(Device, BackendKind)>,
    data: Option<Arc<MnistSplit>>,
    judge: Option<Judge>,
    /// Whether the images are not digits, so the classifier's verdict means nothing.
    foreign_classes: bool,
    model: Option<Model>,
    /// The generation of the session, as the page numbered it.
    generation: u64,
    /// The page's number for the latest play press.
    run_number: u64,
    /// The run of training in progress, if any.
    run: Option<Run>,
    /// Whether the session's losses stopped being finite.
    diverged: bool,
    /// The step of the latest coverage check of this session.
    last_coverage: Option<usize>,
    /// The Modes lab's model, in a worker the Modes panel started.
    lab: LabBench,
    /// The generation (and its step count then) of a session on WebGPU whose kernels are to be
    /// warmed up when the worker is next idle ([`Self::warm_up`]).
    warm_up_due: Option<(u64, usize)>,
    /// Models (with the settings that shape their kernels) warmed up on this worker's WebGPU.
    warmed: Vec<(ModelKind, Hyperparameters)>,
}

/// `settings` as far as they shape a session's kernels: the seed and the step budget do not.
fn kernel_shape(settings: &Hyperparameters) -> Hyperparameters {
    Hyperparameters {
        seed: 0,
        step_budget: 0,
        ..*settings
    }
}

impl<H: Host> WorkerCore<H> {
    /// A worker that has not started yet; `webgpu_problem` says why there is no WebGPU, if that
    /// is known before the first command (the module without it was loaded).
    pub fn new(host: H, webgpu_problem: Option<String>) -> Self {
        Self {
            host,
            cpu: None,
            webgpu: webgpu_problem.map(Err),
            preference: BackendPreference::default(),
            speeds: SpeedMemory::default(),
            visit_started_ms: 0.0,
            timing_failed: HashMap::new(),
            device: None,
            data: None,
            judge: None,
            foreign_classes: false,
            model: None,
            generation: 0,
            run_number: 0,
            run: None,
            diverged: false,
            last_coverage: None,
            lab: LabBench::default(),
            warm_up_due: None,
            warmed: Vec::new(),
        }
    }

    /// Handles commands until the host has no more: every command that has arrived first, then
    /// one slice of training if a run is in progress, then a yield to the host. Idle, it first
    /// warms up a fresh WebGPU session's kernels, if that is due.
    pub async fn run(&mut self) {
        loop {
            while let Some(command) = self.host.try_command() {
                self.handle(command).await;
            }
            if self.run.is_some() {
                self.train_slice().await;
                self.host.yield_now().await;
                continue;
            }
            if self.warm_up_due.is_some() {
                self.warm_up().await;
                continue;
            }
            match self.host.next_command().await {
                Some(command) => self.handle(command).await,
                None => return,
            }
        }
    }

    /// The host the worker runs in.
    pub fn host(&self) -> &H {
        &self.host
    }

    /// Steps the current session has taken, if there is one.
    pub fn steps_done(&self) -> Option<usize> {
        self.model.as_ref().map(|m| m.session.steps_done())
    }

    fn post(&self, event: Event) {
        self.host.post(event);
    }

    fn fail(&self, message: String) {
        self.post(Event::Failed { message });
    }

    async fn handle(&mut self, command: Command) {
        match command {
            Command::Start {
                images,
                labels,
                backend,
                remembered,
            } => self.start(&images, &labels, backend, remembered).await,
            Command::Backend { preference } => self.preference = preference,
            Command::ForgetSpeeds => self.forget_speeds(),
            Command::Data {
                images,
                labels,
                digit_classes,
            } => match MnistSplit::from_idx(&images, &labels) {
                Ok(data) => {
                    self.data = Some(Arc::new(data));
                    self.foreign_classes = !digit_classes;
                }
                Err(e) => self.fail(format!("the training worker could not read the dataset: {e}")),
            },
            Command::Judge { weights } => self.set_judge(weights.into_vec()).await,
            Command::Reset {
                generation,
                kind,
                settings,
            } => self.reset(generation, kind, settings).await,
            Command::Play { run } => {
                self.settle_backend().await;
                self.play(run);
            }
            Command::Pause => {
                if self.run.is_some() {
                    self.end_run(None).await;
                }
            }
            Command::Step => {
                self.settle_backend().await;
                self.single_step().await;
            }
            Command::HalfStep => {
                self.settle_backend().await;
                self.half_step().await;
            }
            Command::Load {
                request,
                generation,
                weights,
                start_as,
                resume,
            } => {
                let outcome = self.load(generation, &weights, start_as, resume).await;
                let loaded = outcome.is_ok();
                self.post(Event::Loaded {
                    request,
                    generation: self.generation,
                    outcome,
                });
                if loaded {
                    self.post_started();
                    self.show_fresh_weights().await;
                    self.plan_warm_up();
                }
            }
            Command::Export { request } => {
                let outcome = self.export(false).await;
                self.post(Event::Exported { request, outcome });
            }
            Command::Snapshot { request } => {
                let outcome = self.export(true).await;
                self.post(Event::Exported { request, outcome });
            }
            Command::LoadOptimizer { generation, state } => self.load_optimizer(generation, state),
            Command::Augment { plan, generators } => self.augment(plan, generators).await,
            Command::LabSlice {
                run,
                settings,
                backend,
                steps,
                held_out,
            } => {
                let outcome = self.lab_slice(run, settings, backend, steps, held_out).await;
                self.post(Event::LabSlice { run, outcome });
            }
            // The browser's host answers pings before they reach the core; a host that passes
            // one on is answered here.
            Command::Ping { ping } => self.post(Event::Pong { ping }),
        }
    }

    /// Decodes the digits, keeps the speeds the browser remembers and opens the devices: the
    /// CPU's, and WebGPU's unless the CPU is chosen.
    async fn start(&mut self, images: &[u8], labels: &[u8], preference: BackendPreference, remembered: SpeedMemory) {
        let data = match MnistSplit::from_idx(images, labels) {
            Ok(data) => data,
            Err(e) => return self.fail(format!("the training worker could not read the digits: {e}")),
        };
        let cpu = Device::flex().autodiff();
        self.preference = preference;
        self.speeds = remembered;
        self.visit_started_ms = self.host.wall_clock_ms();
        self.cpu = Some(cpu.clone());
        self.device = Some((cpu, BackendKind::Cpu));
        self.data = Some(Arc::new(data));
        let info = match preference {
            BackendPreference::Cpu => BackendInfo::cpu(CPU_CHOSEN),
            BackendPreference::WebGpu | BackendPreference::Auto => match self.webgpu_device().await {
                Err(reason) => BackendInfo::cpu(&reason),
                Ok((_, adapter)) if preference == BackendPreference::WebGpu => webgpu_chosen(&adapter),
                Ok((_, adapter)) => BackendInfo {
                    kind: BackendKind::WebGpu,
                    badge: format!("WebGPU — {adapter} or CPU"),
                    explanation: "WebGPU and the CPU are both available: each model is timed on both the first \
                                  time it trains, and trains on the faster."
                        .into(),
                },
            },
        };
        self.post(Event::Ready {
            badge: info.badge,
            explanation: info.explanation,
        });
    }

    /// The WebGPU device, opened on first use, or why there is none.
    async fn webgpu_device(&mut self) -> Result<(Device, String), String> {
        if self.webgpu.is_none() {
            self.webgpu = Some(self.host.open_webgpu().await);
        }
        self.webgpu.clone().expect("just opened")
    }

    /// Trains the lab's run `run` a slice, starting it (on `backend`) if it is new.
    async fn lab_slice(
        &mut self,
        run: u64,
        settings: LabSettings,
        backend: BackendKind,
        steps: usize,
        held_out: bool,
    ) -> Result<LabSlice, String> {
        if !self.lab.holds(run) {
            let device = match backend {
                BackendKind::Cpu => Device::flex().autodiff(),
                BackendKind::WebGpu => self.webgpu_device().await?.0,
            };
            self.lab.start(run, settings, &device);
        }
        self.lab.slice(steps, held_out, &self.host).await
    }

    /// Picks the device a fresh session of `kind` with `batch_size` trains on: the backend the
    /// user asked for, or under [`BackendPreference::Auto`] the faster one measured for it (on
    /// this visit or remembered), the CPU until measured (see [`Self::settle_backend`]). Tells
    /// the page which and why.
    async fn choose_training_device(&mut self, kind: ModelKind, batch_size: usize) {
        let Some(cpu) = self.cpu.clone() else { return };
        let webgpu = match self.preference {
            BackendPreference::Cpu => Err(CPU_CHOSEN.to_string()),
            _ => self.webgpu_device().await,
        };
        let (device, info) = match (self.preference, webgpu) {
            (_, Err(reason)) => (cpu, BackendInfo::cpu(&reason)),
            (BackendPreference::WebGpu, Ok((gpu, adapter))) => (gpu, webgpu_chosen(&adapter)),
            (_, Ok((gpu, adapter))) => match self.known_speed(kind, batch_size, &adapter) {
                Some(Ok((duel, measured_on))) => measured_choice(duel, measured_on, kind, cpu, gpu, &adapter),
                Some(Err(reason)) => (cpu, BackendInfo::cpu(&reason)),
                None => (
                    cpu,
                    BackendInfo::cpu_explained(format!(
                        "WebGPU ({adapter}) and the CPU are both available: when the {} first trains, a few steps \
                         are timed on each, and it trains on the faster.",
                        kind.label()
                    )),
                ),
            },
        };
        self.use_device(device, &info);
    }

    /// What is known of `kind`'s speed at `batch_size` on `adapter`: the duel, with its date
    /// when it is remembered from an earlier visit, or why timing failed on this one; `None`
    /// until timed.
    fn known_speed(
        &self,
        kind: ModelKind,
        batch_size: usize,
        adapter: &str,
    ) -> Option<Result<(SpeedDuel, Option<String>), String>> {
        if let Some(reason) = self.timing_failed.get(&kind) {
            return Some(Err(reason.clone()));
        }
        let speed = self.speeds.find(adapter, kind, batch_size, self.host.wall_clock_ms())?;
        let measured_on = (speed.measured_at_ms < self.visit_started_ms).then(|| date_text(speed.measured_at_ms));
        Some(Ok((speed.duel, measured_on)))
    }

    /// Forgets every measured speed (the page forgets its stored copy): each model is timed
    /// again the next time it trains from its first step.
    fn forget_speeds(&mut self) {
        self.speeds = SpeedMemory::default();
        self.timing_failed.clear();
        let explanation = "Measured speeds forgotten: the next time a model trains, a few steps are timed on the CPU \
                           and on WebGPU again, and it trains on the faster."
            .to_string();
        self.post_backend(&self.info_here(explanation), false);
    }

    /// The badge of the backend sessions train on now, with `explanation`.
    fn info_here(&self, explanation: String) -> BackendInfo {
        match (&self.device, &self.webgpu) {
            (Some((_, BackendKind::WebGpu)), Some(Ok((_, adapter)))) => BackendInfo::webgpu(adapter, explanation),
            _ => BackendInfo::cpu_explained(explanation),
        }
    }

    fn post_backend(&self, info: &BackendInfo, measuring: bool) {
        self.post(Event::Backend {
            measuring,
            badge: info.badge.clone(),
            explanation: info.explanation.clone(),
        });
    }

    /// Makes `device` the one sessions train on, moves the classifier there if it is another
    /// backend, and tells the page.
    fn use_device(&mut self, device: Device, info: &BackendInfo) {
        let moved = self.device.as_ref().map(|(_, kind)| *kind) != Some(info.kind);
        self.device = Some((device.clone(), info.kind));
        self.post_backend(info, false);
        if moved && let Some(judge) = self.judge.take() {
            self.judge = WeightsFile::parse(&judge.weights)
                .and_then(|file| classifier_from_file(file, &device))
                .ok()
                .map(|classifier| Judge {
                    classifier,
                    weights: judge.weights,
                });
        }
    }

    /// Before the first training of a model under [`BackendPreference::Auto`], with both
    /// backends at hand: times a few steps of it on each (throwaway sessions) and, if the faster
    /// is not where the session is and the session has not trained yet, moves it there. A
    /// session that has trained stays where it is (its step count and optimiser are the run the
    /// page shows); its next fresh start goes to the faster backend. Commands wait meanwhile.
    async fn settle_backend(&mut self) {
        let (Some(model), Some(data), Some(cpu)) = (self.model.as_ref(), self.data.clone(), self.cpu.clone()) else {
            return;
        };
        if self.preference != BackendPreference::Auto {
            return;
        }
        let (kind, settings, fresh) = (model.kind, model.settings, model.session.steps_done() == 0);
        let Ok((gpu, adapter)) = self.webgpu_device().await else {
            return;
        };
        if self.known_speed(kind, settings.batch_size, &adapter).is_some() {
            return;
        }
        let duel = match self.measure_both(kind, &settings, &data, &cpu, &gpu, &adapter).await {
            Ok(duel) => duel,
            Err(e) => {
                // Not timed again: this model stays on the CPU.
                let reason = format!("timing the backends failed ({e})");
                self.timing_failed.insert(kind, reason.clone());
                return self.use_device(cpu, &BackendInfo::cpu(&reason));
            }
        };
        let speed = RememberedSpeed {
            adapter: adapter.clone(),
            model: kind.id().into(),
            batch_size: settings.batch_size,
            duel,
            measured_at_ms: self.host.wall_clock_ms(),
        };
        self.speeds.remember(speed.clone());
        self.post(Event::SpeedMeasured(speed));
        let (device, info) = measured_choice(duel, None, kind, cpu.clone(), gpu, &adapter);
        let here = self.device.as_ref().map(|(_, kind)| *kind);
        if here == Some(info.kind) {
            return self.use_device(device, &info);
        }
        if !fresh {
            let explanation = format!(
                "{} This model goes on where it trains now; from its next start it trains on the faster.",
                info.explanation
            );
            return self.post_backend(&self.info_here(explanation), false);
        }
        match self.move_session(&device).await {
            Ok(()) => self.use_device(device, &info),
            Err(e) => {
                let explanation = format!(
                    "{} It could not move there ({e}), so it trains where it is.",
                    info.explanation
                );
                self.post_backend(&self.info_here(explanation), false);
            }
        }
    }

    /// Replaces the session with one of the same model on `device`, with the same weights.
    async fn move_session(&mut self, device: &Device) -> Result<(), String> {
        let (Some(model), Some(data)) = (self.model.as_ref(), self.data.clone()) else {
            return Err("there is no model".into());
        };
        let (kind, settings) = (model.kind, model.settings);
        let tensors = read_parameters(model.session.parameters(Precision::F32))
            .await
            .map_err(|e| e.to_string())?;
        let mut session = start_session(kind, &settings, &data, device);
        session
            .load_parameters(tensors, Precision::F32)
            .map_err(|e| e.to_string())?;
        self.model = Some(Model {
            session,
            kind,
            settings,
        });
        Ok(())
    }

    /// Times `kind` on the CPU, then on WebGPU, telling the page meanwhile.
    async fn measure_both(
        &self,
        kind: ModelKind,
        settings: &Hyperparameters,
        data: &MnistSplit,
        cpu: &Device,
        gpu: &Device,
        adapter: &str,
    ) -> Result<SpeedDuel, String> {
        self.post(Event::Backend {
            measuring: true,
            badge: "timing CPU and WebGPU…".into(),
            explanation: format!(
                "Timing a few training steps of the {} on the CPU and on WebGPU ({adapter}), to train it on the \
                 faster…",
                kind.label()
            ),
        });
        let clock = || self.host.now_ms();
        let cpu = measure_steps_per_second(kind, settings, data, cpu, clock).await?;
        let webgpu = measure_steps_per_second(kind, settings, data, gpu, clock).await?;
        Ok(SpeedDuel { cpu, webgpu })
    }

    /// Loads the classifier that judges a generator's samples, and judges the current ones.
    async fn set_judge(&mut self, weights: Vec<u8>) {
        let Some((device, _)) = self.device.as_ref() else {
            return;
        };
        match WeightsFile::parse(&weights).and_then(|file| classifier_from_file(file, device)) {
            Ok(classifier) => {
                self.judge = Some(Judge { classifier, weights });
                if self.last_coverage.is_none() {
                    self.check_coverage().await;
                }
            }
            Err(e) => self.fail(format!(
                "class coverage is unavailable: the digit classifier did not load ({e})"
            )),
        }
    }

    /// Replaces the session with a fresh one, on the device chosen for it, and shows it.
    async fn reset(&mut self, generation: u64, kind: ModelKind, settings: Hyperparameters) {
        self.choose_training_device(kind, settings.batch_size).await;
        let (Some((device, _)), Some(data)) = (self.device.as_ref(), self.data.as_ref()) else {
            return;
        };
        let session = start_session(kind, &settings, data, device);
        self.model = Some(Model {
            session,
            kind,
            settings,
        });
        self.generation = generation;
        self.post_started();
        self.show_fresh_weights().await;
        self.plan_warm_up();
    }

    /// After the weights in use were replaced: on WebGPU, says the session's kernels are
    /// compiled already, or has them warmed up when the worker is next idle.
    fn plan_warm_up(&mut self) {
        self.warm_up_due = None;
        let Some(model) = self.model.as_ref() else { return };
        if !self
            .device
            .as_ref()
            .is_some_and(|(_, kind)| *kind == BackendKind::WebGpu)
        {
            return;
        }
        if self.warmed.contains(&(model.kind, kernel_shape(&model.settings))) {
            return self.post(Event::WarmUp {
                generation: self.generation,
                state: WarmUp::Ready { ms: 0.0 },
            });
        }
        self.warm_up_due = Some((self.generation, model.session.steps_done()));
    }

    /// Compiles the kernels a WebGPU session's first step needs before Train is pressed:
    /// trains one step of a throwaway twin (same model and settings, so the same kernels) and
    /// waits for its loss to come back, the wait being the browser's shader compilation (24 s
    /// of a 25 s first step for ae_mlp on SwiftShader). The twin reseeds the device and draws
    /// from it, which changes nothing of the session: its weights are drawn already, and each
    /// step seeds its own draws from the run's seed and step count (`seed_step`). Commands that
    /// arrive meanwhile wait for the twin's step (a Train press would have waited for the same
    /// compilation).
    async fn warm_up(&mut self) {
        let Some((generation, steps)) = self.warm_up_due.take() else {
            return;
        };
        let (Some(model), Some(data), Some((device, BackendKind::WebGpu))) =
            (self.model.as_ref(), self.data.clone(), self.device.clone())
        else {
            return;
        };
        // A step since (or a run) compiled the kernels itself.
        if generation != self.generation || model.session.steps_done() != steps || self.run.is_some() {
            return;
        }
        let (kind, settings) = (model.kind, model.settings);
        self.post(Event::WarmUp {
            generation,
            state: WarmUp::Compiling,
        });
        let started = self.host.now_ms();
        let mut twin = start_session(kind, &settings, &data, &device);
        let stepped = read_floats(twin.step()).await;
        drop(twin);
        let state = match stepped {
            Ok(_) => {
                self.warmed.push((kind, kernel_shape(&settings)));
                WarmUp::Ready {
                    ms: self.host.now_ms() - started,
                }
            }
            Err(e) => WarmUp::Failed { message: e.to_string() },
        };
        self.post(Event::WarmUp { generation, state });
    }

    /// Tells the page what the session of the current generation reports.
    fn post_started(&self) {
        let Some(model) = self.model.as_ref() else { return };
        self.post(Event::Started {
            generation: self.generation,
            loss_names: model.session.loss_names().iter().map(|n| n.to_string()).collect(),
            preview_kind: model.session.preview_kind(),
            steps: model.session.steps_done(),
        });
    }

    /// After the weights in use were replaced: nothing runs (a run of the old weights ends
    /// without a word: the page has moved on), nothing is diverged, and the page sees the new
    /// preview and the classifier's verdict on the new samples.
    async fn show_fresh_weights(&mut self) {
        self.run = None;
        self.diverged = false;
        self.last_coverage = None;
        self.refresh_preview().await;
        self.check_coverage().await;
    }

    fn steps_left(&self) -> usize {
        self.model.as_ref().map_or(0, Model::steps_left)
    }

    /// Starts or resumes training, unless the budget is spent or the losses diverged.
    fn play(&mut self, run: u64) {
        self.run_number = run;
        let refusal = if self.diverged {
            Some(StopReason::StillDiverged)
        } else if self.steps_left() == 0 {
            self.model.as_ref().map(|m| StopReason::Budget {
                budget: m.settings.step_budget,
            })
        } else {
            None
        };
        if let Some(reason) = refusal {
            return self.post(Event::Stopped {
                generation: self.generation,
                run,
                reason: Some(reason),
            });
        }
        if self.run.is_none() {
            self.run = Some(Run {
                steps_per_slice: 1,
                preview_pace: PreviewPace::starting_at(self.host.now_ms()),
            });
        }
    }

    /// Runs exactly one step when nothing else runs, then shows its preview.
    async fn single_step(&mut self) {
        if self.run.is_none() && !self.diverged && self.steps_left() > 0 {
            match self.run_slice(1).await {
                Ok(_) => self.refresh_preview().await,
                Err(ending) => self.stop(Some(ending)),
            }
        }
        self.post(Event::Stepped);
    }

    /// Runs the next half of a GAN's step when nothing else runs (slow motion) and says what it
    /// did; the generator's half completes the step, whose losses and preview follow as after a
    /// single step.
    async fn half_step(&mut self) {
        let idle = self.run.is_none() && !self.diverged && self.steps_left() > 0;
        let half = if idle {
            self.model.as_mut().and_then(|m| m.session.half_step())
        } else {
            None
        };
        let report = match half {
            Some(half) => self.report_half(half).await,
            None => None,
        };
        self.post(Event::HalfStepped {
            generation: self.generation,
            half: report,
        });
    }

    /// Reads `half` back and, when it completed a step, sends its losses and preview.
    async fn report_half(&mut self, half: HalfStep) -> Option<HalfReport> {
        let verdicts = match read_floats(half.verdicts).await {
            Ok(verdicts) => verdicts,
            Err(e) => {
                self.stop(Some(StopReason::ReadBack { error: e.to_string() }));
                return None;
            }
        };
        if let Some(losses) = half.losses {
            match self.post_losses(vec![losses]).await {
                Ok(_) => self.refresh_preview().await,
                Err(ending) => self.stop(Some(ending)),
            }
        }
        Some(HalfReport {
            player: half.player,
            verdicts,
            steps: self.steps_done().unwrap_or(0),
        })
    }

    /// One slice of the run in progress: its steps, then the preview and coverage when due;
    /// ends the run at the budget or when a loss diverged.
    async fn train_slice(&mut self) {
        let Some(steps_per_slice) = self.run.as_ref().map(|run| run.steps_per_slice) else {
            return;
        };
        let started = self.host.now_ms();
        let wanted = steps_per_slice.min(self.steps_left());
        let done = match self.run_slice(wanted).await {
            Ok(done) => done,
            Err(ending) => return self.end_run(Some(ending)).await,
        };
        let now = self.host.now_ms();
        let per_step = ((now - started) / done.max(1) as f64).max(0.1);
        let budget = self.model.as_ref().map_or(0, |m| m.settings.step_budget);
        if self.steps_left() == 0 {
            return self.end_run(Some(StopReason::Budget { budget })).await;
        }
        let run = self.run.as_mut().expect("checked above");
        run.steps_per_slice = ((TARGET_SLICE_MS / per_step) as usize).clamp(1, MAX_STEPS_PER_SLICE);
        if run.preview_pace.due(now) {
            self.refresh_preview().await;
            let finished = self.host.now_ms();
            if let Some(run) = self.run.as_mut() {
                run.preview_pace.shown(now, finished);
            }
        }
        if self.coverage_due() {
            self.check_coverage().await;
        }
    }

    /// Ends the run in progress: shows the last preview and tells the page why (`None`: paused).
    async fn end_run(&mut self, ending: Option<StopReason>) {
        self.run = None;
        self.refresh_preview().await;
        self.stop(ending);
    }

    /// Tells the page that training of the current generation stopped, and why.
    fn stop(&mut self, reason: Option<StopReason>) {
        self.run = None;
        self.diverged |= reason.as_ref().is_some_and(StopReason::is_divergence);
        self.post(Event::Stopped {
            generation: self.generation,
            run: self.run_number,
            reason,
        });
    }

    /// Queues up to `max_steps` steps (at least one), reads their losses back and sends them.
    /// Returns the number of steps done.
    async fn run_slice(&mut self, max_steps: usize) -> Result<usize, StopReason> {
        let Some(model) = self.model.as_mut() else {
            return Ok(0);
        };
        let queued: Vec<Tensor<1>> = (0..max_steps.max(1)).map(|_| model.session.step()).collect();
        self.post_losses(queued).await
    }

    /// Reads back the loss terms of the steps just taken, `queued` one tensor a step, and sends
    /// them; a loss that is not finite ends the run.
    async fn post_losses(&mut self, queued: Vec<Tensor<1>>) -> Result<usize, StopReason> {
        let done = queued.len();
        let values = read_floats(Tensor::cat(queued, 0))
            .await
            .map_err(|e| StopReason::ReadBack { error: e.to_string() })?;
        let Some(model) = self.model.as_ref() else {
            return Ok(0);
        };
        let (steps, epochs) = (model.session.steps_done(), model.session.epochs_done());
        let learning_rate = model.settings.learning_rate;
        let diverged_at = first_non_finite_step(&values, values.len() / done).map(|index| steps - done + index + 1);
        self.post(Event::Losses {
            generation: self.generation,
            values,
            steps,
            epochs,
        });
        match diverged_at {
            Some(step) => Err(StopReason::Diverged { step, learning_rate }),
            None => Ok(done),
        }
    }

    /// Whether a generator has trained [`COVERAGE_INTERVAL`] steps since its last check.
    fn coverage_due(&self) -> bool {
        let steps = self.steps_done().unwrap_or(0);
        self.last_coverage.is_some_and(|last| steps >= last + COVERAGE_INTERVAL)
    }

    /// For a generator, with a classifier loaded: judges [`COVERAGE_SAMPLES`] samples from
    /// fixed noise and sends the class histogram at the current step.
    async fn check_coverage(&mut self) {
        let (Some(model), Some(judge)) = (self.model.as_ref(), self.judge.as_ref()) else {
            return;
        };
        if !model.session.is_generator() || self.foreign_classes {
            return;
        }
        let Some(samples) = model.session.samples(COVERAGE_SAMPLES, COVERAGE_SEED) else {
            return;
        };
        let step = model.session.steps_done();
        let judged = judge.classifier.valid_probabilities(samples);
        self.last_coverage = Some(step);
        let generation = self.generation;
        match read_floats(judged).await {
            Ok(probabilities) => self.post(Event::Coverage {
                generation,
                step,
                report: class_report(&probabilities),
            }),
            Err(e) => self.post(Event::Notice {
                generation,
                message: format!("Could not judge the samples: {e}."),
            }),
        }
    }

    /// Reads the current preview grid back and sends it, and for a model with an encoder where
    /// it puts [`CODE_PROBE`] held-out digits: both in one read back, so the device is waited
    /// for once.
    async fn refresh_preview(&self) {
        let Some(model) = self.model.as_ref() else { return };
        let (generation, step) = (self.generation, model.session.steps_done());
        let grid = model.session.preview();
        let grid_numbers = grid.dims().iter().product::<usize>();
        let grid = grid.reshape([grid_numbers]);
        let probe = self.probe_codes();
        let numbers = match &probe {
            Some(probe) => Tensor::cat(vec![grid, probe.points.clone()], 0),
            None => grid,
        };
        match read_floats(numbers).await {
            Ok(mut pixels) => {
                let points = pixels.split_off(grid_numbers);
                self.post(Event::Preview {
                    generation,
                    step,
                    pixels,
                });
                if let Some(probe) = probe {
                    self.post(Event::Codes {
                        generation,
                        step,
                        points,
                        classes: probe.classes,
                    });
                }
            }
            Err(e) => self.post(Event::Notice {
                generation,
                message: format!("Could not show the preview: {e}."),
            }),
        }
    }

    /// For a model with an encoder, the first two numbers of the codes of the first
    /// [`CODE_PROBE`] held-out digits (the Train panel's latent scatter), still on the device.
    fn probe_codes(&self) -> Option<CodeProbe> {
        let (model, data, (device, _)) = (self.model.as_ref()?, self.data.as_ref()?, self.device.as_ref()?);
        let count = CODE_PROBE.min(data.held_out.len());
        if count == 0 || model.kind.is_adversarial() {
            return None;
        }
        let pixels = data.held_out.pixels[..count * IMAGE_PIXELS].to_vec();
        let images = Tensor::from_data(TensorData::new(pixels, [count, IMAGE_PIXELS]), device);
        // Every code has at least two numbers.
        let codes = model.session.encode(images)?.slice([0..count, 0..2]);
        Some(CodeProbe {
            points: codes.reshape([count * 2]),
            classes: data.held_out.labels[..count].to_vec(),
        })
    }

    /// Replaces the session with one of `start_as` (or of the model in use) holding the weights
    /// file `bytes`, which then takes `generation`; with `resume`, it goes on counting from the
    /// steps the file records (a snapshot). The new session is built and filled beside the old
    /// one, so a file that does not fit changes nothing; once it has loaded, a model of another
    /// kind goes to the device chosen for it.
    async fn load(
        &mut self,
        generation: u64,
        bytes: &[u8],
        start_as: Option<(ModelKind, Hyperparameters)>,
        resume: bool,
    ) -> Result<(), String> {
        let in_use = self.model.as_ref().map(|m| (m.kind, m.settings));
        let (kind, settings) = start_as.or(in_use).ok_or("there is no model to load into")?;
        let (Some((device, _)), Some(data)) = (self.device.as_ref(), self.data.as_ref()) else {
            return Err("the training worker has not started".into());
        };
        let file = WeightsFile::parse(bytes).map_err(|e| e.to_string())?;
        let steps = file.header.steps;
        let mut session = session_from_file(kind, &settings, file, data, device).map_err(|e| e.to_string())?;
        if resume {
            session.resume_at(steps);
        }
        let previous = self.device.clone();
        self.model = Some(Model {
            session,
            kind,
            settings,
        });
        self.generation = generation;
        if in_use != Some((kind, settings)) {
            self.choose_training_device(kind, settings.batch_size).await;
            let moved = self.device.as_ref().map(|(_, backend)| *backend) != previous.as_ref().map(|(_, b)| *b);
            if let (true, Some((device, _))) = (moved, self.device.clone())
                && let Err(e) = self.move_session(&device).await
            {
                self.device = previous;
                let explanation = format!("The loaded weights could not move to the faster backend ({e}).");
                self.post_backend(&self.info_here(explanation), false);
            }
        }
        Ok(())
    }

    /// The current weights as the bytes of an f32 weights file, with the config and settings,
    /// and, when `with_optimizer`, the optimisers' state, all read back from the device
    /// asynchronously (on the CPU and on WebGPU alike).
    async fn export(&self, with_optimizer: bool) -> Result<ExportedWeights, String> {
        let model = self.model.as_ref().ok_or("there is no model to export")?;
        let header = WeightsHeader::of_model(model.kind, model.settings, model.session.steps_done(), Precision::F32);
        let tensors = read_parameters(model.session.parameters(Precision::F32))
            .await
            .map_err(|e| e.to_string())?;
        let bytes = WeightsFile::encode(&header, tensors).map_err(|e| e.to_string())?;
        let optimizer = match with_optimizer {
            true => {
                // Off the CPU the state must first come back asynchronously; nothing may run
                // between the last read back and the record, so no await follows it.
                for optimizer in model.session.optimizers() {
                    optimizer.read_back().await.map_err(|e| e.to_string())?;
                }
                model
                    .session
                    .optimizer_state()?
                    .into_iter()
                    .map(ByteBuf::from)
                    .collect()
            }
            false => Vec::new(),
        };
        Ok(ExportedWeights {
            bytes: ByteBuf::from(bytes),
            steps: header.steps,
            optimizer,
        })
    }

    /// Gives the session of `generation` a snapshot's optimiser state (rebuilt on the CPU, and
    /// moved to the session's device by its next step); a state that does not fit leaves the
    /// optimisers as they were, with a notice.
    fn load_optimizer(&mut self, generation: u64, state: Vec<ByteBuf>) {
        let fits = generation == self.generation;
        let Some(model) = self.model.as_mut().filter(|_| fits) else {
            return;
        };
        let state = state.into_iter().map(ByteBuf::into_vec).collect();
        if let Err(problem) = model.session.load_optimizer_state(state) {
            self.post(Event::Notice {
                generation,
                message: format!("The snapshot's optimiser state did not load ({problem}): Adam starts afresh."),
            });
        }
    }

    /// Runs the augmentation experiment to the end, reporting progress after every slice.
    async fn augment(&mut self, plan: AugmentPlan, generators: Vec<PretrainedGenerator>) {
        let (Some((device, _)), Some(data)) = (self.device.clone(), self.data.clone()) else {
            return;
        };
        let mut pretrained = Vec::new();
        for generator in generators {
            let Some(kind) = generator.arm.pretrained_model() else {
                continue;
            };
            let loaded = WeightsFile::parse(&generator.weights)
                .and_then(|file| session_from_file(kind, &generator.settings, file, &data, &device));
            match loaded {
                Ok(session) => pretrained.push((generator.arm, session)),
                Err(e) => return self.fail(format!("the pretrained {} did not load: {e}", kind.label())),
            }
        }
        let mut experiment = match AugmentExperiment::new(plan, (*data).clone(), pretrained, &device) {
            Ok(experiment) => experiment,
            Err(message) => return self.fail(message),
        };
        self.post(Event::AugmentProgress(experiment.progress()));
        while !experiment.is_finished() {
            if let Err(e) = experiment.advance(AUGMENT_STEPS_PER_SLICE).await {
                return self.fail(format!("the experiment stopped: {e}"));
            }
            self.post(Event::AugmentProgress(experiment.progress()));
            self.host.yield_now().await;
        }
        self.post(Event::AugmentFinished {
            outcomes: experiment.outcomes().to_vec(),
        });
    }
}

/// What the badge says when the user chose WebGPU and has it.
fn webgpu_chosen(adapter: &str) -> BackendInfo {
    BackendInfo::webgpu(
        adapter,
        "Training runs on your GPU through WebGPU, as you asked.".into(),
    )
}

/// The device and badge for `kind` after `duel`, measured on `measured_on` if on an earlier visit.
fn measured_choice(
    duel: SpeedDuel,
    measured_on: Option<String>,
    kind: ModelKind,
    cpu: Device,
    gpu: Device,
    adapter: &str,
) -> (Device, BackendInfo) {
    let explanation = duel.explanation(kind.label(), measured_on.as_deref());
    match duel.winner() {
        BackendKind::Cpu => (cpu, BackendInfo::cpu_explained(explanation)),
        BackendKind::WebGpu => (gpu, BackendInfo::webgpu(adapter, explanation)),
    }
}
