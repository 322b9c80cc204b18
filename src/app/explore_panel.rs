//! The Explore panel: the latent space of the 2-D VAE, drawn. On the left, the decoded manifold
//! (the decoder's image at every point of a grid over the plane); on the right, where the
//! encoder puts the 1,000 held-out digits, coloured by class. Pointing anywhere decodes there.

use std::rc::Rc;

use burn::tensor::{Tensor, TensorData};
use leptos::html::Canvas;
use leptos::prelude::*;

use super::Runtime;
use super::image_grid::{context_2d, draw_grid};
use super::pretrained::PretrainedStore;
use crate::train::batches::upload;
use crate::train::catalogue::start_session;
use crate::train::{ModelKind, Session, read_floats};

/// Points per side of the manifold grid.
const GRID: usize = 15;
/// The plane shown: codes from -EXTENT to EXTENT on both axes (the prior's ±3 sigma).
const EXTENT: f64 = 3.0;
/// Side of both canvases, in canvas pixels (15 images of 28 pixels).
const SIDE: f64 = (GRID * 28) as f64;
/// One colour per digit class (Okabe-Ito and friends, distinguishable for colour-blind readers).
const CLASS_COLOURS: [&str; 10] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#F0E442", "#999999", "#882255",
];

/// Canvas position (0..SIDE) to code value, for the horizontal (`flip` false) or vertical axis.
fn to_code(position: f64, flip: bool) -> f64 {
    let fraction = (position / SIDE).clamp(0.0, 1.0);
    let value = -EXTENT + 2.0 * EXTENT * fraction;
    if flip { -value } else { value }
}

/// Code value to canvas position.
fn to_position(code: f64, flip: bool) -> f64 {
    let code = if flip { -code } else { code };
    (code + EXTENT) / (2.0 * EXTENT) * SIDE
}

