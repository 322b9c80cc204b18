//! The training worker: the Train panel's model trains here, in a dedicated Web Worker, so no
//! training step ever runs on the page's main thread, whatever the model or backend. The Augment
//! panel starts a second instance for its experiment ([`Command::Augment`]), the Modes panel one
//! for its lab ([`Command::LabSlice`]), on the CPU or WebGPU as the user picks. The page sends
//! [`Command`]s and hears [`Event`]s ([`crate::protocol`]).
//!
//! The worker's logic is plain Rust ([`WorkerCore`]) over a small [`Host`] trait: posting an
//! event, the next command, the clocks, a yield to the event loop and opening WebGPU. The
//! browser's host and the entry point `www/train-worker.js` calls live in `browser.rs`
//! (WebAssembly only); natively the core runs under a fake host in `cargo test`. The page's
//! watch over its worker (heartbeat, restart budget) is [`supervision`].
//!
//! [`Command`]: crate::protocol::Command
//! [`Command::Augment`]: crate::protocol::Command::Augment
//! [`Command::LabSlice`]: crate::protocol::Command::LabSlice
//! [`Event`]: crate::protocol::Event

mod core;
mod host;
mod lab;
mod preview_pace;
pub mod supervision;

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(test)]
pub(crate) mod fake_host;
#[cfg(test)]
mod tests;

pub use core::{CODE_PROBE, COVERAGE_INTERVAL, COVERAGE_SAMPLES, WorkerCore};
pub use host::Host;

#[cfg(target_arch = "wasm32")]
pub use browser::run_training_worker;
