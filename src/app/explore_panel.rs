//! The Explore panel: a latent space, drawn. On the left, the decoded manifold (the decoder's
//! image at every point of a grid over a plane); on the right, where the encoder puts the 1,000
//! held-out digits, coloured by class. Pointing anywhere decodes there. The 2-D VAE's plane is
//! its whole latent space; larger ones are cut through two axes or their principal directions.

use std::collections::HashMap;
use std::rc::Rc;

use burn::tensor::{Device, Tensor, TensorData};
use leptos::html::Canvas;
use leptos::prelude::*;

use super::Runtime;
use super::image_grid::{context_2d, draw_grid};
use super::pretrained::PretrainedStore;
use crate::pointing::KeyPoint;
use crate::train::batches::upload;
use crate::train::latent_plane::LatentPlane;
use crate::train::{ModelKind, Session, read_floats};

/// Points per side of the manifold grid.
const GRID: usize = 15;
/// The plane shown: codes from -EXTENT to EXTENT on both axes (the prior's ±3 sigma).
const EXTENT: f64 = 3.0;
/// Side of both canvases, in canvas pixels (15 images of 28 pixels).
const SIDE: f64 = (GRID * 28) as f64;
/// One colour per digit class (Okabe-Ito and friends, distinguishable for colour-blind readers).
pub(super) const CLASS_COLOURS: [&str; 10] = [
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

/// How a latent space with more than two dimensions is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slice {
    /// The two principal directions of the encoded held-out digits.
    Principal,
    /// Two coordinate axes.
    Axes(usize, usize),
}

/// The models with an encoder, whose latent space can be explored.
const EXPLORABLE: [ModelKind; 6] = [
    ModelKind::Vae2d,
    ModelKind::VaeMlp,
    ModelKind::VaeConv,
    ModelKind::Rvae,
    ModelKind::AeMlp,
    ModelKind::AeConv,
];

