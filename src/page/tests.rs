//! The Train panel's state natively: alone, fed events by hand, and in conversation with the real
//! worker core, each press of a user's button going through [`TrainView`] as the panel sends it
//! and each event the worker posts coming back through [`TrainView::on_event`].

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};

use burn::tensor::Device;
use proptest::prelude::*;
use serde_bytes::ByteBuf;

use super::{Reaction, SnapshotTicket, TrainView};
use crate::backend::choice::BackendPreference;
use crate::backend::memory::SpeedMemory;
use crate::protocol::{Command, Event, ExportedWeights, StopReason, WarmUp};
use crate::train::ModelKind;
use crate::weights::WeightsFile;
use crate::worker::fake_host::{self, BUDGET, FakeHost, settings};
use crate::worker::{Host, WorkerCore};

fn started(generation: u64, steps: usize) -> Event {
    Event::Started {
        generation,
        loss_names: vec!["reconstruction".into()],
        preview_kind: crate::model::PreviewKind::Reconstructions,
        steps,
    }
}

fn losses(generation: u64, values: &[f32], steps: usize) -> Event {
    Event::Losses {
        generation,
        values: values.to_vec(),
        steps,
        epochs: 0.0,
    }
}

/// A view whose fresh AE session (generation 1) the worker has started.
fn view_of_a_fresh_session() -> TrainView {
    let mut view = TrainView::new();
    view.reset(ModelKind::AeMlp, settings(ModelKind::AeMlp));
    view.on_event(started(1, 0), 0.0);
    view
}

#[test]
fn snapshots_come_at_least_twenty_times_their_cost_apart() {
    let due = |view: &mut TrainView, steps: usize, at: f64| {
        matches!(
            view.on_event(losses(1, &[0.5], steps), at),
            Some(Reaction::TakeSnapshot)
        )
    };
    let mut view = view_of_a_fresh_session();
    view.play();
    assert!(due(&mut view, 1, 0.0), "the first snapshot comes with the first steps");
    // A cheap snapshot (40 ms): the next is due 5 s after it was asked for.
    view.snapshot_request(0.0);
    view.snapshot_answered(40.0);
    assert!(!due(&mut view, 2, 4_999.0));
    assert!(due(&mut view, 3, 5_000.0));
    // A slow one (1.5 s, a slow adapter's read back): the next waits 30 s.
    view.snapshot_request(5_000.0);
    view.snapshot_answered(6_500.0);
    assert_eq!(view.snapshot_interval_ms(), 30_000.0);
    assert!(!due(&mut view, 4, 34_999.0));
    assert!(due(&mut view, 5, 35_000.0));
}

#[test]
fn a_warm_up_is_shown_for_its_own_session_only() {
    let mut view = view_of_a_fresh_session();
    let generation = view.generation();
    let warm = |state| Event::WarmUp { generation, state };
    view.on_event(warm(WarmUp::Compiling), 0.0);
    assert_eq!(view.warm_up().map(WarmUp::id), Some("compiling"));
    view.on_event(warm(WarmUp::Ready { ms: 24_130.0 }), 0.0);
    let sentence = view.warm_up().map(WarmUp::sentence).unwrap_or_default();
    assert!(sentence.contains("compiled ahead, in 24.1 s"), "{sentence}");
    view.on_event(warm(WarmUp::Ready { ms: 0.0 }), 0.0);
    let sentence = view.warm_up().map(WarmUp::sentence).unwrap_or_default();
    assert!(sentence.contains("compiled already"), "{sentence}");
    // A new model has kernels of its own: the old warm-up says nothing of them.
    view.reset(ModelKind::GanMlp, settings(ModelKind::GanMlp));
    assert_eq!(view.warm_up(), None);
    // A late word about the old session changes nothing.
    view.on_event(warm(WarmUp::Ready { ms: 1.0 }), 0.0);
    assert_eq!(view.warm_up(), None);
}

#[test]
fn a_stop_of_an_older_run_leaves_a_newer_run_running() {
    let mut view = view_of_a_fresh_session();
    assert_eq!(view.play(), Some(Command::Play { run: 1 }));
    assert_eq!(view.pause(), Some(Command::Pause));
    assert!(
        view.running() && view.pausing(),
        "paused only once the worker says it stopped"
    );
    assert_eq!(view.play(), Some(Command::Play { run: 2 }));
    let stop = |run| Event::Stopped {
        generation: 1,
        run,
        reason: None,
    };
    assert_eq!(view.on_event(stop(1), 0.0), Some(Reaction::TakeSnapshot));
    assert!(view.running(), "run 1's stop does not end run 2");
    view.on_event(stop(2), 0.0);
    assert!(!view.running() && !view.pausing());
    assert_eq!(view.pause(), None, "nothing to pause");
}

