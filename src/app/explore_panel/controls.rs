//! The Explore panel's controls: which model, and for a latent space of more than two
//! dimensions, how to cut it.

use leptos::prelude::*;

use super::exploration::{Exploration, Slice};
use crate::train::ModelKind;

/// The models with an encoder, whose latent space can be explored.
const EXPLORABLE: [ModelKind; 6] = [
    ModelKind::Vae2d,
    ModelKind::VaeMlp,
    ModelKind::VaeConv,
    ModelKind::Rvae,
    ModelKind::AeMlp,
    ModelKind::AeConv,
];

/// The model menu and, beyond two dimensions, the slice and its axes.
#[component]
pub(super) fn ExploreControls(exploration: Exploration) -> impl IntoView {
    let Exploration { model, slice, dims, .. } = exploration;
    let axis_choice = move |first: bool| {
        move |ev: leptos::ev::Event| {
            if let Ok(axis) = event_target_value(&ev).parse::<usize>() {
                let (i, j) = match slice.get_untracked() {
                    Slice::Axes(i, j) => (i, j),
                    Slice::Principal => (0, 1),
                };
                slice.set(if first {
                    Slice::Axes(axis, j)
                } else {
                    Slice::Axes(i, axis)
                });
            }
        }
    };
    let axis_options = move || {
        (0..dims.get())
            .map(|k| view! { <option value=k.to_string()>{format!("z{}", k + 1)}</option> })
            .collect_view()
    };
    view! {
        <div class="controls">
            <label>"Model "
                <select data-testid="explore-model" on:change=move |ev| {
                    if let Some(k) = ModelKind::from_id(&event_target_value(&ev)) { model.set(k) }
                }>
                    {EXPLORABLE.into_iter().map(|k| view! {
                        <option value=k.id() selected=move || model.get() == k>{k.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <Show when=move || model.get() != ModelKind::Vae2d>
                <label>"Slice "
                    <select data-testid="explore-slice" on:change=move |ev| {
                        slice.set(if event_target_value(&ev) == "axes" { Slice::Axes(0, 1) } else { Slice::Principal })
                    }>
                        <option value="principal" selected=move || slice.get() == Slice::Principal>
                            "top two principal directions"
                        </option>
                        <option value="axes" selected=move || slice.get() != Slice::Principal>"two axes"</option>
                    </select>
                </label>
                <Show when=move || slice.get() != Slice::Principal>
                    <select data-testid="explore-axis-a" aria-label="First latent axis" on:change=axis_choice(true)
                        prop:value=move || match slice.get() { Slice::Axes(i, _) => i.to_string(), _ => "0".into() }>
                        {axis_options}
                    </select>
                    <select data-testid="explore-axis-b" aria-label="Second latent axis" on:change=axis_choice(false)
                        prop:value=move || match slice.get() { Slice::Axes(_, j) => j.to_string(), _ => "1".into() }>
                        {axis_options}
                    </select>
                </Show>
                <span class="hint">{move || format!(
                    "a {}-dimensional latent: this plane passes through the mean code of the held-out digits, \
                     the other coordinates fixed; one unit is one standard deviation along each direction",
                    dims.get()
                )}</span>
            </Show>
        </div>
    }
}
