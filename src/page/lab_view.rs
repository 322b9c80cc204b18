//! The Modes lab's side of its conversation with its worker, as plain data: which run the next
//! slice trains (the one shown, or a fresh one when the settings or the backend changed, the run
//! is finished, or its worker is gone), and what each slice adds (losses, steps/s, the finished
//! run's row). The leptos panel holds one [`LabView`] and draws what it says.

use crate::backend::choice::BackendKind;
use crate::lab::LabSettings;
use crate::lab::run::{LabPicture, LabSlice};
use crate::train::LossHistory;

/// Steps a lab run trains before it stops and records its row.
pub const LAB_STEPS: usize = 3_000;

/// The run the page shows, as its worker trains it.
#[derive(Debug, Clone, PartialEq)]
pub struct LabRunView {
    /// The page's number for it, which the worker knows it by.
    pub number: u64,
    /// What it is made of.
    pub settings: LabSettings,
    /// Where it trains.
    pub backend: BackendKind,
    /// Its losses so far.
    pub history: LossHistory,
    /// Milliseconds its steps took in all, their read backs included.
    pub training_ms: f64,
}

impl LabRunView {
    /// Steps trained.
    pub fn steps(&self) -> usize {
        self.history.len()
    }

    /// Steps per second so far, once a slice was timed.
    pub fn steps_per_second(&self) -> Option<f64> {
        (self.training_ms > 0.0).then(|| self.steps() as f64 * 1000.0 / self.training_ms)
    }
}

/// A finished run: what it was and what it measured, as the lab table shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct FinishedRun {
    /// What it was made of.
    pub settings: LabSettings,
    /// Where it trained.
    pub backend: BackendKind,
    /// Modes captured, "7 of 8" (a dash for data without modes).
    pub modes: String,
    /// The share of high-quality samples, "52.4%".
    pub quality: String,
    /// The held-out figure of an autoencoder or VAE, nats per point.
    pub nats: String,
    /// Its steps per second.
    pub steps_per_second: String,
}

