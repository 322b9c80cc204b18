//! The messages between the page and the worker that trains its model: the page sends
//! [`Command`]s, the worker answers with [`Event`]s. Plain serde types, no web code, so the same
//! definitions serve both ends and are tested natively.
//!
//! Every command that replaces the weights in use carries a new `generation`, and every event
//! measured on some weights carries the generation they belong to: the page drops events of
//! older generations, which may still be on their way when a reset or a load was sent.

use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;

use crate::backend::choice::{BackendKind, BackendPreference};
use crate::backend::memory::{RememberedSpeed, SpeedMemory};
use crate::eval::metrics::ClassReport;
use crate::experiment::augment::{ArmOutcome, AugmentArm, AugmentPlan, AugmentProgress};
use crate::lab::LabSettings;
use crate::lab::run::LabSlice;
use crate::model::PreviewKind;
use crate::train::trainer::Player;
use crate::zoo::Hyperparameters;
use crate::zoo::ModelKind;

/// What the page asks of the training worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Command {
    /// The first command: the digits to train on (the shipped IDX files, gzipped or not) and
    /// which backend to train on. Answered by [`Event::Ready`] or [`Event::Failed`].
    Start {
        /// The images file in IDX format.
        images: ByteBuf,
        /// The labels file in IDX format.
        labels: ByteBuf,
        /// Which backend, or the faster as measured.
        backend: BackendPreference,
        /// Speeds this browser measured on earlier visits: a model found there is not timed again.
        remembered: SpeedMemory,
    },
    /// Forgets every measured speed: each model is timed on both backends again the next time
    /// it trains. Answered by [`Event::Backend`].
    ForgetSpeeds,
    /// Changes which backend the next [`Command::Reset`] trains on.
    Backend {
        /// Which backend, or the faster as measured.
        preference: BackendPreference,
    },
    /// Replaces the images to train on (a dataset the user brought, or MNIST again); the
    /// session is replaced by the [`Command::Reset`] that follows.
    Data {
        /// The images file in IDX format.
        images: ByteBuf,
        /// The labels file in IDX format.
        labels: ByteBuf,
        /// Whether the digit classifier's classes are the dataset's (else no coverage watch).
        digit_classes: bool,
    },
    /// The digit classifier's weights file, for the mode-collapse watch.
    Judge {
        /// A genplay weights file of the classifier.
        weights: ByteBuf,
    },
    /// Starts a fresh, untrained session of `kind` with `settings`.
    Reset {
        /// The generation of the new session.
        generation: u64,
        /// Which model.
        kind: ModelKind,
        /// Its settings (the step budget included).
        settings: Hyperparameters,
    },
    /// Trains until paused, the step budget is reached or the loss is no longer finite.
    /// Answered by [`Event::Stopped`] with the same `run` when training stops.
    Play {
        /// Numbers the page's play presses, so it can tell which run stopped.
        run: u64,
    },
    /// Stops training after the slice in progress.
    Pause,
    /// Runs exactly one step when paused. Answered by [`Event::Stepped`].
    Step,
    /// Runs the next half of a GAN's step when paused (slow motion): the discriminator's
    /// updates, or the generator's, which completes the step (its losses and preview follow as
    /// for a step). Answered by [`Event::HalfStepped`].
    HalfStep,
    /// Replaces the session with one holding a weights file's weights, once the file is checked
    /// completely (header, configuration, every tensor's type and shape): a file that does not
    /// fit changes nothing. Answered by [`Event::Loaded`], then on success [`Event::Started`]
    /// of the new generation.
    Load {
        /// Pairs the answer with the request.
        request: u64,
        /// The generation the session takes if the file loads.
        generation: u64,
        /// The weights file.
        weights: ByteBuf,
        /// The model to build for the file (a shipped file has its own settings); `None`: the
        /// model in use, with its settings.
        #[serde(default)]
        start_as: Option<(ModelKind, Hyperparameters)>,
        /// Whether the file is a snapshot to go on from: the session continues the step count
        /// its header records, instead of starting at zero.
        #[serde(default)]
        resume: bool,
    },
    /// Asks whether the worker is alive: its host answers [`Event::Pong`] at once, whatever
    /// the worker is doing, so a page that hears nothing knows its worker is gone.
    Ping {
        /// Numbers the pings.
        ping: u64,
    },
    /// Writes the current weights as an f32 weights file. Answered by [`Event::Exported`].
    Export {
        /// Pairs the answer with the request.
        request: u64,
    },
    /// As [`Command::Export`], with the optimisers' state too (on WebGPU read back
    /// asynchronously): the page's snapshot, to resume exactly.
    Snapshot {
        /// Pairs the answer with the request.
        request: u64,
    },
    /// Gives the session of `generation` the optimisers' state of a snapshot, after the
    /// snapshot's weights were loaded with `resume`. A state that does not fit changes nothing
    /// and is reported as an [`Event::Notice`].
    LoadOptimizer {
        /// The session it is for; another is left alone.
        generation: u64,
        /// One buffer per optimiser ([`ExportedWeights::optimizer`]).
        state: Vec<ByteBuf>,
    },
    /// Runs the data-augmentation experiment of `plan` on the digits: reports
    /// [`Event::AugmentProgress`] after each slice and ends with [`Event::AugmentFinished`]
    /// or [`Event::Failed`].
    Augment {
        /// What to run.
        plan: AugmentPlan,
        /// The shipped conditional generators the plan's arms need.
        generators: Vec<PretrainedGenerator>,
    },
    /// Trains the Modes lab's run number `run` for `steps` steps on `backend` (a fresh model of
    /// `settings` when the worker has no run of that number) and answers [`Event::LabSlice`].
    LabSlice {
        /// The page's number for the model; a new number replaces the worker's lab model.
        run: u64,
        /// What a fresh model is made of.
        settings: LabSettings,
        /// Where a fresh model trains.
        backend: BackendKind,
        /// Steps to train.
        steps: usize,
        /// Whether to score the held-out points too (the run's last slice).
        held_out: bool,
    },
}

