//! The Draw panel: draw a digit with the mouse, a finger or the keyboard (a pen the arrow keys
//! move, [`crate::pointing::KeyboardPen`]); it is preprocessed the way MNIST's
//! digits were, then, live, the shipped classifier says what it sees and every model with an
//! encoder (autoencoders, VAEs, the recurrent VAE) shows its reconstruction and latent code.

use std::rc::Rc;

use burn::tensor::{Tensor, TensorData};
use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::Runtime;
use super::image_grid::{context_2d, draw_grid};
use super::pretrained::PretrainedStore;
use crate::data::IMAGE_PIXELS;
use crate::data::preprocess::mnist_style;
use crate::model::DigitClassifier;
use crate::pointing::{KeyboardPen, PenAction};
use crate::train::{ModelKind, Session, read_floats};
use crate::web::now_ms;

/// Side of the drawing canvas, in canvas pixels.
const PAD: u32 = 280;
/// Width of a stroke, in canvas pixels (MNIST strokes are about 2 of 28 pixels wide).
const STROKE: f64 = 22.0;
/// How far the keyboard's pen moves a key press, in canvas pixels: one of the 28x28 image's pixels.
const PEN_STEP: f64 = 10.0;
/// Least time between two live updates while drawing, in milliseconds.
const LIVE_INTERVAL_MS: f64 = 120.0;

/// One model's view of the drawing.
#[derive(Clone, Debug, PartialEq)]
struct Reading {
    kind: ModelKind,
    reconstruction: Vec<f32>,
    code: Vec<f32>,
}

