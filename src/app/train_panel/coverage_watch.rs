//! The Train panel's mode-collapse watch: the shipped digit classifier's verdict on a
//! generator's samples, every few steps, as a chart and a line of numbers.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::super::Runtime;
use super::super::coverage_chart::draw_coverage;
use super::super::driver::{COVERAGE_INTERVAL, COVERAGE_SAMPLES, TrainState};
use super::super::pretrained::PretrainedStore;
use crate::model::PreviewKind;
use crate::weights::CLASSIFIER_ID;

/// The watch over `state`'s samples; the classifier is fetched the first time a model that
/// samples is picked.
#[component]
pub(super) fn CoverageWatch(
    runtime: StoredValue<Runtime>,
    state: TrainState,
    pretrained: PretrainedStore,
) -> impl IntoView {
    let judge_problem = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        let samples = state.preview_kind.get() == PreviewKind::Samples;
        if !samples || state.has_judge() || judge_problem.get_untracked().is_some() {
            return;
        }
        judge_problem.set(Some(String::new()));
        leptos::task::spawn_local(async move {
            let loaded = pretrained
                .fetch_bytes(CLASSIFIER_ID, "digit classifier", |_, _| {})
                .await;
            match loaded {
                Ok((_, weights)) => {
                    judge_problem.set(None);
                    state.set_judge(weights);
                }
                Err(problem) => judge_problem.set(Some(format!("Class coverage is unavailable: {problem}"))),
            }
        });
    });
    let coverage_ref = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let canvas = coverage_ref.get();
        state
            .coverage
            .with(|reports| canvas.map(|c| draw_coverage(&c, reports)));
    });
    let summary = move || {
        state.coverage.with(|reports| {
            reports.last().map(|(_, r)| {
                format!(
                    "{} of 10 digit classes covered; mean confidence {:.2}; inception score {:.2}",
                    r.classes_covered, r.mean_confidence, r.inception_score
                )
            })
        })
    };
    let dataset = runtime.with_value(|r| r.dataset);
    let foreign_classes = move || dataset.with(|d| (!d.has_digit_classes()).then(|| d.name.clone()));
    view! {
        <Show when=move || state.preview_kind.get() == PreviewKind::Samples>
            <figure class="coverage" data-testid="coverage" data-control="coverage">
                <canvas node_ref=coverage_ref data-testid="coverage-chart" width="640" height="170"
                    role="img" aria-label="Chart of the digit classes the classifier finds among the samples, against the training step"></canvas>
                <figcaption>
                    <strong data-testid="coverage-summary"
                        data-covered=move || state.coverage.with(|c| c.last().map(|(_, r)| r.classes_covered.to_string()))
                        data-checks=move || state.coverage.with(|c| c.len().to_string())>
                        {summary}
                    </strong>
                    {format!(
                        " — mode collapse watch: every {COVERAGE_INTERVAL} steps, the pretrained digit classifier \
                         (shipped with the site) labels {COVERAGE_SAMPLES} samples from fixed noise. A class counts as \
                         covered when at least 2% of the samples fall in it; a GAN that collapses covers few."
                    )}
                    {move || foreign_classes().map(|name| view! {
                        <span class="notice warning" role="status" data-testid="coverage-not-applicable">
                            {format!(" The watch is off: the classifier knows the digits 0 to 9, and the classes of “{name}” are others.")}
                        </span>
                    })}
                    {move || judge_problem.get().filter(|p| !p.is_empty()).map(|p| view! {
                        <span class="notice warning" role="status">{p}</span>
                    })}
                </figcaption>
            </figure>
        </Show>
    }
}
