//! The worker core driven natively through a scripted host: command sequences, interleavings of
//! training with pause, step, reset, load and export, backend decisions, and the invariants the
//! page relies on, checked over random command sequences.

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_bytes::ByteBuf;

use super::fake_host::{BUDGET, FakeHost, digits, settings, start};
use super::{CODE_PROBE, COVERAGE_INTERVAL, WorkerCore};
use crate::backend::choice::{BackendKind, BackendPreference, SpeedDuel};
use crate::backend::memory::{RememberedSpeed, SpeedMemory};
use crate::lab::run::LabSlice;
use crate::lab::{LabModel, LabSettings};
use crate::protocol::{Command, Event, HalfReport, StopReason, WarmUp};
use crate::train::{Hyperparameters, ModelKind, Player};
use crate::weights::WeightsFile;

const ADAPTER: &str = "Fake GPU";

fn reset(generation: u64) -> Command {
    Command::Reset {
        generation,
        kind: ModelKind::AeMlp,
        settings: settings(ModelKind::AeMlp),
    }
}

/// Runs the core over `host` until its script is spent and nothing trains.
fn drive(host: FakeHost) -> WorkerCore<FakeHost> {
    // Sessions are seeded: one worker at a time draws from burn's generator.
    let _turn = crate::seeded_turn();
    let mut core = WorkerCore::new(host, None);
    pollster::block_on(core.run());
    core
}

/// The steps each `Losses` event reports, in order.
fn reported_steps(events: &[Event]) -> Vec<usize> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Losses { steps, .. } => Some(*steps),
            _ => None,
        })
        .collect()
}

fn stops(events: &[Event]) -> Vec<(u64, Option<String>, bool)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Stopped { run, reason, .. } => Some((
                *run,
                reason.as_ref().map(StopReason::notice),
                reason
                    .as_ref()
                    .is_some_and(|r| matches!(r, StopReason::Diverged { .. })),
            )),
            _ => None,
        })
        .collect()
}

