//! The hyper-parameter form, generated from the settings table: one validated field per
//! setting the picked model uses, its range shown, errors beside the field.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::link::LAB_LR_RATIOS;
use crate::model::gan_loss::{GanLoss, GanRemedies, MAX_PACK};
use crate::train::{Hyperparameters, ModelKind};
use crate::zoo::settings::{FIELDS, short_number};

/// The form for `kind`, editing `settings`. A value that fails validation is shown with its
/// error and leaves `settings` unchanged.
#[component]
pub fn SettingsForm(kind: RwSignal<ModelKind>, settings: RwSignal<Hyperparameters>) -> impl IntoView {
    let errors = RwSignal::new(BTreeMap::<&'static str, String>::new());
    Effect::new(move |_| {
        kind.track();
        errors.set(BTreeMap::new());
    });
    let fields = move || {
        FIELDS
            .iter()
            .filter(|f| (f.applies)(kind.get()))
            .map(|field| {
                let key = field.key;
                let on_change = move |ev: leptos::ev::Event| {
                    let text = event_target_value(&ev);
                    let mut next = settings.get_untracked();
                    match next.set_from_text(key, &text) {
                        Ok(()) => {
                            settings.set(next);
                            errors.update(|e| {
                                e.remove(key);
                            });
                        }
                        Err(message) => errors.update(|e| {
                            e.insert(key, message);
                        }),
                    }
                };
                let value = move || settings.with(|s| short_number(field.value(s)));
                let error = move || errors.with(|e| e.get(key).cloned());
                view! {
                    <label class="field" class:invalid=move || error().is_some() title=field.help>
                        <span class="field-name">{field.label}</span>
                        <input type="text" inputmode="decimal" data-testid=format!("field-{key}")
                            prop:value=value on:change=on_change />
                        <span class="field-range">{field.range_text()}</span>
                        {move || error().map(|e| view! { <span class="field-error" role="alert">{e}</span> })}
                    </label>
                }
            })
            .collect_view()
    };
    let gan = move || kind.with(|k| k.is_adversarial());
    view! {
        <div class="settings" data-testid="settings-form">
            {fields}
            {move || gan().then(|| view! { <RemediesFields settings /> })}
        </div>
    }
}

/// A GAN's remedies for mode collapse, as the Modes lab offers them: the objective, PacGAN
/// packing, two timescales, spectral normalisation and a minibatch standard deviation feature.
#[component]
fn RemediesFields(settings: RwSignal<Hyperparameters>) -> impl IntoView {
    let set = move |change: &dyn Fn(&mut GanRemedies)| {
        let mut next = settings.get_untracked();
        change(&mut next.remedies);
        settings.set(next);
    };
    let remedies = move || settings.with(|s| s.remedies);
    let choice = |id: String, text: String, current: String| {
        let selected = id == current;
        view! { <option value=id selected=selected>{text}</option> }
    };
    view! {
        <label class="field" title="the adversarial objective both players train with">
            <span class="field-name">"objective"</span>
            <select data-testid="field-gan-loss"
                on:change=move |ev| { let id = event_target_value(&ev); set(&|r| r.loss = GanLoss::from_id(&id).unwrap_or(r.loss)) }>
                {move || GanLoss::ALL.iter().map(|g| choice(g.id().into(), g.label().into(), remedies().loss.id().into())).collect_view()}
            </select>
        </label>
        <label class="field" title="PacGAN: the discriminator judges this many images at once">
            <span class="field-name">"packing"</span>
            <select data-testid="field-gan-pack"
                on:change=move |ev| { let pack = event_target_value(&ev).parse().unwrap_or(1); set(&|r| r.pack = pack) }>
                {move || (1..=MAX_PACK).map(|p| choice(p.to_string(), if p == 1 { "off".into() } else { format!("{p} images") }, remedies().pack.to_string())).collect_view()}
            </select>
        </label>
        <label class="field" title="two timescales: the discriminator's learning rate over the generator's">
            <span class="field-name">"D learning rate"</span>
            <select data-testid="field-gan-dlr"
                on:change=move |ev| { let ratio = event_target_value(&ev).parse().unwrap_or(1.0); set(&|r| r.discriminator_lr_ratio = ratio) }>
                {move || LAB_LR_RATIOS.iter().map(|r| choice(r.to_string(), format!("{r} x G's"), remedies().discriminator_lr_ratio.to_string())).collect_view()}
            </select>
        </label>
        <label class="field"><input type="checkbox" data-testid="field-gan-sn"
            prop:checked=move || remedies().spectral()
            prop:disabled=move || remedies().loss.needs_lipschitz()
            on:change=move |ev| { let on = event_target_checked(&ev); set(&|r| r.spectral_norm = on) } />
            " spectral normalisation"</label>
        <label class="field"><input type="checkbox" data-testid="field-gan-mbstd"
            prop:checked=move || remedies().minibatch_std
            on:change=move |ev| { let on = event_target_checked(&ev); set(&|r| r.minibatch_std = on) } />
            " minibatch standard deviation"</label>
    }
}
