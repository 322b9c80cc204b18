//! The hyper-parameter form, generated from the settings table: one validated field per
//! setting the picked model uses, its range shown, errors beside the field.

use std::collections::BTreeMap;

use leptos::prelude::*;

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
    view! { <div class="settings" data-testid="settings-form">{fields}</div> }
}