fn backend_notes(events: &[Event]) -> Vec<(String, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Backend {
                measuring: false,
                badge,
                explanation,
            } => Some((badge.clone(), explanation.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_run_trains_to_its_budget_and_says_so() {
    let host = FakeHost::new()
        .then(start(BackendPreference::Auto, SpeedMemory::default()))
        .then(reset(1))
        .then(Command::Play { run: 1 });
    let core = drive(host);
    let events = core.host().events();
    assert!(matches!(&events[0], Event::Ready { badge, explanation }
        if badge == "CPU" && explanation.contains("the fake host has no WebGPU")));
    assert!(events.iter().any(|e| matches!(e, Event::Started { generation: 1, .. })));
    let steps = reported_steps(&events);
    assert_eq!(steps.last(), Some(&BUDGET));
    assert!(steps.windows(2).all(|w| w[0] < w[1]), "steps only grow: {steps:?}");
    assert_eq!(
        stops(&events),
        vec![(
            1,
            Some(format!(
                "Reached the step budget of {BUDGET} steps: raise it to train on."
            )),
            false
        )]
    );
    assert_eq!(core.steps_done(), Some(BUDGET));
    // Played again at the budget: refused, with the same sentence.
    let host = FakeHost::new()
        .then(start(BackendPreference::Cpu, SpeedMemory::default()))
        .then(reset(1))
        .then(Command::Play { run: 1 })
        .after(20, Command::Play { run: 2 });
    let events = drive(host).host().events();
    let stops = stops(&events);
    assert_eq!(stops.len(), 2);
    assert_eq!(stops[1].0, 2);
    assert!(stops[1].1.as_deref().is_some_and(|n| n.contains("step budget")));
}

#[test]
fn a_pause_ends_the_run_after_its_slice_and_play_resumes_it() {
    let host = FakeHost::new()
        .then(start(BackendPreference::Cpu, SpeedMemory::default()))
        .then(reset(1))
        .then(Command::Play { run: 1 })
        .after(1, Command::Pause)
        .then(Command::Play { run: 2 });
    let core = drive(host);
    let events = core.host().events();
    let stops = stops(&events);
    assert_eq!(stops[0], (1, None, false), "a pause has no notice");
    assert_eq!(stops.last().map(|s| s.0), Some(2));
    let paused_at = events
        .iter()
        .position(|e| matches!(e, Event::Stopped { run: 1, .. }))
        .unwrap();
    let before = reported_steps(&events[..paused_at]);
    assert!(
        before.last().is_some_and(|&s| s < BUDGET),
        "paused before the budget: {before:?}"
    );
    // Resumed where it stopped, to the budget.
    let steps = reported_steps(&events);
    assert!(steps.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(core.steps_done(), Some(BUDGET));
}

#[test]
fn a_step_runs_exactly_one_step_and_is_refused_while_training_runs() {
    let host = FakeHost::new()
        .then(start(BackendPreference::Cpu, SpeedMemory::default()))
        .then(reset(1))
        .then(Command::Step)
        .then(Command::Step)
        .then(Command::Play { run: 1 })
        .then(Command::Step);
    let core = drive(host);
    let events = core.host().events();
    let stepped: Vec<usize> = events
        .iter()
        .enumerate()
        .filter(|(_, e)| matches!(e, Event::Stepped))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(stepped.len(), 3, "every step is answered");
    assert_eq!(reported_steps(&events[..stepped[1]]), vec![1, 2]);
    // The third came while training ran: it added no step of its own.
    assert!(reported_steps(&events[stepped[1]..stepped[2]]).is_empty());
    assert_eq!(core.steps_done(), Some(BUDGET));
}

/// The half steps the worker reported, in order.
fn halves(events: &[Event]) -> Vec<Option<HalfReport>> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::HalfStepped { half, .. } => Some(half.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_gan_in_slow_motion_trains_exactly_as_it_does_step_by_step() {
    let gan = Command::Reset {
        generation: 1,
        kind: ModelKind::GanMlp,
        settings: settings(ModelKind::GanMlp),
    };
    let opened = || {
        FakeHost::new()
            .then(start(BackendPreference::Cpu, SpeedMemory::default()))
            .then(gan.clone())
    };
    // Three halves, then a step, which finishes the step the third half began.
    let slow = drive(
        opened()
            .then(Command::HalfStep)
            .then(Command::HalfStep)
            .then(Command::HalfStep)
            .then(Command::Step),
    );
    let whole = drive(opened().then(Command::Step).then(Command::Step));
    let (slow, whole) = (slow.host().events(), whole.host().events());

    let reports: Vec<HalfReport> = halves(&slow)
        .into_iter()
        .map(|h| h.expect("a GAN steps in halves"))
        .collect();
    let players: Vec<(Player, usize)> = reports.iter().map(|h| (h.player, h.steps)).collect();
    assert_eq!(
        players,
        [
            (Player::Discriminator, 0),
            (Player::Generator, 1),
            (Player::Discriminator, 1)
        ]
    );
    assert_eq!(reported_steps(&slow), [1, 2], "the generator's half completes a step");
    assert_eq!(
        loss_values(&slow),
        loss_values(&whole),
        "halves train exactly as whole steps"
    );
    let generator_half = slow
        .iter()
        .position(|e| matches!(e, Event::HalfStepped { half: Some(h), .. } if h.player == Player::Generator))
        .unwrap();
    assert!(
        slow[..generator_half]
            .iter()
            .any(|e| matches!(e, Event::Preview { step: 1, .. })),
        "the grid of the completed step comes before the report"
    );
    // The discriminator's first update, seen on its own batch: real up, fakes down.
    let [real_before, fake_before, real_after, fake_after] = reports[0].verdicts[..] else {
        panic!("four verdicts: {:?}", reports[0].verdicts)
    };
    assert!(
        real_after > real_before && fake_after < fake_before,
        "{:?}",
        reports[0].verdicts
    );
    // The generator's half leaves the discriminator's verdict on real digits as it was.
    assert_eq!(reports[1].verdicts[0], reports[1].verdicts[2]);
}

/// The `(step, points, classes)` of each `Codes` event.
fn codes(events: &[Event]) -> Vec<(usize, usize, usize)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Codes {
                step, points, classes, ..
            } => Some((*step, points.len(), classes.len())),
            _ => None,
        })
        .collect()
}

#[test]
fn a_model_with_an_encoder_shows_where_it_puts_held_out_digits_and_a_gan_does_not() {
    let model = |kind| Command::Reset {
        generation: 1,
        kind,
        settings: settings(kind),
    };
    let encoder = drive(
        FakeHost::new()
            .then(start(BackendPreference::Cpu, SpeedMemory::default()))
            .then(model(ModelKind::VaeMlp))
            .then(Command::Step),
    );
    let events = encoder.host().events();
    let shown = codes(&events);
    assert_eq!(shown.last(), Some(&(1, 2 * CODE_PROBE, CODE_PROBE)), "{shown:?}");
    let Some(Event::Codes { points, classes, .. }) = events.iter().rev().find(|e| matches!(e, Event::Codes { .. }))
    else {
        unreachable!()
    };
    assert!(points.iter().all(|p| p.is_finite()) && points.iter().any(|&p| p != points[0]));
    assert_eq!(&classes[..], &digits_held_out_labels()[..CODE_PROBE]);
    let gan = drive(
        FakeHost::new()
            .then(start(BackendPreference::Cpu, SpeedMemory::default()))
            .then(model(ModelKind::GanMlp))
            .then(Command::Step),
    );
    assert!(codes(&gan.host().events()).is_empty(), "a GAN has no encoder");
}

/// The classes of the held-out digits, as the split makes them.
fn digits_held_out_labels() -> Vec<u8> {
    let (images, labels) = digits();
    crate::data::MnistSplit::from_idx(images, labels)
        .unwrap()
        .held_out
        .labels
}

#[test]
fn a_half_step_is_refused_for_a_model_without_players_and_while_training_runs() {
    let core = drive(
        FakeHost::new()
            .then(start(BackendPreference::Cpu, SpeedMemory::default()))
            .then(reset(1))
            .then(Command::HalfStep)
            .then(Command::Play { run: 1 })
            .then(Command::HalfStep),
    );
    let events = core.host().events();
    assert_eq!(halves(&events), [None, None]);
    let first = events
        .iter()
        .position(|e| matches!(e, Event::HalfStepped { .. }))
        .unwrap();
    assert!(
        reported_steps(&events[..first]).is_empty(),
        "an autoencoder took no half step"
    );
    assert_eq!(core.steps_done(), Some(BUDGET));
}

#[test]
fn a_reset_mid_run_ends_it_without_a_word_and_starts_the_new_generation() {
    let host = FakeHost::new()
        .then(start(BackendPreference::Cpu, SpeedMemory::default()))
        .then(reset(1))
        .then(Command::Play { run: 1 })
        .after(1, reset(2));
    let core = drive(host);
    let events = core.host().events();
    let second = events
        .iter()
        .position(|e| matches!(e, Event::Started { generation: 2, .. }))
        .unwrap();
    assert!(stops(&events).is_empty(), "the replaced run sends no stop");
    assert!(events[second..].iter().all(|e| e.generation().is_none_or(|g| g == 2)));
    assert_eq!(core.steps_done(), Some(0));
}

#[test]
fn export_then_load_round_trips_and_a_bad_file_changes_nothing() {
    let host = FakeHost::new()
        .then(start(BackendPreference::Cpu, SpeedMemory::default()))
        .then(reset(1))
        .then(Command::Step)
        .then(Command::Step)
        .then(Command::Export { request: 1 })
        .then(Command::Load {
            request: 2,
            generation: 2,
            weights: ByteBuf::from(b"not a weights file".to_vec()),
            start_as: None,
            resume: false,
        });
    let core = drive(host);
    let events = core.host().events();
    let exported = events
        .iter()
        .find_map(|e| match e {
            Event::Exported { request: 1, outcome } => Some(outcome.clone()),
            _ => None,
        })
        .expect("the export is answered")
        .expect("the export works")
        .bytes
        .into_vec();
    let file = WeightsFile::parse(&exported).unwrap();
    assert_eq!(file.header.model, "ae_mlp");
    assert_eq!(file.header.steps, 2);
    let refused = events.iter().find_map(|e| match e {
        Event::Loaded {
            request: 2,
            generation,
            outcome,
        } => Some((*generation, outcome.clone())),
        _ => None,
    });
    assert!(
        matches!(refused, Some((1, Err(_)))),
        "refused, still generation 1: {refused:?}"
    );
    assert_eq!(core.steps_done(), Some(2), "a refused file keeps the trained model");
    let last_grid = events.iter().rev().find_map(|e| match e {
        Event::Preview { step, .. } => Some(*step),
        _ => None,
    });
    assert_eq!(last_grid, Some(2), "the last grid names the step it shows");

    // The exported file loads into a fresh worker as generation 7, whose preview follows.
    let host = FakeHost::new()
        .then(start(BackendPreference::Cpu, SpeedMemory::default()))
        .then(reset(1))
        .then(Command::Load {
            request: 1,
            generation: 7,
            weights: ByteBuf::from(exported),
            start_as: None,
            resume: false,
        });
    let events = drive(host).host().events();
    let loaded = events
        .iter()
        .position(|e| {
            matches!(
                e,
                Event::Loaded {
                    request: 1,
                    generation: 7,
                    outcome: Ok(())
                }
            )
        })
        .expect("loaded as generation 7");
    assert!(matches!(events[loaded + 1], Event::Started { generation: 7, .. }));
    // Loaded without resuming, the model counts from 0, and so does its grid.
    assert!(matches!(
        events[loaded + 2],
        Event::Preview {
            generation: 7,
            step: 0,
            ..
        }
    ));
}

#[test]
fn a_shipped_file_replaces_the_model_only_once_it_has_loaded() {
    let vae = settings(ModelKind::VaeMlp);
    let file = weights_file_of(ModelKind::VaeMlp, vae);
    let smaller = Hyperparameters { latent: 8, ..vae };
    let host = FakeHost::new()
        .then(start(BackendPreference::Cpu, SpeedMemory::default()))
        .then(reset(1))
        .then(Command::Step)
        .then(Command::Step)
        // The manifest's settings do not fit the file: refused, the trained autoencoder kept.
        .then(Command::Load {
            request: 1,
            generation: 2,
            weights: ByteBuf::from(file.clone()),
            start_as: Some((ModelKind::VaeMlp, smaller)),
            resume: false,
        })
        .then(Command::Step)
        .then(Command::Load {
            request: 2,
            generation: 3,
            weights: ByteBuf::from(file),
            start_as: Some((ModelKind::VaeMlp, vae)),
            resume: false,
        });
    let core = drive(host);
    let events = core.host().events();
    let answers: Vec<(u64, u64, bool)> = events
        .iter()
        .filter_map(|e| match e {
            Event::Loaded {
                request,
                generation,
                outcome,
            } => Some((*request, *generation, outcome.is_ok())),
            _ => None,
        })
        .collect();
    assert_eq!(answers, vec![(1, 1, false), (2, 3, true)]);
    let refusal = events.iter().find_map(|e| match e {
        Event::Loaded { outcome: Err(e), .. } => Some(e.clone()),
        _ => None,
    });
    assert!(refusal.is_some_and(|e| e.contains("latent: file 16, in use 8")));
    // The autoencoder went on counting after the refusal: steps 1, 2, then 3.
    let first_load = events
        .iter()
        .position(|e| matches!(e, Event::Loaded { request: 2, .. }))
        .unwrap();
    assert_eq!(reported_steps(&events[..first_load]), vec![1, 2, 3]);
    let started = events[first_load..].iter().find_map(|e| match e {
        Event::Started {
            generation: 3,
            loss_names,
            ..
        } => Some(loss_names.clone()),
        _ => None,
    });
    assert_eq!(started.map(|n| n.len()), Some(3), "the VAE's loss terms follow");
    assert_eq!(core.steps_done(), Some(0));
}

#[test]
fn a_snapshot_resumes_where_it_was_taken_in_a_new_worker() {
    let trained = FakeHost::new()
        .then(start(BackendPreference::Cpu, SpeedMemory::default()))
        .then(reset(1))
        .then(Command::Step)
        .then(Command::Step)
        .then(Command::Step)
        .then(Command::Export { request: 1 });
    let snapshot = drive(trained)
        .host()
        .events()
        .into_iter()
        .find_map(|e| match e {
            Event::Exported { outcome: Ok(file), .. } => Some(file.bytes),
            _ => None,
        })
        .unwrap();
    // A new worker, as the page starts one after a crash: reset, then the snapshot resumed.
    let host = FakeHost::new()
        .then(start(BackendPreference::Cpu, SpeedMemory::default()))
        .then(reset(1))
        .then(Command::Load {
            request: 1,
            generation: 2,
            weights: snapshot,
            start_as: Some((ModelKind::AeMlp, settings(ModelKind::AeMlp))),
            resume: true,
        })
        .then(Command::Play { run: 1 });
    let core = drive(host);
    let events = core.host().events();
    assert!(events.iter().any(|e| matches!(
        e,
        Event::Started {
            generation: 2,
            steps: 3,
            ..
        }
    )));
    let resumed = events
        .iter()
        .position(|e| matches!(e, Event::Started { generation: 2, .. }))
        .unwrap();
    assert!(
        reported_steps(&events[resumed..]).first().is_some_and(|&s| s > 3),
        "goes on from step 3"
    );
    assert!(counts_on_without_restarting(&events));
    assert_eq!(
        core.steps_done(),
        Some(BUDGET),
        "the budget counts the steps before the snapshot"
    );
}

/// Every loss value the `Losses` events report, in order.
fn loss_values(events: &[Event]) -> Vec<f32> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Losses { values, .. } => Some(values.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// A host that starts on the CPU, resets to generation 1 and takes `steps` single steps.
fn stepped(steps: usize) -> FakeHost {
    (0..steps).fold(
        FakeHost::new()
            .then(start(BackendPreference::Cpu, SpeedMemory::default()))
            .then(reset(1)),
        |host, _| host.then(Command::Step),
    )
}

#[test]
fn a_snapshot_with_its_optimiser_state_resumes_training_exactly() {
    let straight = loss_values(&drive(stepped(6)).host().events());
    let snapshot = drive(stepped(3).then(Command::Snapshot { request: 1 }))
        .host()
        .events()
        .into_iter()
        .find_map(|e| match e {
            Event::Exported { outcome: Ok(file), .. } => Some(file),
            _ => None,
        })
        .expect("the snapshot is answered");
    assert_eq!(
        (snapshot.steps, snapshot.optimizer.len()),
        (3, 1),
        "one optimiser's state, on the CPU"
    );
    // A new worker, as the page starts one after a crash, with or without the optimiser state.
    let resumed = |optimizer: Option<Vec<ByteBuf>>| {
        let mut host = FakeHost::new()
            .then(start(BackendPreference::Cpu, SpeedMemory::default()))
            .then(reset(1))
            .then(Command::Load {
                request: 1,
                generation: 2,
                weights: snapshot.bytes.clone(),
                start_as: Some((ModelKind::AeMlp, settings(ModelKind::AeMlp))),
                resume: true,
            });
        if let Some(state) = optimizer {
            host = host.then(Command::LoadOptimizer { generation: 2, state });
        }
        let host = (0..3).fold(host, |host, _| host.then(Command::Step));
        let events = drive(host).host().events();
        assert!(!events.iter().any(|e| matches!(e, Event::Notice { .. })), "no notice");
        loss_values(&events)
    };
    let (with, without) = (resumed(Some(snapshot.optimizer.clone())), resumed(None));
    // One loss term a step: steps 4 to 6 are the last three values.
    assert_eq!(with, straight[3..], "the same steps as without the crash");
    assert_ne!(without, straight[3..], "fresh Adam moments would change them");
}

#[test]
fn an_optimiser_state_that_does_not_fit_changes_nothing_and_says_so() {
    let host = stepped(2).then(Command::LoadOptimizer {
        generation: 1,
        state: vec![ByteBuf::from(vec![7u8; 40])],
    });
    let core = drive(host.then(Command::Step));
    let events = core.host().events();
    assert!(events.iter().any(|e| matches!(e, Event::Notice { message, .. }
        if message.starts_with("The snapshot's optimiser state did not load"))));
    assert_eq!(core.steps_done(), Some(3), "training goes on");
}

/// The shipped digit classifier's weights file.
fn classifier_file() -> Vec<u8> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("public/weights");
    std::fs::read(dir.join("classifier.bpk")).expect("the shipped classifier")
}

/// The steps of every coverage check of `generation`.
fn coverage_steps(events: &[Event], generation: u64) -> Vec<usize> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::Coverage {
                generation: g, step, ..
            } if *g == generation => Some(*step),
            _ => None,
        })
        .collect()
}

