//! The Modes panel, the mode-collapse lab: pick 2-D data and a model, pick a GAN's remedies
//! (or a preset), train, and watch real and generated points, the discriminator's heat map,
//! the generator's movement and the mode metrics; each finished run adds a row to a table.
//! Training runs on the page in slices between frames (burn's CPU backend): these networks are
//! small enough that a slice of steps takes a few milliseconds.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::Runtime;
use super::chart::draw_loss_chart;
use super::lab_canvas::{PLANE_SIDE, draw_codes, draw_plane};
use crate::data::toy2d::Toy2d;
use crate::lab::run::{LabPicture, LabRun};
use crate::lab::{LabModel, LabPreset, LabSettings};
use crate::link::LAB_LR_RATIOS;
use crate::model::gan_loss::{GanLoss, MAX_PACK};
use crate::web::{now_ms, yield_to_browser};

/// Steps a run trains before it stops and records its row.
pub const LAB_STEPS: usize = 3_000;
/// Time a slice of steps aims for, in milliseconds, so the page stays responsive.
const SLICE_MS: f64 = 30.0;

/// A finished run: what it was and what it measured.
#[derive(Clone, PartialEq)]
struct Row {
    settings: LabSettings,
    modes: String,
    quality: String,
    nats: String,
}

/// What the remedies of `settings` are, in a few words.
fn remedies_text(settings: &LabSettings) -> String {
    if settings.model != LabModel::Gan {
        return "—".into();
    }
    let r = settings.remedies;
    let mut parts = vec![r.loss.label().to_string()];
    if r.spectral_norm && !r.loss.needs_lipschitz() {
        parts.push("spectral norm".into());
    }
    if r.minibatch_std {
        parts.push("minibatch std".into());
    }
    if r.pack > 1 {
        parts.push(format!("PacGAN{}", r.pack));
    }
    if r.discriminator_lr_ratio != 1.0 {
        parts.push(format!("D lr x{}", r.discriminator_lr_ratio));
    }
    if settings.discriminator_steps > 1 {
        parts.push(format!("{} D steps", settings.discriminator_steps));
    }
    parts.join(", ")
}