/// The Explore panel. `visible` says whether it is on screen (nothing loads before).
#[component]
pub fn ExplorePanel(
    runtime: StoredValue<Runtime>,
    pretrained: PretrainedStore,
    visible: Signal<bool>,
) -> impl IntoView {
    let model = RwSignal::new(ModelKind::Vae2d);
    let slice = RwSignal::new(Slice::Principal);
    let dims = RwSignal::new(2usize);
    let sessions = StoredValue::new_local(HashMap::<ModelKind, (Rc<Box<dyn Session>>, Vec<f32>)>::new());
    let plane = StoredValue::new(None::<(ModelKind, LatentPlane)>);
    let manifold = RwSignal::new(None::<Vec<f32>>);
    let points = RwSignal::new(None::<Vec<(f32, f32)>>);
    let pointed = RwSignal::new(None::<(f64, f64, Vec<f32>)>);
    let status = RwSignal::new(None::<String>);
    let busy = StoredValue::new(false);
    let labels = runtime.with_value(|r| r.data.held_out.labels.clone());

    // (Re)draws the plane of the chosen model and slice, loading the model the first time.
    Effect::new(move |_| {
        let (kind, cut) = (model.get(), slice.get());
        if !visible.get() {
            return;
        }
        leptos::task::spawn_local(async move {
            manifold.set(None);
            points.set(None);
            pointed.set(None);
            if sessions.with_value(|s| !s.contains_key(&kind)) {
                status.set(Some(format!("Loading the pretrained {}…", kind.label())));
                match load_encoder(runtime, pretrained, kind).await {
                    Ok(loaded) => sessions.update_value(|s| {
                        s.insert(kind, loaded);
                    }),
                    Err(e) => {
                        status.set(Some(format!("The {} could not be loaded: {e}", kind.label())));
                        return;
                    }
                }
            }
            // Another model or slice may have been picked while this one loaded.
            if model.get_untracked() != kind || slice.get_untracked() != cut {
                return;
            }
            let Some((session, codes)) = sessions.with_value(|s| s.get(&kind).cloned()) else {
                return;
            };
            let d = session.code_size();
            dims.set(d);
            let cut_plane = match (d, cut) {
                (2, _) if kind == ModelKind::Vae2d => Ok(LatentPlane::whole_2d()),
                (_, Slice::Axes(i, j)) if i < d && j < d && i != j => Ok(LatentPlane::axes(&codes, d, i, j)),
                _ => LatentPlane::principal(&codes, d, &Device::flex())
                    .await
                    .map_err(|e| e.to_string()),
            };
            let cut_plane = match cut_plane {
                Ok(p) => p,
                Err(e) => {
                    status.set(Some(e));
                    return;
                }
            };
            let grid: Vec<f32> = (0..GRID * GRID)
                .flat_map(|i| {
                    let (row, col) = (i / GRID, i % GRID);
                    let centre = |k: usize| (k as f64 + 0.5) * SIDE / GRID as f64;
                    cut_plane.code_at(to_code(centre(col), false) as f32, to_code(centre(row), true) as f32)
                })
                .collect();
            let device = runtime.with_value(|r| r.device.clone());
            let grid = Tensor::<2>::from_data(TensorData::new(grid, [GRID * GRID, d]), &device);
            match read_floats(session.decode(grid)).await {
                Ok(images) => manifold.set(Some(images)),
                Err(e) => status.set(Some(e.to_string())),
            }
            points.set(Some(codes.chunks_exact(d).map(|c| cut_plane.project(c)).collect()));
            plane.set_value(Some((kind, cut_plane)));
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
        let (Some(canvas), Some(points)) = (scatter_ref.get(), points.get()) else {
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
            for (&(s, t), &label) in points.iter().zip(labels) {
                ctx.set_fill_style_str(CLASS_COLOURS[usize::from(label) % 10]);
                let (x, y) = (to_position(f64::from(s), false), to_position(f64::from(t), true));
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

    // Decodes the code at canvas position (x, y) (either canvas: both span the same plane).
    let decode_position = move |x: f64, y: f64| {
        if busy.get_value() {
            return;
        }
        let Some((kind, cut_plane)) = plane.get_value() else {
            return;
        };
        let Some((session, _)) = sessions.with_value(|s| s.get(&kind).cloned()) else {
            return;
        };
        let (s, t) = (to_code(x, false), to_code(y, true));
        busy.set_value(true);
        let device = runtime.with_value(|r| r.device.clone());
        leptos::task::spawn_local(async move {
            let code = cut_plane.code_at(s as f32, t as f32);
            let d = code.len();
            let code = Tensor::<2>::from_data(TensorData::new(code, [1, d]), &device);
            if let Ok(image) = read_floats(session.decode(code)).await {
                pointed.set(Some((s, t, image)));
            }
            busy.set_value(false);
        });
    };
    // The code under the pointer.
    let decode_at = move |ev: web_sys::PointerEvent, canvas: NodeRef<Canvas>| {
        let Some(canvas) = canvas.get_untracked() else { return };
        let rect = canvas.get_bounding_client_rect();
        let scale = SIDE / rect.width().max(1.0);
        decode_position(
            (f64::from(ev.client_x()) - rect.left()) * scale,
            (f64::from(ev.client_y()) - rect.top()) * scale,
        );
    };
    // The keyboard's point on the plane: the arrow keys move it a twentieth of the plane.
    let key_point = StoredValue::new(KeyPoint::centred(SIDE, SIDE / 20.0));
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let mut point = key_point.get_value();
        if point.on_key(&ev.key(), ev.shift_key()) {
            ev.prevent_default();
            key_point.set_value(point);
            decode_position(point.x, point.y);
        }
    };
    let axis_choice = move |first: bool| {
        move |ev: leptos::ev::Event| {
            if let Ok(axis) = event_target_value(&ev).parse::<usize>() {
                let (i, j) = match slice.get_untracked() {
                    Slice::Axes(i, j) => (i, j),
                    Slice::Principal => (0, 1),
                };
                slice.set(if first {
                    Slice::Axes(axis, j)
                } else {
                    Slice::Axes(i, axis)
                });
            }
        }
    };
    let axis_options = move || {
        (0..dims.get())
            .map(|k| view! { <option value=k.to_string()>{format!("z{}", k + 1)}</option> })
            .collect_view()
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
            <div class="controls">
                <label>"Model "
                    <select data-testid="explore-model" on:change=move |ev| {
                        if let Some(k) = ModelKind::from_id(&event_target_value(&ev)) { model.set(k) }
                    }>
                        {EXPLORABLE.into_iter().map(|k| view! {
                            <option value=k.id() selected=move || model.get() == k>{k.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <Show when=move || model.get() != ModelKind::Vae2d>
                    <label>"Slice "
                        <select data-testid="explore-slice" on:change=move |ev| {
                            slice.set(if event_target_value(&ev) == "axes" { Slice::Axes(0, 1) } else { Slice::Principal })
                        }>
                            <option value="principal" selected=move || slice.get() == Slice::Principal>
                                "top two principal directions"
                            </option>
                            <option value="axes" selected=move || slice.get() != Slice::Principal>"two axes"</option>
                        </select>
                    </label>
                    <Show when=move || slice.get() != Slice::Principal>
                        <select data-testid="explore-axis-a" aria-label="First latent axis" on:change=axis_choice(true)
                            prop:value=move || match slice.get() { Slice::Axes(i, _) => i.to_string(), _ => "0".into() }>
                            {axis_options}
                        </select>
                        <select data-testid="explore-axis-b" aria-label="Second latent axis" on:change=axis_choice(false)
                            prop:value=move || match slice.get() { Slice::Axes(_, j) => j.to_string(), _ => "1".into() }>
                            {axis_options}
                        </select>
                    </Show>
                    <span class="hint">{move || format!(
                        "a {}-dimensional latent: this plane passes through the mean code of the held-out digits, \
                         the other coordinates fixed; one unit is one standard deviation along each direction",
                        dims.get()
                    )}</span>
                </Show>
            </div>
            {move || status.get().map(|s| view! { <p class="notice warning" role="status">{s}</p> })}
            <div class="explore-row">
                <figure>
                    <canvas node_ref=manifold_ref class="latent" data-testid="explore-manifold" width=SIDE height=SIDE
                        data-state=move || if manifold.with(Option::is_some) { "ready" } else { "pending" }
                        tabindex="0" role="img" aria-describedby="explore-point"
                        aria-label="The decoded manifold: the decoder's digit at each point of the plane. Point at it, \
                            or move a point with the arrow keys (Shift for small steps, Home for the centre), to decode there"
                        on:pointermove=move |ev| decode_at(ev, manifold_ref)
                        on:pointerdown=move |ev| decode_at(ev, manifold_ref) on:keydown=on_key></canvas>
                    <figcaption>"decoded manifold: first direction left to right, second bottom to top, from -3 to 3"</figcaption>
                </figure>
                <figure>
                    <canvas node_ref=scatter_ref class="latent" data-testid="explore-scatter" width=SIDE height=SIDE
                        data-state=move || if points.with(Option::is_some) { "ready" } else { "pending" }
                        tabindex="0" role="img" aria-describedby="explore-point"
                        aria-label="Where the encoder puts the held-out digits, one colour per class. Point at it, \
                            or move a point with the arrow keys, to decode there"
                        on:pointermove=move |ev| decode_at(ev, scatter_ref)
                        on:pointerdown=move |ev| decode_at(ev, scatter_ref) on:keydown=on_key></canvas>
                    <figcaption class="legend">
                        {CLASS_COLOURS.iter().enumerate().map(|(digit, colour)| view! {
                            <span><span class="swatch" style=format!("background: {colour}")></span>{digit}</span>
                        }).collect_view()}
                    </figcaption>
                </figure>
                <figure class="decoded">
                    <canvas node_ref=decoded_ref data-testid="explore-decoded" width="28" height="28"
                        role="img" aria-label="The digit decoded at the point"></canvas>
                    <figcaption data-testid="explore-point" id="explore-point" aria-live="polite">
                        {move || pointed.get().map_or("Point at the plane.".to_string(), |(s, t, _)| {
                            if model.get() == ModelKind::Vae2d {
                                format!("z = ({s:+.2}, {t:+.2})")
                            } else {
                                format!("plane point ({s:+.2}, {t:+.2})")
                            }
                        })}
                    </figcaption>
                </figure>
            </div>
        </section>
    }
}

/// A pretrained encoder model and its codes of the held-out digits.
async fn load_encoder(
    runtime: StoredValue<Runtime>,
    pretrained: PretrainedStore,
    kind: ModelKind,
) -> Result<(Rc<Box<dyn Session>>, Vec<f32>), String> {
    let (_, session) = pretrained.session(runtime, kind).await?;
    let held_out = runtime.with_value(|r| upload(&r.data.held_out, &r.device));
    let codes = session.encode(held_out).ok_or("the model has no encoder")?;
    let codes = read_floats(codes).await.map_err(|e| e.to_string())?;
    Ok((Rc::new(session), codes))
}
