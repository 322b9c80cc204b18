//! The page's end of the training worker: starts `train-worker.js` as a module worker, hands it
//! this page's own WebAssembly module, and carries [`Command`]s there and [`Event`]s back.

use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::train::protocol::{Command, Event};

/// The worker's loader script, next to the wasm-bindgen glue in the built site.
const LOADER: &str = "train-worker.js";

/// A running training worker. Dropping it leaves the worker running; the page keeps one for
/// its whole life.
pub struct TrainingWorker {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl TrainingWorker {
    /// Starts the worker. `on_event` hears every event it sends; `on_crash` hears why, if the
    /// worker itself fails.
    pub fn spawn(on_event: impl Fn(Event) + 'static, on_crash: impl Fn(String) + 'static) -> Result<Self, String> {
        let glue = glue_url().ok_or("the page does not name its WebAssembly glue script")?;
        let loader = web_sys::Url::new_with_base(LOADER, &glue)
            .map_err(|e| format!("no address for the training worker ({e:?})"))?
            .href();
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        let worker = Worker::new_with_options(&loader, &options)
            .map_err(|e| format!("this browser could not start the training worker ({e:?})"))?;
        let on_message =
            Closure::<dyn FnMut(MessageEvent)>::new(
                move |message: MessageEvent| match serde_wasm_bindgen::from_value::<Event>(message.data()) {
                    Ok(event) => on_event(event),
                    Err(e) => {
                        web_sys::console::error_1(&format!("unreadable message from the training worker: {e}").into())
                    }
                },
            );
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |error: ErrorEvent| {
            on_crash(format!("the training worker failed ({})", error.message()));
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        let boot = js_sys::Object::new();
        js_sys::Reflect::set(&boot, &"glue".into(), &glue.into()).map_err(|e| format!("{e:?}"))?;
        js_sys::Reflect::set(&boot, &"module".into(), &wasm_bindgen::module()).map_err(|e| format!("{e:?}"))?;
        worker
            .post_message(&boot)
            .map_err(|e| format!("could not hand the module to the training worker ({e:?})"))?;
        Ok(Self {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Stops the worker at once, whatever it is doing; it hears no more commands.
    pub fn terminate(&self) {
        self.worker.terminate();
    }

    /// Sends `command` to the worker.
    pub fn send(&self, command: &Command) {
        let sent = serde_wasm_bindgen::to_value(command)
            .map_err(|e| format!("{e}"))
            .and_then(|value| self.worker.post_message(&value).map_err(|e| format!("{e:?}")));
        if let Err(e) = sent {
            web_sys::console::error_1(&format!("could not send a command to the training worker: {e}").into());
        }
    }
}

/// The absolute address of this module's wasm-bindgen glue, from the `modulepreload` link that
/// Trunk writes into the page.
fn glue_url() -> Option<String> {
    let document = web_sys::window()?.document()?;
    let link = document
        .query_selector("link[rel=modulepreload][href$='.js']")
        .ok()??
        .dyn_into::<web_sys::HtmlLinkElement>()
        .ok()?;
    Some(link.href())
}