/// The Modes panel; `lab` is shared with the share link, `autorun` starts training on opening.
#[component]
pub fn ModesPanel(runtime: StoredValue<Runtime>, lab: RwSignal<LabSettings>, autorun: bool) -> impl IntoView {
    let device = StoredValue::new_local(runtime.with_value(|r| r.device.clone()));
    let run = StoredValue::new_local(None::<LabRun>);
    let running = RwSignal::new(false);
    let picture = RwSignal::new(None::<LabPicture>);
    let previous_heads = StoredValue::new(None::<Vec<f32>>);
    let held_out = RwSignal::new(None::<f64>);
    let problem = RwSignal::new(None::<String>);
    let rows = RwSignal::new(Vec::<Row>::new());
    let plane = NodeRef::<Canvas>::new();
    let codes_canvas = NodeRef::<Canvas>::new();
    let chart = NodeRef::<Canvas>::new();

    // Reset, or new settings while paused: the model is dropped; a slice in flight is dropped
    // when it ends (its generation is old).
    let generation = StoredValue::new(0u64);
    let clear = move || {
        picture.set(None);
        previous_heads.set_value(None);
        held_out.set(None);
        problem.set(None);
    };
    let restart = move || {
        generation.update_value(|g| *g += 1);
        running.set(false);
        run.set_value(None);
        clear();
    };
    Effect::new(move |_| {
        lab.track();
        if !running.get_untracked() {
            restart();
        }
    });

    let finish = move |settings: LabSettings, last: &LabPicture, nats: Option<f64>| {
        let (modes, quality) = match &last.modes {
            Some(m) => (
                format!("{} of {}", m.captured, m.modes),
                format!("{:.1}%", 100.0 * m.high_quality),
            ),
            None => ("—".into(), "—".into()),
        };
        let nats = nats.map_or("—".into(), |n| format!("{n:.2}"));
        rows.update(|r| {
            r.push(Row {
                settings,
                modes,
                quality,
                nats,
            })
        });
    };

    // Trains slice by slice while `running`; settings changed meanwhile start a fresh model.
    let train = move || {
        if running.get_untracked() {
            return;
        }
        running.set(true);
        let started_in = generation.get_value();
        leptos::task::spawn_local(async move {
            let mut steps_per_slice = 1usize;
            while running.get_untracked() && generation.get_value() == started_in {
                let settings = lab.get_untracked();
                let mut current = match run.try_update_value(Option::take).flatten() {
                    Some(current) if *current.settings() == settings && current.steps() < LAB_STEPS => current,
                    _ => {
                        clear();
                        device.with_value(|device| LabRun::new(settings, device))
                    }
                };
                let started = now_ms();
                let slice = steps_per_slice.min(LAB_STEPS - current.steps());
                let outcome = current.advance(slice).await;
                let elapsed = now_ms() - started;
                steps_per_slice =
                    ((steps_per_slice as f64 * SLICE_MS / elapsed.max(1.0)).round() as usize).clamp(1, 200);
                let drawn = current.picture().await;
                let done = current.steps() >= LAB_STEPS;
                let nats = match done {
                    true => current.held_out().await.map(|s| s.nats()),
                    false => None,
                };
                let history = current.history().clone();
                if generation.get_value() != started_in {
                    break;
                }
                run.set_value(Some(current));
                match (outcome, drawn) {
                    (Ok(Some(step)), _) => {
                        problem.set(Some(format!(
                            "The loss is not a number from step {step} on: training stopped. Reset, or try another remedy."
                        )));
                        running.set(false);
                    }
                    (Err(e), _) | (_, Err(e)) => {
                        problem.set(Some(format!("Training failed: {e}")));
                        running.set(false);
                    }
                    (Ok(None), Ok(drawn)) => {
                        if let Some(canvas) = chart.get_untracked() {
                            draw_loss_chart(&canvas, &history, 0.9, None);
                        }
                        if done {
                            held_out.set(nats);
                            finish(settings, &drawn, nats);
                            running.set(false);
                        }
                        previous_heads.set_value(picture.get_untracked().map(|p| p.arrow_heads));
                        picture.set(Some(drawn));
                    }
                }
                yield_to_browser().await;
            }
        });
    };
    let preset = move |which: LabPreset| {
        lab.set(which.settings());
        train();
    };
    if autorun {
        train();
    }

    Effect::new(move |_| {
        picture.with(|p| {
            let (Some(p), Some(canvas)) = (p, plane.get()) else {
                return;
            };
            let extent = lab.get_untracked().data.extent();
            previous_heads.with_value(|prev| draw_plane(&canvas, p, prev.as_deref(), extent));
            if let (Some(codes), Some(canvas)) = (&p.codes, codes_canvas.get()) {
                draw_codes(&canvas, codes);
            }
        })
    });

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
    let is_autoencoder = move || lab.with(|l| l.model != LabModel::Gan);
    view! {
        <section class="panel modes" data-testid="modes-panel" aria-label="Mode-collapse lab">
            <p class="intro">"A GAN trained on a ring of eight tight clusters often covers only some of them: mode collapse. \
                Pick a remedy and train again; the table keeps every run's numbers. The VAE and the autoencoder train on the same points."</p>
            <div class="bar">
                <button data-testid="lab-preset-collapse" on:click=move |_| preset(LabPreset::WatchItCollapse)>"Watch it collapse"</button>
                <button data-testid="lab-preset-fixed" on:click=move |_| preset(LabPreset::Fixed)>"Fixed"</button>
                <button data-testid="lab-train" on:click=move |_| if running.get_untracked() { running.set(false) } else { train() }>
                    {move || if running.get() { "Pause" } else { "Train" }}</button>
                <button data-testid="lab-reset" on:click=move |_| restart()>"Reset"</button>
            </div>
            <LabForm lab />
            <p class="progress" data-testid="lab-progress" data-steps=move || steps().to_string()
                data-running=move || running.get().to_string()>
                {move || format!("Step {} of {LAB_STEPS}. ", steps())}<span data-testid="lab-modes">{modes_text}</span>
                {move || held_out.get().map(|n| format!(" Held-out {}: {n:.2} nats per point.", if lab.get().model == LabModel::Vae { "−ELBO" } else { "reconstruction error" }))}
            </p>
            {move || problem.get().map(|p| view! { <p class="notice error" role="alert">{p}</p> })}
            <div class="lab-pictures">
                <canvas node_ref=plane data-testid="lab-plane" width=PLANE_SIDE height=PLANE_SIDE role="img"
                    aria-label="The plane: real points in blue, generated points in orange, the discriminator's opinion as the background (green: real, purple: generated), arrows where the generator moved" />
                <canvas node_ref=codes_canvas data-testid="lab-codes" width=PLANE_SIDE height=PLANE_SIDE hidden=move || !is_autoencoder()
                    role="img" aria-label="The latent space: the encoder's means of the real points" />
                <canvas node_ref=chart data-testid="lab-chart" width="400" height="220" role="img" aria-label="Loss curves" />
            </div>
            <LabTable rows />
        </section>
    }
}