#[test]
fn a_generator_is_judged_at_once_and_every_new_model_again() {
    let gan = Hyperparameters {
        step_budget: COVERAGE_INTERVAL + 5,
        ..settings(ModelKind::GanMlp)
    };
    let host = FakeHost::new()
        .then(start(BackendPreference::Cpu, SpeedMemory::default()))
        .then(reset(1))
        .then(Command::Judge {
            weights: ByteBuf::from(classifier_file()),
        })
        .then(Command::Reset {
            generation: 2,
            kind: ModelKind::GanMlp,
            settings: gan,
        })
        .then(Command::Play { run: 1 });
    let events = drive(host).host().events();
    assert!(!events.iter().any(|e| matches!(e, Event::Failed { .. })), "{events:?}");
    assert_eq!(
        coverage_steps(&events, 2)[0],
        0,
        "the fresh GAN is judged before it trains"
    );
    assert!(
        coverage_steps(&events, 2)[1..].iter().any(|&s| s >= COVERAGE_INTERVAL),
        "and again after {COVERAGE_INTERVAL} steps: {:?}",
        coverage_steps(&events, 2)
    );
}

#[test]
fn a_loss_that_diverges_stops_training_and_play_is_refused_until_a_reset() {
    let diverging = Hyperparameters {
        learning_rate: f64::NAN,
        ..settings(ModelKind::AeMlp)
    };
    let host = FakeHost::new()
        .then(start(BackendPreference::Cpu, SpeedMemory::default()))
        .then(Command::Reset {
            generation: 1,
            kind: ModelKind::AeMlp,
            settings: diverging,
        })
        .then(Command::Play { run: 1 })
        .after(10, Command::Play { run: 2 });
    let events = drive(host).host().events();
    let stops = stops(&events);
    assert_eq!(stops.len(), 2);
    let (run, notice, diverged) = &stops[0];
    assert_eq!((*run, *diverged), (1, true));
    assert!(
        notice
            .as_deref()
            .is_some_and(|n| n.contains("NaN or infinite at step 2")),
        "{notice:?}"
    );
    assert_eq!(stops[1].0, 2);
    assert!(stops[1].1.as_deref().is_some_and(|n| n.contains("cannot go on")));
}

