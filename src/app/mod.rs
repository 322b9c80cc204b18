//! The leptos single-page app (WebAssembly only). It knows tensors only as the flat pixel and
//! loss values a panel shows; models, training and data come from the rest of the crate.

mod backend;
mod chart;
mod compare_panel;
mod coverage_chart;
mod dataset;
mod downloads;
mod driver;
mod image_grid;
mod pretrained;
mod settings_form;
mod train_panel;
mod web_files;
mod weights_controls;

use std::sync::Arc;

use leptos::prelude::*;

use crate::data::MnistSplit;
use backend::{BackendInfo, choose_backend};
use compare_panel::ComparePanel;
use dataset::fetch_mnist;
use driver::TrainState;
use pretrained::PretrainedStore;
use train_panel::TrainPanel;

use crate::train::{Hyperparameters, ModelKind};

/// Everything the panels need once start-up is done.
#[derive(Clone)]
pub struct Runtime {
    /// The device models train on (autodiff enabled).
    pub device: burn::tensor::Device,
    /// Which backend that device is, for the badge.
    pub backend: BackendInfo,
    /// The shipped digits, split.
    pub data: Arc<MnistSplit>,
}

unsafe extern "C" {
    /// The static constructors (burn's and cubecl's `inventory` registrations), synthesised by
    /// the linker.
    fn __wasm_call_ctors();
}

/// Mounts the app on the page's body when the module loads. Panics are shown on the page,
/// never a blank tab.
#[wasm_bindgen::prelude::wasm_bindgen(start)]
pub fn mount() {
    // Calling the constructors ourselves, once, tells wasm-ld not to wrap every export in a call
    // to them; it does that by default, and measured, it cost milliseconds per call from JS.
    // SAFETY: this is the module's start function: it runs once, before any other export.
    unsafe { __wasm_call_ctors() };
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

/// The page: header with the backend badge, then the Train panel once start-up is done.
#[component]
fn App() -> impl IntoView {
    let runtime = RwSignal::new(None::<Runtime>);
    let startup_error = RwSignal::new(None::<String>);
    leptos::task::spawn_local(async move {
        let (device, backend) = choose_backend().await;
        match fetch_mnist().await {
            Ok(data) => runtime.set(Some(Runtime {
                device,
                backend,
                data: Arc::new(data),
            })),
            Err(message) => startup_error.set(Some(message)),
        }
    });
    let badge = move || runtime.with(|r| r.as_ref().map(|r| r.backend.badge()));
    let badge_title = move || runtime.with(|r| r.as_ref().map(|r| r.backend.explanation()).unwrap_or_default());
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

/// Which panel is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Panel {
    Train,
    Compare,
}

/// The panels, with tabs. Both stay mounted, so switching keeps a training run going.
#[component]
fn Workspace(runtime: Runtime) -> impl IntoView {
    let runtime = StoredValue::new(runtime);
    let panel = RwSignal::new(Panel::Train);
    let state = TrainState::new();
    let kind = RwSignal::new(ModelKind::VaeMlp);
    let settings = RwSignal::new(Hyperparameters::defaults(ModelKind::VaeMlp));
    let pretrained = PretrainedStore::new();
    let tab = move |which: Panel, label: &'static str, id: &'static str| {
        view! {
            <button role="tab" class="tab" data-testid=id aria-selected=move || (panel.get() == which).to_string()
                on:click=move |_| panel.set(which)>{label}</button>
        }
    };
    let compare_visible = Signal::derive(move || panel.get() == Panel::Compare);
    let train_visible = Signal::derive(move || panel.get() == Panel::Train);
    view! {
        <nav class="tabs" role="tablist">
            {tab(Panel::Train, "Train", "tab-train")}
            {tab(Panel::Compare, "Compare", "tab-compare")}
        </nav>
        <div hidden=move || panel.get() != Panel::Train>
            <TrainPanel runtime state kind settings pretrained active=train_visible />
        </div>
        <div hidden=move || panel.get() != Panel::Compare>
            <ComparePanel runtime pretrained train=state train_kind=kind visible=compare_visible />
        </div>
    }
}
