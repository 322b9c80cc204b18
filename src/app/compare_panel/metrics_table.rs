//! The Compare panel's table of numbers: a row per model.

use leptos::prelude::*;

use super::columns::{Column, ColumnHeading, Results};
use crate::eval::compare::ModelScores;
use std::collections::HashMap;

/// The numbers, one row per model.
#[component]
pub(super) fn MetricsTable(
    columns: StoredValue<Vec<Column>, LocalStorage>,
    headings: RwSignal<Vec<ColumnHeading>>,
    results: RwSignal<HashMap<String, Results>>,
    /// Whether the digit classifier's classes are the dataset's: else its figures are not shown.
    digit_classes: Signal<bool>,
) -> impl IntoView {
    let rows = move || {
        headings.track();
        let all: Vec<Column> = columns.with_value(Clone::clone);
        all.into_iter()
            .map(|column| {
                let key = column.heading.key.clone();
                let scores = Signal::derive(move || results.with(|r| r.get(&key).and_then(|c| c.scores.clone())));
                let cell = move |f: fn(&ModelScores) -> String| {
                    move || match scores.get() {
                        Some(Ok(s)) => f(&s),
                        Some(Err(e)) => format!("failed: {e}"),
                        None => "…".into(),
                    }
                };
                let by_classifier = move |f: fn(&ModelScores) -> String| {
                    move || {
                        if digit_classes.get() {
                            cell(f)()
                        } else {
                            "n/a".to_string()
                        }
                    }
                };
                let histogram = move || {
                    scores.get().and_then(Result::ok).filter(|_| digit_classes.get()).map(|s| {
                        let tallest = s.samples.histogram.iter().copied().max().unwrap_or(1).max(1);
                        s.samples.histogram.iter().enumerate().map(|(digit, &count)| view! {
                            <span class="bar" title=format!("{digit}: {count} samples")
                                style=format!("height: {}px", 2 + 22 * count / tallest)></span>
                        }).collect_view()
                    })
                };
                let time = column.wall_seconds.map_or("–".to_string(), |s| format!("{s:.0} s"));
                view! {
                    <tr data-testid=format!("metrics-{}", column.heading.key) data-model=column.heading.kind.id()
                        data-covered=move || scores.get().and_then(Result::ok).map(|s| s.samples.classes_covered.to_string())
                        data-finite=move || scores.get().and_then(Result::ok).map(|s| all_finite(&s).to_string())>
                        <th scope="row">{column.heading.title.clone()}</th>
                        <td>{cell(|s| number(s.reconstruction_bce, 1))}</td>
                        <td>{cell(|s| number(s.reconstruction_mse, 2))}</td>
                        <td>{cell(|s| number(s.elbo, 1))}</td>
                        <td><div class="histogram">{histogram}</div></td>
                        <td>{by_classifier(|s| format!("{} of 10", s.samples.classes_covered))}</td>
                        <td>{by_classifier(|s| format!("{:.2}", s.samples.inception_score))}</td>
                        <td>{by_classifier(|s| format!("{:.0}", s.frechet))}</td>
                        <td>{column.parameters.to_string()}</td>
                        <td>{column.steps.to_string()}</td>
                        <td>{time}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div class="compare-scroll" tabindex="0" role="region" aria-label="Every model's held-out figures">
            <table class="metrics-table" data-testid="metrics-table">
                <thead><tr>
                    <th>"model"</th>
                    <th title="Mean binary cross-entropy between each held-out image (the 1,000 held-out digits of MNIST) and its reconstruction, summed over the 784 pixels: nats per image, lower is better.">"recon BCE"</th>
                    <th title="Mean squared error between each held-out digit and its reconstruction, summed over pixels (intensities 0 to 1), per image.">"recon MSE"</th>
                    <th title="Evidence lower bound on log p(x) for the held-out digits: minus (reconstruction cross-entropy + KL of the posterior to the prior), nats per image, one posterior sample each; higher is better.">"ELBO"</th>
                    <th title="How the shipped digit classifier labels 1,000 samples: one bar per digit 0 to 9.">"sample classes"</th>
                    <th title="Digit classes holding at least 2% of the 1,000 samples. A model that collapses onto a few modes covers few.">"covered"</th>
                    <th title="Inception-Score-like figure: exp of the mean KL divergence from each sample's class probabilities to their average. 1 for one class or unsure predictions, up to 10 for confident, evenly spread ones.">"IS"</th>
                    <th title="Fréchet distance between Gaussians fitted to the classifier's 128 penultimate features of 1,000 samples and of the 1,000 held-out digits (as FID, with our classifier instead of Inception). Lower means the samples look more like real digits.">"Fréchet"</th>
                    <th title="Trainable parameters (for a GAN, generator and discriminator).">"parameters"</th>
                    <th title="Training steps behind these weights.">"steps"</th>
                    <th title="Wall time of the training that made these weights.">"time"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
            {move || (!digit_classes.get()).then(|| view! {
                <p class="hint" data-testid="metrics-not-applicable">
                    "n/a: the classes covered, IS and Fréchet distance judge samples with the shipped digit \
                     classifier, whose classes (the digits 0 to 9) are not this dataset's."
                </p>
            })}
        </div>
    }
}

/// `v` with `digits` decimals, or a dash.
fn number(v: Option<f64>, digits: usize) -> String {
    v.map_or("–".to_string(), |v| format!("{v:.digits$}"))
}

/// Whether every figure that applies is a finite number.
fn all_finite(s: &ModelScores) -> bool {
    [s.reconstruction_bce, s.reconstruction_mse, s.elbo]
        .into_iter()
        .flatten()
        .chain([s.frechet, s.samples.inception_score, s.samples.mean_confidence])
        .all(f64::is_finite)
}
