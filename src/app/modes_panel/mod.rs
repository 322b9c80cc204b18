//! The Modes panel, the mode-collapse lab: pick 2-D data and a model, pick a GAN's remedies
//! (or a preset), train, and watch real and generated points, the discriminator's heat map,
//! the generator's movement and the mode metrics; each finished run adds a row to a table.
//! The lab itself is native ([`crate::lab`]); it trains in the panel's own worker, on the CPU or
//! WebGPU as the user picks ([`lab_session`], [`lab_worker`]).

mod lab_form;
mod lab_pictures;
mod lab_session;
mod lab_table;
mod lab_worker;

use leptos::prelude::*;

use crate::backend::choice::BackendKind;
use crate::lab::{LabModel, LabPreset, LabSettings};
use crate::page::LAB_STEPS;
use lab_form::LabForm;
use lab_pictures::LabPictures;
use lab_session::LabSession;
use lab_table::LabTable;

/// The Modes panel; `lab` and `backend` are shared with the share link, `autorun` starts
/// training on opening.
#[component]
pub fn ModesPanel(lab: RwSignal<LabSettings>, backend: RwSignal<BackendKind>, autorun: bool) -> impl IntoView {
    let session = LabSession::new(lab, backend);
    // New settings or backend while paused: the model is dropped (a running one restarts on them).
    Effect::new(move |_| {
        lab.track();
        backend.track();
        if !session.running.get_untracked() {
            session.restart();
        }
    });
    let preset = move |which: LabPreset| {
        lab.set(which.settings());
        session.train();
    };
    if autorun {
        session.train();
    }
    let LabSession {
        running,
        picture,
        held_out,
        problem,
        rows,
        speed,
        ..
    } = session;
    let modes_text = move || {
        picture.with(|p| match p.as_ref().and_then(|p| p.modes.as_ref()) {
            Some(m) => format!(
                "{} of {} modes captured, {:.1}% high-quality samples",
                m.captured,
                m.modes,
                100.0 * m.high_quality
            ),
            None if p.is_some() => "These data have no separate modes to count.".into(),
            None => String::new(),
        })
    };
    let steps = move || picture.with(|p| p.as_ref().map_or(0, |p| p.steps));
    let speed_text = move || {
        speed
            .get()
            .map(|rate| format!("{rate:.0} steps/s on the {}. ", backend.get().label()))
    };
    let held_out_text = move || {
        held_out.get().map(|n| {
            let figure = match lab.get().model {
                LabModel::Vae => "−ELBO",
                _ => "reconstruction error",
            };
            format!(" Held-out {figure}: {n:.2} nats per point.")
        })
    };
    view! {
        <section class="panel modes" data-testid="modes-panel" aria-label="Mode-collapse lab">
            <p class="intro">"A GAN trained on a ring of eight tight clusters often covers only some of them: mode collapse. \
                Pick a remedy and train again; the table keeps every run's numbers. The VAE and the autoencoder train on the same points."</p>
            <div class="bar">
                <button data-testid="lab-preset-collapse" on:click=move |_| preset(LabPreset::WatchItCollapse)>"Watch it collapse"</button>
                <button data-testid="lab-preset-fixed" on:click=move |_| preset(LabPreset::Fixed)>"Fixed"</button>
                <button data-testid="lab-train" on:click=move |_| session.toggle()>
                    {move || if running.get() { "Pause" } else { "Train" }}</button>
                <button data-testid="lab-reset" on:click=move |_| session.restart()>"Reset"</button>
            </div>
            <LabForm lab backend />
            <p class="progress" data-testid="lab-progress" data-steps=move || steps().to_string()
                data-running=move || running.get().to_string()
                data-speed=move || speed.get().map(|s| format!("{s:.2}"))>
                {move || format!("Step {} of {LAB_STEPS}. ", steps())}{speed_text}<span data-testid="lab-modes">{modes_text}</span>
                {held_out_text}
            </p>
            {move || problem.get().map(|p| view! { <p class="notice error" role="alert">{p}</p> })}
            <LabPictures session />
            <LabTable rows />
        </section>
    }
}
