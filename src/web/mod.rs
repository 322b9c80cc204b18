//! Browser plumbing shared by the page ([`crate::app`]) and the training worker
//! ([`crate::worker`]): opening the backends, and the event loop's clock and yield.

pub mod backend;
pub mod event_loop;

pub use backend::{BackendInfo, address_backend_preference, browser_offers_webgpu, open_webgpu};
pub use event_loop::{now_ms, yield_to_browser};