/// A menu of `options` (id, label), showing `current` and calling `pick` with the chosen id.
fn menu(
    label: &'static str,
    test_id: &'static str,
    options: Vec<(String, String)>,
    current: impl Fn() -> String + Send + Sync + Copy + 'static,
    pick: impl Fn(String) + Copy + 'static,
) -> impl IntoView {
    view! {
        <label class="field">
            <span class="field-name">{label}</span>
            <select data-testid=test_id prop:value=current on:change=move |ev| pick(event_target_value(&ev))>
                {options.into_iter().map(|(id, text)| {
                    let selected = id.clone();
                    view! { <option value=id.clone() selected=move || current() == selected>{text}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

/// The lab's settings: data, model, and the GAN's remedies.
#[component]
fn LabForm(lab: RwSignal<LabSettings>) -> impl IntoView {
    let set = move |change: &dyn Fn(&mut LabSettings)| {
        let mut next = lab.get_untracked();
        change(&mut next);
        lab.set(next);
    };
    let gan = move || lab.with(|l| l.model == LabModel::Gan);
    let options = |items: Vec<(&str, String)>| items.into_iter().map(|(id, t)| (id.to_string(), t)).collect::<Vec<_>>();
    view! {
        <div class="settings" data-testid="lab-form">
            {menu("data", "lab-data", options(Toy2d::ALL.iter().map(|d| (d.id(), d.label().to_string())).collect()),
                move || lab.with(|l| l.data.id().to_string()),
                move |id| set(&|l| l.data = Toy2d::from_id(&id).unwrap_or(l.data)))}
            {menu("model", "lab-model", options(LabModel::ALL.iter().map(|m| (m.id(), m.label().to_string())).collect()),
                move || lab.with(|l| l.model.id().to_string()),
                move |id| set(&|l| l.model = LabModel::from_id(&id).unwrap_or(l.model)))}
            <div class="lab-remedies" hidden=move || !gan()>
                {menu("objective", "lab-loss", options(GanLoss::ALL.iter().map(|g| (g.id(), g.label().to_string())).collect()),
                    move || lab.with(|l| l.remedies.loss.id().to_string()),
                    move |id| set(&|l| l.remedies.loss = GanLoss::from_id(&id).unwrap_or(l.remedies.loss)))}
                {menu("PacGAN packing", "lab-pack", (1..=MAX_PACK).map(|p| (p.to_string(), if p == 1 { "off".into() } else { format!("{p} samples") })).collect(),
                    move || lab.with(|l| l.remedies.pack.to_string()),
                    move |id| set(&|l| l.remedies.pack = id.parse().unwrap_or(1)))}
                {menu("D learning rate", "lab-dlr", LAB_LR_RATIOS.iter().map(|r| (r.to_string(), format!("{r} x G's"))).collect(),
                    move || lab.with(|l| l.remedies.discriminator_lr_ratio.to_string()),
                    move |id| set(&|l| l.remedies.discriminator_lr_ratio = id.parse().unwrap_or(1.0)))}
                {menu("D steps per G step", "lab-dsteps", (1..=5).map(|k| (k.to_string(), k.to_string())).collect(),
                    move || lab.with(|l| l.discriminator_steps.to_string()),
                    move |id| set(&|l| l.discriminator_steps = id.parse().unwrap_or(1)))}
                <label class="field"><input type="checkbox" data-testid="lab-sn"
                    prop:checked=move || lab.with(|l| l.remedies.spectral())
                    prop:disabled=move || lab.with(|l| l.remedies.loss.needs_lipschitz())
                    on:change=move |ev| { let on = event_target_checked(&ev); set(&|l| l.remedies.spectral_norm = on) } />
                    " spectral normalisation"</label>
                <label class="field"><input type="checkbox" data-testid="lab-mbstd"
                    prop:checked=move || lab.with(|l| l.remedies.minibatch_std)
                    on:change=move |ev| { let on = event_target_checked(&ev); set(&|l| l.remedies.minibatch_std = on) } />
                    " minibatch standard deviation"</label>
            </div>
            <label class="field">
                <span class="field-name">"seed"</span>
                <input type="number" min="0" data-testid="lab-seed" prop:value=move || lab.with(|l| l.seed.to_string())
                    on:change=move |ev| {
                        if let Ok(seed) = event_target_value(&ev).parse::<u32>() {
                            set(&|l| l.seed = u64::from(seed))
                        }
                    } />
            </label>
        </div>
    }
}

/// Every finished run's numbers.
#[component]
fn LabTable(rows: RwSignal<Vec<Row>>) -> impl IntoView {
    view! {
        <table class="lab-table" data-testid="lab-table" hidden=move || rows.with(Vec::is_empty)>
            <caption>{format!("Finished runs ({LAB_STEPS} steps each)")}</caption>
            <thead><tr><th>"data"</th><th>"model"</th><th>"remedies"</th><th>"seed"</th><th>"modes"</th><th>"high quality"</th><th>"held-out nats"</th></tr></thead>
            <tbody>
                {move || rows.get().into_iter().map(|row| view! {
                    <tr>
                        <td>{row.settings.data.label()}</td>
                        <td>{row.settings.model.label()}</td>
                        <td>{remedies_text(&row.settings)}</td>
                        <td>{row.settings.seed}</td>
                        <td>{row.modes}</td>
                        <td>{row.quality}</td>
                        <td>{row.nats}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
