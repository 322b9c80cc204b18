//! A finished augmentation experiment: each arm's held-out accuracy as a chart and a table, and
//! a few of the digits each arm added.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::super::image_grid::draw_grid;
use super::experiment::Finished;
use crate::experiment::augment::{ArmOutcome, AugmentArm, EXAMPLES_PER_CLASS};

/// The chart, the table and the example strips of a finished experiment.
#[component]
pub(super) fn Results(finished: Finished) -> impl IntoView {
    let Finished {
        plan,
        outcomes,
        seconds,
    } = finished;
    let baseline = outcomes
        .iter()
        .find(|o| o.arm == AugmentArm::RealOnly)
        .map(ArmOutcome::mean);
    let rows = outcomes
        .iter()
        .map(|outcome| {
            let change = baseline
                .filter(|_| outcome.arm != AugmentArm::RealOnly)
                .map(|b| format!("{:+.1}", (outcome.mean() - b) * 100.0))
                .unwrap_or_else(|| "—".into());
            let per_seed = outcome
                .accuracies
                .iter()
                .map(|a| format!("{:.1}", a * 100.0))
                .collect::<Vec<_>>()
                .join(", ");
            let examples = outcome.examples.clone();
            view! {
                <tr data-arm=format!("{:?}", outcome.arm)>
                    <th>{outcome.arm.label()}<p class="caption">{outcome.arm.provenance()}</p></th>
                    <td data-testid="augment-mean">{format!("{:.1}% ± {:.1}", outcome.mean() * 100.0, outcome.spread() * 100.0)}</td>
                    <td>{change}</td>
                    <td>{per_seed}</td>
                    <td>{(!examples.is_empty()).then(|| view! { <ExampleStrip pixels=examples /> })}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="augment-results" data-testid="augment-results">
            <p>{format!(
                "K = {} labelled digits per class ({} in all), {} seed{}, {} extra digits per class, classifiers trained \
                 {} steps, generators on the labelled digits {} steps; measured in {:.0} s.",
                plan.per_class,
                plan.per_class * 10,
                plan.seeds,
                if plan.seeds == 1 { "" } else { "s" },
                plan.extra_per_class,
                plan.classifier_steps,
                plan.generator_steps,
                seconds
            )}</p>
            <AccuracyChart outcomes=outcomes.clone() />
            <table class="metrics-table augment-table" data-testid="augment-table">
                <thead><tr>
                    <th>"Trained on"</th>
                    <th>"Held-out accuracy (mean ± sd)"</th>
                    <th>"vs labelled only, points"</th>
                    <th>"Per seed, %"</th>
                    <th>{format!("Digits it added ({} per class, first seed)", EXAMPLES_PER_CLASS)}</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// Horizontal bars of each arm's mean accuracy, with whiskers of one standard deviation and a
/// dot per seed, drawn as SVG (a few dozen lines; no chart crate is needed for five bars).
#[component]
fn AccuracyChart(outcomes: Vec<ArmOutcome>) -> impl IntoView {
    const WIDTH: f64 = 520.0;
    const LEFT: f64 = 150.0;
    const ROW: f64 = 26.0;
    let height = ROW * outcomes.len() as f64 + 24.0;
    let x = move |accuracy: f64| LEFT + accuracy.clamp(0.0, 1.0) * (WIDTH - LEFT - 28.0);
    let short = |arm: AugmentArm| match arm {
        AugmentArm::RealOnly => "labelled only",
        AugmentArm::Classic => "+ shifts, rotations",
        AugmentArm::FewShotCvae => "+ cVAE on K labels",
        AugmentArm::FewShotCgan => "+ cGAN on K labels",
        AugmentArm::PretrainedCvae => "+ shipped cVAE *",
        AugmentArm::PretrainedCgan => "+ shipped cGAN *",
    };
    let ticks = (0..=5)
        .map(|i| {
            let value = i as f64 / 5.0;
            view! {
                <line x1=x(value) x2=x(value) y1="0" y2=height - 18.0 class="grid" />
                <text x=x(value) y=height - 4.0 text-anchor="middle">{format!("{:.0}%", value * 100.0)}</text>
            }
        })
        .collect_view();
    let bars = outcomes
        .iter()
        .enumerate()
        .map(|(i, outcome)| {
            let y = i as f64 * ROW + 4.0;
            let (mean, spread) = (outcome.mean(), outcome.spread());
            let dots = outcome
                .accuracies
                .iter()
                .map(|&a| view! { <circle cx=x(a) cy=y + ROW / 2.0 - 2.0 r="2.5" class="seed" /> })
                .collect_view();
            view! {
                <text x=LEFT - 6.0 y=y + ROW / 2.0 + 2.0 text-anchor="end">{short(outcome.arm)}</text>
                <rect x=LEFT y=y width=x(mean) - LEFT height=ROW - 8.0 class=format!("bar arm-{:?}", outcome.arm) />
                <line x1=x(mean - spread) x2=x(mean + spread) y1=y + ROW / 2.0 - 4.0 y2=y + ROW / 2.0 - 4.0 class="whisker" />
                {dots}
            }
        })
        .collect_view();
    view! {
        <svg class="accuracy-chart" data-testid="augment-chart" viewBox=format!("0 0 {WIDTH} {height}")
            width=WIDTH height=height role="img" aria-label="Held-out accuracy of each arm">
            {ticks}
            {bars}
        </svg>
        <p class="caption">"Bars: mean held-out accuracy; whiskers: ± one standard deviation over seeds; dots: each seed. \
            * trained on all 9,000 labelled digits."</p>
    }
}

/// A few digits an arm added, ten to a row.
#[component]
fn ExampleStrip(pixels: Vec<f32>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        if let Some(canvas) = canvas.get() {
            draw_grid(&canvas, &pixels, 10);
        }
    });
    view! { <canvas class="examples" node_ref=canvas role="img" aria-label="Examples of the training set of this arm"></canvas> }
}