/// Where the warm-up of a session's WebGPU kernels stands ([`Event::WarmUp`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum WarmUp {
    /// The twin's step is on its way: the kernels are being compiled.
    Compiling,
    /// Compiled, in `ms` milliseconds (0: by an earlier session of the same shapes on this
    /// worker): the first step will not wait for them.
    Ready {
        /// From the twin's start to its step read back.
        ms: f64,
    },
    /// The twin's step failed (the device is likely lost, which is reported on its own).
    Failed {
        /// Why.
        message: String,
    },
}

impl WarmUp {
    /// A short name of the state, for the page's `data-kernels` attribute.
    pub fn id(&self) -> &'static str {
        match self {
            WarmUp::Compiling => "compiling",
            WarmUp::Ready { .. } => "ready",
            WarmUp::Failed { .. } => "failed",
        }
    }

    /// What the Train panel says of it, beside the backend.
    pub fn sentence(&self) -> String {
        match self {
            WarmUp::Compiling => "Compiling this model's WebGPU kernels ahead, so its first step need not wait…".into(),
            WarmUp::Ready { ms } if *ms == 0.0 => {
                "Its WebGPU kernels are compiled already: the first step does not wait for them.".into()
            }
            WarmUp::Ready { ms } => format!(
                "Its WebGPU kernels were compiled ahead, in {:.1} s: the first step does not wait for them.",
                ms / 1000.0
            ),
            WarmUp::Failed { message } => {
                format!("Compiling its WebGPU kernels ahead failed ({message}): the first step compiles them.")
            }
        }
    }
}

/// A shipped generator handed to the worker for the augmentation experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PretrainedGenerator {
    /// The arm that adds its samples.
    pub arm: AugmentArm,
    /// The settings it was trained with (from the manifest), which fix its shape.
    pub settings: Hyperparameters,
    /// Its weights file.
    pub weights: ByteBuf,
}

