//! The Explore panel: a latent space, drawn. On the left, the decoded manifold (the decoder's
//! image at every point of a grid over a plane); on the right, where the encoder puts the 1,000
//! held-out digits, coloured by class. Pointing anywhere decodes there. The 2-D VAE's plane is
//! its whole latent space; larger ones are cut through two axes or their principal directions
//! ([`crate::eval::latent_plane`]).

mod controls;
mod exploration;
mod pictures;

use leptos::prelude::*;

use super::Runtime;
use super::pretrained::PretrainedStore;
use controls::ExploreControls;
use exploration::Exploration;
use pictures::{DecodedDigit, ManifoldPicture, ScatterPicture};

pub(super) use pictures::CLASS_COLOURS;

/// The Explore panel. `visible` says whether it is on screen (nothing loads before).
#[component]
pub fn ExplorePanel(
    runtime: StoredValue<Runtime>,
    pretrained: PretrainedStore,
    visible: Signal<bool>,
) -> impl IntoView {
    let exploration = Exploration::new(runtime, pretrained);
    // (Re)draws the plane of the chosen model and slice, loading the model the first time.
    Effect::new(move |_| {
        let (kind, cut) = (exploration.model.get(), exploration.slice.get());
        if visible.get() {
            leptos::task::spawn_local(exploration.show(kind, cut));
        }
    });
    view! {
        <section class="panel explore" data-testid="explore-panel">
            <h2>"Explore the latent space"</h2>
            <p class="model-summary">
                "The 2-D VAE (shipped, pretrained) writes every digit from just two numbers. Left: what its decoder \
                 writes at each point of the plane from -3 to 3 on both axes (the prior N(0, I) puts almost all its \
                 mass there). Right: where its encoder puts the 1,000 held-out digits (posterior means), one colour per \
                 digit. Point at either to decode that spot."
            </p>
            <ExploreControls exploration />
            {move || exploration.status.get().map(|s| view! { <p class="notice warning" role="status">{s}</p> })}
            <div class="explore-row">
                <ManifoldPicture exploration />
                <ScatterPicture exploration />
                <DecodedDigit exploration />
            </div>
        </section>
    }
}
