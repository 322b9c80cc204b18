//! [`TrainView`]: the Train panel's state as plain data. Each press of a button is a method that
//! says which command to send (or none, when the press cannot apply now); each event from the
//! worker goes through [`TrainView::on_event`], which keeps what the panel shows and says what
//! else the page must do ([`Reaction`]).

use serde_bytes::ByteBuf;

use crate::backend::memory::RememberedSpeed;
use crate::eval::metrics::ClassReport;
use crate::link::WeightsChoice;
use crate::model::PreviewKind;
use crate::protocol::{Command, Event, ExportedWeights, HalfReport, StopReason, WarmUp};
use crate::train::{Hyperparameters, LossHistory, ModelKind, RateMeter};

/// How often a snapshot of the weights in training is taken while training runs, in milliseconds,
/// at the most: see [`SNAPSHOT_COST_FACTOR`].
pub const SNAPSHOT_INTERVAL_MS: f64 = 5_000.0;
/// A snapshot comes at least this many times its last one's cost apart, so snapshots take at
/// most a twentieth of training's time wherever reading the weights and Adam's state back is
/// slow (on SwiftShader's WebGPU, measured: ae_mlp 1.72 and 1.76 steps/s without snapshots
/// against 1.53 and 1.29 with one every 5 s).
pub const SNAPSHOT_COST_FACTOR: f64 = 20.0;

/// A preview grid from the worker.
#[derive(Debug, Clone, PartialEq)]
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

/// The training worker's backend as the page's header shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendBadge {
    /// The badge's text, e.g. "CPU" or "WebGPU — <adapter>".
    pub badge: String,
    /// One sentence on why this backend is in use.
    pub explanation: String,
}

/// What the page must do after an event, beyond what the view now shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Reaction {
    /// Pass `event` (a `Loaded` or `Exported`) to whoever waits for the answer to `request`.
    Answer { request: u64, event: Event },
    /// Keep the measured speed in the browser's storage.
    RememberSpeed(RememberedSpeed),
    /// The worker broke or lost its GPU: replace it (see [`TrainView::begin_recovery`]).
    Recover { reason: String },
    /// The worker answered the heartbeat's ping.
    Pong { ping: u64 },
    /// Ask the worker for a snapshot ([`TrainView::snapshot_request`]).
    TakeSnapshot,
}

/// What the page keeps to restore a worker that broke: the weights in training as a weights file
/// (with their step count) and the optimisers' state, and the loss history up to them.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    generation: u64,
    kind: ModelKind,
    settings: Hyperparameters,
    weights: Vec<u8>,
    /// The optimisers' state with the weights (on the CPU and on WebGPU alike).
    optimizer: Vec<ByteBuf>,
    history: LossHistory,
}

impl Snapshot {
    /// The steps the snapshot was taken at.
    pub fn steps(&self) -> usize {
        self.history.len()
    }

    /// The weights file.
    pub fn weights(&self) -> &[u8] {
        &self.weights
    }
}

/// Which model a snapshot asked for belongs to, checked when the answer comes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SnapshotTicket {
    generation: u64,
    kind: ModelKind,
    settings: Hyperparameters,
}

/// How a new worker picks up the model a broken one was training: load the snapshot's weights
/// (as the model it is of, resuming its step count), then its optimisers' state, then train
/// again if it was training ([`TrainView::finish_recovery`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Restore {
    snapshot: Snapshot,
    /// Whether training ran when the worker broke.
    was_running: bool,
    /// The broken worker's story, capitalised, and " on the CPU" where its successor moved.
    reason: String,
    on_cpu: &'static str,
}

impl Restore {
    /// The weights file to load.
    pub fn weights(&self) -> &[u8] {
        &self.snapshot.weights
    }

    /// The model the weights are of, with its settings.
    pub fn start_as(&self) -> (ModelKind, Hyperparameters) {
        (self.snapshot.kind, self.snapshot.settings)
    }
}

