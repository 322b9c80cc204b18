//! The Modes lab's model in the worker: one run at a time, numbered by the page, trained slice
//! by slice on the device it was started on, each slice answered with its losses and picture.

use burn::tensor::Device;

use super::host::Host;
use crate::lab::LabSettings;
use crate::lab::run::{LabRun, LabSlice};

/// The lab's current run and the page's number for it.
#[derive(Default)]
pub(super) struct LabBench {
    current: Option<(u64, LabRun)>,
}

impl LabBench {
    /// Whether the run numbered `run` is the one held.
    pub fn holds(&self, run: u64) -> bool {
        self.current.as_ref().is_some_and(|(number, _)| *number == run)
    }

    /// Replaces the run held by a fresh one of `settings` on `device`, numbered `run`.
    pub fn start(&mut self, run: u64, settings: LabSettings, device: &Device) {
        self.current = Some((run, LabRun::new(settings, device)));
    }

    /// Trains the run held `steps` steps and reports them with the picture after them (and,
    /// with `held_out`, the held-out figure); `host` times the steps.
    pub async fn slice(&mut self, steps: usize, held_out: bool, host: &impl Host) -> Result<LabSlice, String> {
        let (_, lab) = self.current.as_mut().ok_or("the lab has no model to train")?;
        let started = host.now_ms();
        let losses = lab.train(steps).await.map_err(|e| e.to_string())?;
        let training_ms = host.now_ms() - started;
        let picture = lab.picture().await.map_err(|e| e.to_string())?;
        let held_out = match held_out {
            true => lab.held_out().await.map(|scores| scores.nats()),
            false => None,
        };
        Ok(LabSlice {
            loss_names: lab.history().names.clone(),
            losses,
            picture,
            held_out,
            training_ms,
            picture_ms: host.now_ms() - started - training_ms,
        })
    }
}