#[test]
fn a_remembered_speed_trains_on_the_faster_backend_at_once() {
    let mut remembered = SpeedMemory::default();
    remembered.remember(RememberedSpeed {
        adapter: ADAPTER.into(),
        model: ModelKind::AeMlp.id().into(),
        batch_size: 16,
        duel: SpeedDuel {
            cpu: 10.0,
            webgpu: 40.0,
        },
        measured_at_ms: 1.8e12 - 86_400_000.0,
    });
    let host = FakeHost::with_fake_gpu(ADAPTER)
        .then(start(BackendPreference::Auto, remembered))
        .then(reset(1))
        .then(Command::Play { run: 1 });
    let core = drive(host);
    let events = core.host().events();
    assert!(matches!(&events[0], Event::Ready { badge, .. } if badge == "WebGPU — Fake GPU or CPU"));
    let notes = backend_notes(&events);
    assert_eq!(notes[0].0, "WebGPU — Fake GPU");
    assert!(
        notes[0]
            .1
            .starts_with("Measured in this browser on 2027-01-14 for the Autoencoder (MLP)")
    );
    assert!(
        !events.iter().any(|e| matches!(e, Event::SpeedMeasured(_))),
        "not timed again"
    );
    assert_eq!(core.host().webgpu_opened.get(), 1, "WebGPU is opened once");
    assert_eq!(core.steps_done(), Some(BUDGET));
}