/// The Explore panel. `visible` says whether it is on screen (nothing loads before).
#[component]
pub fn ExplorePanel(
    runtime: StoredValue<Runtime>,
    pretrained: PretrainedStore,
    visible: Signal<bool>,
) -> impl IntoView {
    let session = StoredValue::new_local(None::<Rc<Box<dyn Session>>>);
    let manifold = RwSignal::new(None::<Vec<f32>>);
    let codes = RwSignal::new(None::<Vec<f32>>);
    let pointed = RwSignal::new(None::<(f64, f64, Vec<f32>)>);
    let status = RwSignal::new(None::<String>);
    let started = StoredValue::new(false);
    let busy = StoredValue::new(false);
    let labels = runtime.with_value(|r| r.data.held_out.labels.clone());

    Effect::new(move |_| {
        if !visible.get() || started.get_value() {
            return;
        }
        started.set_value(true);
        leptos::task::spawn_local(async move {
            status.set(Some("Loading the pretrained 2-D VAE…".into()));
            let kind = ModelKind::Vae2d;
            let loaded = match pretrained.fetch(kind.id(), kind.label(), |_, _| {}).await {
                Ok((entry, file)) => {
                    let settings = entry
                        .settings
                        .unwrap_or_else(|| crate::train::Hyperparameters::defaults(kind));
                    let mut s = runtime.with_value(|r| start_session(kind, &settings, &r.data, &r.device));
                    let precision = file.header.precision;
                    s.load_parameters(file.into_tensors(), precision)
                        .map(|()| s)
                        .map_err(|e| e.to_string())
                }
                Err(e) => Err(e),
            };
            let s = match loaded {
                Ok(s) => Rc::new(s),
                Err(e) => {
                    status.set(Some(format!("The 2-D VAE could not be loaded: {e}")));
                    return;
                }
            };
            session.set_value(Some(s.clone()));
            let device = runtime.with_value(|r| r.device.clone());
            let grid: Vec<f32> = (0..GRID * GRID)
                .flat_map(|i| {
                    let (row, col) = (i / GRID, i % GRID);
                    let centre = |k: usize| (k as f64 + 0.5) * SIDE / GRID as f64;
                    [to_code(centre(col), false) as f32, to_code(centre(row), true) as f32]
                })
                .collect();
            let grid = Tensor::<2>::from_data(TensorData::new(grid, [GRID * GRID, 2]), &device);
            match read_floats(s.decode(grid)).await {
                Ok(images) => manifold.set(Some(images)),
                Err(e) => status.set(Some(e.to_string())),
            }
            let held_out = runtime.with_value(|r| upload(&r.data.held_out, &r.device));
            if let Some(encoded) = s.encode(held_out) {
                match read_floats(encoded).await {
                    Ok(values) => codes.set(Some(values)),
                    Err(e) => status.set(Some(e.to_string())),
                }
            }
            if status.get_untracked().is_some_and(|s| s.starts_with("Loading")) {
                status.set(None);
            }
        });
    });

    let manifold_ref = NodeRef::<Canvas>::new();
    let scatter_ref = NodeRef::<Canvas>::new();
    let decoded_ref = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        if let (Some(c), Some(images)) = (manifold_ref.get(), manifold.get()) {
            draw_grid(&c, &images, GRID);
        }
    });
    let labels = StoredValue::new(labels);
    Effect::new(move |_| {
        let (Some(canvas), Some(points)) = (scatter_ref.get(), codes.get()) else {
            return;
        };
        let Some(ctx) = context_2d(&canvas) else { return };
        ctx.set_fill_style_str("#fff");
        ctx.fill_rect(0.0, 0.0, SIDE, SIDE);
        ctx.set_stroke_style_str("#ddd");
        for v in [-2.0, -1.0, 0.0, 1.0, 2.0] {
            ctx.begin_path();
            ctx.move_to(to_position(v, false), 0.0);
            ctx.line_to(to_position(v, false), SIDE);
            ctx.move_to(0.0, to_position(v, true));
            ctx.line_to(SIDE, to_position(v, true));
            ctx.stroke();
        }
        labels.with_value(|labels| {
            for (code, &label) in points.chunks_exact(2).zip(labels) {
                ctx.set_fill_style_str(CLASS_COLOURS[usize::from(label) % 10]);
                let (x, y) = (
                    to_position(f64::from(code[0]), false),
                    to_position(f64::from(code[1]), true),
                );
                ctx.fill_rect(x - 2.0, y - 2.0, 4.0, 4.0);
            }
        });
        if let Some((z1, z2, _)) = pointed.get() {
            ctx.set_stroke_style_str("#000");
            ctx.set_line_width(2.0);
            ctx.stroke_rect(to_position(z1, false) - 6.0, to_position(z2, true) - 6.0, 12.0, 12.0);
            ctx.set_line_width(1.0);
        }
    });
    Effect::new(move |_| {
        if let (Some(c), Some((_, _, image))) = (decoded_ref.get(), pointed.get()) {
            draw_grid(&c, &image, 1);
        }
    });

    // Decodes the code under the pointer.
    let decode_at = move |ev: web_sys::PointerEvent, canvas: NodeRef<Canvas>| {
        if busy.get_value() {
            return;
        }
        let (Some(canvas), Some(s)) = (canvas.get_untracked(), session.get_value()) else {
            return;
        };
        let rect = canvas.get_bounding_client_rect();
        let scale = SIDE / rect.width().max(1.0);
        let (x, y) = (
            (f64::from(ev.client_x()) - rect.left()) * scale,
            (f64::from(ev.client_y()) - rect.top()) * scale,
        );
        let (z1, z2) = (to_code(x, false), to_code(y, true));
        busy.set_value(true);
        let device = runtime.with_value(|r| r.device.clone());
        leptos::task::spawn_local(async move {
            let code = Tensor::<2>::from_data(TensorData::new(vec![z1 as f32, z2 as f32], [1, 2]), &device);
            if let Ok(image) = read_floats(s.decode(code)).await {
                pointed.set(Some((z1, z2, image)));
            }
            busy.set_value(false);
        });
    };

    view! {
        <section class="panel explore" data-testid="explore-panel">
            <h2>"Explore the latent space"</h2>
            <p class="model-summary">
                "The 2-D VAE (shipped, pretrained) writes every digit from just two numbers. Left: what its decoder \
                 writes at each point of the plane from -3 to 3 on both axes (the prior N(0, I) puts almost all its \
                 mass there). Right: where its encoder puts the 1,000 held-out digits (posterior means), one colour per \
                 digit. Point at either to decode that spot."
            </p>
            {move || status.get().map(|s| view! { <p class="notice warning" role="status">{s}</p> })}
            <div class="explore-row">
                <figure>
                    <canvas node_ref=manifold_ref class="latent" data-testid="explore-manifold" width=SIDE height=SIDE
                        data-state=move || if manifold.with(Option::is_some) { "ready" } else { "pending" }
                        on:pointermove=move |ev| decode_at(ev, manifold_ref)
                        on:pointerdown=move |ev| decode_at(ev, manifold_ref)></canvas>
                    <figcaption>"decoded manifold: z₁ left to right, z₂ bottom to top"</figcaption>
                </figure>
                <figure>
                    <canvas node_ref=scatter_ref class="latent" data-testid="explore-scatter" width=SIDE height=SIDE
                        data-state=move || if codes.with(Option::is_some) { "ready" } else { "pending" }
                        on:pointermove=move |ev| decode_at(ev, scatter_ref)
                        on:pointerdown=move |ev| decode_at(ev, scatter_ref)></canvas>
                    <figcaption class="legend">
                        {CLASS_COLOURS.iter().enumerate().map(|(digit, colour)| view! {
                            <span><span class="swatch" style=format!("background: {colour}")></span>{digit}</span>
                        }).collect_view()}
                    </figcaption>
                </figure>
                <figure class="decoded">
                    <canvas node_ref=decoded_ref data-testid="explore-decoded" width="28" height="28"></canvas>
                    <figcaption data-testid="explore-point">
                        {move || pointed.get().map_or("Point at the plane.".to_string(), |(z1, z2, _)| {
                            format!("z = ({z1:+.2}, {z2:+.2})")
                        })}
                    </figcaption>
                </figure>
            </div>
        </section>
    }
}