#[test]
fn events_about_replaced_weights_change_nothing() {
    let mut view = view_of_a_fresh_session();
    view.on_event(losses(1, &[3.0, 2.0], 2), 0.0);
    let reset = view.reset(ModelKind::VaeMlp, settings(ModelKind::VaeMlp));
    assert!(matches!(reset, Command::Reset { generation: 2, .. }));
    assert_eq!(view.on_event(losses(1, &[1.0], 3), 10.0), None);
    assert_eq!(
        view.history().len(),
        0,
        "the old session's losses are not the new one's"
    );
    assert_eq!(view.applied(), settings(ModelKind::VaeMlp));
}

#[test]
fn a_load_answered_after_a_newer_reset_is_refused() {
    let mut view = view_of_a_fresh_session();
    let (request, load) = view.load_request(vec![1, 2, 3], None, false);
    let Command::Load { generation, .. } = load else {
        panic!("a load: {load:?}")
    };
    view.reset(ModelKind::AeMlp, settings(ModelKind::AeMlp));
    let answer = view.on_event(
        Event::Loaded {
            request,
            generation,
            outcome: Ok(()),
        },
        0.0,
    );
    let Some(Reaction::Answer {
        event: Event::Loaded { outcome, .. },
        ..
    }) = answer
    else {
        panic!("an answer: {answer:?}")
    };
    assert_eq!(outcome, Err("a newer model replaced it before it loaded".into()));
    assert_ne!(view.generation(), generation, "the reset's session stays the one shown");
}

#[test]
fn a_load_replaces_the_history_and_takes_the_new_generation() {
    let mut view = view_of_a_fresh_session();
    view.on_event(losses(1, &[3.0, 2.0], 2), 0.0);
    let (request, Command::Load { generation, .. }) = view.load_request(vec![1], None, false) else {
        panic!("a load")
    };
    let ok = Event::Loaded {
        request,
        generation,
        outcome: Ok(()),
    };
    assert_eq!(
        view.on_event(ok.clone(), 0.0),
        Some(Reaction::Answer { request, event: ok })
    );
    assert_eq!(view.generation(), generation);
    assert_eq!((view.history().len(), view.history().names.len()), (0, 1));
    // The old generation's late losses are dropped, the new one's kept.
    view.on_event(losses(1, &[9.0], 3), 0.0);
    view.on_event(losses(generation, &[1.0], 1), 0.0);
    assert_eq!(view.history().len(), 1);
}

#[test]
fn divergence_and_a_spent_budget_refuse_training() {
    let mut view = view_of_a_fresh_session();
    view.play();
    let diverged = Event::Stopped {
        generation: 1,
        run: 0,
        reason: Some(StopReason::Diverged {
            step: 1,
            learning_rate: 0.1,
        }),
    };
    assert_eq!(view.on_event(diverged, 0.0), None, "no snapshot of NaN weights");
    assert!(view.diverged() && !view.running());
    assert!(
        view.notice()
            .is_some_and(|n| n.contains("NaN") || n.contains("infinite"))
    );
    assert_eq!((view.play(), view.single_step(), view.half_step()), (None, None, None));

    let mut view = view_of_a_fresh_session();
    view.on_event(losses(1, &[1.0; BUDGET], BUDGET), 0.0);
    assert_eq!(view.steps_left(), 0);
    assert_eq!((view.play(), view.single_step()), (None, None));
}

#[test]
fn a_step_in_flight_refuses_another_until_it_is_answered() {
    let mut view = view_of_a_fresh_session();
    assert_eq!(view.single_step(), Some(Command::Step));
    assert_eq!(view.half_step(), None);
    assert_eq!(view.on_event(Event::Stepped, 0.0), Some(Reaction::TakeSnapshot));
    assert_eq!(view.half_step(), Some(Command::HalfStep));
}