/// Whether every `Losses` event continues the count of the one before it (the steps it adds
/// are its values over the loss terms), from zero at each `Started`.
fn counts_on_without_restarting(events: &[Event]) -> bool {
    let (mut steps, mut terms) = (0, 1);
    events.iter().all(|e| match e {
        Event::Started {
            loss_names,
            steps: resumed,
            ..
        } => {
            (steps, terms) = (*resumed, loss_names.len());
            true
        }
        Event::Losses { values, steps: now, .. } => {
            let follows = *now == steps + values.len() / terms;
            steps = *now;
            follows
        }
        _ => true,
    })
}

/// The winner of each timing the events report.
fn timing_winners(events: &[Event]) -> Vec<BackendKind> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::SpeedMeasured(speed) => Some(speed.duel.winner()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_fresh_model_moves_to_the_faster_backend_and_time_again_keeps_the_run_the_page_shows() {
    let host = FakeHost::with_fake_gpu(ADAPTER)
        .timings_won_by(&[BackendKind::WebGpu, BackendKind::WebGpu])
        .then(start(BackendPreference::Auto, SpeedMemory::default()))
        .then(reset(1))
        .then(Command::Step)
        .then(Command::Step)
        .then(Command::ForgetSpeeds)
        .then(Command::Play { run: 1 });
    let core = drive(host);
    let events = core.host().events();
    assert_eq!(
        timing_winners(&events),
        vec![BackendKind::WebGpu, BackendKind::WebGpu],
        "timed at the first step, and again after Time again"
    );
    let notes = backend_notes(&events);
    assert!(
        notes[1].0 == "WebGPU — Fake GPU" && notes[1].1.starts_with("Measured here"),
        "{notes:?}"
    );
    assert!(notes.iter().any(|(_, e)| e.starts_with("Measured speeds forgotten")));
    assert_eq!(
        reported_steps(&events)[..2],
        [1, 2],
        "the session moved before its first step"
    );
    assert!(
        counts_on_without_restarting(&events),
        "and never again: {:?}",
        reported_steps(&events)
    );
    assert_eq!(core.steps_done(), Some(BUDGET));
}

#[test]
fn a_trained_model_stays_where_it_trains_when_a_new_timing_prefers_the_other_backend() {
    let host = FakeHost::with_fake_gpu(ADAPTER)
        .timings_won_by(&[BackendKind::Cpu, BackendKind::WebGpu])
        .then(start(BackendPreference::Auto, SpeedMemory::default()))
        .then(reset(1))
        .then(Command::Step)
        .then(Command::ForgetSpeeds)
        .then(Command::Play { run: 1 })
        .after(50, reset(2));
    let core = drive(host);
    let events = core.host().events();
    assert_eq!(timing_winners(&events), vec![BackendKind::Cpu, BackendKind::WebGpu]);
    let notes = backend_notes(&events);
    let stayed = notes
        .iter()
        .find(|(_, e)| e.contains("goes on where it trains now"))
        .expect("the second timing says the model stays");
    assert_eq!(stayed.0, "CPU");
    let restarted = events
        .iter()
        .position(|e| matches!(e, Event::Started { generation: 2, .. }))
        .unwrap();
    assert_eq!(reported_steps(&events[..restarted]).last(), Some(&BUDGET));
    assert!(
        counts_on_without_restarting(&events[..restarted]),
        "one count, never restarted"
    );
    // The next fresh start trains on the faster backend, as measured.
    assert_eq!(notes.last().unwrap().0, "WebGPU — Fake GPU");
}

#[test]
fn choosing_the_cpu_never_opens_webgpu() {
    let host = FakeHost::with_fake_gpu(ADAPTER)
        .then(start(BackendPreference::Cpu, SpeedMemory::default()))
        .then(reset(1))
        .then(Command::Play { run: 1 });
    let core = drive(host);
    assert_eq!(core.host().webgpu_opened.get(), 0);
    assert!(matches!(&core.host().events()[0], Event::Ready { explanation, .. }
        if explanation.contains("you asked for the CPU backend")));
}

/// The warm-ups each generation reported, in order.
fn warm_ups(events: &[Event]) -> Vec<(u64, &'static str)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::WarmUp { generation, state } => Some((*generation, state.id())),
            _ => None,
        })
        .collect()
}

/// A host on the fake GPU with `backend`, a fresh session of `kind` (generation 1), and three
/// single steps: sent `idle_yields` yields later (the worker idles meanwhile) or at once.
fn stepped_on(backend: BackendPreference, kind: ModelKind, idle_yields: usize) -> FakeHost {
    let reset = Command::Reset {
        generation: 1,
        kind,
        settings: settings(kind),
    };
    let host = FakeHost::with_fake_gpu(ADAPTER)
        .then(start(backend, SpeedMemory::default()))
        .then(reset)
        .after(idle_yields, Command::Step);
    host.then(Command::Step).then(Command::Step)
}

