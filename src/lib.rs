//! genplay: a browser playground for deep generative models.
//!
//! - [`data`]: the shipped MNIST digits and their split.
//! - [`link`]: share links, the URL that restores a demo.
//! - [`model`]: the networks and their objectives, written once with burn, free of web code.
//! - [`train`]: the step-at-a-time training loop and held-out evaluation.
//! - [`weights`]: weights files in burn's format, their checks, and the shipped manifest.
//! - `app` (WebAssembly only): the leptos single-page app.
//! - `worker` (WebAssembly only): the Web Worker the Train panel's model trains in.
//! - `web` (WebAssembly only): browser plumbing both share.

pub mod data;
pub mod link;
pub mod model;
pub mod train;
pub mod weights;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod web;
#[cfg(target_arch = "wasm32")]
pub mod worker;
