//! The Explore panel's pictures of the plane: the decoded manifold, the scatter of the held-out
//! digits' codes, and the digit decoded at the point. Both pictures of the plane can be pointed
//! at, or operated from the keyboard.

use leptos::html::Canvas;
use leptos::prelude::*;

use super::super::image_grid::{context_2d, draw_grid};
use super::exploration::{Exploration, FRAME, GRID, Pointed};
use crate::pointing::KeyPoint;
use crate::train::ModelKind;

/// One colour per digit class (Okabe-Ito and friends, distinguishable for colour-blind readers).
pub(in super::super) const CLASS_COLOURS: [&str; 10] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#F0E442", "#999999", "#882255",
];

/// A picture of the plane on `canvas`, named `label`: pointing at it, or moving the keyboard's
/// point over it with the arrow keys (a twentieth of the plane a press), decodes there.
#[component]
fn PlanePicture(
    exploration: Exploration,
    canvas: NodeRef<Canvas>,
    test_id: &'static str,
    ready: Signal<bool>,
    label: &'static str,
) -> impl IntoView {
    let at_pointer = move |ev: web_sys::PointerEvent| {
        let Some(canvas) = canvas.get_untracked() else { return };
        let rect = canvas.get_bounding_client_rect();
        let scale = FRAME.side / rect.width().max(1.0);
        let x = (f64::from(ev.client_x()) - rect.left()) * scale;
        exploration.decode_at(x, (f64::from(ev.client_y()) - rect.top()) * scale);
    };
    let key_point = StoredValue::new(KeyPoint::centred(FRAME.side, FRAME.side / 20.0));
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let mut point = key_point.get_value();
        if point.on_key(&ev.key(), ev.shift_key()) {
            ev.prevent_default();
            key_point.set_value(point);
            exploration.decode_at(point.x, point.y);
        }
    };
    view! {
        <canvas node_ref=canvas class="latent" data-testid=test_id width=FRAME.side height=FRAME.side
            data-state=move || if ready.get() { "ready" } else { "pending" }
            tabindex="0" role="img" aria-describedby="explore-point" aria-label=label
            on:pointermove=at_pointer on:pointerdown=at_pointer on:keydown=on_key></canvas>
    }
}

/// The decoder's image at every point of a grid over the plane.
#[component]
pub(super) fn ManifoldPicture(exploration: Exploration) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let manifold = exploration.manifold;
    Effect::new(move |_| {
        if let (Some(c), Some(images)) = (canvas.get(), manifold.get()) {
            draw_grid(&c, &images, GRID);
        }
    });
    let ready = Signal::derive(move || manifold.with(Option::is_some));
    view! {
        <figure>
            <PlanePicture exploration canvas test_id="explore-manifold" ready
                label="The decoded manifold: the decoder's digit at each point of the plane. Point at it, \
                    or move a point with the arrow keys (Shift for small steps, Home for the centre), to decode there" />
            <figcaption>"decoded manifold: first direction left to right, second bottom to top, from -3 to 3"</figcaption>
        </figure>
    }
}

/// Where the encoder puts the held-out digits, one colour per class, and the point decoded.
#[component]
pub(super) fn ScatterPicture(exploration: Exploration) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let Exploration {
        points,
        pointed,
        labels,
        ..
    } = exploration;
    Effect::new(move |_| {
        let (Some(canvas), Some(points)) = (canvas.get(), points.get()) else {
            return;
        };
        let Some(ctx) = context_2d(&canvas) else { return };
        let side = FRAME.side;
        ctx.set_fill_style_str("#fff");
        ctx.fill_rect(0.0, 0.0, side, side);
        ctx.set_stroke_style_str("#ddd");
        for v in [-2.0, -1.0, 0.0, 1.0, 2.0] {
            let (x, y) = FRAME.to_picture(v, v);
            ctx.begin_path();
            ctx.move_to(x, 0.0);
            ctx.line_to(x, side);
            ctx.move_to(0.0, y);
            ctx.line_to(side, y);
            ctx.stroke();
        }
        labels.with_value(|labels| {
            for (&(s, t), &label) in points.iter().zip(labels) {
                ctx.set_fill_style_str(CLASS_COLOURS[usize::from(label) % 10]);
                let (x, y) = FRAME.to_picture(f64::from(s), f64::from(t));
                ctx.fill_rect(x - 2.0, y - 2.0, 4.0, 4.0);
            }
        });
        if let Some(Pointed { s, t, .. }) = pointed.get() {
            let (x, y) = FRAME.to_picture(s, t);
            ctx.set_stroke_style_str("#000");
            ctx.set_line_width(2.0);
            ctx.stroke_rect(x - 6.0, y - 6.0, 12.0, 12.0);
            ctx.set_line_width(1.0);
        }
    });
    let ready = Signal::derive(move || points.with(Option::is_some));
    view! {
        <figure>
            <PlanePicture exploration canvas test_id="explore-scatter" ready
                label="Where the encoder puts the held-out digits, one colour per class. Point at it, \
                    or move a point with the arrow keys, to decode there" />
            <figcaption class="legend">
                {CLASS_COLOURS.iter().enumerate().map(|(digit, colour)| view! {
                    <span><span class="swatch" style=format!("background: {colour}")></span>{digit}</span>
                }).collect_view()}
            </figcaption>
        </figure>
    }
}

/// The digit decoded at the point, and where the point is.
#[component]
pub(super) fn DecodedDigit(exploration: Exploration) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let Exploration { pointed, model, .. } = exploration;
    Effect::new(move |_| {
        if let (Some(c), Some(Pointed { image, .. })) = (canvas.get(), pointed.get()) {
            draw_grid(&c, &image, 1);
        }
    });
    let place = move || {
        pointed
            .get()
            .map_or("Point at the plane.".to_string(), |Pointed { s, t, .. }| {
                match model.get() {
                    ModelKind::Vae2d => format!("z = ({s:+.2}, {t:+.2})"),
                    _ => format!("plane point ({s:+.2}, {t:+.2})"),
                }
            })
    };
    view! {
        <figure class="decoded">
            <canvas node_ref=canvas data-testid="explore-decoded" width="28" height="28"
                role="img" aria-label="The digit decoded at the point"></canvas>
            <figcaption data-testid="explore-point" id="explore-point" aria-live="polite">{place}</figcaption>
        </figure>
    }
}
