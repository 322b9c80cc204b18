//! genplay: a browser playground for deep generative models.
//!
//! - [`data`]: the shipped MNIST digits and their split.
//! - [`model`]: the networks and their objectives, written once with burn, free of web code.
//! - [`train`]: the step-at-a-time training loop and held-out evaluation.
//! - `app` (WebAssembly only): the leptos single-page app.

pub mod data;
pub mod model;
pub mod train;

#[cfg(target_arch = "wasm32")]
pub mod app;
