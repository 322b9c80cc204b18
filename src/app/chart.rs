//! A loss chart on a canvas: every reported term, raw (faint) and smoothed (solid), on a
//! logarithmic axis when all values are positive, with axes, ticks and a legend.
//!
//! Written by hand rather than with plotters: it is about 150 lines, draws straight onto the
//! canvas the panel already owns, and adds nothing to the WebAssembly download.

use web_sys::HtmlCanvasElement;

use super::image_grid::context_2d;
use crate::train::LossHistory;
use crate::train::history::smoothed;

/// One colour per loss term, in order (colour-blind-safe Okabe-Ito palette).
pub const COLOURS: [&str; 6] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"];
/// Most points drawn per curve; longer histories are thinned evenly.
const MAX_POINTS: usize = 600;

/// Maps data values to canvas y, linearly or on a log10 scale.
struct Axis {
    log: bool,
    low: f64,
    high: f64,
}

impl Axis {
    fn fit(values: impl Iterator<Item = f32> + Clone) -> Option<Axis> {
        let finite = values.filter(|v| v.is_finite()).map(f64::from);
        let (low, high) = finite
            .clone()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
        if !low.is_finite() {
            return None;
        }
        let log = low > 0.0;
        let (low, high) = if log { (low.log10(), high.log10()) } else { (low, high) };
        let pad = ((high - low) * 0.05).max(1e-3);
        Some(Axis {
            log,
            low: low - pad,
            high: high + pad,
        })
    }

    /// Position of `value` between 0 (bottom) and 1 (top).
    fn fraction(&self, value: f64) -> f64 {
        let v = if self.log { value.max(1e-30).log10() } else { value };
        (v - self.low) / (self.high - self.low)
    }

    /// Round values to label the axis with, bottom to top.
    fn ticks(&self) -> Vec<f64> {
        if self.log {
            let mut ticks = Vec::new();
            for exponent in self.low.floor() as i32..=self.high.ceil() as i32 {
                for mantissa in [1.0, 2.0, 5.0] {
                    let value = mantissa * 10f64.powi(exponent);
                    if (self.low..=self.high).contains(&value.log10()) {
                        ticks.push(value);
                    }
                }
            }
            ticks
        } else {
            nice_ticks(self.low, self.high, 5)
        }
    }
}

/// About `count` round numbers between `low` and `high`.
fn nice_ticks(low: f64, high: f64, count: usize) -> Vec<f64> {
    let raw = (high - low) / count as f64;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(raw);
    let first = (low / step).ceil() as i64;
    let last = (high / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// Formats a tick label compactly.
fn label(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 10_000.0 || (magnitude > 0.0 && magnitude < 0.01) {
        format!("{value:.0e}")
    } else if magnitude >= 10.0 || value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    }
}

/// Where a chart of `history` draws on a canvas of `width` x `height`: the plot's edges and
/// its value axis (none before the first step).
struct Layout {
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
    steps: usize,
    axis: Option<Axis>,
}

impl Layout {
    fn new(history: &LossHistory, width: f64, height: f64) -> Self {
        let steps = history.len();
        let axis = Axis::fit(history.series.iter().flatten().copied()).filter(|_| steps > 0);
        Self {
            left: 52.0,
            right: width - 12.0,
            top: 12.0,
            bottom: height - 28.0,
            steps,
            axis,
        }
    }

    fn x_of(&self, step: usize) -> f64 {
        self.left + (self.right - self.left) * (step as f64 / self.steps.max(1) as f64)
    }

    fn y_of(&self, axis: &Axis, value: f64) -> f64 {
        self.bottom - (self.bottom - self.top) * axis.fraction(value)
    }

    /// The centre line of the legend's row for `term`.
    fn legend_y(&self, term: usize) -> f64 {
        self.top + 6.0 + 16.0 * term as f64
    }
}

/// The term whose legend row or smoothed curve is under the canvas point (`x`, `y`), within a
/// few pixels: how hovering the chart lights up a term of the model card's formula.
pub fn term_at(canvas: &HtmlCanvasElement, history: &LossHistory, smoothing: f32, x: f64, y: f64) -> Option<usize> {
    let layout = Layout::new(history, f64::from(canvas.width()), f64::from(canvas.height()));
    let axis = layout.axis.as_ref()?;
    let on_legend = |term: usize| (layout.legend_y(term) - 3.0 - y).abs() <= 8.0;
    if x >= layout.right - 124.0
        && let Some(term) = (0..history.names.len()).find(|&term| on_legend(term))
    {
        return Some(term);
    }
    if x < layout.left || x > layout.right {
        return None;
    }
    let step = (((x - layout.left) / (layout.right - layout.left)) * layout.steps as f64).round() as usize;
    let index = step.clamp(1, layout.steps) - 1;
    history
        .series
        .iter()
        .enumerate()
        .filter_map(|(term, series)| {
            let value = *smoothed(series, smoothing).get(index)?;
            value
                .is_finite()
                .then(|| (term, (layout.y_of(axis, f64::from(value)) - y).abs()))
        })
        .filter(|&(_, distance)| distance <= 10.0)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(term, _)| term)
}

