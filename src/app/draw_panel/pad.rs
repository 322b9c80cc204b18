//! The Draw panel's pad: strokes drawn with the mouse, a finger or the keyboard's pen (the arrow
//! keys move it, Space puts it down and lifts it: [`KeyboardPen`]), with undo and clear.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::super::image_grid::context_2d;
use crate::pointing::{KeyboardPen, PenAction};
use crate::web::now_ms;

/// Side of the drawing canvas, in canvas pixels.
pub(super) const PAD: u32 = 280;
/// Width of a stroke, in canvas pixels (MNIST strokes are about 2 of 28 pixels wide).
const STROKE: f64 = 22.0;
/// How far the keyboard's pen moves a key press, in canvas pixels: one of the 28x28 image's pixels.
const PEN_STEP: f64 = 10.0;
/// Least time between two live updates while drawing, in milliseconds.
const LIVE_INTERVAL_MS: f64 = 120.0;

type Strokes = StoredValue<Vec<Vec<(f64, f64)>>>;

/// The pad. `on_ink` hears the pad's ink (`PAD * PAD` values in `[0, 1]`) whenever the drawing
/// changes (at most every [`LIVE_INTERVAL_MS`] while a stroke is drawn); its children go beside Undo
/// and Clear.
#[component]
pub(super) fn DrawingPad(on_ink: Callback<Vec<f32>>, children: Children) -> impl IntoView {
    let pad = NodeRef::<Canvas>::new();
    let strokes: Strokes = StoredValue::new(Vec::new());
    let drawing = StoredValue::new(false);
    let pen = RwSignal::new(KeyboardPen::new(f64::from(PAD), PEN_STEP));
    let pen_shown = RwSignal::new(false);
    let last_update = StoredValue::new(0.0f64);
    // White paper from the start, so the ink read is the strokes only.
    Effect::new(move |_| redraw(pad, strokes));
    let changed = move || {
        redraw(pad, strokes);
        if let Some(ink) = pad.get_untracked().as_ref().and_then(read_ink) {
            on_ink.run(ink);
        }
    };
    let add_point = move |p: (f64, f64), new_stroke: bool| {
        strokes.update_value(|s| match s.last_mut() {
            Some(stroke) if !new_stroke => stroke.push(p),
            _ => s.push(vec![p]),
        });
    };
    let point = move |ev: &web_sys::PointerEvent| {
        let rect = pad.get_untracked()?.get_bounding_client_rect();
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
        add_point(p, true);
        redraw(pad, strokes);
    };
    let on_move = move |ev: web_sys::PointerEvent| {
        if !drawing.get_value() {
            return;
        }
        ev.prevent_default();
        let Some(p) = point(&ev) else { return };
        add_point(p, false);
        if now_ms() - last_update.get_value() > LIVE_INTERVAL_MS {
            last_update.set_value(now_ms());
            changed();
        } else {
            redraw(pad, strokes);
        }
    };
    let on_up = move |_: web_sys::PointerEvent| {
        if drawing.get_value() {
            drawing.set_value(false);
            changed();
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
            PenAction::StrokeStarted(x, y) => add_point((x, y), true),
            PenAction::StrokeExtended(x, y) => add_point((x, y), false),
            PenAction::Lifted | PenAction::Moved | PenAction::Ignored => return,
        }
        changed();
    };
    let clear = move |_| {
        strokes.set_value(Vec::new());
        changed();
    };
    let undo = move |_| {
        strokes.update_value(|s| {
            s.pop();
        });
        changed();
    };
    let pen_place = move || {
        let at = pen.get().at;
        format!(
            "left: {:.2}%; top: {:.2}%",
            100.0 * at.x / f64::from(PAD),
            100.0 * at.y / f64::from(PAD)
        )
    };
    let pen_words = move || {
        let p = pen.get();
        let state = if p.down { "down" } else { "up" };
        format!(
            "Pen {state} at {:.0}, {:.0} of 28",
            p.at.x / PEN_STEP,
            p.at.y / PEN_STEP
        )
    };
    view! {
        <div class="pad-box">
            <div class="pad-frame">
            <canvas node_ref=pad class="pad" data-testid="draw-pad" width=PAD height=PAD tabindex="0"
                role="img" aria-label="Drawing pad: draw a digit with the mouse or a finger, or with the keyboard: \
                    the arrow keys move the pen (Shift for small steps), Space puts it down and lifts it"
                aria-describedby="draw-pen-position"
                on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_up
                on:pointerleave=on_up on:keydown=on_key
                on:focus=move |_| pen_shown.set(true) on:blur=move |_| pen_shown.set(false)></canvas>
            // Where the keyboard's pen is, while the pad has the focus (not drawn on the pad
            // itself, whose pixels are the drawing).
            <span class="pen" class:down=move || pen.get().down hidden=move || !pen_shown.get() style=pen_place></span>
            </div>
            <span class="visually-hidden" id="draw-pen-position" aria-live="polite">{pen_words}</span>
            <div class="controls">
                <button data-testid="draw-undo" on:click=undo>"Undo"</button>
                <button data-testid="draw-clear" on:click=clear>"Clear"</button>
                {children()}
            </div>
        </div>
    }
}

/// Redraws every stroke on a white pad.
fn redraw(pad: NodeRef<Canvas>, strokes: Strokes) {
    let Some(ctx) = pad.get_untracked().as_ref().and_then(context_2d) else {
        return;
    };
    ctx.set_fill_style_str("#fff");
    ctx.fill_rect(0.0, 0.0, f64::from(PAD), f64::from(PAD));
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
