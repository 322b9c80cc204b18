//! What the training worker needs of the place it runs in: the browser's worker scope, or a
//! fake one in native tests.

use burn::tensor::Device;

use crate::protocol::{Command, Event};

/// The worker's surroundings. The core ([`super::WorkerCore`]) is one task that owns its state
/// and awaits only these, so every interleaving of commands and training slices goes through
/// [`Host::try_command`] and [`Host::next_command`], where a test can script it.
///
/// Single-threaded by design (a Web Worker runs one task at a time), so the futures need not be
/// `Send`.
#[allow(async_fn_in_trait)]
pub trait Host {
    /// Sends `event` to the page.
    fn post(&self, event: Event);
    /// The next command from the page if one has arrived, without waiting.
    fn try_command(&mut self) -> Option<Command>;
    /// Waits for the next command from the page; `None` when none will ever come.
    async fn next_command(&mut self) -> Option<Command>;
    /// Milliseconds on a monotonic clock (for slice lengths and speeds).
    fn now_ms(&self) -> f64;
    /// Milliseconds since 1970 by the wall clock (for dates kept across visits).
    fn wall_clock_ms(&self) -> f64;
    /// Lets the surroundings handle what is waiting (messages from the page, resolved reads).
    async fn yield_now(&self);
    /// Opens the WebGPU device (autodiff enabled) and names its adapter, or says why there is
    /// none. Called at most once per worker.
    async fn open_webgpu(&self) -> Result<(Device, String), String>;
}
