//! The lab's training, in the Modes panel's own worker ([`LabWorker`]) on the backend the user
//! picks: slices of steps, each answered with its losses and picture; the page keeps the loss
//! history and a row of numbers for each run that reaches [`LAB_STEPS`].

use leptos::prelude::*;

use super::lab_worker::LabWorker;
use crate::backend::choice::BackendKind;
use crate::lab::LabSettings;
use crate::lab::run::{LabPicture, LabSlice};
use crate::train::LossHistory;
use crate::web::yield_to_browser;

/// Steps a run trains before it stops and records its row.
pub const LAB_STEPS: usize = 3_000;

/// A finished run: what it was and what it measured.
#[derive(Clone, PartialEq)]
pub(super) struct FinishedRun {
    pub settings: LabSettings,
    pub backend: BackendKind,
    pub modes: String,
    pub quality: String,
    pub nats: String,
    pub steps_per_second: String,
}

impl FinishedRun {
    fn new(run: &CurrentRun, last: &LabPicture, nats: Option<f64>) -> Self {
        let (modes, quality) = match &last.modes {
            Some(m) => (
                format!("{} of {}", m.captured, m.modes),
                format!("{:.1}%", 100.0 * m.high_quality),
            ),
            None => ("—".into(), "—".into()),
        };
        Self {
            settings: run.settings,
            backend: run.backend,
            modes,
            quality,
            nats: nats.map_or("—".into(), |n| format!("{n:.2}")),
            steps_per_second: run.steps_per_second().map_or("—".into(), |r| format!("{r:.0}")),
        }
    }
}

/// The run the page shows, as its worker trains it.
#[derive(Clone)]
struct CurrentRun {
    /// The page's number for it, which the worker knows it by.
    number: u64,
    settings: LabSettings,
    backend: BackendKind,
    history: LossHistory,
    /// Milliseconds its steps took in all, their read backs included.
    training_ms: f64,
}

impl CurrentRun {
    fn steps(&self) -> usize {
        self.history.len()
    }

    fn steps_per_second(&self) -> Option<f64> {
        (self.training_ms > 0.0).then(|| self.steps() as f64 * 1000.0 / self.training_ms)
    }
}

/// The lab's state: the run in training, what it shows, and the finished runs.
#[derive(Clone, Copy)]
pub(super) struct LabSession {
    pub lab: RwSignal<LabSettings>,
    pub backend: RwSignal<BackendKind>,
    pub running: RwSignal<bool>,
    pub picture: RwSignal<Option<LabPicture>>,
    /// The generator's arrow heads of the picture before, where its arrows start.
    pub previous_heads: StoredValue<Option<Vec<f32>>>,
    pub history: RwSignal<Option<LossHistory>>,
    /// Steps per second of the run shown, on its backend.
    pub speed: RwSignal<Option<f64>>,
    /// A finished autoencoder's or VAE's held-out figure, nats per point.
    pub held_out: RwSignal<Option<f64>>,
    pub problem: RwSignal<Option<String>>,
    pub rows: RwSignal<Vec<FinishedRun>>,
    current: StoredValue<Option<CurrentRun>>,
    /// The number the next fresh run gets.
    next_number: StoredValue<u64>,
    /// Bumped at each reset, so a slice in flight when it came is dropped when it ends.
    generation: StoredValue<u64>,
    /// Whether the training loop is alive (it may be waiting for a slice after a pause).
    looping: StoredValue<bool>,
    worker: LabWorker,
}

impl LabSession {
    /// Nothing trained, on `lab`'s settings and `backend`.
    pub fn new(lab: RwSignal<LabSettings>, backend: RwSignal<BackendKind>) -> Self {
        Self {
            lab,
            backend,
            running: RwSignal::new(false),
            picture: RwSignal::new(None),
            previous_heads: StoredValue::new(None),
            history: RwSignal::new(None),
            speed: RwSignal::new(None),
            held_out: RwSignal::new(None),
            problem: RwSignal::new(None),
            rows: RwSignal::new(Vec::new()),
            current: StoredValue::new(None),
            next_number: StoredValue::new(1),
            generation: StoredValue::new(0),
            looping: StoredValue::new(false),
            worker: LabWorker::new(),
        }
    }

