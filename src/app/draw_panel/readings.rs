//! What the Draw panel shows of the drawing: the digit as the models see it, the classifier's
//! verdict, and each encoder's reconstruction and code.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::super::image_grid::draw_grid;
use crate::eval::compare::most_likely;
use crate::train::ModelKind;

/// One model's view of the drawing.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Reading {
    pub kind: ModelKind,
    pub reconstruction: Vec<f32>,
    pub code: Vec<f32>,
}

/// The drawing prepared as MNIST's digits were, 28 by 28.
#[component]
pub(super) fn PreparedDigit(digit: RwSignal<Option<Vec<f32>>>) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        if let (Some(c), Some(d)) = (canvas.get(), digit.get()) {
            draw_grid(&c, &d, 1);
        }
    });
    view! {
        <figure class="prepared">
            <canvas node_ref=canvas data-testid="draw-prepared" width="28" height="28"
                role="img" aria-label="The drawing as the models see it, 28 by 28 pixels"></canvas>
            <figcaption>"as the models see it (28x28)"</figcaption>
        </figure>
    }
}

/// The classifier's verdict: the most likely digit and a bar per digit.
#[component]
pub(super) fn Prediction(probabilities: RwSignal<Option<Vec<f32>>>) -> impl IntoView {
    let best = move || probabilities.with(|p| p.as_deref().map(most_likely));
    view! {
        <div class="prediction" data-testid="draw-prediction" data-digit=move || best().map(|(d, _)| d.to_string())>
            {move || match (best(), probabilities.get()) {
                (Some((digit, top)), Some(p)) => view! {
                    <p class="verdict">{format!("Looks like a {digit} ({:.0}% sure)", top * 100.0)}</p>
                    <div class="probabilities">
                        {p.into_iter().enumerate().map(|(d, v)| view! {
                            <div class="probability">
                                <span class="bar" style=format!("height: {}px", 2.0 + 60.0 * v)></span>
                                <span>{d}</span>
                            </div>
                        }).collect_view()}
                    </div>
                }.into_any(),
                _ => view! { <p class="hint">"The classifier's reading appears here."</p> }.into_any(),
            }}
        </div>
    }
}

/// One model's reconstruction and code.
#[component]
pub(super) fn ReadingView(reading: Reading) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let pixels = reading.reconstruction.clone();
    Effect::new(move |_| {
        if let Some(c) = canvas.get() {
            draw_grid(&c, &pixels, 1);
        }
    });
    let code: Vec<String> = reading.code.iter().map(|v| format!("{v:+.1}")).collect();
    view! {
        <figure class="reading" data-testid=format!("reading-{}", reading.kind.id())>
            <canvas node_ref=canvas width="28" height="28" role="img"
                aria-label=format!("The {}'s reconstruction of the drawing", reading.kind.label())></canvas>
            <figcaption>
                <strong>{reading.kind.label()}</strong>
                <span class="code" title="The latent code (posterior mean for the VAEs)">{format!("code: {}", code.join(" "))}</span>
            </figcaption>
        </figure>
    }
}