/// The Train panel's state: what it shows, kept in step with the training worker.
#[derive(Debug, Clone)]
pub struct TrainView {
    running: bool,
    pausing: bool,
    stepping: bool,
    diverged: bool,
    history: LossHistory,
    preview: Option<PreviewGrid>,
    codes: Option<CodeScatter>,
    preview_kind: PreviewKind,
    steps_per_second: Option<f64>,
    epochs: f64,
    notice: Option<String>,
    slow_motion: Option<HalfReport>,
    applied: Hyperparameters,
    coverage: Vec<(usize, ClassReport)>,
    weights_source: WeightsChoice,
    backend: Option<BackendBadge>,
    measuring_backends: bool,
    /// The warm-up of a session's WebGPU kernels, with the generation it warms.
    warm_up: Option<(u64, WarmUp)>,
    /// The model in use, as the last reset or load named it.
    kind: ModelKind,
    /// Numbers the sessions: bumped whenever the weights in use are replaced, so events about
    /// older weights, still on their way, are dropped.
    generation: u64,
    /// The last generation number handed out (to a reset or a load): never handed out twice,
    /// so a load answered after a newer reset cannot pass for it.
    last_generation: u64,
    /// Numbers the play presses, so a stop of an older run does not stop a newer one.
    run: u64,
    /// Numbers requests that get an answer (load, export, snapshot).
    next_request: u64,
    rate: RateMeter,
    snapshot: Option<Snapshot>,
    snapshot_asked_ms: f64,
    /// How long the last snapshot took, from request to answer, in milliseconds.
    snapshot_cost_ms: f64,
    /// The loss history to show when a restored worker resumes its snapshot.
    restoring: Option<LossHistory>,
}

impl Default for TrainView {
    fn default() -> Self {
        Self::new()
    }
}

impl TrainView {
    /// Before the first reset: nothing trained, no backend known yet.
    pub fn new() -> Self {
        Self {
            running: false,
            pausing: false,
            stepping: false,
            diverged: false,
            history: LossHistory::default(),
            preview: None,
            codes: None,
            preview_kind: PreviewKind::Samples,
            steps_per_second: None,
            epochs: 0.0,
            notice: None,
            slow_motion: None,
            applied: Hyperparameters::defaults(ModelKind::VaeMlp),
            coverage: Vec::new(),
            weights_source: WeightsChoice::Fresh,
            backend: None,
            measuring_backends: false,
            warm_up: None,
            kind: ModelKind::VaeMlp,
            generation: 0,
            last_generation: 0,
            run: 0,
            next_request: 0,
            rate: RateMeter::default(),
            snapshot: None,
            snapshot_asked_ms: f64::NEG_INFINITY,
            snapshot_cost_ms: 0.0,
            restoring: None,
        }
    }

    /// Whether training is running (the Train / Pause toggle): from a press of Train until the
    /// worker says it stopped.
    pub fn running(&self) -> bool {
        self.running
    }
    /// Whether a pause was asked for and the worker is finishing its slice.
    pub fn pausing(&self) -> bool {
        self.pausing
    }
    /// Whether a single step or half step (with its read back) is in flight.
    pub fn stepping(&self) -> bool {
        self.stepping
    }
    /// Whether training stopped because a loss became NaN or infinite.
    pub fn diverged(&self) -> bool {
        self.diverged
    }
    /// Every step's loss terms.
    pub fn history(&self) -> &LossHistory {
        &self.history
    }
    /// The latest preview grid.
    pub fn preview(&self) -> Option<&PreviewGrid> {
        self.preview.as_ref()
    }
    /// For a model with an encoder: where it puts a fixed batch of held-out digits.
    pub fn codes(&self) -> Option<&CodeScatter> {
        self.codes.as_ref()
    }
    /// What the preview grid shows for the current model.
    pub fn preview_kind(&self) -> PreviewKind {
        self.preview_kind
    }
    /// Recent training speed.
    pub fn steps_per_second(&self) -> Option<f64> {
        self.steps_per_second
    }
    /// Passes over the training digits so far.
    pub fn epochs(&self) -> f64 {
        self.epochs
    }
    /// A message for the user (divergence, read-back failure, budget reached, a restart).
    pub fn notice(&self) -> Option<&str> {
        self.notice.as_deref()
    }
    /// A GAN in slow motion: what its last half step did, until it trains another way.
    pub fn slow_motion(&self) -> Option<&HalfReport> {
        self.slow_motion.as_ref()
    }
    /// The settings the current session was started with.
    pub fn applied(&self) -> Hyperparameters {
        self.applied
    }
    /// For a generator: the classifier's verdict on its samples, by step.
    pub fn coverage(&self) -> &[(usize, ClassReport)] {
        &self.coverage
    }
    /// Whether the weights in use are fresh from the seed or the shipped pretrained ones.
    pub fn weights_source(&self) -> WeightsChoice {
        self.weights_source
    }
    /// The training worker's backend, once it is ready.
    pub fn backend(&self) -> Option<&BackendBadge> {
        self.backend.as_ref()
    }
    /// Whether the worker is timing the backends to choose one.
    pub fn measuring_backends(&self) -> bool {
        self.measuring_backends
    }
    /// Where the warm-up of the session in use's WebGPU kernels stands, if it has one.
    pub fn warm_up(&self) -> Option<&WarmUp> {
        self.warm_up
            .as_ref()
            .filter(|(generation, _)| *generation == self.generation)
            .map(|(_, state)| state)
    }
    /// The model in use.
    pub fn kind(&self) -> ModelKind {
        self.kind
    }
    /// The generation whose events the view takes.
    pub fn generation(&self) -> u64 {
        self.generation
    }
    /// The latest snapshot kept.
    pub fn snapshot(&self) -> Option<&Snapshot> {
        self.snapshot.as_ref()
    }