/// What the training worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// The worker is ready to train; what it says of its backends.
    Ready {
        /// The backend's badge text, e.g. "CPU" or "WebGPU — <adapter>".
        badge: String,
        /// One sentence on why this backend is in use.
        explanation: String,
    },
    /// The backend the next session trains on, and why: sent at each [`Command::Reset`], after
    /// the measurement that chose it, if any.
    Backend {
        /// Whether it is being measured now (the badge and explanation say what is timed).
        measuring: bool,
        /// The backend's badge text, e.g. "CPU" or "WebGPU — <adapter>".
        badge: String,
        /// One sentence on why this backend is in use.
        explanation: String,
    },
    /// A model was timed on both backends: the page remembers it for later visits.
    SpeedMeasured(RememberedSpeed),
    /// The worker could not start, or a command failed outside any session.
    Failed {
        /// What went wrong, in plain words.
        message: String,
    },
    /// The worker itself broke (a panic): it answers nothing more, and the page replaces it.
    /// Its message is made by [`crash_message`].
    Crashed {
        /// What went wrong, in the panic's own words, on one line.
        message: String,
    },
    /// The browser lost the worker's GPU device (a GPU process crash, a driver reset, a device
    /// destroyed): sent by the worker's loader (`www/train-worker.js`), which watches every
    /// device the module opens. The page replaces the worker with one on the CPU.
    GpuLost {
        /// The browser's reason and message.
        message: String,
    },
    /// The answer to [`Command::Ping`], from the worker's event loop even while a command runs.
    Pong {
        /// The ping it answers.
        ping: u64,
    },
    /// A session of the generation started (fresh, loaded or resumed): what it reports.
    Started {
        /// The new session.
        generation: u64,
        /// Names of the loss terms each step reports.
        loss_names: Vec<String>,
        /// What its preview grid shows.
        preview_kind: PreviewKind,
        /// Steps it has already taken: zero, except for a snapshot it resumed.
        steps: usize,
    },
    /// Loss terms of the steps just taken, flattened step by step.
    Losses {
        /// The session they belong to.
        generation: u64,
        /// `steps * terms` values.
        values: Vec<f32>,
        /// Steps done by the session so far.
        steps: usize,
        /// Passes over the training digits so far.
        epochs: f64,
    },
    /// The live preview grid.
    Preview {
        /// The session it belongs to.
        generation: u64,
        /// Steps the session had done when the grid was drawn.
        step: usize,
        /// `64 * 784` intensities in `[0, 1]`.
        pixels: Vec<f32>,
    },
    /// Where an encoder puts a fixed batch of held-out digits: the first two numbers of each
    /// code (the posterior mean for a VAE), sent with each preview of a model with an encoder.
    Codes {
        /// The session it belongs to.
        generation: u64,
        /// Steps the session had done when the digits were encoded.
        step: usize,
        /// `(x, y)` of each digit, flattened.
        points: Vec<f32>,
        /// The class of each digit.
        classes: Vec<u8>,
    },
    /// The classifier's verdict on a generator's samples at a step.
    Coverage {
        /// The session it belongs to.
        generation: u64,
        /// The step it was taken at.
        step: usize,
        /// The class histogram and its figures.
        report: ClassReport,
    },
    /// Training stopped: paused, budget reached, diverged or failed.
    Stopped {
        /// The session it belongs to.
        generation: u64,
        /// The play press whose run stopped.
        run: u64,
        /// Why, when it is not a plain pause.
        reason: Option<StopReason>,
    },
    /// A single step finished (or was refused because training is running).
    Stepped,
    /// The answer to [`Command::HalfStep`].
    HalfStepped {
        /// The session it belongs to.
        generation: u64,
        /// What the half did, or `None` when it was refused (training running, diverged, the
        /// budget spent, or a model without players).
        half: Option<HalfReport>,
    },
    /// The answer to [`Command::Load`].
    Loaded {
        /// The request it answers.
        request: u64,
        /// The session's generation after the request: the load's own if it loaded.
        generation: u64,
        /// Empty on success, else why nothing changed.
        outcome: Result<(), String>,
    },
    /// The answer to [`Command::Export`].
    Exported {
        /// The request it answers.
        request: u64,
        /// The weights file, or why there is none.
        outcome: Result<ExportedWeights, String>,
    },
    /// Where the warm-up of a fresh session's WebGPU kernels stands: while nothing else is
    /// asked, the worker trains one step of a throwaway twin of the session (same model, same
    /// settings, so the same kernels), so the kernels the first step needs are compiled before
    /// Train is pressed. The session itself is left as it would be without it.
    WarmUp {
        /// The session it warms.
        generation: u64,
        /// Compiling, ready or failed.
        state: WarmUp,
    },
    /// A notice that does not stop training (a preview or coverage read back that failed).
    Notice {
        /// The session it belongs to.
        generation: u64,
        /// What happened.
        message: String,
    },
    /// Where the augmentation experiment stands, after a slice.
    AugmentProgress(AugmentProgress),
    /// The augmentation experiment's results: every arm's held-out accuracy for every seed.
    AugmentFinished {
        /// One per arm of the plan, in its order.
        outcomes: Vec<ArmOutcome>,
    },
    /// The answer to [`Command::LabSlice`]: the slice's losses and picture, or why it failed.
    LabSlice {
        /// The run it belongs to.
        run: u64,
        /// The slice, or why there is none.
        outcome: Result<LabSlice, String>,
    },
}

