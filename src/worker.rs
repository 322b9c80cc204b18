//! The training worker (WebAssembly only): the Train panel's model trains here, in a dedicated
//! Web Worker, so no training step ever runs on the page's main thread, whatever the model or
//! backend. The Augment panel starts a second instance for its experiment ([`Command::Augment`]). The page sends [`Command`]s and hears [`Event`]s ([`crate::train::protocol`]).
//!
//! `www/train-worker.js` loads this same WebAssembly module (the page sends it its compiled
//! module, so it is not compiled twice) and calls [`run_training_worker`]. Commands are handled
//! one at a time, in order; a run of training is a separate task that checks between slices
//! whether it should go on, so a pause or a reset takes effect after the slice in progress.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::sync::Arc;

use burn::tensor::{Device, Tensor};
use serde_bytes::ByteBuf;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use crate::data::MnistSplit;
use crate::model::DigitClassifier;
use crate::train::augment::{AugmentExperiment, AugmentPlan};
use crate::train::backend_choice::{BackendKind, BackendPreference, SpeedDuel, measure_steps_per_second};
use crate::train::catalogue::{session_from_file, start_session};
use crate::train::history::first_non_finite_step;
use crate::train::metrics::class_report;
use crate::train::protocol::{Command, Event, PretrainedGenerator};
use crate::train::speed_memory::{RememberedSpeed, SpeedMemory};
use crate::train::{Hyperparameters, ModelKind, Session, classifier_from_file, model_config, read_floats};
use crate::web::{BackendInfo, date_text, now_ms, open_webgpu, wall_clock_ms, yield_to_browser};
use crate::weights::{Precision, WeightsFile, WeightsHeader, read_parameters};

/// Wall time one slice of steps aims at, including its read back, in milliseconds: short enough
/// for a pause to take effect at once, long enough to keep the device busy.
const TARGET_SLICE_MS: f64 = 150.0;
/// Most steps queued in one slice.
const MAX_STEPS_PER_SLICE: usize = 32;
/// Training steps of the augmentation experiment between two progress reports.
const AUGMENT_STEPS_PER_SLICE: usize = 16;
/// How often the preview grid is refreshed while training, in milliseconds.
const PREVIEW_INTERVAL_MS: f64 = 700.0;
/// Steps between two checks of a generator's class coverage.
pub const COVERAGE_INTERVAL: usize = 200;
/// Samples the classifier judges at each coverage check.
pub const COVERAGE_SAMPLES: usize = 256;
/// Seed of the noise of those samples (the same at every check).
const COVERAGE_SEED: u64 = 11;

/// The worker's state: the devices, the digits, the session and where training stands.
#[derive(Default)]
struct Worker {
    /// burn's CPU device, once started.
    cpu: Option<Device>,
    /// The browser's WebGPU device and its adapter's name, or why there is none; not asked for
    /// while the CPU is chosen.
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
    /// The device the session trains on, and which backend it is.
    device: Option<Device>,
    backend: Option<BackendKind>,
    data: Option<Arc<MnistSplit>>,
    /// The classifier, on `device`, and its weights file (to move it to another device).
    judge: Option<DigitClassifier>,
    judge_weights: Option<Vec<u8>>,
    /// Whether the images are not digits, so the classifier's verdict means nothing.
    foreign_classes: bool,
    session: Option<Box<dyn Session>>,
    kind: Option<ModelKind>,
    settings: Option<Hyperparameters>,
    /// The generation of the session, as the page numbered it.
    generation: u64,
    /// Whether training should go on.
    running: bool,
    /// The page's number for the latest play press.
    run: u64,
    /// The generation whose run of training is in progress, if any.
    active: Option<u64>,
    /// Whether the session's losses stopped being finite.
    diverged: bool,
    /// The step of the latest coverage check of this session.
    last_coverage: Option<usize>,
    /// Commands waiting to be handled, and whether one is being handled.
    queue: VecDeque<Command>,
    draining: bool,
}

type Shared = Rc<RefCell<Worker>>;

/// Why a slice of training ended early.
enum SliceEnd {
    /// The session was replaced while the slice's losses were being read back.
    Stale,
    /// Training cannot go on; the message says why.
    Stop { notice: String, diverged: bool },
}