#[test]
fn snapshots_are_asked_for_every_few_seconds_and_kept_only_for_the_model_in_use() {
    let mut view = view_of_a_fresh_session();
    assert_eq!(view.on_event(losses(1, &[1.0], 1), 0.0), Some(Reaction::TakeSnapshot));
    let (_, command, ticket) = view.snapshot_request(0.0);
    assert!(matches!(command, Command::Snapshot { .. }));
    assert_eq!(view.on_event(losses(1, &[1.0], 2), 1_000.0), None, "not due yet");
    let exported = |steps| ExportedWeights {
        bytes: ByteBuf::from(vec![0; 4]),
        steps,
        optimizer: Vec::new(),
    };
    assert!(view.keep_snapshot(ticket, exported(2)));
    assert_eq!(view.snapshot().map(|s| s.steps()), Some(2));
    assert!(
        !view.keep_snapshot(ticket, exported(5)),
        "the history does not reach step 5"
    );
    view.reset(ModelKind::AeMlp, settings(ModelKind::AeMlp));
    assert!(
        !view.keep_snapshot(ticket, exported(0)),
        "a snapshot of replaced weights"
    );
}

#[test]
fn a_worker_that_broke_before_any_snapshot_starts_the_model_afresh_and_says_so() {
    let mut view = view_of_a_fresh_session();
    view.play();
    let reaction = view.on_event(
        Event::Crashed {
            message: "unreachable".into(),
        },
        0.0,
    );
    let Some(Reaction::Recover { reason }) = reaction else {
        panic!("a recovery: {reaction:?}")
    };
    let (reset, restore) = view.begin_recovery(&reason, true);
    assert!(restore.is_none());
    assert!(matches!(
        reset,
        Command::Reset {
            generation: 2,
            kind: ModelKind::AeMlp,
            ..
        }
    ));
    assert_eq!(
        view.notice(),
        Some(
            "The training worker broke (unreachable); a new training worker starts on the CPU with the model afresh (no snapshot of it had been taken yet)."
        )
    );
    assert!(!view.running());
}

// The view in conversation with the real worker core.

fn start() -> Command {
    fake_host::start(BackendPreference::Cpu, SpeedMemory::default())
}

/// What a user does on the Train panel.
#[derive(Debug, Clone, Copy)]
enum Press {
    Train,
    Pause,
    Step,
    HalfStep,
    Reset(ModelKind),
    Export,
    /// Loads the latest exported file (a garbage file before any export).
    LoadExported,
    LoadGarbage,
}

/// What a request the view made was for.
#[derive(Debug, Clone, Copy)]
enum Asked {
    Load,
    Export,
    Snapshot(SnapshotTicket),
}

/// A worker's surroundings that are the Train panel: it hands the worker the commands the view
/// returns for scripted presses, and gives the view every event the worker posts, carrying out
/// its reactions as the page does (answers, snapshots). Clocks come from a [`FakeHost`].
struct PanelHost {
    clock: FakeHost,
    view: RefCell<TrainView>,
    /// Presses still to come, each after a number of yields.
    presses: VecDeque<(usize, Press)>,
    yields: Cell<usize>,
    /// Commands the view returned, not yet handed to the worker.
    outbox: RefCell<VecDeque<Command>>,
    asked: RefCell<HashMap<u64, Asked>>,
    /// Every answer, by request.
    answers: RefCell<Vec<(u64, Event)>>,
    /// For each export answered: the steps its file holds and the steps the view showed.
    exports: RefCell<Vec<(usize, usize)>>,
    latest_export: RefCell<Option<Vec<u8>>>,
}

impl PanelHost {
    fn new(view: TrainView, first: Vec<Command>, presses: Vec<(usize, Press)>) -> Self {
        Self {
            clock: FakeHost::new(),
            view: RefCell::new(view),
            presses: presses.into(),
            yields: Cell::new(0),
            outbox: RefCell::new(first.into()),
            asked: RefCell::new(HashMap::new()),
            answers: RefCell::new(Vec::new()),
            exports: RefCell::new(Vec::new()),
            latest_export: RefCell::new(None),
        }
    }

