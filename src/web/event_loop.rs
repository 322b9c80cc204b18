//! The event loop as long-running work sees it, on the page or in a worker: a clock, and a way
//! to let the browser handle what is waiting before going on.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Lets the browser handle events (and, on the page, paint) before going on. A message to
/// oneself is used rather than a timer: browsers throttle timers in background tabs (to once a
/// second or less), not messages, so work keeps its pace when the tab is hidden.
pub async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let posted = web_sys::MessageChannel::new().and_then(|channel| {
            channel.port1().set_onmessage(Some(&resolve));
            channel.port2().post_message(&JsValue::NULL)
        });
        if posted.is_err() {
            // No channel: resolve at once; the await still returns to the event loop.
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = JsFuture::from(promise).await;
}

/// Milliseconds since the page (or worker) started, from the high-resolution clock.
pub fn now_ms() -> f64 {
    js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| p.dyn_into::<web_sys::Performance>().ok())
        .map_or(0.0, |p| p.now())
}

/// Milliseconds since 1970 by the wall clock (JavaScript's `Date.now()`): for dates kept across
/// visits, where [`now_ms`] restarts with each page.
pub fn wall_clock_ms() -> f64 {
    js_sys::Date::now()
}