/// Entry point, called by `www/train-worker.js` once the module is loaded, with the messages
/// that arrived meanwhile and, if the WebGPU module did not load (so this is the page's), why.
/// Takes over the worker's `onmessage`.
#[wasm_bindgen]
pub fn run_training_worker(pending: js_sys::Array, webgpu_problem: Option<String>) {
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        post(&Event::Failed {
            message: format!("the training worker stopped: {info}"),
        });
    }));
    let worker: Shared = Rc::default();
    worker.borrow_mut().webgpu = webgpu_problem.map(Err);
    let receiver = worker.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        receive(&receiver, event.data());
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    for message in pending.iter() {
        receive(&worker, message);
    }
}

/// The worker's global scope.
fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Sends `event` to the page.
fn post(event: &Event) {
    match serde_wasm_bindgen::to_value(event) {
        Ok(value) => {
            let _ = scope().post_message(&value);
        }
        Err(e) => web_sys::console::error_1(&format!("could not send an event to the page: {e}").into()),
    }
}

/// Queues a message from the page and, unless a command is being handled, handles the queue.
fn receive(worker: &Shared, message: JsValue) {
    let command = match serde_wasm_bindgen::from_value::<Command>(message) {
        Ok(command) => command,
        Err(e) => {
            post(&Event::Failed {
                message: format!("the training worker got a message it does not understand ({e})"),
            });
            return;
        }
    };
    let mut state = worker.borrow_mut();
    state.queue.push_back(command);
    if !state.draining {
        state.draining = true;
        wasm_bindgen_futures::spawn_local(drain(worker.clone()));
    }
}

/// Handles queued commands one at a time, in order.
async fn drain(worker: Shared) {
    loop {
        let next = worker.borrow_mut().queue.pop_front();
        let Some(command) = next else {
            worker.borrow_mut().draining = false;
            return;
        };
        handle(&worker, command).await;
    }
}

async fn handle(worker: &Shared, command: Command) {
    match command {
        Command::Start {
            images,
            labels,
            backend,
            remembered,
        } => start(worker, &images, &labels, backend, remembered).await,
        Command::Backend { preference } => worker.borrow_mut().preference = preference,
        Command::ForgetSpeeds => forget_speeds(worker),
        Command::Data {
            images,
            labels,
            digit_classes,
        } => match MnistSplit::from_idx(&images, &labels) {
            Ok(data) => {
                let mut state = worker.borrow_mut();
                state.data = Some(Arc::new(data));
                state.foreign_classes = !digit_classes;
            }
            Err(e) => post(&Event::Failed {
                message: format!("the training worker could not read the dataset: {e}"),
            }),
        },
        Command::Judge { weights } => set_judge(worker, &weights).await,
        Command::Reset {
            generation,
            kind,
            settings,
        } => reset(worker, generation, kind, settings).await,
        Command::Play { run } => {
            settle_backend(worker).await;
            play(worker, run)
        }
        Command::Pause => worker.borrow_mut().running = false,
        Command::Step => {
            settle_backend(worker).await;
            single_step(worker).await
        }
        Command::Load {
            request,
            generation,
            weights,
        } => {
            let outcome = load(worker, generation, &weights);
            let loaded = outcome.is_ok();
            let generation = worker.borrow().generation;
            post(&Event::Loaded {
                request,
                generation,
                outcome,
            });
            if loaded {
                show_fresh_weights(worker).await;
            }
        }
        Command::Export { request } => {
            let outcome = export(worker).await.map(ByteBuf::from);
            post(&Event::Exported { request, outcome });
        }
        Command::Augment { plan, generators } => augment(worker, plan, generators).await,
    }
}

/// Runs the augmentation experiment to the end, reporting progress after every slice.
async fn augment(worker: &Shared, plan: AugmentPlan, generators: Vec<PretrainedGenerator>) {
    let (Some(device), Some(data)) = ({ worker.borrow().device.clone() }, { worker.borrow().data.clone() }) else {
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
            Err(e) => {
                post(&Event::Failed {
                    message: format!("the pretrained {} did not load: {e}", kind.label()),
                });
                return;
            }
        }
    }
    let mut experiment = match AugmentExperiment::new(plan, (*data).clone(), pretrained, &device) {
        Ok(experiment) => experiment,
        Err(message) => return post(&Event::Failed { message }),
    };
    post(&Event::AugmentProgress(experiment.progress()));
    while !experiment.is_finished() {
        if let Err(e) = experiment.advance(AUGMENT_STEPS_PER_SLICE).await {
            return post(&Event::Failed {
                message: format!("the experiment stopped: {e}"),
            });
        }
        post(&Event::AugmentProgress(experiment.progress()));
        yield_to_browser().await;
    }
    post(&Event::AugmentFinished {
        outcomes: experiment.outcomes().to_vec(),
    });
}

