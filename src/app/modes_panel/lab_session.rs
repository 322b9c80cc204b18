//! The lab's training, in the Modes panel's own worker ([`LabWorker`]) on the backend the user
//! picks: slices of steps, each answered with its losses and picture. Which run a slice trains
//! and what it adds is [`LabView`]'s (native); this holds it and the signals the panel draws.

use leptos::prelude::*;

use super::lab_worker::LabWorker;
use crate::backend::choice::BackendKind;
use crate::lab::LabSettings;
use crate::lab::run::LabPicture;
use crate::page::{FinishedRun, LabView, SliceOutcome};
use crate::train::LossHistory;
use crate::web::yield_to_browser;

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
    view: StoredValue<LabView>,
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
            view: StoredValue::new(LabView::default()),
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
        self.view.update_value(LabView::forget);
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
        self.running.set(true);
        if self.looping.get_value() {
            // The loop is waiting for a slice (paused meanwhile): it goes on from there.
            return;
        }
        self.looping.set_value(true);
        leptos::task::spawn_local(async move {
            let mut wanted = 1usize;
            while self.running.get_untracked() {
                let started_in = self.generation.get_value();
                let (settings, backend) = (self.lab.get_untracked(), self.backend.get_untracked());
                let worker_is_fresh = self.worker.is_fresh_for(backend);
                let (number, fresh) = self
                    .view
                    .try_update_value(|view| {
                        let (run, fresh) = view.run_to_train(settings, backend, worker_is_fresh);
                        (run.number, fresh)
                    })
                    .expect("the view lives as long as the panel");
                if fresh {
                    self.clear();
                }
                let (steps, last) = self.view.with_value(|view| view.next_slice(wanted));
                let answer = self.worker.slice(number, settings, backend, steps, last).await;
                if self.generation.get_value() != started_in {
                    // Reset meanwhile: this slice's model is gone.
                    continue;
                }
                match answer {
                    Ok(slice) => {
                        wanted = slice.next_steps(steps);
                        let outcome = self.view.try_update_value(|view| view.record(number, &slice)).flatten();
                        self.view.with_value(|view| {
                            let run = view.current();
                            self.history.set(run.map(|run| run.history.clone()));
                            self.speed.set(run.and_then(|run| run.steps_per_second()));
                        });
                        match outcome {
                            Some(SliceOutcome::NotFinite(step)) => {
                                self.stop_with(format!(
                                    "The loss is not a number from step {step} on: training stopped. Reset, or try another remedy."
                                ));
                                continue;
                            }
                            Some(SliceOutcome::Finished(row)) => {
                                self.held_out.set(slice.held_out);
                                self.rows.update(|rows| rows.push(row));
                                self.running.set(false);
                            }
                            Some(SliceOutcome::Going) | None => {}
                        }
                        self.previous_heads
                            .set_value(self.picture.get_untracked().map(|p| p.arrow_heads));
                        self.picture.set(Some(slice.picture));
                    }
                    Err(why) => {
                        self.view.update_value(LabView::forget);
                        self.stop_with(format!("Training failed: {why}"));
                    }
                }
                yield_to_browser().await;
            }
            self.looping.set_value(false);
        });
    }

    fn stop_with(self, problem: String) {
        self.problem.set(Some(problem));
        self.running.set(false);
    }
}
