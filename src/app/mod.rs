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

use std::sync::Arc;

use leptos::prelude::*;

use crate::backend::choice::BackendPreference;
use crate::data::{Dataset, MnistSplit};
use augment_panel::AugmentPanel;
use compare_panel::ComparePanel;
use dataset::{MnistFiles, fetch_mnist};
use draw_panel::DrawPanel;
use driver::TrainState;
use explore_panel::ExplorePanel;
use modes_panel::ModesPanel;
use pretrained::PretrainedStore;
use tour_guide::{TourGuide, tour_on_opening};
use train_panel::TrainPanel;

use crate::link::{DemoLink, HIDEABLE, LinkPanel, is_valid_dataset_name};
use share::{ShareBar, read_link, write_link};

/// Everything the panels need once start-up is done.
#[derive(Clone)]
pub struct Runtime {
    /// The device the page's own panels (Compare, Draw, Explore) run their models on: burn's
    /// CPU backend, with autodiff. Only the training worker has WebGPU (see `Cargo.toml`).
    pub device: burn::tensor::Device,
    /// The training worker's backend: its badge and why it is in use, once it said.
    pub training_backend: RwSignal<Option<(String, String)>>,
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
    let training_backend = RwSignal::new(None::<(String, String)>);
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
    let badge = move || training_backend.with(|b| b.as_ref().map(|(badge, _)| badge.clone()));
    let badge_title = move || training_backend.with(|b| b.as_ref().map(|(_, why)| why.clone()).unwrap_or_default());
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

/// The panels, with tabs, restored from the share link in the address bar and kept in step with
/// it. Both panels stay mounted, so switching keeps a training run going.
#[component]
fn Workspace(runtime: Runtime) -> impl IntoView {
    let runtime = StoredValue::new(runtime);
    // Read before the address is rewritten to the state's link below.
    let opened_with_link = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|search| search.len() > 1);
    let opened = read_link();
    let link = opened.link.clone();
    let panel = RwSignal::new(link.panel);
    let state = runtime.with_value(TrainState::new);
    let dataset = runtime.with_value(|r| r.dataset);
    let wanted_dataset = link.dataset.clone();
    let kind = RwSignal::new(link.model);
    let settings = RwSignal::new(link.settings);
    let compare_seed = RwSignal::new(link.compare_seed);
    let augment_per_class = RwSignal::new(link.augment_per_class);
    let augment_seeds = RwSignal::new(link.augment_seeds);
    let mask = RwSignal::new(link.mask);
    let lab = RwSignal::new(link.lab);
    let pretrained = PretrainedStore::new();
    let link_notice = RwSignal::new((!opened.ignored.is_empty()).then(|| opened.ignored.clone()));
    let embed = link.embed;
    let hide = link.hide.clone();
    // The guided tour: on a first plain visit, on a page its own step opened, or when asked for.
    let tour_step = RwSignal::new(if embed { None } else { tour_on_opening(opened_with_link) });
    if embed && let Some(body) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.body()) {
        let _ = body.class_list().add_1("embed");
    }

    // The state as a link, and the address bar following it.
    let current = Signal::derive(move || DemoLink {
        panel: panel.get(),
        model: kind.get(),
        settings: settings.get(),
        weights: state.weights_source.get(),
        backend: state.backend_preference.get(),
        dataset: dataset.with(|d| Some(d.name.clone()).filter(|n| !d.is_shipped() && is_valid_dataset_name(n))),
        mask: mask.get(),
        compare_seed: compare_seed.get(),
        augment_per_class: augment_per_class.get(),
        augment_seeds: augment_seeds.get(),
        lab: lab.get(),
        autorun: false,
        embed,
        hide: hide.clone(),
    });
    let written = StoredValue::new(current.get_untracked());
    write_link(&current.get_untracked(), false);
    Effect::new(move |_| {
        let next = current.get();
        let last = written.get_value();
        if next == last {
            return;
        }
        write_link(&next, next.panel != last.panel || next.model != last.model);
        written.set_value(next);
    });
    // Back and forward: restore the state the entry holds.
    let _ = window_event_listener(leptos::ev::popstate, move |_| {
        let restored = read_link();
        written.set_value(restored.link.clone());
        link_notice.set((!restored.ignored.is_empty()).then_some(restored.ignored));
        let link = restored.link;
        panel.set(link.panel);
        mask.set(link.mask);
        compare_seed.set(link.compare_seed);
        augment_per_class.set(link.augment_per_class);
        augment_seeds.set(link.augment_seeds);
        if link.lab != lab.get_untracked() {
            lab.set(link.lab);
        }
        if link.backend != state.backend_preference.get_untracked() {
            state.set_backend(link.backend);
        }
        if link.model != kind.get_untracked() || link.settings != settings.get_untracked() {
            kind.set(link.model);
            settings.set(link.settings);
            state.reset(link.model, link.settings);
        }
    });

    let tab = move |which: LinkPanel, label: &'static str, id: &'static str| {
        view! {
            <button role="tab" class="tab" data-testid=id aria-selected=move || (panel.get() == which).to_string()
                on:click=move |_| panel.set(which)>{label}</button>
        }
    };
    let compare_visible = Signal::derive(move || panel.get() == LinkPanel::Compare);
    let draw_visible = Signal::derive(move || panel.get() == LinkPanel::Draw);
    let explore_visible = Signal::derive(move || panel.get() == LinkPanel::Explore);
    let drawing = RwSignal::new(None::<Vec<f32>>);
    Effect::new(move |_| {
        if drawing.with(Option::is_some) {
            panel.set(LinkPanel::Compare);
        }
    });
    let train_visible = Signal::derive(move || panel.get() == LinkPanel::Train);
    let hidden_classes = HIDEABLE
        .iter()
        .filter(|name| link.hides(name))
        .map(|name| format!(" hide-{name}"))
        .collect::<String>();
    let opening = (link.weights, link.autorun && link.panel != LinkPanel::Modes);
    view! {
        <div class=format!("workspace{}{hidden_classes}", if embed { " embed" } else { "" })>
            {move || link_notice.get().map(|notices| view! {
                <div class="notice warning" role="status" data-testid="link-notice">
                    <p>{format!("Parts of this link were ignored, and defaults used instead: {}.", notices.join("; "))}</p>
                    <div class="notice-actions">
                        <button on:click=move |_| link_notice.set(None)>"Dismiss"</button>
                    </div>
                </div>
            })}
            {move || wanted_dataset.clone().filter(|name| dataset.with(|d| &d.name != name)).map(|name| view! {
                <div class="notice warning" role="status" data-testid="dataset-needed">
                    <p>{format!(
                        "This demo was made with the dataset “{name}”, which a link cannot carry: load it with “Use my \
                         files…” in the Train panel to reproduce the demo. Until then the shipped MNIST digits are in use."
                    )}</p>
                </div>
            })}
            <div class="bar" data-control="tabs">
                <nav class="tabs" role="tablist">
                    {tab(LinkPanel::Train, "Train", "tab-train")}
                    {tab(LinkPanel::Compare, "Compare", "tab-compare")}
                    {tab(LinkPanel::Draw, "Draw", "tab-draw")}
                    {tab(LinkPanel::Explore, "Explore", "tab-explore")}
                    {tab(LinkPanel::Augment, "Augment", "tab-augment")}
                    {tab(LinkPanel::Modes, "Modes", "tab-modes")}
                </nav>
                <ShareBar link=current />
                <button class="tour-button" data-testid="tour-button" on:click=move |_| tour_step.set(Some(0))
                    title="A guided tour through the article's comparison, one demo per step">"Tour"</button>
            </div>
            <div hidden=move || panel.get() != LinkPanel::Train>
                <TrainPanel runtime state kind settings pretrained active=train_visible opening />
            </div>
            <div hidden=move || panel.get() != LinkPanel::Compare>
                <ComparePanel runtime pretrained train=state train_kind=kind visible=compare_visible
                    seed=compare_seed mask drawing />
            </div>
            <div hidden=move || panel.get() != LinkPanel::Draw>
                <DrawPanel runtime pretrained visible=draw_visible send_to_compare=drawing />
            </div>
            <div hidden=move || panel.get() != LinkPanel::Explore>
                <ExplorePanel runtime pretrained visible=explore_visible />
            </div>
            <div hidden=move || panel.get() != LinkPanel::Augment>
                <AugmentPanel runtime pretrained per_class=augment_per_class seeds=augment_seeds />
            </div>
            <div hidden=move || panel.get() != LinkPanel::Modes>
                <ModesPanel runtime lab autorun=link.autorun && link.panel == LinkPanel::Modes />
            </div>
            <TourGuide open=tour_step />
        </div>
    }
}