    /// Forgets what the last model showed.
    fn clear(self) {
        self.picture.set(None);
        self.previous_heads.set_value(None);
        self.history.set(None);
        self.speed.set(None);
        self.held_out.set(None);
        self.problem.set(None);
    }

    /// Drops the model (a reset, or new settings while paused).
    pub fn restart(self) {
        self.generation.update_value(|g| *g += 1);
        self.running.set(false);
        self.current.set_value(None);
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

    /// The run to train next: the current one, or a fresh one where the settings or the
    /// backend changed, the run is finished, or its worker is gone.
    fn run_to_train(self) -> CurrentRun {
        let (settings, backend) = (self.lab.get_untracked(), self.backend.get_untracked());
        let current = self.current.get_value().filter(|run| {
            run.settings == settings
                && run.backend == backend
                && run.steps() < LAB_STEPS
                && !self.worker.is_fresh_for(backend)
        });
        current.unwrap_or_else(|| {
            self.clear();
            let number = self.next_number.get_value();
            self.next_number.set_value(number + 1);
            CurrentRun {
                number,
                settings,
                backend,
                history: LossHistory::default(),
                training_ms: 0.0,
            }
        })
    }

    /// Trains slice by slice while `running`; settings changed meanwhile start a fresh model.
    pub fn train(self) {
        self.running.set(true);
        if self.looping.get_value() {
            // The loop is waiting for a slice (paused meanwhile): it goes on from there.
            return;
        }
        self.looping.set_value(true);
        leptos::task::spawn_local(async move {
            let mut steps_per_slice = 1usize;
            while self.running.get_untracked() {
                let started_in = self.generation.get_value();
                let mut run = self.run_to_train();
                let steps = steps_per_slice.min(LAB_STEPS - run.steps());
                let last = run.steps() + steps >= LAB_STEPS;
                let answer = self
                    .worker
                    .slice(run.number, run.settings, run.backend, steps, last)
                    .await;
                if self.generation.get_value() != started_in {
                    // Reset meanwhile: this slice's model is gone.
                    continue;
                }
                match answer {
                    Ok(slice) => {
                        steps_per_slice = slice.next_steps(steps);
                        self.show(&mut run, slice);
                    }
                    Err(why) => {
                        self.current.set_value(None);
                        self.stop_with(format!("Training failed: {why}"));
                    }
                }
                yield_to_browser().await;
            }
            self.looping.set_value(false);
        });
    }

    /// Records `slice` of `run` and shows it; a finished run adds its row and stops.
    fn show(self, run: &mut CurrentRun, slice: LabSlice) {
        if run.history.names.is_empty() {
            run.history = LossHistory::new(&slice.loss_names);
        }
        let non_finite = run.history.extend_flat(&slice.losses);
        run.training_ms += slice.training_ms;
        self.history.set(Some(run.history.clone()));
        self.speed.set(run.steps_per_second());
        if let Some(step) = non_finite {
            self.current.set_value(Some(run.clone()));
            return self.stop_with(format!(
                "The loss is not a number from step {step} on: training stopped. Reset, or try another remedy."
            ));
        }
        if run.steps() >= LAB_STEPS {
            self.held_out.set(slice.held_out);
            self.rows
                .update(|r| r.push(FinishedRun::new(run, &slice.picture, slice.held_out)));
            self.running.set(false);
        }
        self.previous_heads
            .set_value(self.picture.get_untracked().map(|p| p.arrow_heads));
        self.picture.set(Some(slice.picture));
        self.current.set_value(Some(run.clone()));
    }

    fn stop_with(self, problem: String) {
        self.problem.set(Some(problem));
        self.running.set(false);
    }
}
