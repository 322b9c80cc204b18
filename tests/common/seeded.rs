//! Sessions on the CPU backend for tests that seed burn's process-wide random generator.

use std::sync::{Mutex, MutexGuard};

use burn::tensor::Device;
use genplay::train::sessions::start_session;
use genplay::train::{HeldOutScores, Hyperparameters, ModelKind, Session, read_floats};

/// Burn seeds a backend's random generator process-wide, so tests that seed it take turns.
static SEEDED_DEVICE: Mutex<()> = Mutex::new(());

/// Takes this test's turn with the seeded device.
pub fn turn() -> MutexGuard<'static, ()> {
    SEEDED_DEVICE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The autodiff CPU device the native tests train on.
pub fn device() -> Device {
    Device::flex().autodiff()
}

/// Starts a session of `kind` with its default settings and `seed`, on the CPU backend.
pub fn session(kind: ModelKind, seed: u64) -> Box<dyn Session> {
    let settings = Hyperparameters {
        seed,
        ..Hyperparameters::defaults(kind)
    };
    start_session(kind, &settings, &super::mnist(), &device())
}

/// Held-out scores on all 1,000 held-out digits.
pub fn scores(session: &dyn Session) -> HeldOutScores {
    pollster::block_on(session.evaluate(1_000).read()).unwrap()
}

/// Runs `steps` steps and returns every step's loss terms.
pub fn train(session: &mut dyn Session, steps: usize) -> Vec<Vec<f32>> {
    (0..steps)
        .map(|_| pollster::block_on(read_floats(session.step())).unwrap())
        .collect()
}
