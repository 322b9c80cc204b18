//! The Augment panel's run: the plan it was given, the experiment running in a worker of its own
//! (the Train panel's worker keeps training meanwhile), its progress and its outcome.

use leptos::prelude::*;
use serde_bytes::ByteBuf;

use super::super::Runtime;
use super::super::pretrained::PretrainedStore;
use super::super::training_worker::{TrainingWorker, WorkerModule};
use crate::backend::choice::BackendPreference;
use crate::backend::memory::SpeedMemory;
use crate::experiment::augment::{ArmOutcome, AugmentPlan, AugmentProgress};
use crate::protocol::{Command, Event, PretrainedGenerator};
use crate::web::now_ms;

/// A finished experiment: the plan it ran and what it measured.
#[derive(Clone, PartialEq)]
pub(super) struct Finished {
    pub plan: AugmentPlan,
    pub outcomes: Vec<ArmOutcome>,
    pub seconds: f64,
}

/// The experiment's state, from a press of Run to its outcome.
#[derive(Clone, Copy)]
pub(super) struct Experiment {
    pub running: RwSignal<bool>,
    pub progress: RwSignal<Option<AugmentProgress>>,
    pub finished: RwSignal<Option<Finished>>,
    pub problem: RwSignal<Option<String>>,
    /// When the run began, in the page's milliseconds.
    pub started_at: StoredValue<f64>,
    worker: StoredValue<Option<TrainingWorker>, LocalStorage>,
    runtime: StoredValue<Runtime>,
    pretrained: PretrainedStore,
}

impl Experiment {
    /// Nothing run yet.
    pub fn new(runtime: StoredValue<Runtime>, pretrained: PretrainedStore) -> Self {
        Self {
            running: RwSignal::new(false),
            progress: RwSignal::new(None),
            finished: RwSignal::new(None),
            problem: RwSignal::new(None),
            started_at: StoredValue::new(0.0),
            worker: StoredValue::new_local(None),
            runtime,
            pretrained,
        }
    }

    fn stop_worker(self) {
        self.worker.with_value(|w| w.as_ref().map(TrainingWorker::terminate));
    }

    /// Ends the run with `message`.
    fn fail(self, message: String) {
        self.stop_worker();
        self.problem.set(Some(message));
        self.progress.set(None);
        self.running.set(false);
    }

    /// Stops the run: nothing is measured.
    pub fn stop(self) {
        self.fail("Stopped: nothing was measured.".into());
    }

    /// Runs `plan`, or says why it cannot: fetches the shipped generators its arms use, then
    /// hands everything to a new worker.
    pub fn run(self, plan: AugmentPlan) {
        if let Err(message) = plan.validate() {
            self.problem.set(Some(format!("Cannot run: {message}.")));
            return;
        }
        self.problem.set(None);
        self.running.set(true);
        self.started_at.set_value(now_ms());
        self.progress.set(Some(AugmentProgress {
            done: 0,
            total: plan.total_steps(),
            activity: "fetching the shipped conditional generators".into(),
        }));
        leptos::task::spawn_local(async move {
            match self.fetch_generators(&plan).await {
                Ok(generators) if self.running.get_untracked() => self.start_worker(plan, generators),
                Ok(_) => {}
                Err(message) => self.fail(message),
            }
        });
    }

    /// The shipped conditional generators `plan`'s arms need, with their settings.
    async fn fetch_generators(self, plan: &AugmentPlan) -> Result<Vec<PretrainedGenerator>, String> {
        let mut generators = Vec::new();
        for arm in plan.arms.iter().copied() {
            let Some(kind) = arm.pretrained_model() else { continue };
            let (entry, bytes) = self.pretrained.fetch_bytes(kind.id(), kind.label(), |_, _| {}).await?;
            let settings = entry
                .settings
                .ok_or_else(|| format!("The manifest gives no settings for the {}.", kind.label()))?;
            generators.push(PretrainedGenerator {
                arm,
                settings,
                weights: ByteBuf::from(bytes),
            });
        }
        Ok(generators)
    }

    fn start_worker(self, plan: AugmentPlan, generators: Vec<PretrainedGenerator>) {
        let ran = plan.clone();
        let on_event = move |event: Event| match event {
            Event::AugmentProgress(now) => self.progress.set(Some(now)),
            Event::AugmentFinished { outcomes } => {
                self.stop_worker();
                self.finished.set(Some(Finished {
                    plan: ran.clone(),
                    outcomes,
                    seconds: (now_ms() - self.started_at.get_value()) / 1000.0,
                }));
                self.progress.set(None);
                self.running.set(false);
            }
            Event::Failed { message } | Event::Crashed { message } => {
                self.fail(format!("The experiment stopped: {message}."))
            }
            _ => {}
        };
        let on_crash = move |message: String| self.fail(format!("The experiment stopped: {message}."));
        let files = self.runtime.with_value(|r| r.files.clone());
        // The worker of the last run is replaced (and dropped) here, outside its own handlers.
        match TrainingWorker::spawn(WorkerModule::Page, on_event, on_crash) {
            Ok(spawned) => {
                spawned.send(&Command::Start {
                    images: ByteBuf::from(files.images.clone()),
                    labels: ByteBuf::from(files.labels.clone()),
                    // Networks this small train faster on the CPU than through a GPU's dispatches.
                    backend: BackendPreference::Cpu,
                    remembered: SpeedMemory::default(),
                });
                spawned.send(&Command::Augment { plan, generators });
                self.worker.set_value(Some(spawned));
            }
            Err(message) => self.fail(format!("The experiment could not start: {message}.")),
        }
    }

    /// How far the run is, with an estimate of the time left.
    pub fn progress_text(self) -> Option<String> {
        self.progress.get().map(|p| {
            let fraction = p.done as f64 / p.total.max(1) as f64;
            let elapsed = (now_ms() - self.started_at.get_value()) / 1000.0;
            let left = if fraction > 0.02 {
                format!(", about {:.0} s left", elapsed * (1.0 - fraction) / fraction)
            } else {
                String::new()
            };
            format!("{:.0}% — {}{left}", fraction * 100.0, p.activity)
        })
    }
}
