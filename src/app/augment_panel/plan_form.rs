//! The Augment panel's form: the experiment's plan (K, seeds, sizes, arms) and Run / Stop.

use leptos::prelude::*;

use super::experiment::Experiment;
use crate::experiment::augment::{AugmentArm, AugmentPlan, MAX_AUGMENT_SEEDS, PER_CLASS_CHOICES};

/// A whole-number field held in `min..=max`, locked while the experiment runs.
#[component]
fn NumberField(
    label: &'static str,
    id: &'static str,
    value: RwSignal<usize>,
    min: usize,
    max: usize,
    running: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <label>
            {label} " "
            <input type="number" data-testid=id min=min.to_string() max=max.to_string()
                prop:value=move || value.get().to_string()
                on:change=move |ev| {
                    if let Ok(v) = event_target_value(&ev).trim().parse::<usize>() {
                        value.set(v.clamp(min, max));
                    }
                }
                disabled=move || running.get() />
        </label>
    }
}

/// The plan's fields and the buttons; Run hands `experiment` the plan as the fields hold it.
#[component]
pub(super) fn PlanForm(experiment: Experiment, per_class: RwSignal<usize>, seeds: RwSignal<usize>) -> impl IntoView {
    let defaults = AugmentPlan::default();
    let extra = RwSignal::new(defaults.extra_per_class);
    let classifier_steps = RwSignal::new(defaults.classifier_steps);
    let generator_steps = RwSignal::new(defaults.generator_steps);
    let chosen_arms = RwSignal::new(defaults.arms.clone());
    let running = experiment.running;
    let plan = move || AugmentPlan {
        per_class: per_class.get_untracked(),
        seeds: seeds.get_untracked(),
        extra_per_class: extra.get_untracked(),
        classifier_steps: classifier_steps.get_untracked(),
        generator_steps: generator_steps.get_untracked(),
        arms: AugmentArm::ALL
            .into_iter()
            .filter(|arm| chosen_arms.with_untracked(|chosen| chosen.contains(arm)))
            .collect(),
    };
    view! {
        <div class="controls augment-controls">
            <label>
                "Labelled digits per class (K) "
                <select data-testid="augment-k" disabled=move || running.get()
                    on:change=move |ev| if let Ok(k) = event_target_value(&ev).parse() { per_class.set(k) }>
                    {PER_CLASS_CHOICES.into_iter().map(|k| view! {
                        <option value=k.to_string() selected=move || per_class.get() == k>{k.to_string()}</option>
                    }).collect_view()}
                </select>
            </label>
            <NumberField label="Seeds" id="augment-seeds" value=seeds min=1 max=MAX_AUGMENT_SEEDS running />
            <NumberField label="Extra digits per class" id="augment-extra" value=extra min=1 max=1_000 running />
            <NumberField label="Classifier steps" id="augment-classifier-steps" value=classifier_steps min=1 max=20_000 running />
            <NumberField label="Generator steps" id="augment-generator-steps" value=generator_steps min=1 max=20_000 running />
            <fieldset class="augment-arms" data-testid="augment-arms">
                <legend>"Compare"</legend>
                {AugmentArm::ALL.into_iter().map(|arm| view! {
                    <label>
                        <input type="checkbox" data-arm=format!("{arm:?}") disabled=move || running.get()
                            prop:checked=move || chosen_arms.with(|chosen| chosen.contains(&arm))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                chosen_arms.update(|chosen| {
                                    chosen.retain(|a| *a != arm);
                                    if on {
                                        chosen.push(arm);
                                    }
                                });
                            } />
                        " " {arm.label()}
                        {(arm == AugmentArm::FewShotCgan).then_some(" (about four times the run time)")}
                    </label>
                }).collect_view()}
            </fieldset>
            <button class="primary" data-testid="augment-run" on:click=move |_| experiment.run(plan())
                disabled=move || running.get()>
                {move || if experiment.finished.with(Option::is_some) { "Run again" } else { "Run the experiment" }}
            </button>
            <button data-testid="augment-stop" on:click=move |_| experiment.stop() disabled=move || !running.get()>"Stop"</button>
        </div>
    }
}
