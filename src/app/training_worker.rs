//! The page's end of the training worker: starts `train-worker.js` as a module worker, tells it
//! which WebAssembly module to run ([`WorkerModule`]), and carries [`Command`]s there and
//! [`Event`]s back.

use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, MessageEvent, Worker, WorkerOptions, WorkerType};

use crate::protocol::{Command, Event};

/// The worker's loader script, next to the wasm-bindgen glue in the built site.
const LOADER: &str = "train-worker.js";
/// The glue of the module variant with WebGPU, next to it (www/build-webgpu-module.sh).
const WEBGPU_GLUE: &str = "genplay-webgpu.js";

/// Which WebAssembly module a worker runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkerModule {
    /// The page's own module, CPU only, handed over already compiled.
    Page,
    /// The variant with WebGPU, which the worker fetches and compiles; where it does not load,
    /// the worker runs the page's module and says why.
    WebGpu,
}

/// A running training worker. Dropping it leaves the worker running but no longer heard (its
/// handlers are taken off first, so an event already on its way, such as the error that
/// follows a panic, finds none rather than a dropped closure); [`TrainingWorker::terminate`]
/// ends it (the Train panel starts another when its backend needs the other module).
pub struct TrainingWorker {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(ErrorEvent)>,
}

impl TrainingWorker {
    /// Starts the worker. `on_event` hears every event it sends; `on_crash` hears why, if the
    /// worker itself fails.
    pub fn spawn(
        module: WorkerModule,
        on_event: impl Fn(Event) + 'static,
        on_crash: impl Fn(String) + 'static,
    ) -> Result<Self, String> {
        let glue = glue_url().ok_or("the page does not name its WebAssembly glue script")?;
        let beside_glue = |file: &str| {
            web_sys::Url::new_with_base(file, &glue)
                .map(|url| url.href())
                .map_err(|e| format!("no address for {file} ({e:?})"))
        };
        let loader = beside_glue(LOADER)?;
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
        let set = |object: &js_sys::Object, key: &str, value: &JsValue| {
            js_sys::Reflect::set(object, &key.into(), value).map_err(|e| format!("{e:?}"))
        };
        let page_module = js_sys::Object::new();
        set(&page_module, "glue", &glue.clone().into())?;
        set(&page_module, "module", &wasm_bindgen::module())?;
        let boot = match module {
            WorkerModule::Page => page_module,
            WorkerModule::WebGpu => {
                let boot = js_sys::Object::new();
                set(&boot, "glue", &beside_glue(WEBGPU_GLUE)?.into())?;
                set(&boot, "fallback", &page_module)?;
                boot
            }
        };
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

impl Drop for TrainingWorker {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
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