/// Why a run of training stopped (or did not start), other than a pause: data, which the page
/// words with [`StopReason::notice`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum StopReason {
    /// The step budget is spent.
    Budget {
        /// The budget, in steps.
        budget: usize,
    },
    /// A loss became NaN or infinite at `step`, training with `learning_rate`.
    Diverged {
        /// The first step whose loss was not finite.
        step: usize,
        /// The learning rate the model trained with.
        learning_rate: f64,
    },
    /// Play was pressed after the losses had diverged.
    StillDiverged,
    /// The losses could not be read back from the device.
    ReadBack {
        /// The device's error.
        error: String,
    },
}

impl StopReason {
    /// Whether training cannot go on with these weights (their losses are not numbers).
    pub fn is_divergence(&self) -> bool {
        matches!(self, Self::Diverged { .. } | Self::StillDiverged)
    }

    /// What the Train panel tells the user.
    pub fn notice(&self) -> String {
        match self {
            Self::Budget { budget } => format!("Reached the step budget of {budget} steps: raise it to train on."),
            Self::Diverged { step, learning_rate } => format!(
                "Training stopped: the loss became NaN or infinite at step {step}, so the model's weights are no \
                 longer numbers. A learning rate of {learning_rate} is probably too high for this model: start \
                 again, or start again with a ten times lower learning rate."
            ),
            Self::StillDiverged => "Training cannot go on: the loss is no longer a number. Start again.".into(),
            Self::ReadBack { error } => format!("Training stopped: {error}."),
        }
    }
}

/// The most characters of a panic's words [`crash_message`] keeps for the page's sentence.
pub const CRASH_MESSAGE_CHARS: usize = 240;

/// What the page is told of a panic whose message is `panic` ([`Event::Crashed`]): its words on
/// one line (a wgpu error spans several, with a "While calling" trail), cut to
/// [`CRASH_MESSAGE_CHARS`]. The panic's source location is for the console, not for the user's
/// sentence.
pub fn crash_message(panic: &str) -> String {
    let one_line = panic.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(CRASH_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", one_line[..cut].trim_end()),
        None if one_line.is_empty() => "a panic that gave no reason".into(),
        None => one_line,
    }
}

impl Event {
    /// The generation of the session an event was measured on, if it belongs to one.
    pub fn generation(&self) -> Option<u64> {
        match self {
            Event::Started { generation, .. }
            | Event::Losses { generation, .. }
            | Event::Preview { generation, .. }
            | Event::Codes { generation, .. }
            | Event::Coverage { generation, .. }
            | Event::Stopped { generation, .. }
            | Event::HalfStepped { generation, .. }
            | Event::WarmUp { generation, .. }
            | Event::Notice { generation, .. } => Some(*generation),
            _ => None,
        }
    }
}

/// One half of a GAN's step, as the slow-motion view shows it ([`crate::train::trainer::HalfStep`],
/// read back).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HalfReport {
    /// Whose update it was.
    pub player: Player,
    /// The discriminator's mean verdicts `[real before, fake before, real after, fake after]`.
    pub verdicts: Vec<f32>,
    /// The steps the session has completed after this half.
    pub steps: usize,
}

impl HalfReport {
    /// What the half did, in a sentence for the slow-motion view.
    pub fn sentence(&self) -> String {
        let [real_before, fake_before, real_after, fake_after] = match self.verdicts[..] {
            [a, b, c, d] => [a, b, c, d],
            _ => return "The half step reported no verdicts.".into(),
        };
        match self.player {
            Player::Discriminator => {
                let sharper = real_after - fake_after > real_before - fake_before;
                format!(
                    "The discriminator's update: on the batch it trained on, D(x) went {real_before:.3} → \
                     {real_after:.3} and D(G(z)) {fake_before:.3} → {fake_after:.3}, so it tells real from fake {}. \
                     Next, the generator answers.",
                    if sharper { "better" } else { "less well this time" }
                )
            }
            Player::Generator => {
                let fooled = fake_after > fake_before;
                format!(
                    "The generator's update: the discriminator scores the fakes it now makes from the same noise \
                     {fake_before:.3} → {fake_after:.3} (D(G(z))), so they fool it {}. Step {} is complete.",
                    if fooled {
                        "more"
                    } else {
                        "less: this update did not help on this batch"
                    },
                    self.steps
                )
            }
        }
    }
}