    /// Steps left before the step budget is reached.
    pub fn steps_left(&self) -> usize {
        self.applied.step_budget.saturating_sub(self.history.len())
    }

    /// Drops the session for a fresh, untrained one of `kind` with `settings`: the command that
    /// starts it.
    pub fn reset(&mut self, kind: ModelKind, settings: Hyperparameters) -> Command {
        self.kind = kind;
        self.applied = settings;
        self.weights_source = WeightsChoice::Fresh;
        let generation = self.start_afresh();
        self.preview = None;
        self.codes = None;
        self.history = LossHistory::default();
        Command::Reset {
            generation,
            kind,
            settings,
        }
    }

    /// A generation number never handed out before.
    fn new_generation(&mut self) -> u64 {
        self.last_generation += 1;
        self.last_generation
    }

    /// Before the weights in use are replaced: stops training, clears every figure measured on
    /// the old ones and returns the next generation (which the caller gives the new weights).
    fn start_afresh(&mut self) -> u64 {
        let generation = self.new_generation();
        self.generation = generation;
        self.running = false;
        self.pausing = false;
        self.stepping = false;
        self.slow_motion = None;
        self.diverged = false;
        self.steps_per_second = None;
        self.epochs = 0.0;
        self.notice = None;
        self.rate.clear();
        self.coverage.clear();
        generation
    }

    /// A request number never handed out before.
    fn new_request(&mut self) -> u64 {
        self.next_request += 1;
        self.next_request
    }

    /// The command that loads the weights file `weights` (as `start_as`, or into the session in
    /// use; `resume` keeps its step count), with its request number. Nothing the view shows
    /// changes until the worker says it loaded.
    pub fn load_request(
        &mut self,
        weights: Vec<u8>,
        start_as: Option<(ModelKind, Hyperparameters)>,
        resume: bool,
    ) -> (u64, Command) {
        let request = self.new_request();
        let command = Command::Load {
            request,
            generation: self.new_generation(),
            weights: ByteBuf::from(weights),
            start_as,
            resume,
        };
        (request, command)
    }

    /// After a load as `kind` with `settings` succeeded: they are the model in use.
    pub fn loaded_as(&mut self, kind: ModelKind, settings: Hyperparameters) {
        self.kind = kind;
        self.applied = settings;
    }

    /// The worker was replaced: whatever it was timing, it times no more.
    pub fn worker_replaced(&mut self) {
        self.measuring_backends = false;
    }

    /// The backend is to be chosen again (another worker starts): no badge until it says.
    pub fn forget_backend(&mut self) {
        self.backend = None;
    }

    /// The weights in use are the shipped pretrained ones.
    pub fn mark_pretrained(&mut self) {
        self.weights_source = WeightsChoice::Pretrained;
    }

    /// The command that exports the weights in use, with its request number.
    pub fn export_request(&mut self) -> (u64, Command) {
        let request = self.new_request();
        (request, Command::Export { request })
    }

    /// The command that asks for a snapshot of the weights in training, with its request
    /// number and the ticket to keep the answer with ([`Self::keep_snapshot`]).
    pub fn snapshot_request(&mut self, now_ms: f64) -> (u64, Command, SnapshotTicket) {
        self.snapshot_asked_ms = now_ms;
        let request = self.new_request();
        let ticket = SnapshotTicket {
            generation: self.generation,
            kind: self.kind,
            settings: self.applied,
        };
        (request, Command::Snapshot { request }, ticket)
    }

    /// The worker answered the snapshot request at `now_ms` (kept or not): what it cost paces
    /// the next.
    pub fn snapshot_answered(&mut self, now_ms: f64) {
        self.snapshot_cost_ms = (now_ms - self.snapshot_asked_ms).max(0.0);
    }

    /// How long after a snapshot request the next is due while training runs.
    pub fn snapshot_interval_ms(&self) -> f64 {
        SNAPSHOT_INTERVAL_MS.max(SNAPSHOT_COST_FACTOR * self.snapshot_cost_ms)
    }

