//! The training worker in the browser (WebAssembly only): the [`Host`] of a dedicated Web
//! Worker's scope, and the entry point.
//!
//! `www/train-worker.js` loads this same WebAssembly module (the page sends it its compiled
//! module, so it is not compiled twice) and calls [`run_training_worker`].

use std::cell::RefCell;
use std::collections::BTreeMap;

use burn::tensor::Device;
use futures_channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::core::WorkerCore;
use super::host::Host;
use crate::protocol::{Command, Event, crash_message};
use crate::web::{now_ms, open_webgpu, wall_clock_ms, yield_to_browser};

/// A request waiting for its answer, as the panic hook answers it.
#[derive(Clone, Copy)]
enum Pending {
    Load,
    Export,
}

thread_local! {
    /// Load and export requests taken from the page and not answered yet, by request number:
    /// if the worker panics, the hook answers each with an error, so no caller waits forever.
    /// Only ever borrowed for a single insert, remove or take, never across an await.
    static PENDING: RefCell<BTreeMap<u64, Pending>> = const { RefCell::new(BTreeMap::new()) };
}

/// Entry point, called by `www/train-worker.js` once the module is loaded, with the messages
/// that arrived meanwhile and, if the WebGPU module did not load (so this is the page's), why.
/// Takes over the worker's `onmessage`.
#[wasm_bindgen]
pub fn run_training_worker(pending: js_sys::Array, webgpu_problem: Option<String>) {
    std::panic::set_hook(Box::new(|info| {
        // The console gets the panic with where it happened; the page, its words on one line.
        console_error_panic_hook::hook(info);
        let message = crash_message(info.payload_as_str().unwrap_or_default());
        answer_pending_with(&format!("the training worker stopped ({message})"));
        post(&Event::Crashed { message });
    }));
    let (sender, receiver) = unbounded();
    for message in pending.iter() {
        receive(&sender, message);
    }
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        receive(&sender, event.data());
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The handler lives as long as the worker.
    on_message.forget();
    let mut core = WorkerCore::new(BrowserHost { commands: receiver }, webgpu_problem);
    wasm_bindgen_futures::spawn_local(async move {
        core.run().await;
    });
}

/// The worker's global scope.
fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Sends `event` to the page.
fn post(event: &Event) {
    match serde_wasm_bindgen::to_value(event) {
        Ok(value) => {
            let _ = scope().post_message(&value);
        }
        Err(e) => web_sys::console::error_1(&format!("could not send an event to the page: {e}").into()),
    }
}

/// Decodes a message from the page and queues it for the core; a ping is answered at once, from
/// the event loop, whatever the core is doing.
fn receive(sender: &UnboundedSender<Command>, message: JsValue) {
    match serde_wasm_bindgen::from_value::<Command>(message) {
        Ok(Command::Ping { ping }) => post(&Event::Pong { ping }),
        Ok(command) => {
            if sender.unbounded_send(command).is_err() {
                post(&Event::Failed {
                    message: "the training worker stopped and takes no more commands".into(),
                });
            }
        }
        Err(e) => post(&Event::Failed {
            message: format!("the training worker got a message it does not understand ({e})"),
        }),
    }
}

/// Answers every load and export request still waiting with `reason`.
fn answer_pending_with(reason: &str) {
    let pending = PENDING.with(|p| {
        p.try_borrow_mut()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default()
    });
    for (request, kind) in pending {
        let event = match kind {
            Pending::Load => Event::Loaded {
                request,
                // A failed load changes no generation; the page reads it only on success.
                generation: 0,
                outcome: Err(reason.to_string()),
            },
            Pending::Export => Event::Exported {
                request,
                outcome: Err(reason.to_string()),
            },
        };
        post(&event);
    }
}

/// The dedicated worker's scope as the core's host.
struct BrowserHost {
    commands: UnboundedReceiver<Command>,
}

impl BrowserHost {
    /// Notes the requests `command` makes, until their answer is posted.
    fn track(command: &Command) {
        let pending = match command {
            Command::Load { request, .. } => Some((*request, Pending::Load)),
            Command::Export { request } | Command::Snapshot { request } => Some((*request, Pending::Export)),
            _ => None,
        };
        if let Some((request, kind)) = pending {
            PENDING.with(|p| p.borrow_mut().insert(request, kind));
        }
    }
}

impl Host for BrowserHost {
    fn post(&self, event: Event) {
        let answered = match &event {
            Event::Loaded { request, .. } | Event::Exported { request, .. } => Some(*request),
            _ => None,
        };
        if let Some(request) = answered {
            PENDING.with(|p| p.borrow_mut().remove(&request));
        }
        post(&event);
    }

    fn try_command(&mut self) -> Option<Command> {
        let command = self.commands.try_recv().ok()?;
        Self::track(&command);
        Some(command)
    }

    async fn next_command(&mut self) -> Option<Command> {
        let command = self.commands.recv().await.ok()?;
        Self::track(&command);
        Some(command)
    }

    fn now_ms(&self) -> f64 {
        now_ms()
    }

    fn wall_clock_ms(&self) -> f64 {
        wall_clock_ms()
    }

    async fn yield_now(&self) {
        yield_to_browser().await;
    }

    async fn open_webgpu(&self) -> Result<(Device, String), String> {
        open_webgpu().await
    }
}