/// Decodes the digits, keeps the speeds the browser remembers and opens the devices: the CPU's,
/// and WebGPU's unless the CPU is chosen.
async fn start(worker: &Shared, images: &[u8], labels: &[u8], preference: BackendPreference, remembered: SpeedMemory) {
    let data = match MnistSplit::from_idx(images, labels) {
        Ok(data) => data,
        Err(e) => {
            post(&Event::Failed {
                message: format!("the training worker could not read the digits: {e}"),
            });
            return;
        }
    };
    let cpu = Device::flex().autodiff();
    {
        let mut state = worker.borrow_mut();
        state.preference = preference;
        state.speeds = remembered;
        state.visit_started_ms = wall_clock_ms();
        state.cpu = Some(cpu.clone());
        state.device = Some(cpu);
        state.backend = Some(BackendKind::Cpu);
        state.data = Some(Arc::new(data));
    }
    let info = match preference {
        BackendPreference::Cpu => BackendInfo::cpu(CPU_CHOSEN),
        BackendPreference::WebGpu | BackendPreference::Auto => match webgpu_device(worker).await {
            Err(reason) => BackendInfo::cpu(&reason),
            Ok((_, adapter)) if preference == BackendPreference::WebGpu => webgpu_chosen(&adapter),
            Ok((_, adapter)) => BackendInfo {
                kind: BackendKind::WebGpu,
                badge: format!("WebGPU — {adapter} or CPU"),
                explanation: "WebGPU and the CPU are both available: each model is timed on both the first time it \
                              trains, and trains on the faster."
                    .into(),
            },
        },
    };
    post(&Event::Ready {
        badge: info.badge,
        explanation: info.explanation,
    });
}

/// Why the CPU trains when the user chose it.
const CPU_CHOSEN: &str = "you asked for the CPU backend";

/// What the badge says when the user chose WebGPU and has it.
fn webgpu_chosen(adapter: &str) -> BackendInfo {
    BackendInfo::webgpu(
        adapter,
        "Training runs on your GPU through WebGPU, as you asked.".into(),
    )
}

/// The WebGPU device, opened on first use, or why there is none.
async fn webgpu_device(worker: &Shared) -> Result<(Device, String), String> {
    let known = worker.borrow().webgpu.clone();
    let opened = match known {
        Some(opened) => opened,
        None => open_webgpu().await,
    };
    worker.borrow_mut().webgpu = Some(opened.clone());
    opened
}

/// Picks the device a fresh session of `kind` with `batch_size` trains on: the backend the user
/// asked for, or under [`BackendPreference::Auto`] the faster one measured for it (on this visit
/// or remembered), the CPU until measured (see [`settle_backend`]). Tells the page which and why.
async fn choose_training_device(worker: &Shared, kind: ModelKind, batch_size: usize) {
    let (preference, Some(cpu)) = ({ worker.borrow().preference }, { worker.borrow().cpu.clone() }) else {
        return;
    };
    let webgpu = match preference {
        BackendPreference::Cpu => Err(CPU_CHOSEN.to_string()),
        _ => webgpu_device(worker).await,
    };
    let (device, info) = match (preference, webgpu) {
        (_, Err(reason)) => (cpu, BackendInfo::cpu(&reason)),
        (BackendPreference::WebGpu, Ok((gpu, adapter))) => (gpu, webgpu_chosen(&adapter)),
        (_, Ok((gpu, adapter))) => {
            let known = known_speed(&worker.borrow(), kind, batch_size, &adapter);
            match known {
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
            }
        }
    };
    use_device(worker, device, &info);
}