    /// A press of `press`, as the panel turns it into a command.
    fn press(&self, press: Press) {
        let mut view = self.view.borrow_mut();
        let command = match press {
            Press::Train => view.play(),
            Press::Pause => view.pause(),
            Press::Step => view.single_step(),
            Press::HalfStep => view.half_step(),
            Press::Reset(kind) => Some(view.reset(kind, settings(kind))),
            Press::Export => {
                let (request, command) = view.export_request();
                self.asked.borrow_mut().insert(request, Asked::Export);
                Some(command)
            }
            Press::LoadExported | Press::LoadGarbage => {
                let bytes = match press {
                    Press::LoadExported => self.latest_export.borrow().clone(),
                    _ => None,
                };
                let (request, command) = view.load_request(bytes.unwrap_or_else(|| vec![7; 40]), None, false);
                self.asked.borrow_mut().insert(request, Asked::Load);
                Some(command)
            }
        };
        self.outbox.borrow_mut().extend(command);
    }
}

impl Host for PanelHost {
    fn post(&self, event: Event) {
        let now = self.clock.now_ms();
        let reaction = self.view.borrow_mut().on_event(event, now);
        match reaction {
            Some(Reaction::Answer { request, event }) => {
                let asked = self.asked.borrow().get(&request).copied();
                if let Event::Exported { outcome: Ok(file), .. } = &event {
                    match asked {
                        Some(Asked::Snapshot(ticket)) => {
                            self.view.borrow_mut().keep_snapshot(ticket, file.clone());
                        }
                        Some(Asked::Export) => {
                            let in_file = WeightsFile::parse(&file.bytes).unwrap().header.steps;
                            let shown = self.view.borrow().history().len();
                            self.exports.borrow_mut().push((in_file, shown));
                            *self.latest_export.borrow_mut() = Some(file.bytes.to_vec());
                        }
                        _ => {}
                    }
                }
                self.answers.borrow_mut().push((request, event));
            }
            Some(Reaction::TakeSnapshot) => {
                let (request, command, ticket) = self.view.borrow_mut().snapshot_request(now);
                self.asked.borrow_mut().insert(request, Asked::Snapshot(ticket));
                self.outbox.borrow_mut().push_back(command);
            }
            _ => {}
        }
    }

    fn try_command(&mut self) -> Option<Command> {
        while self.outbox.borrow().is_empty() && self.presses.front().is_some_and(|(due, _)| *due <= self.yields.get())
        {
            let (_, press) = self.presses.pop_front()?;
            self.press(press);
        }
        self.outbox.borrow_mut().pop_front()
    }

    async fn next_command(&mut self) -> Option<Command> {
        // Idle: time passes until the user presses something that sends a command.
        loop {
            if let Some(command) = self.outbox.borrow_mut().pop_front() {
                return Some(command);
            }
            let (due, press) = self.presses.pop_front()?;
            self.yields.set(self.yields.get().max(due));
            self.press(press);
        }
    }

    fn now_ms(&self) -> f64 {
        self.clock.now_ms()
    }

    fn wall_clock_ms(&self) -> f64 {
        self.clock.wall_clock_ms()
    }

    async fn yield_now(&self) {
        self.yields.set(self.yields.get() + 1);
    }

    async fn open_webgpu(&self) -> Result<(Device, String), String> {
        self.clock.open_webgpu().await
    }
}

/// Runs the worker core in `host` until the user has nothing more to press.
fn converse(host: PanelHost) -> WorkerCore<PanelHost> {
    // Sessions are seeded: one worker at a time draws from burn's generator.
    let _turn = crate::seeded_turn();
    let mut core = WorkerCore::new(host, None);
    pollster::block_on(core.run());
    core
}

/// A user who trains to the budget in two runs, with a step between them.
fn two_runs() -> Vec<(usize, Press)> {
    vec![
        (0, Press::Train),
        (2, Press::Pause),
        (3, Press::Step),
        (4, Press::Train),
    ]
}

#[test]
fn with_the_real_worker_the_view_counts_every_step_and_keeps_a_snapshot_of_the_last() {
    let mut view = TrainView::new();
    let reset = view.reset(ModelKind::AeMlp, settings(ModelKind::AeMlp));
    let core = converse(PanelHost::new(view, vec![start(), reset], two_runs()));
    let view = core.host().view.borrow();
    assert_eq!(view.history().len(), BUDGET);
    assert_eq!(core.steps_done(), Some(BUDGET));
    assert!(!view.running() && !view.stepping() && !view.pausing());
    assert!(
        view.notice().is_some_and(|n| n.contains("budget")),
        "{:?}",
        view.notice()
    );
    let snapshot = view.snapshot().expect("a snapshot when the last run stopped");
    assert_eq!(snapshot.steps(), BUDGET);
    assert!(view.preview().is_some_and(|p| p.step == BUDGET));
}