/// The Draw panel. `visible` says whether it is on screen (nothing loads before).
#[component]
pub fn DrawPanel(
    runtime: StoredValue<Runtime>,
    pretrained: PretrainedStore,
    visible: Signal<bool>,
    /// Where "Use in Compare" puts the drawing.
    send_to_compare: RwSignal<Option<Vec<f32>>>,
) -> impl IntoView {
    let pad = NodeRef::<Canvas>::new();
    let strokes = StoredValue::new(Vec::<Vec<(f64, f64)>>::new());
    let drawing = StoredValue::new(false);
    let pen = RwSignal::new(KeyboardPen::new(f64::from(PAD), PEN_STEP));
    let pen_shown = RwSignal::new(false);
    let last_update = StoredValue::new(0.0f64);
    let digit = RwSignal::new(None::<Vec<f32>>);
    let probabilities = RwSignal::new(None::<Vec<f32>>);
    let readings = RwSignal::new(Vec::<Reading>::new());
    let status = RwSignal::new(None::<String>);
    let judge = StoredValue::new_local(None::<DigitClassifier>);
    let encoders = StoredValue::new_local(Vec::<(ModelKind, Rc<Box<dyn Session>>)>::new());
    let started = StoredValue::new(false);
    let busy = StoredValue::new(false);

    Effect::new(move |_| {
        if !visible.get() || started.get_value() {
            return;
        }
        started.set_value(true);
        leptos::task::spawn_local(async move {
            status.set(Some("Loading the classifier and the pretrained encoders…".into()));
            match pretrained.classifier(runtime).await {
                Ok(c) => judge.set_value(Some(c)),
                Err(e) => status.set(Some(e)),
            }
            // Every model with an encoder: the zoo without its GANs.
            for kind in ModelKind::ALL.into_iter().filter(|k| !k.is_adversarial()) {
                match pretrained.session(runtime, kind).await {
                    Ok((_, session)) => encoders.update_value(|e| e.push((kind, Rc::new(session)))),
                    Err(e) => status.set(Some(e)),
                }
            }
            if status.get_untracked().is_some_and(|s| s.starts_with("Loading")) {
                status.set(None);
            }
            clear_pad(pad);
        });
    });

    // Reads the pad, preprocesses it, and asks every model.
    let update = move || {
        if busy.get_value() {
            return;
        }
        let Some(canvas) = pad.get_untracked() else { return };
        let Some(ink) = read_ink(&canvas) else { return };
        let Some(prepared) = mnist_style(&ink, PAD as usize, PAD as usize) else {
            digit.set(None);
            probabilities.set(None);
            readings.set(Vec::new());
            return;
        };
        digit.set(Some(prepared.clone()));
        busy.set_value(true);
        leptos::task::spawn_local(async move {
            let device = runtime.with_value(|r| r.device.clone());
            let image = Tensor::<2>::from_data(TensorData::new(prepared, [1, IMAGE_PIXELS]), &device);
            let judged = judge.with_value(|j| j.as_ref().map(|j| j.valid_probabilities(image.clone())));
            if let Some(judged) = judged
                && let Ok(p) = read_floats(judged).await
            {
                probabilities.set(Some(p));
            }
            let mut next = Vec::new();
            for (kind, session) in encoders.get_value() {
                let (Some(code), Some(reconstruction)) =
                    (session.encode(image.clone()), session.reconstruct(image.clone()))
                else {
                    continue;
                };
                if let (Ok(code), Ok(reconstruction)) = (read_floats(code).await, read_floats(reconstruction).await) {
                    next.push(Reading {
                        kind,
                        reconstruction,
                        code,
                    });
                }
            }
            readings.set(next);
            busy.set_value(false);
        });
    };

    let point = move |ev: &web_sys::PointerEvent| {
        let canvas = pad.get_untracked()?;
        let rect = canvas.get_bounding_client_rect();
        let scale = f64::from(PAD) / rect.width().max(1.0);
        Some((
            (f64::from(ev.client_x()) - rect.left()) * scale,
            (f64::from(ev.client_y()) - rect.top()) * scale,
        ))
    };
    let on_down = move |ev: web_sys::PointerEvent| {
        ev.prevent_default();
        let Some(p) = point(&ev) else { return };
        if let Some(target) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
            let _ = target.set_pointer_capture(ev.pointer_id());
        }
        drawing.set_value(true);
        strokes.update_value(|s| s.push(vec![p]));
        redraw(pad, strokes);
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        if !drawing.get_value() {
            return;
        }
        ev.prevent_default();
        let Some(p) = point(&ev) else { return };
        strokes.update_value(|s| {
            if let Some(stroke) = s.last_mut() {
                stroke.push(p)
            }
        });
        redraw(pad, strokes);
        if now_ms() - last_update.get_value() > LIVE_INTERVAL_MS {
            last_update.set_value(now_ms());
            update();
        }
    };
    let on_up = move |_: web_sys::PointerEvent| {
        if drawing.get_value() {
            drawing.set_value(false);
            update();
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let mut moved = pen.get_untracked();
        let action = moved.on_key(&ev.key(), ev.shift_key());
        if action == PenAction::Ignored {
            return;
        }
        ev.prevent_default();
        pen.set(moved);
        match action {
            PenAction::StrokeStarted(x, y) => {
                strokes.update_value(|s| s.push(vec![(x, y)]));
                redraw(pad, strokes);
                update();
            }
            PenAction::StrokeExtended(x, y) => {
                strokes.update_value(|s| {
                    if let Some(stroke) = s.last_mut() {
                        stroke.push((x, y))
                    }
                });
                redraw(pad, strokes);
                update();
            }
            PenAction::Lifted | PenAction::Moved | PenAction::Ignored => {}
        }
    };
    let clear = move |_| {
        strokes.set_value(Vec::new());
        redraw(pad, strokes);
        update();
    };
    let undo = move |_| {
        strokes.update_value(|s| {
            s.pop();
        });
        redraw(pad, strokes);
        update();
    };

    let prepared_ref = NodeRef::<Canvas>::new();
    Effect::new(move |_| {
        if let (Some(c), Some(d)) = (prepared_ref.get(), digit.get()) {
            draw_grid(&c, &d, 1);
        }
    });
    let prediction = move || {
        probabilities.get().map(|p| {
            let (best, top) = p
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(i, v)| (i, *v))
                .unwrap_or((0, 0.0));
            (best, top, p)
        })
    };

    view! {
        <section class="panel draw" data-testid="draw-panel">
            <h2>"Draw"</h2>
            <p class="model-summary">
                "Draw a digit. It is prepared the way MNIST's digits were (the ink's bounding box scaled to 20 pixels, \
                 centred by its centre of mass in 28x28), then the shipped classifier and every model with an \
                 encoder read it, live."
            </p>
            {move || status.get().map(|s| view! { <p class="notice warning" role="status">{s}</p> })}
            <div class="draw-row">
                <div class="pad-box">
                    <div class="pad-frame">
                    <canvas node_ref=pad class="pad" data-testid="draw-pad" width=PAD height=PAD tabindex="0"
                        role="img" aria-label="Drawing pad: draw a digit with the mouse or a finger, or with the keyboard: \
                            the arrow keys move the pen (Shift for small steps), Space puts it down and lifts it"
                        aria-describedby="draw-pen-position"
                        on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_up
                        on:pointerleave=on_up on:keydown=on_key
                        on:focus=move |_| pen_shown.set(true) on:blur=move |_| pen_shown.set(false)></canvas>
                    // Where the keyboard's pen is, while the pad has the focus (not drawn on the
                    // pad itself, whose pixels are the drawing).
                    <span class="pen" class:down=move || pen.get().down hidden=move || !pen_shown.get()
                        style=move || {
                            let at = pen.get().at;
                            format!("left: {:.2}%; top: {:.2}%", 100.0 * at.x / f64::from(PAD), 100.0 * at.y / f64::from(PAD))
                        }></span>
                    </div>
                    <span class="visually-hidden" id="draw-pen-position" aria-live="polite">
                        {move || {
                            let p = pen.get();
                            format!("Pen {} at {:.0}, {:.0} of 28", if p.down { "down" } else { "up" },
                                p.at.x / PEN_STEP, p.at.y / PEN_STEP)
                        }}
                    </span>
                    <div class="controls">
                        <button data-testid="draw-undo" on:click=undo>"Undo"</button>
                        <button data-testid="draw-clear" on:click=clear>"Clear"</button>
                        <button data-testid="draw-to-compare" disabled=move || digit.with(Option::is_none)
                            on:click=move |_| send_to_compare.set(digit.get_untracked())
                            title="Use this drawing as the first input of the Compare panel's rows">
                            "Use in Compare"
                        </button>
                    </div>
                </div>
                <figure class="prepared">
                    <canvas node_ref=prepared_ref data-testid="draw-prepared" width="28" height="28"
                        role="img" aria-label="The drawing as the models see it, 28 by 28 pixels"></canvas>
                    <figcaption>"as the models see it (28x28)"</figcaption>
                </figure>
                <div class="prediction" data-testid="draw-prediction"
                    data-digit=move || prediction().map(|(d, _, _)| d.to_string())>
                    {move || match prediction() {
                        None => view! { <p class="hint">"The classifier's reading appears here."</p> }.into_any(),
                        Some((best, top, p)) => view! {
                            <p class="verdict">{format!("Looks like a {best} ({:.0}% sure)", top * 100.0)}</p>
                            <div class="probabilities">
                                {p.into_iter().enumerate().map(|(d, v)| view! {
                                    <div class="probability">
                                        <span class="bar" style=format!("height: {}px", 2.0 + 60.0 * v)></span>
                                        <span>{d}</span>
                                    </div>
                                }).collect_view()}
                            </div>
                        }.into_any(),
                    }}
                </div>
            </div>
            <div class="readings" data-testid="draw-readings">
                {move || readings.get().into_iter().map(|reading| view! { <ReadingView reading /> }).collect_view()}
            </div>
        </section>
    }
}

