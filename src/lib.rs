//! genplay: a browser playground for deep generative models.
//!
//! - [`data`]: the shipped MNIST digits and their split.
//! - [`link`]: share links, the URL that restores a demo.
//! - [`pointing`]: keyboard operation of the surfaces a user points at (the Draw pad, the latent plane).
//! - [`model`]: the networks and their objectives, written once with burn, free of web code.
//! - [`zoo`]: the models there are, their settings and their burn configurations.
//! - [`train`]: the step-at-a-time training loop, sessions, and held-out scores.
//! - [`eval`]: what the Compare, Explore and Draw panels compute of any session: comparisons,
//!   sample quality, latent planes.
//! - [`experiment`]: the data-augmentation experiment.
//! - [`lab`]: the mode-collapse lab: GAN, VAE and autoencoder on 2-D data, remedies, mode metrics.
//! - [`backend`]: which backend a model trains on, by measurement, remembered across visits.
//! - [`protocol`]: the messages between the page and its training worker.
//! - [`tour`]: the guided tour through the article's comparison, one share link per step.
//! - [`weights`]: weights files in burn's format, their checks, and the shipped manifest.
//! - [`page`]: the Train panel's state as plain data, kept in step with the training worker.
//! - `app` (WebAssembly only): the leptos single-page app.
//! - [`worker`]: the training worker's logic over a small host trait (the browser's Web Worker,
//!   or a fake host in native tests).
//! - `web` (WebAssembly only): browser plumbing both share.

pub mod backend;
pub mod data;
pub mod eval;
pub mod experiment;
pub mod lab;
pub mod link;
pub mod model;
pub mod page;
pub mod pointing;
pub mod protocol;
pub mod tour;
pub mod train;
pub mod weights;
pub mod worker;
pub mod zoo;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod web;

/// Burn seeds its backends' random generator process-wide, so the unit tests that seed it and
/// draw from it take turns: each holds this for as long as it uses the generator.
#[cfg(test)]
pub(crate) fn seeded_turn() -> std::sync::MutexGuard<'static, ()> {
    static SEEDED: std::sync::Mutex<()> = std::sync::Mutex::new(());
    SEEDED.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
