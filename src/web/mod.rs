//! Browser plumbing shared by the page ([`crate::app`]) and the training worker
//! ([`crate::worker`]): opening the backends, the event loop's clocks and yield, and the page's
//! local storage.

pub mod backend;
pub mod event_loop;
pub mod storage;

pub use backend::{BackendInfo, browser_offers_webgpu, open_webgpu};
pub use event_loop::{now_ms, wall_clock_ms, yield_to_browser};

use wasm_bindgen::{JsCast, JsValue};

/// Plain words for a JavaScript error value: an `Error`'s message, a thrown string, or "unknown
/// error".
pub fn describe(error: JsValue) -> String {
    error
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".into())
}