#[test]
fn an_idle_worker_warms_a_fresh_webgpu_sessions_kernels_and_the_session_trains_as_if_never_warmed() {
    for kind in [ModelKind::VaeMlp, ModelKind::GanMlp] {
        let warmed = drive(stepped_on(BackendPreference::WebGpu, kind, 1)).host().events();
        let at_once = drive(stepped_on(BackendPreference::WebGpu, kind, 0)).host().events();
        assert_eq!(warm_ups(&warmed), [(1, "compiling"), (1, "ready")], "{kind:?}");
        // Train pressed before the worker idled: the first step compiles, nothing is warmed.
        assert_eq!(warm_ups(&at_once), [], "{kind:?}");
        // The twin drew from the device's generator, and trained beside the session: the
        // session's losses are the same to the bit (a VAE's noise, a GAN's noise and batches).
        let (warmed_losses, at_once_losses) = (loss_values(&warmed), loss_values(&at_once));
        assert_eq!(warmed_losses.len(), at_once_losses.len());
        assert!(!warmed_losses.is_empty());
        assert_eq!(warmed_losses, at_once_losses, "{kind:?}");
    }
    // On the CPU nothing is compiled: no warm-up.
    let on_cpu = drive(stepped_on(BackendPreference::Cpu, ModelKind::AeMlp, 1))
        .host()
        .events();
    assert_eq!(warm_ups(&on_cpu), []);
}

#[test]
fn kernels_are_warmed_once_per_model_shape_and_again_for_another() {
    let reset = |generation, kind, seed, batch_size| Command::Reset {
        generation,
        kind,
        settings: Hyperparameters {
            seed,
            batch_size,
            ..settings(kind)
        },
    };
    let host = FakeHost::with_fake_gpu(ADAPTER)
        .then(start(BackendPreference::WebGpu, SpeedMemory::default()))
        .then(reset(1, ModelKind::AeMlp, 1, 16))
        // Another seed: the same kernels.
        .after(1, reset(2, ModelKind::AeMlp, 7, 16))
        // Another batch size, another model: other kernels.
        .after(1, reset(3, ModelKind::AeMlp, 7, 8))
        .after(1, reset(4, ModelKind::VaeMlp, 1, 16))
        // A reset replaced before the worker idles is not warmed.
        .after(1, reset(5, ModelKind::GanMlp, 1, 16))
        .then(reset(6, ModelKind::AeMlp, 1, 16))
        // Loaded weights of a model not warmed yet: warmed too.
        .after(
            1,
            Command::Load {
                request: 1,
                generation: 7,
                weights: ByteBuf::from(weights_file_of(ModelKind::GanMlp, settings(ModelKind::GanMlp))),
                start_as: Some((ModelKind::GanMlp, settings(ModelKind::GanMlp))),
                resume: false,
            },
        )
        .after(1, Command::Step);
    let events = drive(host).host().events();
    let warmed: Vec<(u64, f64)> = events
        .iter()
        .filter_map(|e| match e {
            Event::WarmUp {
                generation,
                state: WarmUp::Ready { ms },
            } => Some((*generation, *ms)),
            _ => None,
        })
        .collect();
    // Warmed by a twin, in some time; or compiled already (0 ms), said at once.
    let by_twin: Vec<u64> = warmed.iter().filter(|(_, ms)| *ms > 0.0).map(|(g, _)| *g).collect();
    let already: Vec<u64> = warmed.iter().filter(|(_, ms)| *ms == 0.0).map(|(g, _)| *g).collect();
    assert_eq!(by_twin, [1, 3, 4, 7]);
    assert_eq!(already, [2, 6]);
}

/// One thing the page may do, for the property test.
#[derive(Debug, Clone)]
enum Action {
    Play,
    Pause,
    Step,
    HalfStep,
    Reset,
    Export,
    LoadExported,
    LoadGarbage,
    ForgetSpeeds,
    Backend(BackendPreference),
}

fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => Just(Action::Play),
        2 => Just(Action::Pause),
        2 => Just(Action::Step),
        1 => Just(Action::HalfStep),
        1 => Just(Action::Reset),
        2 => Just(Action::Export),
        1 => Just(Action::LoadExported),
        1 => Just(Action::LoadGarbage),
        1 => Just(Action::ForgetSpeeds),
        1 => prop_oneof![Just(BackendPreference::Cpu), Just(BackendPreference::Auto)].prop_map(Action::Backend),
    ]
}

/// A weights file of a fresh session of the test's model, to load.
fn fresh_weights_file() -> Vec<u8> {
    weights_file_of(ModelKind::AeMlp, settings(ModelKind::AeMlp))
}

/// A weights file of a fresh session of `kind` with `settings`.
fn weights_file_of(kind: ModelKind, settings: Hyperparameters) -> Vec<u8> {
    let host = FakeHost::new()
        .then(start(BackendPreference::Cpu, SpeedMemory::default()))
        .then(Command::Reset {
            generation: 1,
            kind,
            settings,
        })
        .then(Command::Export { request: 1 });
    let events = drive(host).host().events();
    events
        .into_iter()
        .find_map(|e| match e {
            Event::Exported { outcome: Ok(file), .. } => Some(file.bytes.into_vec()),
            _ => None,
        })
        .unwrap()
}

/// The page's view of the worker, rebuilt from the events as the Train panel builds it, with
/// every invariant checked on the way.
#[derive(Default)]
struct PageView {
    generation: u64,
    steps: usize,
    terms: usize,
}

