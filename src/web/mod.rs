//! Browser plumbing shared by the page ([`crate::app`]) and the training worker
//! ([`crate::worker`]): opening the backends, the event loop's clocks and yield, and the page's
//! local storage.

pub mod backend;
pub mod event_loop;
pub mod storage;

pub use backend::{BackendInfo, browser_offers_webgpu, open_webgpu};
pub use event_loop::{now_ms, wall_clock_ms, yield_to_browser};
