//! Mode collapse made visible: the classifier's histogram of a generator's latest samples
//! (ten bars, one per digit) and the number of classes covered at every check so far.

use web_sys::HtmlCanvasElement;

use super::image_grid::context_2d;
use crate::eval::metrics::ClassReport;
use crate::model::classifier::CLASSES;

/// Bar colour of a covered class, and of one below the coverage share.
const COVERED: &str = "#0072B2";
const UNCOVERED: &str = "#D55E00";

/// Redraws `canvas`: the histogram of the last report on the left, classes covered over
/// training steps on the right.
pub fn draw_coverage(canvas: &HtmlCanvasElement, reports: &[(usize, ClassReport)]) {
    let Some(ctx) = context_2d(canvas) else { return };
    let (width, height) = (f64::from(canvas.width()), f64::from(canvas.height()));
    ctx.clear_rect(0.0, 0.0, width, height);
    ctx.set_font("12px system-ui, sans-serif");
    ctx.set_fill_style_str("#555");
    let Some((step, latest)) = reports.last() else {
        ctx.fill_text("The classifier's verdict appears here.", 10.0, height / 2.0)
            .ok();
        return;
    };
    let (top, bottom) = (18.0, height - 22.0);

    // Histogram: share of samples per predicted digit.
    let (left, right) = (10.0, width * 0.48);
    let total = latest.histogram.iter().sum::<usize>().max(1) as f64;
    let tallest = latest.histogram.iter().copied().max().unwrap_or(1).max(1) as f64;
    let slot = (right - left) / CLASSES as f64;
    ctx.set_text_align("center");
    for (digit, &count) in latest.histogram.iter().enumerate() {
        let share = count as f64 / total;
        let bar = (bottom - top) * count as f64 / tallest;
        let x = left + slot * digit as f64;
        let covered = share >= crate::eval::metrics::COVERAGE_MIN_SHARE;
        ctx.set_fill_style_str(if covered { COVERED } else { UNCOVERED });
        ctx.fill_rect(x + 2.0, bottom - bar, slot - 4.0, bar);
        ctx.set_fill_style_str("#333");
        ctx.fill_text(&digit.to_string(), x + slot / 2.0, bottom + 14.0).ok();
    }
    ctx.set_text_align("left");
    ctx.fill_text(&format!("samples per digit at step {step}"), left, 12.0)
        .ok();

    // Classes covered over steps.
    let (left, right) = (width * 0.56, width - 10.0);
    let last_step = reports.iter().map(|(s, _)| *s).max().unwrap_or(0).max(1) as f64;
    let x_of = |s: usize| left + (right - left) * s as f64 / last_step;
    let y_of = |covered: usize| bottom - (bottom - top) * covered as f64 / CLASSES as f64;
    ctx.set_stroke_style_str("#e4e4e4");
    ctx.set_line_width(1.0);
    for level in [0, 5, 10] {
        ctx.begin_path();
        ctx.move_to(left, y_of(level));
        ctx.line_to(right, y_of(level));
        ctx.stroke();
        ctx.fill_text(&level.to_string(), left - 16.0, y_of(level) + 4.0).ok();
    }
    ctx.set_stroke_style_str(COVERED);
    ctx.set_fill_style_str(COVERED);
    ctx.set_line_width(2.0);
    ctx.begin_path();
    for (i, (s, report)) in reports.iter().enumerate() {
        let (x, y) = (x_of(*s), y_of(report.classes_covered));
        if i == 0 { ctx.move_to(x, y) } else { ctx.line_to(x, y) }
    }
    ctx.stroke();
    for (s, report) in reports {
        ctx.fill_rect(x_of(*s) - 2.0, y_of(report.classes_covered) - 2.0, 4.0, 4.0);
    }
    ctx.set_fill_style_str("#555");
    ctx.fill_text("classes covered, by step", left, 12.0).ok();
    ctx.set_text_align("right");
    ctx.fill_text(&format!("step {}", last_step as usize), right, bottom + 14.0)
        .ok();
}
