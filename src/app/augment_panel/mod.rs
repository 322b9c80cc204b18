//! The Augment panel: does generated data help a classifier trained on few labels? It runs the
//! experiment of [`crate::experiment::augment`] in a worker of its own (the Train panel's worker
//! keeps training meanwhile), with a progress bar, then shows each arm's held-out accuracy
//! over the seeds as a chart and a table, and a few of the digits each arm added.

mod experiment;
mod plan_form;
mod results;

use leptos::prelude::*;

use super::Runtime;
use super::pretrained::PretrainedStore;
use experiment::Experiment;
use plan_form::PlanForm;
use results::Results;

/// The Augment panel.
#[component]
pub fn AugmentPanel(
    runtime: StoredValue<Runtime>,
    pretrained: PretrainedStore,
    /// Labelled digits per class (K), shared with the share link.
    per_class: RwSignal<usize>,
    /// Number of seeds, shared with the share link.
    seeds: RwSignal<usize>,
) -> impl IntoView {
    let experiment = Experiment::new(runtime, pretrained);
    let dataset_note = move || {
        runtime.with_value(|r| r.dataset).with(|d| {
            (!d.is_shipped()).then(|| {
                format!(
                    "The experiment uses the shipped MNIST digits, not “{}”: its generators and its classes are MNIST's.",
                    d.name
                )
            })
        })
    };
    view! {
        <section class="panel augment" data-testid="augment-panel">
            <h2>"Augment"</h2>
            <p class="intro">
                "Can generated digits stand in for labels you do not have? Take K labelled digits per class, train a \
                 small classifier (MLP 784-256-10, Adam) on them alone, on them plus shifted and rotated copies, and on \
                 them plus digits written to order by a conditional VAE or GAN. Each classifier is scored on the 1,000 \
                 held-out digits, for several seeds (each seed draws other labelled digits)."
            </p>
            <p class="notice" data-testid="augment-provenance">
                "Where the generators learned matters: the shipped conditional VAE and GAN were trained on all 9,000 \
                 labelled training digits, so their samples carry far more labelled information than K per class — \
                 read those rows as an upper bound. The fair few-label tests are the conditional VAE and GAN trained \
                 here on the same K labelled digits per class and nothing else."
            </p>
            {dataset_note}
            <PlanForm experiment per_class seeds />
            <p class="hint">"Runs on the CPU in a worker of its own, so the Train panel keeps training meanwhile."</p>
            {move || experiment.progress.get().map(|p| view! {
                <div class="progress-row">
                    <progress data-testid="augment-progress" max=p.total.to_string() value=p.done.to_string()></progress>
                    <span class="progress-text" data-testid="augment-progress-text">{move || experiment.progress_text()}</span>
                </div>
            })}
            {move || experiment.problem.get().map(|p| view! {
                <p class="notice warning" role="status" data-testid="augment-problem">{p}</p>
            })}
            {move || experiment.finished.get().map(|f| view! { <Results finished=f /> })}
        </section>
    }
}