/// One model's reconstruction and code.
#[component]
fn ReadingView(reading: Reading) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let pixels = reading.reconstruction.clone();
    Effect::new(move |_| {
        if let Some(c) = canvas.get() {
            draw_grid(&c, &pixels, 1);
        }
    });
    let code = reading
        .code
        .iter()
        .map(|v| format!("{v:+.1}"))
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <figure class="reading" data-testid=format!("reading-{}", reading.kind.id())>
            <canvas node_ref=canvas width="28" height="28" role="img"
                aria-label=format!("The {}'s reconstruction of the drawing", reading.kind.label())></canvas>
            <figcaption>
                <strong>{reading.kind.label()}</strong>
                <span class="code" title="The latent code (posterior mean for the VAEs)">{format!("code: {code}")}</span>
            </figcaption>
        </figure>
    }
}

/// Paints the pad white.
fn clear_pad(pad: NodeRef<Canvas>) {
    if let Some(ctx) = pad.get_untracked().as_ref().and_then(context_2d) {
        ctx.set_fill_style_str("#fff");
        ctx.fill_rect(0.0, 0.0, f64::from(PAD), f64::from(PAD));
    }
}

/// Redraws every stroke on a white pad.
fn redraw(pad: NodeRef<Canvas>, strokes: StoredValue<Vec<Vec<(f64, f64)>>>) {
    clear_pad(pad);
    let Some(ctx) = pad.get_untracked().as_ref().and_then(context_2d) else {
        return;
    };
    ctx.set_stroke_style_str("#000");
    ctx.set_fill_style_str("#000");
    ctx.set_line_width(STROKE);
    ctx.set_line_cap("round");
    ctx.set_line_join("round");
    strokes.with_value(|strokes| {
        for stroke in strokes {
            let Some(&(x, y)) = stroke.first() else { continue };
            ctx.begin_path();
            ctx.move_to(x, y);
            for &(x, y) in &stroke[1..] {
                ctx.line_to(x, y);
            }
            if stroke.len() == 1 {
                ctx.line_to(x + 0.1, y);
            }
            ctx.stroke();
        }
    });
}

/// The pad's ink, `PAD * PAD` values in `[0, 1]` (black ink on white paper).
fn read_ink(canvas: &web_sys::HtmlCanvasElement) -> Option<Vec<f32>> {
    let data = context_2d(canvas)?
        .get_image_data(0.0, 0.0, f64::from(PAD), f64::from(PAD))
        .ok()?
        .data();
    Some(data.chunks_exact(4).map(|p| 1.0 - f32::from(p[0]) / 255.0).collect())
}