impl PageView {
    fn see(&mut self, event: &Event) -> Result<(), TestCaseError> {
        if let Some(generation) = event.generation()
            && !matches!(event, Event::Started { .. })
        {
            prop_assert_eq!(
                generation,
                self.generation,
                "an event of another generation: {:?}",
                event
            );
        }
        match event {
            Event::Started {
                generation,
                loss_names,
                steps,
                ..
            } => {
                prop_assert!(*generation >= self.generation, "generations only grow");
                *self = PageView {
                    generation: *generation,
                    steps: *steps,
                    terms: loss_names.len(),
                };
            }
            Event::Loaded {
                generation,
                outcome: Ok(()),
                ..
            } => {
                self.generation = *generation;
                self.steps = 0;
            }
            Event::Losses { values, steps, .. } => {
                prop_assert_eq!(
                    *steps,
                    self.steps + values.len() / self.terms,
                    "the page's count follows the worker's"
                );
                prop_assert!(*steps <= BUDGET);
                self.steps = *steps;
            }
            _ => {}
        }
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// Whatever the page sends and whenever it arrives: every request is answered exactly once,
    /// every event belongs to the generation the page shows, the page's step count equals the
    /// worker's, an export holds the step count the page shows, and the last play press is
    /// answered unless a newer model replaced it.
    #[test]
    fn every_command_sequence_keeps_the_page_and_the_worker_in_step(
        actions in prop::collection::vec((action(), 0usize..4), 1..9)
    ) {
        static WEIGHTS: OnceLock<Vec<u8>> = OnceLock::new();
        let weights = WEIGHTS.get_or_init(fresh_weights_file);
        let mut host = FakeHost::with_fake_gpu(ADAPTER)
            .then(start(BackendPreference::Auto, SpeedMemory::default()))
            .then(reset(1));
        let (mut generation, mut request, mut run) = (1, 0, 0);
        for (action, delay) in &actions {
            let command = match action {
                Action::Play => { run += 1; Command::Play { run } }
                Action::Pause => Command::Pause,
                Action::Step => Command::Step,
                Action::HalfStep => Command::HalfStep,
                Action::Reset => { generation += 1; reset(generation) }
                Action::Export => { request += 1; Command::Export { request } }
                Action::LoadExported | Action::LoadGarbage => {
                    request += 1;
                    generation += 1;
                    let bytes = match action {
                        Action::LoadExported => weights.clone(),
                        _ => vec![7; 40],
                    };
                    Command::Load { request, generation, weights: ByteBuf::from(bytes), start_as: None, resume: false }
                }
                Action::ForgetSpeeds => Command::ForgetSpeeds,
                Action::Backend(preference) => Command::Backend { preference: *preference },
            };
            host = host.after(*delay, command);
        }
        let core = drive(host);
        let events = core.host().events();
        let handed = core.host().handed.borrow().clone();

        let mut page = PageView::default();
        let mut exports = Vec::new();
        for event in &events {
            page.see(event)?;
            if let Event::Exported { request, outcome: Ok(file) } = event {
                let in_header = WeightsFile::parse(&file.bytes).unwrap().header.steps;
                prop_assert_eq!(file.steps, in_header, "an export says the steps its header holds");
                exports.push((*request, page.steps, in_header));
            }
        }
        prop_assert_eq!(Some(page.steps), core.steps_done(), "the page's step count is the worker's");
        for (request, shown, in_file) in exports {
            prop_assert_eq!(shown, in_file, "export {} holds the steps the page shows", request);
        }

        // Every load and export answered exactly once, after it was sent.
        for (posted_before, command) in &handed {
            let asked = match command {
                Command::Load { request, .. } | Command::Export { request } => *request,
                _ => continue,
            };
            let answers: Vec<usize> = events.iter().enumerate().filter(|(_, e)| matches!(e,
                Event::Loaded { request, .. } | Event::Exported { request, .. } if *request == asked))
                .map(|(i, _)| i).collect();
            prop_assert_eq!(answers.len(), 1, "request {} answered once", asked);
            prop_assert!(answers[0] >= *posted_before);
        }
        let steps_sent = handed.iter().filter(|(_, c)| matches!(c, Command::Step)).count();
        let stepped = events.iter().filter(|e| matches!(e, Event::Stepped)).count();
        prop_assert_eq!(steps_sent, stepped, "every step answered");
        let halves_sent = handed.iter().filter(|(_, c)| matches!(c, Command::HalfStep)).count();
        prop_assert_eq!(halves_sent, halves(&events).len(), "every half step answered");

        // The last play press gets its stop, unless the model was replaced after it.
        if let Some(last_play) = handed.iter().rposition(|(_, c)| matches!(c, Command::Play { .. })) {
            let (posted_before, _) = &handed[last_play];
            let replaced = events[*posted_before..].iter().any(|e| matches!(e,
                Event::Started { .. } | Event::Loaded { outcome: Ok(()), .. }));
            let stopped = events[*posted_before..].iter().any(|e| matches!(e, Event::Stopped { run: r, .. } if *r == run));
            prop_assert!(replaced || stopped, "play {} is answered by a stop", run);
        }
    }
}

/// Training actions before a crash, for the crash property test.
fn training_action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => Just(Action::Play),
        2 => Just(Action::Pause),
        2 => Just(Action::Step),
        2 => Just(Action::Export),
    ]
}

