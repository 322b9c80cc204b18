//! The Modes panel's end of its own training worker: the page's module for the CPU, the WebGPU
//! variant for WebGPU (started again when the backend changes), one slice in flight at a time,
//! each answer matched to its run.

use futures_channel::oneshot;
use leptos::prelude::*;

use super::super::training_worker::{TrainingWorker, WorkerModule};
use crate::backend::choice::BackendKind;
use crate::lab::LabSettings;
use crate::lab::run::LabSlice;
use crate::protocol::{Command, Event};

/// What a slice comes back as.
type SliceAnswer = Result<LabSlice, String>;

/// The lab's worker, started on first use.
#[derive(Clone, Copy)]
pub(super) struct LabWorker {
    worker: StoredValue<Option<(BackendKind, TrainingWorker)>, LocalStorage>,
    /// The slice in flight: its run, and where its answer goes.
    waiting: StoredValue<Option<(u64, oneshot::Sender<SliceAnswer>)>, LocalStorage>,
}

impl LabWorker {
    /// No worker yet.
    pub fn new() -> Self {
        Self {
            worker: StoredValue::new_local(None),
            waiting: StoredValue::new_local(None),
        }
    }

    /// Trains run `run` (a fresh model of `settings` on `backend` if the worker has no such
    /// run) for `steps` steps and waits for the slice.
    pub async fn slice(
        self,
        run: u64,
        settings: LabSettings,
        backend: BackendKind,
        steps: usize,
        held_out: bool,
    ) -> SliceAnswer {
        self.ensure_worker(backend)?;
        let (sender, answer) = oneshot::channel();
        self.answer_waiting(Err("a newer slice replaced this one".into()));
        self.waiting.set_value(Some((run, sender)));
        let command = Command::LabSlice {
            run,
            settings,
            backend,
            steps,
            held_out,
        };
        self.worker
            .with_value(|w| w.as_ref().map(|(_, worker)| worker.send(&command)));
        answer.await.unwrap_or_else(|_| Err("the lab's worker stopped".into()))
    }

    /// Whether the worker now running would have to start a model afresh: it runs on another
    /// backend than `backend`, or there is none.
    pub fn is_fresh_for(self, backend: BackendKind) -> bool {
        self.worker
            .with_value(|w| w.as_ref().is_none_or(|(on, _)| *on != backend))
    }

    /// Starts a worker for `backend` unless the one running is.
    fn ensure_worker(self, backend: BackendKind) -> Result<(), String> {
        if !self.is_fresh_for(backend) {
            return Ok(());
        }
        self.end("the lab's worker was stopped".into());
        let module = match backend {
            BackendKind::Cpu => WorkerModule::Page,
            BackendKind::WebGpu => WorkerModule::WebGpu,
        };
        let on_event = move |event: Event| match event {
            Event::LabSlice { run, outcome } => {
                let ours = self.waiting.with_value(|w| w.as_ref().is_some_and(|(r, _)| *r == run));
                if ours {
                    self.answer_waiting(outcome);
                }
            }
            Event::Failed { message } | Event::Crashed { message } => self.end(message),
            _ => {}
        };
        let on_crash = move |why: String| self.end(why);
        let worker = TrainingWorker::spawn(module, on_event, on_crash)?;
        self.worker.set_value(Some((backend, worker)));
        Ok(())
    }

    /// Ends the worker (its model with it), the slice in flight answered with `why`: the next
    /// slice starts another.
    fn end(self, why: String) {
        self.answer_waiting(Err(why));
        if let Some((_, worker)) = self.worker.try_update_value(Option::take).flatten() {
            worker.terminate();
        }
    }

    fn answer_waiting(self, answer: SliceAnswer) {
        if let Some((_, sender)) = self.waiting.try_update_value(Option::take).flatten() {
            let _ = sender.send(answer);
        }
    }
}
