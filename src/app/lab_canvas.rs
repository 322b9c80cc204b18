//! Drawing the mode-collapse lab: the plane with the discriminator's heat map, real and
//! generated points, the generator's movement as arrows and the decoded latent grid; and the
//! autoencoders' latent space. Written by hand on the 2-D canvas: a few dozen lines a picture.

use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use super::image_grid::context_2d;
use crate::lab::run::{HEAT_CELLS, LATENT_LINES, LabPicture};

/// Side of the drawn plane, in canvas pixels.
pub const PLANE_SIDE: f64 = 400.0;
/// Colours (Okabe-Ito): real points, generated points, arrows and the latent grid.
const REAL: &str = "rgba(0, 114, 178, 0.55)";
const GENERATED: &str = "rgba(213, 94, 0, 0.6)";
const ARROW: &str = "#222";
const GRID: &str = "rgba(0, 158, 115, 0.8)";

/// Canvas position of a point of `[-extent, extent]²`.
fn to_canvas(x: f32, y: f32, extent: f32) -> (f64, f64) {
    let scale = PLANE_SIDE / (2.0 * f64::from(extent));
    ((f64::from(x + extent)) * scale, (f64::from(extent - y)) * scale)
}

fn dots(context: &CanvasRenderingContext2d, points: &[f32], extent: f32, colour: &str, radius: f64) {
    context.set_fill_style_str(colour);
    for p in points.chunks_exact(2).filter(|p| p[0].is_finite() && p[1].is_finite()) {
        let (x, y) = to_canvas(p[0], p[1], extent);
        context.fill_rect(x - radius, y - radius, 2.0 * radius, 2.0 * radius);
    }
}

/// The discriminator's scores as cells from purple ("generated") to green ("real"), scaled to
/// the picture's own range of scores.
fn heat_map(context: &CanvasRenderingContext2d, heat: &[f32]) {
    let finite = heat.iter().copied().filter(|v| v.is_finite());
    let (low, high) = finite.fold((f32::MAX, f32::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let span = (high - low).max(1e-6);
    let cell = PLANE_SIDE / HEAT_CELLS as f64;
    for (i, &score) in heat.iter().enumerate() {
        let t = if score.is_finite() {
            f64::from((score - low) / span)
        } else {
            0.5
        };
        // From (230, 215, 240) to (205, 240, 215): pale, so the points stay readable.
        let mix = |a: f64, b: f64| (a + (b - a) * t).round();
        context.set_fill_style_str(&format!(
            "rgb({}, {}, {})",
            mix(230.0, 200.0),
            mix(215.0, 240.0),
            mix(240.0, 210.0)
        ));
        let (row, column) = (i / HEAT_CELLS, i % HEAT_CELLS);
        context.fill_rect(column as f64 * cell, row as f64 * cell, cell + 0.5, cell + 0.5);
    }
}

fn line(context: &CanvasRenderingContext2d, from: (f64, f64), to: (f64, f64)) {
    context.begin_path();
    context.move_to(from.0, from.1);
    context.line_to(to.0, to.1);
    context.stroke();
}

/// The generator's movement since `previous`: an arrow from each fixed noise point's last
/// sample to its sample now.
fn arrows(context: &CanvasRenderingContext2d, previous: &[f32], now: &[f32], extent: f32) {
    context.set_stroke_style_str(ARROW);
    context.set_line_width(1.0);
    for (a, b) in previous.chunks_exact(2).zip(now.chunks_exact(2)) {
        if !(a.iter().chain(b).all(|v| v.is_finite())) {
            continue;
        }
        let (from, to) = (to_canvas(a[0], a[1], extent), to_canvas(b[0], b[1], extent));
        line(context, from, to);
        let angle = (to.1 - from.1).atan2(to.0 - from.0);
        for side in [-0.5f64, 0.5] {
            let back = (to.0 - 5.0 * (angle + side).cos(), to.1 - 5.0 * (angle + side).sin());
            line(context, to, back);
        }
    }
}

/// The decoder's image of the latent grid, as its lines.
fn latent_grid(context: &CanvasRenderingContext2d, grid: &[f32], extent: f32) {
    context.set_stroke_style_str(GRID);
    context.set_line_width(1.0);
    let at = |row: usize, column: usize| {
        let i = 2 * (row * LATENT_LINES + column);
        to_canvas(grid[i], grid[i + 1], extent)
    };
    for row in 0..LATENT_LINES {
        for column in 0..LATENT_LINES {
            if column + 1 < LATENT_LINES {
                line(context, at(row, column), at(row, column + 1));
            }
            if row + 1 < LATENT_LINES {
                line(context, at(row, column), at(row + 1, column));
            }
        }
    }
}

/// Draws `picture` of data in `[-extent, extent]²`, with arrows from `previous_heads`.
pub fn draw_plane(canvas: &HtmlCanvasElement, picture: &LabPicture, previous_heads: Option<&[f32]>, extent: f32) {
    let Some(context) = context_2d(canvas) else {
        return;
    };
    context.set_fill_style_str("#fff");
    context.fill_rect(0.0, 0.0, PLANE_SIDE, PLANE_SIDE);
    if let Some(heat) = &picture.heat {
        heat_map(&context, heat);
    }
    dots(&context, &picture.real, extent, REAL, 1.5);
    if let Some(grid) = &picture.latent_grid {
        latent_grid(&context, grid, extent);
    }
    dots(&context, &picture.generated, extent, GENERATED, 1.5);
    if let Some(previous) = previous_heads {
        arrows(&context, previous, &picture.arrow_heads, extent);
    }
}

/// Draws the encoder's means of the real points in the latent square `[-3, 3]²`.
pub fn draw_codes(canvas: &HtmlCanvasElement, codes: &[f32]) {
    let Some(context) = context_2d(canvas) else {
        return;
    };
    context.set_fill_style_str("#fff");
    context.fill_rect(0.0, 0.0, PLANE_SIDE, PLANE_SIDE);
    context.set_stroke_style_str("#bbb");
    line(&context, (PLANE_SIDE / 2.0, 0.0), (PLANE_SIDE / 2.0, PLANE_SIDE));
    line(&context, (0.0, PLANE_SIDE / 2.0), (PLANE_SIDE, PLANE_SIDE / 2.0));
    dots(&context, codes, 3.0, REAL, 1.5);
}
