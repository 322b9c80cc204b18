//! The lab's training on the page: slices of steps between frames (burn's CPU backend; these
//! networks are small enough that a slice takes a few milliseconds), the latest picture, and a
//! row of numbers for each run that reaches [`LAB_STEPS`].

use leptos::prelude::*;

use super::super::Runtime;
use crate::lab::LabSettings;
use crate::lab::run::{LabPicture, LabRun};
use crate::train::LossHistory;
use crate::web::{now_ms, yield_to_browser};

/// Steps a run trains before it stops and records its row.
pub const LAB_STEPS: usize = 3_000;
/// Time a slice of steps aims for, in milliseconds, so the page stays responsive.
const SLICE_MS: f64 = 30.0;

/// A finished run: what it was and what it measured.
#[derive(Clone, PartialEq)]
pub(super) struct FinishedRun {
    pub settings: LabSettings,
    pub modes: String,
    pub quality: String,
    pub nats: String,
}

impl FinishedRun {
    fn new(settings: LabSettings, last: &LabPicture, nats: Option<f64>) -> Self {
        let (modes, quality) = match &last.modes {
            Some(m) => (
                format!("{} of {}", m.captured, m.modes),
                format!("{:.1}%", 100.0 * m.high_quality),
            ),
            None => ("—".into(), "—".into()),
        };
        let nats = nats.map_or("—".into(), |n| format!("{n:.2}"));
        Self {
            settings,
            modes,
            quality,
            nats,
        }
    }
}

/// The lab's state: the run in training, what it shows, and the finished runs.
#[derive(Clone, Copy)]
pub(super) struct LabSession {
    pub lab: RwSignal<LabSettings>,
    pub running: RwSignal<bool>,
    pub picture: RwSignal<Option<LabPicture>>,
    /// The generator's arrow heads of the picture before, where its arrows start.
    pub previous_heads: StoredValue<Option<Vec<f32>>>,
    pub history: RwSignal<Option<LossHistory>>,
    /// A finished autoencoder's or VAE's held-out figure, nats per point.
    pub held_out: RwSignal<Option<f64>>,
    pub problem: RwSignal<Option<String>>,
    pub rows: RwSignal<Vec<FinishedRun>>,
    run: StoredValue<Option<LabRun>, LocalStorage>,
    /// Bumped at each reset, so a slice in flight when it came is dropped when it ends.
    generation: StoredValue<u64>,
    runtime: StoredValue<Runtime>,
}

impl LabSession {
    /// Nothing trained, on `lab`'s settings.
    pub fn new(runtime: StoredValue<Runtime>, lab: RwSignal<LabSettings>) -> Self {
        Self {
            lab,
            running: RwSignal::new(false),
            picture: RwSignal::new(None),
            previous_heads: StoredValue::new(None),
            history: RwSignal::new(None),
            held_out: RwSignal::new(None),
            problem: RwSignal::new(None),
            rows: RwSignal::new(Vec::new()),
            run: StoredValue::new_local(None),
            generation: StoredValue::new(0),
            runtime,
        }
    }

    /// Forgets what the last model showed.
    fn clear(self) {
        self.picture.set(None);
        self.previous_heads.set_value(None);
        self.history.set(None);
        self.held_out.set(None);
        self.problem.set(None);
    }

    /// Drops the model (a reset, or new settings while paused).
    pub fn restart(self) {
        self.generation.update_value(|g| *g += 1);
        self.running.set(false);
        self.run.set_value(None);
        self.clear();
    }

    /// Pauses a run in training, or trains.
    pub fn toggle(self) {
        if self.running.get_untracked() {
            self.running.set(false);
        } else {
            self.train();
        }
    }

    /// Trains slice by slice while `running`; settings changed meanwhile start a fresh model.
    pub fn train(self) {
        if self.running.get_untracked() {
            return;
        }
        self.running.set(true);
        let started_in = self.generation.get_value();
        leptos::task::spawn_local(async move {
            let mut steps_per_slice = 1usize;
            while self.running.get_untracked() && self.generation.get_value() == started_in {
                let settings = self.lab.get_untracked();
                let mut current = match self.run.try_update_value(Option::take).flatten() {
                    Some(current) if *current.settings() == settings && current.steps() < LAB_STEPS => current,
                    _ => {
                        self.clear();
                        self.runtime.with_value(|r| LabRun::new(settings, &r.device))
                    }
                };
                let started = now_ms();
                let slice = steps_per_slice.min(LAB_STEPS - current.steps());
                let outcome = current.advance(slice).await;
                let elapsed = now_ms() - started;
                steps_per_slice =
                    ((steps_per_slice as f64 * SLICE_MS / elapsed.max(1.0)).round() as usize).clamp(1, 200);
                let drawn = current.picture().await;
                let done = current.steps() >= LAB_STEPS;
                let nats = match done {
                    true => current.held_out().await.map(|s| s.nats()),
                    false => None,
                };
                let history = current.history().clone();
                if self.generation.get_value() != started_in {
                    break;
                }
                self.run.set_value(Some(current));
                match (outcome, drawn) {
                    (Ok(Some(step)), _) => self.stop_with(format!(
                        "The loss is not a number from step {step} on: training stopped. Reset, or try another remedy."
                    )),
                    (Err(e), _) | (_, Err(e)) => self.stop_with(format!("Training failed: {e}")),
                    (Ok(None), Ok(drawn)) => {
                        self.history.set(Some(history));
                        if done {
                            self.held_out.set(nats);
                            self.rows.update(|r| r.push(FinishedRun::new(settings, &drawn, nats)));
                            self.running.set(false);
                        }
                        self.previous_heads
                            .set_value(self.picture.get_untracked().map(|p| p.arrow_heads));
                        self.picture.set(Some(drawn));
                    }
                }
                yield_to_browser().await;
            }
        });
    }

    fn stop_with(self, problem: String) {
        self.problem.set(Some(problem));
        self.running.set(false);
    }
}