#[test]
fn a_restored_worker_goes_on_from_the_snapshot_with_its_history() {
    // Train 4 of 6 steps, then the worker breaks while the user trains on.
    let mut view = TrainView::new();
    let reset = view.reset(ModelKind::AeMlp, settings(ModelKind::AeMlp));
    let presses = vec![(0, Press::Step), (0, Press::Step), (0, Press::Step), (0, Press::Step)];
    let broken = converse(PanelHost::new(view, vec![start(), reset], presses));
    let mut view = broken.host().view.borrow().clone();
    view.play();
    let before: Vec<f32> = view.history().series[0].clone();
    assert_eq!(before.len(), 4);
    let Some(Reaction::Recover { reason }) = view.on_event(
        Event::Crashed {
            message: "unreachable".into(),
        },
        0.0,
    ) else {
        panic!("a crash asks for recovery")
    };

    // The page's restart: a fresh session first, then the snapshot loaded into it.
    let (reset, restore) = view.begin_recovery(&reason, false);
    let restore = restore.expect("the snapshot of step 4");
    let (_, load) = view.load_request(restore.weights().to_vec(), Some(restore.start_as()), true);
    let restored = converse(PanelHost::new(view, vec![start(), reset, load], Vec::new()));
    let mut view = restored.host().view.borrow().clone();
    let answer = restored.host().answers.borrow()[0].1.clone();
    let Event::Loaded { outcome, .. } = answer else {
        panic!("the load's answer: {answer:?}")
    };
    assert_eq!(
        view.history().series[0],
        before,
        "the history up to the snapshot is kept"
    );
    let commands = view.finish_recovery(restore, outcome);
    assert_eq!(
        view.notice(),
        Some("The training worker broke (unreachable); training goes on from step 4, with Adam's state.")
    );
    assert!(
        matches!(commands.last(), Some(Command::Play { .. })),
        "it trained, so it trains on: {commands:?}"
    );
    assert!(commands.iter().any(|c| matches!(c, Command::LoadOptimizer { .. })));
}

fn press() -> impl Strategy<Value = Press> {
    prop_oneof![
        3 => Just(Press::Train),
        2 => Just(Press::Pause),
        2 => Just(Press::Step),
        1 => Just(Press::HalfStep),
        1 => prop_oneof![Just(ModelKind::AeMlp), Just(ModelKind::GanMlp)].prop_map(Press::Reset),
        2 => Just(Press::Export),
        1 => Just(Press::LoadExported),
        1 => Just(Press::LoadGarbage),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever the user presses and whenever: the panel ends showing the worker's step count,
    /// with nothing left running, pausing or stepping; every request it made is answered exactly
    /// once; every export holds the step count the panel showed when it came; and a snapshot it
    /// keeps holds as many steps as its history.
    #[test]
    fn whatever_the_user_presses_the_panel_and_the_worker_stay_in_step(
        presses in prop::collection::vec((0usize..4, press()), 1..9)
    ) {
        let mut view = TrainView::new();
        let reset = view.reset(ModelKind::AeMlp, settings(ModelKind::AeMlp));
        let mut due = 0;
        let presses: Vec<(usize, Press)> = presses.into_iter().map(|(wait, press)| { due += wait; (due, press) }).collect();
        let core = converse(PanelHost::new(view, vec![start(), reset], presses));
        let host = core.host();
        let view = host.view.borrow();

        prop_assert_eq!(Some(view.history().len()), core.steps_done(), "the panel shows the worker's steps");
        prop_assert!(!view.running() && !view.pausing() && !view.stepping());
        let answers = host.answers.borrow();
        for request in host.asked.borrow().keys() {
            let count = answers.iter().filter(|(r, _)| r == request).count();
            prop_assert_eq!(count, 1, "request {} answered once", request);
        }
        for (in_file, shown) in host.exports.borrow().iter() {
            prop_assert_eq!(in_file, shown, "an export holds the steps shown");
        }
        if let Some(snapshot) = view.snapshot() {
            let in_file = WeightsFile::parse(snapshot.weights()).unwrap().header.steps;
            prop_assert_eq!(snapshot.steps(), in_file);
        }
    }
}