    /// Keeps the worker's answer to a snapshot request, with the loss history up to its step,
    /// unless the model was replaced since or the history does not reach it. Whether it was kept.
    pub fn keep_snapshot(&mut self, ticket: SnapshotTicket, exported: ExportedWeights) -> bool {
        let history = self.history.truncated(exported.steps);
        if ticket.generation != self.generation || history.len() != exported.steps {
            return false;
        }
        self.snapshot = Some(Snapshot {
            generation: ticket.generation,
            kind: ticket.kind,
            settings: ticket.settings,
            weights: exported.bytes.into_vec(),
            optimizer: exported.optimizer,
            history,
        });
        true
    }

    /// Starts or resumes training: the command, unless the budget is spent or the losses diverged.
    pub fn play(&mut self) -> Option<Command> {
        if self.steps_left() == 0 || self.diverged {
            return None;
        }
        self.run += 1;
        self.notice = None;
        self.rate.clear();
        self.running = true;
        self.pausing = false;
        // A step begun in slow motion is finished by the run.
        self.slow_motion = None;
        Some(Command::Play { run: self.run })
    }

    /// Pauses training after the slice in progress; `running` stays true until the worker says
    /// it stopped, so the figures shown once paused are final.
    pub fn pause(&mut self) -> Option<Command> {
        self.running.then(|| {
            self.pausing = true;
            Command::Pause
        })
    }

    /// Whether a single step or half step can run now: paused, none in flight, budget left,
    /// losses finite.
    pub fn can_step(&self) -> bool {
        !(self.running || self.stepping || self.steps_left() == 0 || self.diverged)
    }

    /// Runs exactly one step (when paused).
    pub fn single_step(&mut self) -> Option<Command> {
        self.can_step().then(|| {
            self.stepping = true;
            self.slow_motion = None;
            Command::Step
        })
    }

    /// Runs the next half of a GAN's step (when paused): the slow-motion view.
    pub fn half_step(&mut self) -> Option<Command> {
        self.can_step().then(|| {
            self.stepping = true;
            Command::HalfStep
        })
    }

