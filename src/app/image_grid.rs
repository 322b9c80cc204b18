//! Draws a batch of 28x28 grey images as a square grid on a canvas.

use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

use crate::data::IMAGE_SIDE;
use crate::data::mnist::intensity_byte;

/// Draws `pixels` (`count * 784` intensities in `[0, 1]`) as a `columns`-wide grid, ink dark
/// on white like pencil on paper, resizing the canvas to fit.
pub fn draw_grid(canvas: &HtmlCanvasElement, pixels: &[f32], columns: usize) {
    let count = pixels.len() / (IMAGE_SIDE * IMAGE_SIDE);
    if count == 0 || columns == 0 {
        return;
    }
    let rows = count.div_ceil(columns);
    let (width, height) = (columns * IMAGE_SIDE, rows * IMAGE_SIDE);
    let mut rgba = vec![255u8; width * height * 4];
    for (index, image) in pixels.chunks_exact(IMAGE_SIDE * IMAGE_SIDE).enumerate() {
        let (origin_x, origin_y) = ((index % columns) * IMAGE_SIDE, (index / columns) * IMAGE_SIDE);
        for (p, &value) in image.iter().enumerate() {
            let (x, y) = (origin_x + p % IMAGE_SIDE, origin_y + p / IMAGE_SIDE);
            let shade = 255 - intensity_byte(value);
            let at = (y * width + x) * 4;
            rgba[at..at + 3].fill(shade);
        }
    }
    canvas.set_width(width as u32);
    canvas.set_height(height as u32);
    let Ok(image) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&rgba), width as u32, height as u32) else {
        return;
    };
    if let Some(context) = context_2d(canvas) {
        let _ = context.put_image_data(&image, 0.0, 0.0);
    }
}

/// The canvas's 2-D drawing context.
pub fn context_2d(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok().flatten()?.dyn_into().ok()
}