/// A weights file the worker wrote ([`Event::Exported`]), with the step count its header holds,
/// so the page can keep it as a snapshot without reading the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportedWeights {
    /// The bytes of the file (f32, with the model's config and settings).
    pub bytes: ByteBuf,
    /// The steps the weights were trained for.
    pub steps: usize,
    /// The optimisers' state, one buffer each, for a [`Command::Snapshot`] (on either backend);
    /// empty for a plain export.
    pub optimizer: Vec<ByteBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_is_reported_on_one_line_and_a_long_one_is_cut() {
        let wgpu = "wgpu error: Buffer usages (BufferUsages(0x0)) is invalid.\n - While calling [Device].CreateBuffer([BufferDescriptor]).\n";
        assert_eq!(
            crash_message(wgpu),
            "wgpu error: Buffer usages (BufferUsages(0x0)) is invalid. - While calling [Device].CreateBuffer([BufferDescriptor])."
        );
        let message = crash_message(&"é ".repeat(400));
        assert_eq!(message.chars().count(), CRASH_MESSAGE_CHARS, "{message}");
        assert!(message.ends_with("é…"), "{message}");
        assert_eq!(crash_message(" \n"), "a panic that gave no reason");
    }

    #[test]
    fn a_half_step_is_worded_from_its_verdicts() {
        let half = |player, verdicts: Vec<f32>| HalfReport {
            player,
            verdicts,
            steps: 7,
        };
        let learnt = half(Player::Discriminator, vec![0.5, 0.5, 0.6, 0.4]).sentence();
        assert!(
            learnt.contains("0.500 → 0.600") && learnt.contains("better"),
            "{learnt}"
        );
        let worse = half(Player::Discriminator, vec![0.5, 0.5, 0.45, 0.55]).sentence();
        assert!(worse.contains("less well"), "{worse}");
        let fooled = half(Player::Generator, vec![0.6, 0.4, 0.6, 0.45]).sentence();
        assert!(fooled.contains("0.400 → 0.450") && fooled.contains("fool it more") && fooled.contains("Step 7"));
        assert!(
            half(Player::Generator, vec![0.6, 0.4, 0.6, 0.3])
                .sentence()
                .contains("did not help")
        );
        assert!(half(Player::Generator, vec![]).sentence().contains("no verdicts"));
    }
    use crate::backend::choice::SpeedDuel;

    /// Every message survives a round trip through JSON, the format the tests can read.
    #[test]
    fn messages_round_trip() {
        let commands = [
            Command::Reset {
                generation: 3,
                kind: ModelKind::Dcgan,
                settings: Hyperparameters::defaults(ModelKind::Dcgan),
            },
            Command::Load {
                request: 1,
                generation: 4,
                weights: ByteBuf::from(vec![0, 255, 7]),
                start_as: Some((ModelKind::Cgan, Hyperparameters::defaults(ModelKind::Cgan))),
                resume: true,
            },
            Command::Ping { ping: 4 },
            Command::Play { run: 9 },
            Command::ForgetSpeeds,
            Command::Backend {
                preference: BackendPreference::WebGpu,
            },
            Command::Augment {
                plan: AugmentPlan::new(5),
                generators: vec![PretrainedGenerator {
                    arm: AugmentArm::PretrainedCgan,
                    settings: Hyperparameters::defaults(ModelKind::Cgan),
                    weights: ByteBuf::from(vec![1, 2]),
                }],
            },
            Command::LabSlice {
                run: 2,
                settings: crate::lab::LabPreset::Fixed.settings(),
                backend: BackendKind::WebGpu,
                steps: 40,
                held_out: true,
            },
        ];
        for command in commands {
            let json = serde_json::to_string(&command).unwrap();
            assert_eq!(serde_json::from_str::<Command>(&json).unwrap(), command);
        }
        let measured = Event::SpeedMeasured(RememberedSpeed {
            adapter: "SwiftShader".into(),
            model: "ae_mlp".into(),
            batch_size: 64,
            duel: SpeedDuel {
                cpu: 150.0,
                webgpu: 2.1,
            },
            measured_at_ms: 1.8e12,
        });
        let json = serde_json::to_string(&measured).unwrap();
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), measured);
        let event = Event::Exported {
            request: 2,
            outcome: Err("no model".into()),
        };
        let json = serde_json::to_string(&event).unwrap();
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), event);
        assert_eq!(event.generation(), None);
        let warm = Event::WarmUp {
            generation: 6,
            state: WarmUp::Ready { ms: 24_100.0 },
        };
        let json = serde_json::to_string(&warm).unwrap();
        assert_eq!(serde_json::from_str::<Event>(&json).unwrap(), warm);
        assert_eq!(warm.generation(), Some(6));
        assert_eq!(
            Event::Stopped {
                generation: 5,
                run: 1,
                reason: Some(StopReason::Diverged {
                    step: 3,
                    learning_rate: 0.5
                }),
            }
            .generation(),
            Some(5)
        );
    }
}
