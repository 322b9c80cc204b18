//! The Compare panel's controls: seed, mask, the interpolation's ends, and the buttons.

use leptos::prelude::*;

use super::comparison::Comparison;
use crate::eval::compare::MaskKind;
use crate::train::ModelKind;

/// The controls above the tables; `add_trained` copies the Train panel's model of `train_kind`.
#[component]
pub(super) fn CompareOptions(
    comparison: Comparison,
    train_kind: RwSignal<ModelKind>,
    add_trained: impl Fn() + 'static,
) -> impl IntoView {
    let Comparison {
        seed,
        mask,
        pair,
        dataset,
        ..
    } = comparison;
    let last_digit = move || dataset.with(|d| d.split.held_out.len().saturating_sub(1));
    let set_pair_end = move |ev: leptos::ev::Event, first: bool| {
        if let Ok(value) = event_target_value(&ev).parse::<usize>() {
            let value = value.min(last_digit());
            pair.update(|p| if first { p.0 = value } else { p.1 = value });
            comparison.recompute(false);
        }
    };
    view! {
        <div class="controls compare-options">
            <label>"Seed "
                <input type="number" min="0" data-testid="compare-seed" prop:value=move || seed.get().to_string()
                    on:change=move |ev| if let Ok(v) = event_target_value(&ev).parse() { seed.set(v); comparison.recompute(false) } />
            </label>
            <label>"Hide "
                <select data-testid="compare-mask" on:change=move |ev| {
                    if let Some(m) = MaskKind::from_id(&event_target_value(&ev)) { mask.set(m); comparison.recompute(false) }
                }>
                    {MaskKind::ALL.into_iter().map(|m| view! {
                        <option value=m.id() selected=move || mask.get() == m>{m.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Interpolate held-out digits "
                <input type="number" min="0" max=move || last_digit().to_string() class="short" data-testid="compare-from"
                    aria-label="First held-out digit to interpolate between"
                    prop:value=move || pair.get().0.to_string() on:change=move |ev| set_pair_end(ev, true) />
                " and "
                <input type="number" min="0" max=move || last_digit().to_string() class="short" data-testid="compare-to"
                    aria-label="Second held-out digit to interpolate between"
                    prop:value=move || pair.get().1.to_string() on:change=move |ev| set_pair_end(ev, false) />
            </label>
            <button data-testid="compare-add-trained" on:click=move |_| add_trained()
                title="Freeze a copy of the model in the Train panel and add it as a column">
                {move || format!("Add my {} from Train", train_kind.get().label())}
            </button>
            <button data-testid="compare-metrics" on:click=move |_| comparison.recompute(true)>"Recompute metrics"</button>
        </div>
    }
}
