//! The Train panel's latent scatter: where the model's encoder puts 200 fixed held-out digits
//! (the first two numbers of each code: the posterior mean for a VAE), one colour per class,
//! redrawn with each preview, so a person watches the latent space organise while it trains.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::explore_panel::CLASS_COLOURS;
use super::image_grid::context_2d;
use crate::page::CodeScatter;

/// Side of the canvas, in canvas pixels.
const SIDE: f64 = 224.0;

/// The largest distance from 0 of any coordinate in `points`, padded: the plot's half-width.
fn extent(points: &[f32]) -> f64 {
    let largest = points
        .iter()
        .filter(|p| p.is_finite())
        .fold(0.0f64, |m, &p| m.max(f64::from(p).abs()));
    (largest * 1.1).max(1e-3)
}

/// The scatter of `codes`, the latest the worker sent.
#[component]
pub fn CodeScatterView(codes: Memo<Option<CodeScatter>>) -> impl IntoView {
    let canvas_ref = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        let Some(canvas) = canvas_ref.get() else { return };
        codes.with(|shown| {
            let Some(shown) = shown else { return };
            let Some(ctx) = context_2d(&canvas) else { return };
            let half = extent(&shown.points);
            let at = |value: f32, flip: bool| {
                let v = if flip { -f64::from(value) } else { f64::from(value) };
                (v + half) / (2.0 * half) * SIDE
            };
            ctx.set_fill_style_str("#fff");
            ctx.fill_rect(0.0, 0.0, SIDE, SIDE);
            ctx.set_stroke_style_str("#ddd");
            ctx.begin_path();
            ctx.move_to(SIDE / 2.0, 0.0);
            ctx.line_to(SIDE / 2.0, SIDE);
            ctx.move_to(0.0, SIDE / 2.0);
            ctx.line_to(SIDE, SIDE / 2.0);
            ctx.stroke();
            for (point, &class) in shown.points.chunks_exact(2).zip(&shown.classes) {
                ctx.set_fill_style_str(CLASS_COLOURS[usize::from(class) % CLASS_COLOURS.len()]);
                ctx.fill_rect(at(point[0], false) - 2.0, at(point[1], true) - 2.0, 4.0, 4.0);
            }
            // Set once drawn, so a test can wait for the scatter of a step.
            let _ = canvas.set_attribute("data-step", &shown.step.to_string());
            let _ = canvas.set_attribute("data-extent", &format!("{half:.3}"));
        });
    });
    view! {
        <Show when=move || codes.with(Option::is_some)>
            <figure class="grid codes" data-testid="codes">
                <canvas node_ref=canvas_ref data-testid="code-scatter" width=SIDE height=SIDE role="img"
                    aria-label="Where the encoder puts 200 held-out digits: the first two numbers of each code, one colour per class"></canvas>
                <figcaption>
                    {move || codes.with(|c| c.as_ref().map(|c| format!(
                        "Where the encoder puts 200 held-out digits (code numbers 1 and 2, scaled to fit), at step {}; \
                         one colour per class, as in the Explore panel",
                        c.step
                    )))}
                </figcaption>
            </figure>
        </Show>
    }
}