    /// Takes an event from the worker (`now_ms`: the page's clock) and says what else to do.
    /// Events about weights no longer in use change nothing.
    pub fn on_event(&mut self, event: Event, now_ms: f64) -> Option<Reaction> {
        if event.generation().is_some_and(|g| g != self.generation) {
            return None;
        }
        match event {
            Event::Ready { badge, explanation } => self.backend = Some(BackendBadge { badge, explanation }),
            Event::Backend {
                measuring,
                badge,
                explanation,
            } => {
                self.measuring_backends = measuring;
                self.backend = Some(BackendBadge { badge, explanation });
            }
            Event::SpeedMeasured(speed) => return Some(Reaction::RememberSpeed(speed)),
            Event::Failed { message } => self.notice = Some(format!("Training: {message}.")),
            Event::Crashed { message } => {
                return Some(Reaction::Recover {
                    reason: format!("the training worker broke ({message})"),
                });
            }
            Event::GpuLost { message } => {
                return Some(Reaction::Recover {
                    reason: format!("the GPU stopped responding ({message})"),
                });
            }
            Event::Pong { ping } => return Some(Reaction::Pong { ping }),
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
                    _ => self.restoring.take(),
                };
                self.history = resumed
                    .filter(|h| h.len() == steps)
                    .unwrap_or_else(|| LossHistory::new(&loss_names));
                self.preview_kind = preview_kind;
            }
            Event::Losses {
                values, steps, epochs, ..
            } => {
                self.history.extend_flat(&values);
                self.epochs = epochs;
                self.rate.record(now_ms, steps);
                self.steps_per_second = self.rate.rate();
                if now_ms - self.snapshot_asked_ms >= self.snapshot_interval_ms() {
                    return Some(Reaction::TakeSnapshot);
                }
            }
            Event::Preview { step, pixels, .. } => self.preview = Some(PreviewGrid { step, pixels }),
            Event::Codes {
                step, points, classes, ..
            } => self.codes = Some(CodeScatter { step, points, classes }),
            Event::Coverage { step, report, .. } => self.coverage.push((step, report)),
            Event::Stopped { run, reason, .. } => {
                let diverged = reason.as_ref().is_some_and(StopReason::is_divergence);
                if run == self.run || diverged {
                    self.running = false;
                    self.pausing = false;
                }
                if let Some(reason) = &reason {
                    self.notice = Some(reason.notice());
                }
                if diverged {
                    self.diverged = true;
                } else {
                    // The run's last state, before whatever the user does next.
                    return Some(Reaction::TakeSnapshot);
                }
            }
            Event::Stepped => {
                self.stepping = false;
                return Some(Reaction::TakeSnapshot);
            }
            Event::HalfStepped { half, .. } => {
                self.stepping = false;
                if half.is_some() {
                    self.slow_motion = half;
                }
            }
            Event::Notice { message, .. } => self.notice = Some(message),
            Event::WarmUp { generation, state } => self.warm_up = Some((generation, state)),
            // The training worker runs no augmentation experiment (the Augment panel has its own worker).
            Event::AugmentProgress(_) | Event::AugmentFinished { .. } | Event::LabSlice { .. } => {}
            Event::Loaded {
                request,
                generation,
                outcome,
            } => {
                // A reset sent after the load (a newer generation) has replaced what it loaded.
                let superseded = generation < self.generation;
                let outcome = match outcome {
                    Ok(()) if superseded => Err("a newer model replaced it before it loaded".into()),
                    Ok(()) => {
                        // Done here, before the answer is passed on: the new weights' preview
                        // is the worker's next message.
                        self.start_afresh();
                        self.generation = generation;
                        self.history = LossHistory::new(&self.history.names);
                        Ok(())
                    }
                    failed => failed,
                };
                let event = Event::Loaded {
                    request,
                    generation,
                    outcome,
                };
                return Some(Reaction::Answer { request, event });
            }
            Event::Exported { request, .. } => return Some(Reaction::Answer { request, event }),
        }
        None
    }

    /// After the worker could not start or kept breaking: nothing runs, and the notice says why.
    pub fn unavailable(&mut self, message: &str) {
        self.running = false;
        self.pausing = false;
        self.stepping = false;
        self.notice = Some(format!(
            "Training is unavailable: {message}. Reload the page to try again."
        ));
    }

    /// A new worker replaces one that broke (`reason`; `on_cpu` where the new one trains on the
    /// CPU instead of WebGPU): the command that starts the model in use afresh in it, and how to
    /// restore the latest snapshot of that model, if one was taken.
    pub fn begin_recovery(&mut self, reason: &str, on_cpu: bool) -> (Command, Option<Restore>) {
        let was_running = self.running;
        let (kind, settings) = (self.kind, self.applied);
        let snapshot = self
            .snapshot
            .clone()
            .filter(|s| s.generation == self.generation && s.kind == kind && s.settings == settings);
        let generation = self.start_afresh();
        let reset = Command::Reset {
            generation,
            kind,
            settings,
        };
        let on_cpu = if on_cpu { " on the CPU" } else { "" };
        let reason = capitalised(reason);
        let Some(snapshot) = snapshot else {
            self.history = LossHistory::default();
            self.notice = Some(format!(
                "{reason}; a new training worker starts{on_cpu} with the model afresh (no snapshot of it had been taken yet)."
            ));
            return (reset, None);
        };
        self.restoring = Some(snapshot.history.clone());
        let restore = Restore {
            snapshot,
            was_running,
            reason,
            on_cpu,
        };
        (reset, Some(restore))
    }

    /// The snapshot's load was answered (`outcome`): the commands that carry the restore on (its
    /// optimisers' state, then training again if it ran), and the notice that says what happened.
    pub fn finish_recovery(&mut self, restore: Restore, outcome: Result<(), String>) -> Vec<Command> {
        let Restore {
            snapshot,
            was_running,
            reason,
            on_cpu,
        } = restore;
        let steps = snapshot.steps();
        let mut commands = Vec::new();
        match outcome {
            Ok(()) => {
                // Adam goes on with the moments it had (the worker checks they fit).
                let adam = match snapshot.optimizer.is_empty() {
                    true => "",
                    false => {
                        commands.push(Command::LoadOptimizer {
                            generation: self.generation,
                            state: snapshot.optimizer.clone(),
                        });
                        ", with Adam's state"
                    }
                };
                self.snapshot = Some(Snapshot {
                    generation: self.generation,
                    ..snapshot
                });
                // Training goes on first: a press of Train clears the notice.
                if was_running {
                    commands.extend(self.play());
                }
                self.notice = Some(format!("{reason}; training goes on{on_cpu} from step {steps}{adam}."));
            }
            Err(e) => {
                self.restoring = None;
                self.notice = Some(format!(
                    "{reason}; a new training worker started{on_cpu}, but the snapshot did not load ({e}), so the model starts afresh."
                ));
            }
        }
        commands
    }
}

/// `text` with its first letter in upper case.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}
