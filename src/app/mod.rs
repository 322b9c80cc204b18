//! The leptos single-page app (WebAssembly only). It knows tensors only as the flat pixel and
//! loss values a panel shows; models, training and data come from the rest of the crate.

mod augment_panel;
mod chart;
mod code_scatter;
mod compare_panel;
mod coverage_chart;
mod dataset;
mod dataset_picker;
mod downloads;
mod draw_panel;
mod driver;
mod explore_panel;
mod image_grid;
mod lab_canvas;
mod model_card;
mod modes_panel;
mod pretrained;
mod settings_form;
mod share;
mod slow_motion;
mod speed_store;
mod tour_guide;
mod train_panel;
mod training_worker;
mod web_files;
mod weights_controls;
mod workspace;

use std::sync::Arc;

use leptos::prelude::*;

use crate::backend::choice::BackendPreference;
use crate::data::{Dataset, MnistSplit};
use crate::page::BackendBadge;
use dataset::{MnistFiles, fetch_mnist};
use share::read_link;
use workspace::Workspace;

/// Everything the panels need once start-up is done.
#[derive(Clone)]
pub struct Runtime {
    /// The device the page's own panels (Compare, Draw, Explore) run their models on: burn's
    /// CPU backend, with autodiff. Only the training worker has WebGPU (see `Cargo.toml`).
    pub device: burn::tensor::Device,
    /// The training worker's backend: its badge and why it is in use, once it said.
    pub training_backend: RwSignal<Option<BackendBadge>>,
    /// The shipped digits, split: what the pretrained models of Draw and Explore see.
    pub data: Arc<MnistSplit>,
    /// The files they came from, for the training worker.
    pub files: Arc<MnistFiles>,
    /// The dataset in use for training and comparing: the shipped digits, or the user's own.
    pub dataset: RwSignal<Arc<Dataset>>,
    /// The backend the address asks for (`backend=`), else choose by measurement.
    pub backend_preference: BackendPreference,
}

unsafe extern "C" {
    /// The static constructors (burn's and cubecl's `inventory` registrations), synthesised by
    /// the linker.
    fn __wasm_call_ctors();
}

/// Mounts the app on the page's body when the module loads on the page (in the training
/// worker, which loads the same module, it does nothing more than run the constructors).
/// Panics are shown on the page, never a blank tab.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn mount() {
    // Calling the constructors ourselves, once, tells wasm-ld not to wrap every export in a call
    // to them; it does that by default, and measured, it cost milliseconds per call from JS.
    // SAFETY: this is the module's start function: it runs once, before any other export.
    unsafe { __wasm_call_ctors() };
    if web_sys::window().is_none() {
        return;
    }
    std::panic::set_hook(Box::new(|info| {
        console_error_panic_hook::hook(info);
        show_fatal_error(&info.to_string());
    }));
    leptos::mount::mount_to_body(App);
}

/// Writes a last-resort message into the page after a panic, outside leptos (which may be
/// the part that failed).
fn show_fatal_error(message: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(banner) = document.get_element_by_id("fatal") {
        banner.set_text_content(Some(&format!(
            "Something went wrong and the playground stopped: {message}. Reload the page to start again."
        )));
        let _ = banner.set_attribute("class", "fatal visible");
    }
}

/// The page: header with the training backend's badge, then the Train panel once start-up is done.
#[component]
fn App() -> impl IntoView {
    let runtime = RwSignal::new(None::<Runtime>);
    let training_backend = RwSignal::new(None::<BackendBadge>);
    let startup_error = RwSignal::new(None::<String>);
    leptos::task::spawn_local(async move {
        match fetch_mnist().await {
            Ok((data, files)) => {
                let data = Arc::new(data);
                runtime.set(Some(Runtime {
                    device: burn::tensor::Device::flex().autodiff(),
                    training_backend,
                    dataset: RwSignal::new(Arc::new(Dataset::shipped(data.clone()))),
                    data,
                    files: Arc::new(files),
                    backend_preference: read_link().link.backend,
                }))
            }
            Err(message) => startup_error.set(Some(message)),
        }
    });
    let badge = move || training_backend.with(|b| b.as_ref().map(|b| b.badge.clone()));
    let badge_title = move || training_backend.with(|b| b.as_ref().map(|b| b.explanation.clone()).unwrap_or_default());
    view! {
        <header class="top">
            <h1>"genplay" <span class="tagline">"train autoencoders, VAEs and GANs in your browser"</span></h1>
            <span class="badge" data-testid="backend-badge" title=badge_title>
                {move || badge().unwrap_or_else(|| "starting…".into())}
            </span>
        </header>
        <main>
            {move || startup_error.get().map(|e| view! { <p class="notice error" role="alert">{e}</p> })}
            {move || match runtime.get() {
                Some(runtime) => view! { <Workspace runtime /> }.into_any(),
                None => view! { <p class="loading" data-testid="loading">"Loading the digits and the backend…"</p> }.into_any(),
            }}
        </main>
    }
}