/// `actions` (training ones only) queued on `host` after its script, with their delays; an
/// export is the page's snapshot.
fn queue_training(mut host: FakeHost, actions: &[(Action, usize)], run: &mut u64, request: &mut u64) -> FakeHost {
    for (action, delay) in actions {
        let command = match action {
            Action::Play => {
                *run += 1;
                Command::Play { run: *run }
            }
            Action::Pause => Command::Pause,
            Action::Step => Command::Step,
            _ => {
                *request += 1;
                Command::Snapshot { request: *request }
            }
        };
        host = host.after(*delay, command);
    }
    host
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, failure_persistence: None, ..ProptestConfig::default() })]

    /// A worker that crashes after any sequence of training commands loses exactly the steps
    /// since the page's last snapshot (its latest export): a new worker, reset and then handed
    /// that snapshot with `resume`, goes on from its step count, and the page's count follows
    /// the new worker's through whatever comes next.
    #[test]
    fn a_crash_loses_at_most_the_work_since_the_last_snapshot(
        before in prop::collection::vec((training_action(), 0usize..4), 1..7),
        after in prop::collection::vec((training_action(), 0usize..4), 0..5),
    ) {
        let (mut run, mut request) = (0, 0);
        let first = queue_training(
            FakeHost::new().then(start(BackendPreference::Cpu, SpeedMemory::default())).then(reset(1)),
            &before, &mut run, &mut request,
        );
        // The worker runs its script, then crashes: only what the page kept survives.
        let crashed = drive(first);
        let events = crashed.host().events();
        let mut page = PageView::default();
        let mut snapshot = None;
        let mut steps_after_snapshot = 0;
        for event in &events {
            page.see(event)?;
            if let Event::Exported { outcome: Ok(file), .. } = event {
                prop_assert_eq!(file.steps, page.steps, "a snapshot holds the steps the page shows");
                snapshot = Some(file.clone());
                steps_after_snapshot = 0;
            }
            if let Event::Losses { values, .. } = event {
                steps_after_snapshot += values.len() / page.terms.max(1);
            }
        }
        let worked = crashed.steps_done().unwrap_or(0);
        let kept = snapshot.as_ref().map_or(0, |s| s.steps);
        prop_assert_eq!(worked - kept, if snapshot.is_some() { steps_after_snapshot } else { worked },
            "lost: exactly the steps after the last snapshot");

        // The page's recovery: a new worker, reset, the snapshot resumed, then the user goes on.
        let mut host = FakeHost::new().then(start(BackendPreference::Cpu, SpeedMemory::default())).then(reset(2));
        if let Some(file) = snapshot {
            request += 1;
            prop_assert_eq!(file.optimizer.len(), 1, "a snapshot on the CPU holds the optimiser's state");
            host = host
                .then(Command::Load {
                    request,
                    generation: 3,
                    weights: file.bytes,
                    start_as: Some((ModelKind::AeMlp, settings(ModelKind::AeMlp))),
                    resume: true,
                })
                .then(Command::LoadOptimizer { generation: 3, state: file.optimizer });
        }
        let host = queue_training(host, &after, &mut run, &mut request);
        let restored = drive(host);
        let events = restored.host().events();
        let mut page = PageView::default();
        for event in &events {
            page.see(event)?;
        }
        let resumed_at = events.iter().rev().find_map(|e| match e {
            Event::Started { steps, .. } => Some(*steps),
            _ => None,
        });
        prop_assert_eq!(resumed_at, Some(kept), "the new worker starts from the snapshot's step");
        prop_assert!(restored.steps_done().unwrap_or(0) >= kept);
        prop_assert_eq!(Some(page.steps), restored.steps_done(), "the page's count is the new worker's");
    }
}

fn lab_slice(run: u64, backend: BackendKind, steps: usize, held_out: bool) -> Command {
    Command::LabSlice {
        run,
        settings: LabSettings {
            model: LabModel::Vae,
            ..LabSettings::default()
        },
        backend,
        steps,
        held_out,
    }
}

/// The lab's answers, in order: run number and slice, or why there is none.
fn lab_slices(events: &[Event]) -> Vec<(u64, Result<LabSlice, String>)> {
    events
        .iter()
        .filter_map(|e| match e {
            Event::LabSlice { run, outcome } => Some((*run, outcome.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn the_lab_trains_its_run_slice_by_slice_and_a_new_number_starts_afresh() {
    let host = FakeHost::with_fake_gpu(ADAPTER)
        .then(lab_slice(1, BackendKind::Cpu, 3, false))
        .then(lab_slice(1, BackendKind::Cpu, 2, true))
        .then(lab_slice(2, BackendKind::WebGpu, 4, false))
        .then(lab_slice(3, BackendKind::Cpu, 3, false));
    let core = drive(host);
    let slices: Vec<(u64, LabSlice)> = lab_slices(&core.host().events())
        .into_iter()
        .map(|(run, outcome)| (run, outcome.expect("every slice trains")))
        .collect();
    let runs: Vec<u64> = slices.iter().map(|(run, _)| *run).collect();
    assert_eq!(runs, [1, 1, 2, 3]);
    let steps: Vec<usize> = slices.iter().map(|(_, s)| s.picture.steps).collect();
    assert_eq!(
        steps,
        [3, 5, 4, 3],
        "a run goes on from its last slice; a new number starts from 0"
    );
    for ((_, slice), trained) in slices.iter().zip([3, 2, 4, 3]) {
        assert_eq!(slice.losses.len(), trained * slice.loss_names.len());
        assert!(slice.losses.iter().all(|l| l.is_finite()));
        assert!(slice.picture.latent_grid.is_some() && slice.picture.heat.is_none());
    }
    let held_out: Vec<bool> = slices.iter().map(|(_, s)| s.held_out.is_some()).collect();
    assert_eq!(
        held_out,
        [false, true, false, false],
        "the held-out figure only when asked"
    );
    assert!(slices[1].1.held_out.unwrap().is_finite());
    assert_eq!(
        core.host().webgpu_opened.get(),
        1,
        "WebGPU only for the run that asked for it"
    );
    assert_eq!(
        slices[3].1.losses, slices[0].1.losses,
        "a fresh model of the same settings trains the same"
    );
}

#[test]
fn the_lab_says_why_it_cannot_train_on_a_missing_webgpu_and_trains_on_the_cpu() {
    let host = FakeHost::new()
        .then(lab_slice(1, BackendKind::WebGpu, 2, false))
        .then(lab_slice(1, BackendKind::Cpu, 2, false));
    let core = drive(host);
    let answers = lab_slices(&core.host().events());
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0], (1, Err("the fake host has no WebGPU".into())));
    let trained = answers[1].1.as_ref().expect("the CPU trains");
    assert_eq!(trained.picture.steps, 2);
}
