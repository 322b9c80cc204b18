//! Renders the picture a share link unfurls with (`og:image` in `www/index.html`): samples of
//! three shipped models side by side, the VAE (MLP), the GAN (MLP) and the DCGAN, drawn as the
//! site draws them (ink on paper), 1200 x 630 pixels as Open Graph cards ask:
//!
//!     cargo run --bin preview -- [public/preview.png] [--seed 7]
//!
//! The weights are the ones in `public/weights`, so the picture is what a visitor sees after one
//! click on "Load pretrained".

use std::path::{Path, PathBuf};

use burn::tensor::Device;
use genplay::data::mnist::intensity_byte;
use genplay::data::{IMAGE_SIDE, MnistSplit};
use genplay::train::ModelKind;
use genplay::train::sessions::shipped_session;
use image::{Rgb, RgbImage};

const USAGE: &str = "usage: preview [OUTPUT.png] [--seed N]";
/// Open Graph's recommended card size.
const WIDTH: u32 = 1200;
const HEIGHT: u32 = 630;
/// Each digit drawn at this many screen pixels per image pixel.
const SCALE: u32 = 2;
const COLUMNS: u32 = 6;
const ROWS: u32 = 10;
const MODELS: [ModelKind; 3] = [ModelKind::VaeMlp, ModelKind::GanMlp, ModelKind::Dcgan];
/// The page's colours (`www/styles.css`): its background, and a model's accent bar.
const BACK: Rgb<u8> = Rgb([0xf5, 0xf6, 0xf8]);
const ACCENT: Rgb<u8> = Rgb([0x0a, 0x66, 0xc2]);

fn main() {
    if let Err(problem) = run() {
        eprintln!("preview: {problem}\n{USAGE}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("public");
    let (mut output, mut seed) = (root.join("preview.png"), 7u64);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seed" => {
                seed = args
                    .next()
                    .ok_or("--seed needs a value")?
                    .parse()
                    .map_err(|e| format!("--seed: {e}"))?
            }
            path if !path.starts_with('-') => output = PathBuf::from(path),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let data = MnistSplit::read_folder(&root.join("data"))?;
    let device = Device::flex().autodiff();
    let grid = IMAGE_SIDE as u32 * SCALE;
    let gap = (WIDTH - MODELS.len() as u32 * COLUMNS * grid) / (MODELS.len() as u32 + 1);
    let top = (HEIGHT - ROWS * grid) / 2;
    let mut picture = RgbImage::from_pixel(WIDTH, HEIGHT, BACK);
    for (index, kind) in MODELS.into_iter().enumerate() {
        let session = shipped_session(&root.join("weights"), kind, &data, &device)?;
        let samples = session
            .samples((COLUMNS * ROWS) as usize, seed)
            .ok_or(format!("{} draws no samples", kind.id()))?;
        let pixels = samples
            .into_data()
            .try_to_vec::<f32>()
            .map_err(|e| format!("{}: {e:?}", kind.id()))?;
        let left = gap + index as u32 * (COLUMNS * grid + gap);
        draw_grid(&mut picture, &pixels, left, top);
        // A bar above each grid, as the page marks a panel.
        for x in left..left + COLUMNS * grid {
            for y in top - 10..top - 4 {
                picture.put_pixel(x, y, ACCENT);
            }
        }
    }
    picture
        .save(&output)
        .map_err(|e| format!("{}: {e}", output.display()))?;
    println!("wrote {} ({WIDTH}x{HEIGHT}, seed {seed})", output.display());
    Ok(())
}

/// Draws `pixels` (images of 784 intensities in `[0, 1]`) as a `COLUMNS`-wide grid at
/// (`left`, `top`), ink dark on paper.
fn draw_grid(picture: &mut RgbImage, pixels: &[f32], left: u32, top: u32) {
    let side = IMAGE_SIDE as u32;
    for (index, image) in pixels.chunks_exact(IMAGE_SIDE * IMAGE_SIDE).enumerate() {
        let (column, row) = (index as u32 % COLUMNS, index as u32 / COLUMNS);
        for (p, &value) in image.iter().enumerate() {
            let colour = Rgb([255 - intensity_byte(value); 3]);
            let (x, y) = (
                (column * side + p as u32 % side) * SCALE,
                (row * side + p as u32 / side) * SCALE,
            );
            for dy in 0..SCALE {
                for dx in 0..SCALE {
                    picture.put_pixel(left + x + dx, top + y + dy, colour);
                }
            }
        }
    }
}