/// Redraws the chart of `history` on `canvas`, smoothing with weight `smoothing` on the past;
/// the term `highlight`, if any, is drawn bold and the others faded.
pub fn draw_loss_chart(canvas: &HtmlCanvasElement, history: &LossHistory, smoothing: f32, highlight: Option<usize>) {
    let Some(ctx) = context_2d(canvas) else { return };
    let (width, height) = (f64::from(canvas.width()), f64::from(canvas.height()));
    let layout = Layout::new(history, width, height);
    let (left, right, top, bottom) = (layout.left, layout.right, layout.top, layout.bottom);
    ctx.clear_rect(0.0, 0.0, width, height);
    ctx.set_font("12px system-ui, sans-serif");
    ctx.set_fill_style_str("#555");
    let steps = layout.steps;
    let Some(axis) = layout.axis.as_ref() else {
        ctx.fill_text("Losses appear here once training starts.", left, height / 2.0)
            .ok();
        return;
    };
    let x_of = |step: usize| layout.x_of(step);
    let y_of = |value: f64| layout.y_of(axis, value);

    // Grid lines and labels.
    ctx.set_stroke_style_str("#e4e4e4");
    ctx.set_line_width(1.0);
    ctx.set_text_align("right");
    for tick in axis.ticks() {
        let y = y_of(tick);
        ctx.begin_path();
        ctx.move_to(left, y);
        ctx.line_to(right, y);
        ctx.stroke();
        ctx.fill_text(&label(tick), left - 6.0, y + 4.0).ok();
    }
    ctx.set_text_align("center");
    for tick in nice_ticks(0.0, steps as f64, 5) {
        ctx.fill_text(&label(tick), x_of(tick as usize), bottom + 16.0).ok();
    }
    ctx.set_text_align("right");
    ctx.fill_text("step", right, height - 1.0).ok();

    // Curves: raw faint, smoothed solid; a lit term bold, the others faded.
    let stride = steps.div_ceil(MAX_POINTS).max(1);
    for (term, series) in history.series.iter().enumerate() {
        let colour = COLOURS[term % COLOURS.len()];
        let (fade, boldness) = match highlight {
            Some(lit) if lit == term => (1.0, 2.0),
            Some(_) => (0.3, 1.0),
            None => (1.0, 1.0),
        };
        ctx.set_stroke_style_str(colour);
        for (values, alpha, line_width) in [(series.clone(), 0.25, 1.0), (smoothed(series, smoothing), 1.0, 2.0)] {
            ctx.set_global_alpha(alpha * fade);
            ctx.set_line_width(line_width * boldness);
            ctx.begin_path();
            let mut pen_down = false;
            for (i, &value) in values.iter().enumerate().step_by(stride) {
                if !value.is_finite() {
                    pen_down = false;
                    continue;
                }
                let (x, y) = (x_of(i + 1), y_of(f64::from(value)).clamp(top, bottom));
                if pen_down {
                    ctx.line_to(x, y)
                } else {
                    ctx.move_to(x, y)
                }
                pen_down = true;
            }
            ctx.stroke();
        }
        ctx.set_global_alpha(1.0);
    }

    // Legend, top right, with the latest smoothed value of each term.
    ctx.set_text_align("left");
    for (term, name) in history.names.iter().enumerate() {
        let y = layout.legend_y(term);
        let latest = smoothed(&history.series[term], smoothing)
            .last()
            .copied()
            .unwrap_or(f32::NAN);
        ctx.set_fill_style_str(COLOURS[term % COLOURS.len()]);
        ctx.fill_rect(
            right - 120.0,
            y - 5.0,
            14.0,
            if highlight == Some(term) { 6.0 } else { 4.0 },
        );
        ctx.set_fill_style_str("#333");
        ctx.set_font(if highlight == Some(term) {
            "bold 12px system-ui, sans-serif"
        } else {
            "12px system-ui, sans-serif"
        });
        ctx.fill_text(&format!("{name} {}", label(f64::from(latest))), right - 100.0, y)
            .ok();
    }
    draw_axes(&ctx, left, top, bottom, right);
}

/// Draws the two axis lines.
fn draw_axes(ctx: &web_sys::CanvasRenderingContext2d, left: f64, top: f64, bottom: f64, right: f64) {
    ctx.set_stroke_style_str("#888");
    ctx.set_line_width(1.0);
    ctx.begin_path();
    ctx.move_to(left, top);
    ctx.line_to(left, bottom);
    ctx.line_to(right, bottom);
    ctx.stroke();
}
