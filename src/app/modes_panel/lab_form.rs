//! The lab's form: data, model, the GAN's remedies, the seed and the backend.

use leptos::prelude::*;

use crate::backend::choice::BackendKind;
use crate::data::toy2d::Toy2d;
use crate::lab::{LabModel, LabSettings};
use crate::link::LAB_LR_RATIOS;
use crate::model::gan_loss::{GanLoss, MAX_PACK};

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

/// The lab's settings: data, model, the GAN's remedies, the seed, and where it trains.
#[component]
pub(super) fn LabForm(lab: RwSignal<LabSettings>, backend: RwSignal<BackendKind>) -> impl IntoView {
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
            {menu("backend", "lab-backend", BackendKind::ALL.iter().map(|b| (b.id().to_string(), b.label().to_string())).collect(),
                move || backend.get().id().to_string(),
                move |id| backend.set(BackendKind::from_id(&id).unwrap_or(BackendKind::Cpu)))}
        </div>
    }
}
