//! A scripted host for native tests of the worker core: commands arrive after a given number of
//! yields, the clock advances a fixed amount at every read, and every event is recorded.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::sync::OnceLock;

use burn::tensor::Device;
use serde_bytes::ByteBuf;

use super::host::Host;
use crate::backend::choice::{BackendKind, BackendPreference};
use crate::backend::memory::SpeedMemory;
use crate::data::mnist::{IMAGES_FILE, LABELS_FILE};
use crate::protocol::{Command, Event};
use crate::train::{Hyperparameters, ModelKind};

/// Milliseconds the fake clock advances at each read.
const TICK_MS: f64 = 20.0;
/// Milliseconds the clock advances at each read while the winner of a timing is timed.
const FAST_TICK_MS: f64 = 2.0;
/// Clock reads of one speed probe (`measure_steps_per_second` at [`TICK_MS`] or faster: it
/// reaches its step limit first). A change there shows up as a timing test's winner.
const PROBE_READS: usize = 8;
/// The fake wall clock's start: 2027-01-15.
const WALL_CLOCK_START_MS: f64 = 1.8e12;

/// Steps of every test session: enough for several slices, few enough to run in milliseconds.
pub const BUDGET: usize = 6;

/// `kind`'s default settings with the tests' step budget and a small batch.
pub fn settings(kind: ModelKind) -> Hyperparameters {
    Hyperparameters {
        step_budget: BUDGET,
        batch_size: 16,
        ..Hyperparameters::defaults(kind)
    }
}

/// The shipped digits' IDX files, read once.
pub fn digits() -> &'static (Vec<u8>, Vec<u8>) {
    static DIGITS: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    DIGITS.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("public/data");
        let read = |name: &str| std::fs::read(dir.join(name)).expect("the shipped digits");
        (read(IMAGES_FILE), read(LABELS_FILE))
    })
}

/// The page's first command: the shipped digits, training on `backend`.
pub fn start(backend: BackendPreference, remembered: SpeedMemory) -> Command {
    let (images, labels) = digits();
    Command::Start {
        images: ByteBuf::from(images.clone()),
        labels: ByteBuf::from(labels.clone()),
        backend,
        remembered,
    }
}

pub struct FakeHost {
    /// Commands still to arrive, each with the number of yields after which it arrives.
    script: VecDeque<(usize, Command)>,
    /// Yields so far.
    yields: Cell<usize>,
    clock_ms: Cell<f64>,
    /// What [`Host::open_webgpu`] gives.
    webgpu: Result<(Device, String), String>,
    /// How many times WebGPU was opened.
    pub webgpu_opened: Cell<usize>,
    /// Who wins each coming timing of the backends (a tie, so the CPU, once these are spent).
    timing_winners: RefCell<VecDeque<BackendKind>>,
    /// While a timing runs: clock reads since it began, and its winner.
    timing: Cell<Option<(usize, BackendKind)>>,
    /// Every event posted, in order.
    pub events: RefCell<Vec<Event>>,
    /// Every command handed to the core, with the number of events posted before it.
    pub handed: RefCell<Vec<(usize, Command)>>,
}

impl FakeHost {
    /// A host without WebGPU.
    pub fn new() -> Self {
        Self {
            script: VecDeque::new(),
            yields: Cell::new(0),
            clock_ms: Cell::new(0.0),
            webgpu: Err("the fake host has no WebGPU".into()),
            webgpu_opened: Cell::new(0),
            timing_winners: RefCell::new(VecDeque::new()),
            timing: Cell::new(None),
            events: RefCell::new(Vec::new()),
            handed: RefCell::new(Vec::new()),
        }
    }

    /// A host whose "WebGPU" is a second CPU device named `adapter`.
    pub fn with_fake_gpu(adapter: &str) -> Self {
        Self {
            webgpu: Ok((Device::flex().autodiff(), adapter.to_string())),
            ..Self::new()
        }
    }

    /// Makes the coming timings of the backends come out for `winners`, in order: the clock
    /// runs faster while the winner's probe reads it.
    pub fn timings_won_by(self, winners: &[BackendKind]) -> Self {
        self.timing_winners.borrow_mut().extend(winners);
        self
    }

    /// Queues `command` to arrive as soon as the one before it.
    pub fn then(mut self, command: Command) -> Self {
        let due = self.script.back().map_or(0, |(due, _)| *due);
        self.script.push_back((due, command));
        self
    }

    /// Queues `command` to arrive `yields` yields after the one before it.
    pub fn after(mut self, yields: usize, command: Command) -> Self {
        let due = self.script.back().map_or(0, |(due, _)| *due) + yields;
        self.script.push_back((due, command));
        self
    }

    /// Notes that `command` is handed to the core now.
    fn hand(&self, command: Command) -> Command {
        let posted = self.events.borrow().len();
        self.handed.borrow_mut().push((posted, command.clone()));
        command
    }

    /// A copy of the events posted so far.
    pub fn events(&self) -> Vec<Event> {
        self.events.borrow().clone()
    }
}

impl Host for FakeHost {
    fn post(&self, event: Event) {
        if let Event::Backend { measuring: true, .. } = event {
            let winner = self.timing_winners.borrow_mut().pop_front();
            self.timing.set(winner.map(|winner| (0, winner)));
        }
        self.events.borrow_mut().push(event);
    }

    fn try_command(&mut self) -> Option<Command> {
        let due = self.script.front()?.0;
        if due > self.yields.get() {
            return None;
        }
        let (_, command) = self.script.pop_front()?;
        Some(self.hand(command))
    }

    async fn next_command(&mut self) -> Option<Command> {
        // Idle: time passes until the next command arrives.
        let (due, command) = self.script.pop_front()?;
        self.yields.set(self.yields.get().max(due));
        Some(self.hand(command))
    }

    fn now_ms(&self) -> f64 {
        let tick = match self.timing.get() {
            Some((reads, winner)) => {
                let timing_cpu = reads < PROBE_READS;
                self.timing
                    .set((reads + 1 < 2 * PROBE_READS).then_some((reads + 1, winner)));
                if timing_cpu == (winner == BackendKind::Cpu) {
                    FAST_TICK_MS
                } else {
                    TICK_MS
                }
            }
            None => TICK_MS,
        };
        self.clock_ms.set(self.clock_ms.get() + tick);
        self.clock_ms.get()
    }

    fn wall_clock_ms(&self) -> f64 {
        WALL_CLOCK_START_MS + self.clock_ms.get()
    }

    async fn yield_now(&self) {
        self.yields.set(self.yields.get() + 1);
    }

    async fn open_webgpu(&self) -> Result<(Device, String), String> {
        self.webgpu_opened.set(self.webgpu_opened.get() + 1);
        self.webgpu.clone()
    }
}
