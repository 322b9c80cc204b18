//! The workspace: the panels with their tabs, restored from the share link in the address bar
//! and kept in step with it, the notices a link may bring, and the guided tour.

use std::sync::Arc;

use leptos::prelude::*;

use super::Runtime;
use super::augment_panel::AugmentPanel;
use super::compare_panel::ComparePanel;
use super::draw_panel::DrawPanel;
use super::driver::TrainState;
use super::explore_panel::ExplorePanel;
use super::modes_panel::ModesPanel;
use super::pretrained::PretrainedStore;
use super::share::{ShareBar, read_link, write_link};
use super::tour_guide::{TourGuide, tour_on_opening};
use super::train_panel::TrainPanel;
use crate::data::Dataset;
use crate::link::{DemoLink, HIDEABLE, LinkPanel, is_valid_dataset_name};

/// The panels, with tabs, restored from the share link in the address bar and kept in step with
/// it. Both panels stay mounted, so switching keeps a training run going.
#[component]
pub(super) fn Workspace(runtime: Runtime) -> impl IntoView {
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
    let lab_backend = RwSignal::new(link.lab_backend);
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
        lab_backend: lab_backend.get(),
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
        if link.lab_backend != lab_backend.get_untracked() {
            lab_backend.set(link.lab_backend);
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
            <LinkNotices link_notice wanted_dataset dataset />
            <TabBar panel current tour_step />
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
                <ModesPanel lab backend=lab_backend autorun=link.autorun && link.panel == LinkPanel::Modes />
            </div>
            <TourGuide open=tour_step />
        </div>
    }
}

/// What a link asked for that the page could not give: the parts it ignored, and a dataset of
/// the user's own, which a link cannot carry.
#[component]
fn LinkNotices(
    link_notice: RwSignal<Option<Vec<String>>>,
    wanted_dataset: Option<String>,
    dataset: RwSignal<Arc<Dataset>>,
) -> impl IntoView {
    view! {
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
    }
}

/// The tabs, the share bar and the tour's button.
#[component]
fn TabBar(panel: RwSignal<LinkPanel>, current: Signal<DemoLink>, tour_step: RwSignal<Option<usize>>) -> impl IntoView {
    let tab = move |which: LinkPanel, label: &'static str, id: &'static str| {
        view! {
            <button role="tab" class="tab" data-testid=id aria-selected=move || (panel.get() == which).to_string()
                on:click=move |_| panel.set(which)>{label}</button>
        }
    };
    view! {
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
    }
}