/// What is known of `kind`'s speed at `batch_size` on `adapter`: the duel, with its date when it
/// is remembered from an earlier visit, or why timing failed on this one; `None` until timed.
fn known_speed(
    state: &Worker,
    kind: ModelKind,
    batch_size: usize,
    adapter: &str,
) -> Option<Result<(SpeedDuel, Option<String>), String>> {
    if let Some(reason) = state.timing_failed.get(&kind) {
        return Some(Err(reason.clone()));
    }
    let speed = state.speeds.find(adapter, kind, batch_size, wall_clock_ms())?;
    let measured_on = (speed.measured_at_ms < state.visit_started_ms).then(|| date_text(speed.measured_at_ms));
    Some(Ok((speed.duel, measured_on)))
}

/// Forgets every measured speed (the page forgets its stored copy): each model is timed again
/// the next time it trains, and a session that moves keeps its weights.
fn forget_speeds(worker: &Shared) {
    {
        let mut state = worker.borrow_mut();
        state.speeds = SpeedMemory::default();
        state.timing_failed.clear();
    }
    let explanation = "Measured speeds forgotten: the next time a model trains, a few steps are timed on the CPU \
                       and on WebGPU again, and it trains on the faster."
        .to_string();
    let info = {
        let state = worker.borrow();
        match (state.backend, &state.webgpu) {
            (Some(BackendKind::WebGpu), Some(Ok((_, adapter)))) => BackendInfo::webgpu(adapter, explanation),
            _ => BackendInfo::cpu_explained(explanation),
        }
    };
    post(&Event::Backend {
        measuring: false,
        badge: info.badge,
        explanation: info.explanation,
    });
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

/// Makes `device` the one sessions train on, moves the classifier there if it is another
/// backend, and tells the page.
fn use_device(worker: &Shared, device: Device, info: &BackendInfo) {
    let moved = {
        let mut state = worker.borrow_mut();
        state.device = Some(device.clone());
        state.backend.replace(info.kind) != Some(info.kind)
    };
    post(&Event::Backend {
        measuring: false,
        badge: info.badge.clone(),
        explanation: info.explanation.clone(),
    });
    let weights = worker.borrow().judge_weights.clone();
    if let (true, Some(weights)) = (moved, weights) {
        let judge = WeightsFile::parse(&weights).and_then(|file| classifier_from_file(file, &device));
        worker.borrow_mut().judge = judge.ok();
    }
}

/// Before the first training of a model under [`BackendPreference::Auto`], with both backends
/// at hand: times a few steps of it on each and, if WebGPU is the faster, moves the session there
/// (its weights, as they are; the optimiser starts afresh). Commands wait meanwhile.
async fn settle_backend(worker: &Shared) {
    let (kind, settings, data, cpu) = {
        let state = worker.borrow();
        let (Some(kind), Some(settings), Some(data), Some(cpu)) =
            (state.kind, state.settings, state.data.clone(), state.cpu.clone())
        else {
            return;
        };
        if state.preference != BackendPreference::Auto {
            return;
        }
        (kind, settings, data, cpu)
    };
    let Ok((gpu, adapter)) = webgpu_device(worker).await else {
        return;
    };
    if known_speed(&worker.borrow(), kind, settings.batch_size, &adapter).is_some() {
        return;
    }
    let duel = match measure_both(kind, &settings, &data, &cpu, &gpu, &adapter).await {
        Ok(duel) => duel,
        Err(e) => {
            // Not timed again: this model stays on the CPU.
            let reason = format!("timing the backends failed ({e})");
            worker.borrow_mut().timing_failed.insert(kind, reason.clone());
            return use_device(worker, cpu, &BackendInfo::cpu(&reason));
        }
    };
    let speed = RememberedSpeed {
        adapter: adapter.clone(),
        model: kind.id().into(),
        batch_size: settings.batch_size,
        duel,
        measured_at_ms: wall_clock_ms(),
    };
    worker.borrow_mut().speeds.remember(speed.clone());
    post(&Event::SpeedMeasured(speed));
    let (device, info) = measured_choice(duel, None, kind, cpu.clone(), gpu, &adapter);
    if info.kind == BackendKind::WebGpu
        && let Err(e) = move_session(worker, &device).await
    {
        let reason = format!("the model could not move to WebGPU ({e})");
        return use_device(worker, cpu, &BackendInfo::cpu(&reason));
    }
    use_device(worker, device, &info);
}

/// Replaces the session with one of the same model on `device`, with the same weights.
async fn move_session(worker: &Shared, device: &Device) -> Result<(), String> {
    let (parameters, kind, settings, data) = {
        let state = worker.borrow();
        let (Some(session), Some(kind), Some(settings), Some(data)) =
            (state.session.as_ref(), state.kind, state.settings, state.data.clone())
        else {
            return Err("there is no model".into());
        };
        (session.parameters(Precision::F32), kind, settings, data)
    };
    let tensors = read_parameters(parameters).await.map_err(|e| e.to_string())?;
    let mut session = start_session(kind, &settings, &data, device);
    session
        .load_parameters(tensors, Precision::F32)
        .map_err(|e| e.to_string())?;
    worker.borrow_mut().session = Some(session);
    Ok(())
}

/// Times `kind` on the CPU, then on WebGPU, telling the page meanwhile.
async fn measure_both(
    kind: ModelKind,
    settings: &Hyperparameters,
    data: &MnistSplit,
    cpu: &Device,
    gpu: &Device,
    adapter: &str,
) -> Result<SpeedDuel, String> {
    post(&Event::Backend {
        measuring: true,
        badge: "timing CPU and WebGPU…".into(),
        explanation: format!(
            "Timing a few training steps of the {} on the CPU and on WebGPU ({adapter}), to train it on the faster…",
            kind.label()
        ),
    });
    let cpu = measure_steps_per_second(kind, settings, data, cpu, now_ms).await?;
    let webgpu = measure_steps_per_second(kind, settings, data, gpu, now_ms).await?;
    Ok(SpeedDuel { cpu, webgpu })
}

/// Loads the classifier that judges a generator's samples, and judges the current ones.
async fn set_judge(worker: &Shared, weights: &[u8]) {
    let judge = {
        let state = worker.borrow();
        let Some(device) = state.device.as_ref() else { return };
        WeightsFile::parse(weights).and_then(|file| classifier_from_file(file, device))
    };
    match judge {
        Ok(judge) => {
            let unjudged = {
                let mut state = worker.borrow_mut();
                state.judge = Some(judge);
                state.judge_weights = Some(weights.to_vec());
                state.last_coverage.is_none()
            };
            if unjudged {
                check_coverage(worker).await;
            }
        }
        Err(e) => post(&Event::Failed {
            message: format!("class coverage is unavailable: the digit classifier did not load ({e})"),
        }),
    }
}

/// Replaces the session with a fresh one, on the device chosen for it, and shows it.
async fn reset(worker: &Shared, generation: u64, kind: ModelKind, settings: Hyperparameters) {
    choose_training_device(worker, kind, settings.batch_size).await;
    {
        let mut state = worker.borrow_mut();
        let (Some(device), Some(data)) = (state.device.clone(), state.data.clone()) else {
            return;
        };
        let session = start_session(kind, &settings, &data, &device);
        post(&Event::Started {
            generation,
            loss_names: session.loss_names().iter().map(|n| n.to_string()).collect(),
            preview_kind: session.preview_kind(),
        });
        state.session = Some(session);
        state.kind = Some(kind);
        state.settings = Some(settings);
        state.generation = generation;
    }
    show_fresh_weights(worker).await;
}

/// After the weights in use were replaced: nothing runs, nothing is diverged, and the page sees
/// the new preview and the classifier's verdict on the new samples.
async fn show_fresh_weights(worker: &Shared) {
    {
        let mut state = worker.borrow_mut();
        state.running = false;
        state.diverged = false;
        state.last_coverage = None;
    }
    refresh_preview(worker).await;
    check_coverage(worker).await;
}

/// Steps left before the step budget is reached.
fn steps_left(state: &Worker) -> usize {
    match (&state.session, &state.settings) {
        (Some(session), Some(settings)) => settings.step_budget.saturating_sub(session.steps_done()),
        _ => 0,
    }
}

/// Starts or resumes training, unless the budget is spent or the losses diverged.
fn play(worker: &Shared, run: u64) {
    let mut state = worker.borrow_mut();
    state.run = run;
    let refusal = if state.diverged {
        Some("Training cannot go on: the loss is no longer a number. Start again.".to_string())
    } else if steps_left(&state) == 0 {
        state.settings.map(|s| budget_notice(s.step_budget))
    } else {
        None
    };
    if let Some(notice) = refusal {
        post(&Event::Stopped {
            generation: state.generation,
            run,
            notice: Some(notice),
            diverged: state.diverged,
        });
        return;
    }
    state.running = true;
    if state.active != Some(state.generation) {
        state.active = Some(state.generation);
        wasm_bindgen_futures::spawn_local(train(worker.clone(), state.generation));
    }
}

fn budget_notice(budget: usize) -> String {
    format!("Reached the step budget of {budget} steps: raise it to train on.")
}

/// Runs exactly one step when nothing else runs, then shows its preview. Commands are handled
/// one at a time, so no other command runs meanwhile.
async fn single_step(worker: &Shared) {
    let generation = {
        let state = worker.borrow();
        if state.running || state.active.is_some() || state.diverged || steps_left(&state) == 0 {
            post(&Event::Stepped);
            return;
        }
        state.generation
    };
    match run_slice(worker, generation, 1).await {
        Ok(_) => refresh_preview(worker).await,
        Err(SliceEnd::Stop { notice, diverged }) => stop(worker, generation, Some(notice), diverged),
        Err(SliceEnd::Stale) => {}
    }
    post(&Event::Stepped);
}

/// Marks the run of `generation` as finished, unless a newer one has taken over.
fn release(worker: &Shared, generation: u64) {
    let mut state = worker.borrow_mut();
    if state.active == Some(generation) {
        state.active = None;
    }
}

/// Stops training of `generation` and tells the page why.
fn stop(worker: &Shared, generation: u64, notice: Option<String>, diverged: bool) {
    let mut state = worker.borrow_mut();
    state.running = false;
    state.diverged |= diverged;
    post(&Event::Stopped {
        generation,
        run: state.run,
        notice,
        diverged,
    });
}

/// A run of training: slices until paused, replaced, out of budget or diverged.
async fn train(worker: Shared, generation: u64) {
    let current = || {
        let state = worker.borrow();
        state.generation == generation && state.running
    };
    let mut steps_per_slice = 1;
    let mut last_preview = now_ms();
    let mut ending = None;
    while current() {
        let started = now_ms();
        let wanted = steps_per_slice.min(steps_left(&worker.borrow()));
        match run_slice(&worker, generation, wanted).await {
            Ok(done) => {
                // Aim each slice at TARGET_SLICE_MS of wall time, read back included.
                let per_step = ((now_ms() - started) / done.max(1) as f64).max(0.1);
                steps_per_slice = ((TARGET_SLICE_MS / per_step) as usize).clamp(1, MAX_STEPS_PER_SLICE);
            }
            Err(SliceEnd::Stale) => break,
            Err(SliceEnd::Stop { notice, diverged }) => {
                ending = Some((notice, diverged));
                break;
            }
        }
        let budget = worker.borrow().settings.map(|s| s.step_budget);
        if steps_left(&worker.borrow()) == 0 {
            ending = budget.map(|b| (budget_notice(b), false));
            break;
        }
        if current() && now_ms() - last_preview > PREVIEW_INTERVAL_MS {
            refresh_preview(&worker).await;
            last_preview = now_ms();
        }
        if current() && coverage_due(&worker.borrow()) {
            check_coverage(&worker).await;
        }
        yield_to_browser().await;
    }
    if worker.borrow().generation == generation {
        refresh_preview(&worker).await;
        let (notice, diverged) = ending.map_or((None, false), |(n, d)| (Some(n), d));
        stop(&worker, generation, notice, diverged);
    }
    release(&worker, generation);
}

/// Queues up to `max_steps` steps, reads their losses back and sends them. Returns the number
/// of steps done.
async fn run_slice(worker: &Shared, generation: u64, max_steps: usize) -> Result<usize, SliceEnd> {
    let queued: Vec<Tensor<1>> = {
        let mut state = worker.borrow_mut();
        let Some(session) = state.session.as_mut() else {
            return Err(SliceEnd::Stale);
        };
        (0..max_steps.max(1)).map(|_| session.step()).collect()
    };
    let done = queued.len();
    let values = read_floats(Tensor::cat(queued, 0)).await.map_err(|e| SliceEnd::Stop {
        notice: format!("Training stopped: {e}."),
        diverged: false,
    })?;
    let state = worker.borrow();
    if state.generation != generation {
        return Err(SliceEnd::Stale);
    }
    let Some(session) = state.session.as_ref() else {
        return Err(SliceEnd::Stale);
    };
    let (steps, epochs) = (session.steps_done(), session.epochs_done());
    let diverged_at = first_non_finite_step(&values, values.len() / done).map(|index| steps - done + index + 1);
    post(&Event::Losses {
        generation,
        values,
        steps,
        epochs,
    });
    match diverged_at {
        Some(step) => {
            let rate = state.settings.map_or(0.0, |s| s.learning_rate);
            Err(SliceEnd::Stop {
                notice: format!(
                    "Training stopped: the loss became NaN or infinite at step {step}, so the model's weights are \
                     no longer numbers. A learning rate of {rate} is probably too high for this model: start again, \
                     or start again with a ten times lower learning rate."
                ),
                diverged: true,
            })
        }
        None => Ok(done),
    }
}

/// Whether a generator has trained [`COVERAGE_INTERVAL`] steps since its last check.
fn coverage_due(state: &Worker) -> bool {
    let steps = state.session.as_ref().map_or(0, |s| s.steps_done());
    state
        .last_coverage
        .is_some_and(|last| steps >= last + COVERAGE_INTERVAL)
}

/// For a generator, with a classifier loaded: judges [`COVERAGE_SAMPLES`] samples from fixed
/// noise and sends the class histogram at the current step.
async fn check_coverage(worker: &Shared) {
    let (generation, step, judged) = {
        let mut state = worker.borrow_mut();
        let Some(session) = state
            .session
            .as_ref()
            .filter(|s| s.is_generator() && !state.foreign_classes)
        else {
            return;
        };
        let (Some(samples), Some(judge)) = (session.samples(COVERAGE_SAMPLES, COVERAGE_SEED), state.judge.as_ref())
        else {
            return;
        };
        let step = session.steps_done();
        let judged = judge.valid_probabilities(samples);
        state.last_coverage = Some(step);
        (state.generation, step, judged)
    };
    match read_floats(judged).await {
        Ok(probabilities) => post(&Event::Coverage {
            generation,
            step,
            report: class_report(&probabilities),
        }),
        Err(e) => post(&Event::Notice {
            generation,
            message: format!("Could not judge the samples: {e}."),
        }),
    }
}

/// Reads the current preview grid back and sends it.
async fn refresh_preview(worker: &Shared) {
    let (generation, preview) = {
        let state = worker.borrow();
        let Some(session) = state.session.as_ref() else { return };
        (state.generation, session.preview())
    };
    match read_floats(preview).await {
        Ok(pixels) => post(&Event::Preview { generation, pixels }),
        Err(e) => post(&Event::Notice {
            generation,
            message: format!("Could not show the preview: {e}."),
        }),
    }
}

/// Loads the weights file `bytes` into the session, which then takes `generation`. A file
/// that does not fit changes nothing.
fn load(worker: &Shared, generation: u64, bytes: &[u8]) -> Result<(), String> {
    let mut state = worker.borrow_mut();
    let (Some(kind), Some(settings)) = (state.kind, state.settings) else {
        return Err("there is no model to load into".into());
    };
    let file = WeightsFile::parse(bytes).map_err(|e| e.to_string())?;
    file.check_fits(kind.id(), &model_config(kind, &settings))
        .map_err(|e| e.to_string())?;
    let precision = file.header.precision;
    let session = state.session.as_mut().ok_or("there is no model to load into")?;
    session
        .load_parameters(file.into_tensors(), precision)
        .map_err(|e| e.to_string())?;
    state.generation = generation;
    Ok(())
}

/// The current weights as the bytes of an f32 weights file, with the config and settings,
/// read back from the device asynchronously.
async fn export(worker: &Shared) -> Result<Vec<u8>, String> {
    let (parameters, header) = {
        let state = worker.borrow();
        let (Some(session), Some(kind), Some(settings)) = (state.session.as_ref(), state.kind, state.settings) else {
            return Err("there is no model to export".into());
        };
        let header = WeightsHeader {
            model: kind.id().into(),
            config: model_config(kind, &settings),
            settings: Some(settings),
            steps: session.steps_done(),
            precision: Precision::F32,
        };
        (session.parameters(Precision::F32), header)
    };
    let tensors = read_parameters(parameters).await.map_err(|e| e.to_string())?;
    WeightsFile::encode(&header, tensors).map_err(|e| e.to_string())
}