impl FinishedRun {
    fn new(run: &LabRunView, last: &LabPicture, nats: Option<f64>) -> Self {
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

/// What a slice did to the run shown.
#[derive(Debug, Clone, PartialEq)]
pub enum SliceOutcome {
    /// It trained on.
    Going,
    /// Its losses stopped being finite at this step: training stops.
    NotFinite(usize),
    /// It reached [`LAB_STEPS`]: its row.
    Finished(FinishedRun),
}

/// The lab's run and the numbering of runs.
#[derive(Debug, Clone, Default)]
pub struct LabView {
    current: Option<LabRunView>,
    numbered: u64,
}

impl LabView {
    /// The run shown, if any.
    pub fn current(&self) -> Option<&LabRunView> {
        self.current.as_ref()
    }

    /// Forgets the run shown (a reset, or a worker that failed): the next slice starts afresh.
    pub fn forget(&mut self) {
        self.current = None;
    }

    /// The run the next slice trains, on `settings` and `backend`: the one shown, or a fresh one
    /// where those changed, it is finished, or `worker_is_fresh` (the worker that held it is
    /// gone). Returns it and whether it is fresh.
    pub fn run_to_train(
        &mut self,
        settings: LabSettings,
        backend: BackendKind,
        worker_is_fresh: bool,
    ) -> (&LabRunView, bool) {
        let goes_on = self.current.as_ref().is_some_and(|run| {
            run.settings == settings && run.backend == backend && run.steps() < LAB_STEPS && !worker_is_fresh
        });
        if !goes_on {
            self.numbered += 1;
            self.current = Some(LabRunView {
                number: self.numbered,
                settings,
                backend,
                history: LossHistory::default(),
                training_ms: 0.0,
            });
        }
        (self.current.as_ref().expect("set above"), !goes_on)
    }

    /// Steps the next slice of the run shown trains (`wanted`, at most what is left), and
    /// whether it is the run's last (it reaches [`LAB_STEPS`]).
    pub fn next_slice(&self, wanted: usize) -> (usize, bool) {
        self.current.as_ref().map_or((0, false), |run| {
            let steps = wanted.min(LAB_STEPS - run.steps());
            (steps, run.steps() + steps >= LAB_STEPS)
        })
    }

    /// Records `slice` of run `number`; a slice of another run (one replaced meanwhile) changes
    /// nothing and returns `None`.
    pub fn record(&mut self, number: u64, slice: &LabSlice) -> Option<SliceOutcome> {
        let run = self.current.as_mut().filter(|run| run.number == number)?;
        if run.history.names.is_empty() {
            run.history = LossHistory::new(&slice.loss_names);
        }
        let not_finite = run.history.extend_flat(&slice.losses);
        run.training_ms += slice.training_ms;
        Some(match not_finite {
            Some(step) => SliceOutcome::NotFinite(step),
            None if run.steps() >= LAB_STEPS => {
                SliceOutcome::Finished(FinishedRun::new(run, &slice.picture, slice.held_out))
            }
            None => SliceOutcome::Going,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lab::LabModel;
    use crate::lab::modes::ModeScore;

    fn slice(steps: usize, loss: f32, training_ms: f64) -> LabSlice {
        LabSlice {
            loss_names: vec!["d_loss".into(), "g_loss".into()],
            losses: vec![loss; 2 * steps],
            picture: LabPicture {
                modes: Some(ModeScore {
                    captured: 7,
                    modes: 8,
                    high_quality: 0.5,
                    per_mode: vec![],
                    median_distance: 1.0,
                }),
                ..LabPicture::default()
            },
            held_out: None,
            training_ms,
            picture_ms: 1.0,
        }
    }

    #[test]
    fn a_run_goes_on_until_its_settings_backend_budget_or_worker_change() {
        let mut view = LabView::default();
        let ring = LabSettings::default();
        let (first, fresh) = view.run_to_train(ring, BackendKind::Cpu, true);
        assert_eq!((first.number, fresh), (1, true));
        assert_eq!(view.record(1, &slice(10, 1.0, 20.0)), Some(SliceOutcome::Going));
        assert_eq!(
            view.run_to_train(ring, BackendKind::Cpu, false).0.steps(),
            10,
            "the same run goes on"
        );
        let vae = LabSettings {
            model: LabModel::Vae,
            ..ring
        };
        let changed = [
            (vae, BackendKind::Cpu, false),
            (vae, BackendKind::WebGpu, false),
            (vae, BackendKind::WebGpu, true),
        ];
        for (number, (settings, backend, gone)) in (2..).zip(changed) {
            let (run, fresh) = view.run_to_train(settings, backend, gone);
            assert_eq!((run.number, run.steps(), fresh), (number, 0, true));
        }
        view.forget();
        assert_eq!(
            view.run_to_train(vae, BackendKind::WebGpu, false).0.number,
            5,
            "numbers never repeat"
        );
    }

    #[test]
    fn slices_add_their_losses_and_time_and_the_budget_ends_the_run_with_its_row() {
        let mut view = LabView::default();
        view.run_to_train(LabSettings::default(), BackendKind::WebGpu, true);
        assert_eq!(
            view.record(9, &slice(5, 1.0, 10.0)),
            None,
            "another run's slice changes nothing"
        );
        assert_eq!(view.next_slice(200), (200, false));
        view.record(1, &slice(LAB_STEPS - 100, 1.0, 1_000.0));
        assert_eq!(view.next_slice(200), (100, true), "never past the budget, and the last");
        let Some(SliceOutcome::Finished(row)) = view.record(1, &slice(100, 0.5, 250.0)) else {
            panic!("the run reached its budget")
        };
        assert_eq!((row.modes.as_str(), row.quality.as_str()), ("7 of 8", "50.0%"));
        assert_eq!(
            (row.backend, row.steps_per_second.as_str()),
            (BackendKind::WebGpu, "2400")
        );
        assert_eq!(view.current().unwrap().history.series[1].last(), Some(&0.5));
        let (next, fresh) = view.run_to_train(LabSettings::default(), BackendKind::WebGpu, false);
        assert_eq!((next.number, fresh), (2, true), "a finished run is not trained on");
    }

    #[test]
    fn a_loss_that_is_not_finite_stops_at_its_step() {
        let mut view = LabView::default();
        view.run_to_train(LabSettings::default(), BackendKind::Cpu, true);
        view.record(1, &slice(4, 1.0, 5.0));
        let mut bad = slice(3, 1.0, 5.0);
        bad.losses[3] = f32::NAN;
        assert_eq!(view.record(1, &bad), Some(SliceOutcome::NotFinite(6)));
    }
}
