//! A lab run as a panel drives it: a session that advances by slices of steps, its loss
//! history, and the picture of the plane to draw after each slice (real and generated points,
//! the generator's movement, the discriminator's heat map, the VAE's latent grid), with the mode
//! metrics. Plain Rust, read back asynchronously, so it runs natively in tests and on WebGPU.

use burn::tensor::{Device, Tensor, TensorData};

use super::modes::{ModeScore, score};
use super::{HELD_OUT_POINTS, LabModel, LabSession, LabSettings};
use crate::train::history::first_non_finite_step;
use crate::train::readback::{ReadbackError, read_floats};
use crate::train::{HeldOutScores, LossHistory};

/// Real points drawn.
pub const DRAWN_REAL: usize = 500;
/// Generated points drawn and scored live (the papers score 2,500: the command does).
pub const DRAWN_GENERATED: usize = 1_000;
/// Noise points whose samples the generator's arrows follow.
pub const ARROW_POINTS: usize = 48;
/// Cells per side of the discriminator's heat map.
pub const HEAT_CELLS: usize = 40;
/// Lines per side of the VAE's (and autoencoder's) decoded latent grid, over [-2, 2]².
pub const LATENT_LINES: usize = 9;

const GENERATED_SEED: u64 = 11;
const ARROW_SEED: u64 = 12;
const REAL_SEED: u64 = 13;

/// What the panel draws after a slice.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LabPicture {
    /// Steps trained.
    pub steps: usize,
    /// Real points `[x, y, …]`.
    pub real: Vec<f32>,
    /// Generated points `[x, y, …]`, from fixed noise.
    pub generated: Vec<f32>,
    /// Samples of the arrows' fixed noise `[x, y, …]`: compared with the last picture's, the
    /// generator's movement.
    pub arrow_heads: Vec<f32>,
    /// The discriminator's scores on a [`HEAT_CELLS`]² grid over the drawn square, row by row
    /// from the top (a GAN only).
    pub heat: Option<Vec<f32>>,
    /// The decoder's image of a [`LATENT_LINES`]² grid of codes, row by row (VAE, autoencoder).
    pub latent_grid: Option<Vec<f32>>,
    /// The encoder's means of the real points (VAE, autoencoder).
    pub codes: Option<Vec<f32>>,
    /// Modes captured and high-quality share of [`DRAWN_GENERATED`] samples, for the mixtures.
    pub modes: Option<ModeScore>,
}

/// Training time a slice of steps aims for, in milliseconds: a picture about this often...
pub const SLICE_MS: f64 = 30.0;
/// ...or less often, where pictures cost so much that they would take more than a tenth of the
/// time (WebGPU's read backs on a slow adapter): training time per picture time.
pub const TRAINING_PER_PICTURE: f64 = 9.0;
/// Most steps in one slice.
pub const MAX_SLICE_STEPS: usize = 200;

/// One slice of a lab run, as the training worker reports it to the page.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LabSlice {
    /// The loss terms' names, in the order of `losses`.
    pub loss_names: Vec<String>,
    /// The slice's losses, step-major (as [`LossHistory::extend_flat`] takes them).
    pub losses: Vec<f32>,
    /// The model after the slice.
    pub picture: LabPicture,
    /// A finished autoencoder's or VAE's held-out figure, nats per point, when asked for.
    pub held_out: Option<f64>,
    /// Milliseconds the slice's steps took, their read back included (not the picture's).
    pub training_ms: f64,
    /// Milliseconds the picture (and held-out figure) took to compute and read back.
    pub picture_ms: f64,
}

impl LabSlice {
    /// Steps for the slice after this one, which trained `steps` steps: about [`SLICE_MS`] of
    /// training, or [`TRAINING_PER_PICTURE`] times what its picture took, whichever is longer.
    pub fn next_steps(&self, steps: usize) -> usize {
        let target_ms = SLICE_MS.max(TRAINING_PER_PICTURE * self.picture_ms);
        let per_step_ms = self.training_ms.max(1e-3) / steps.max(1) as f64;
        ((target_ms / per_step_ms).round() as usize).clamp(1, MAX_SLICE_STEPS)
    }
}

/// A lab model in training, its history and its picture.
pub struct LabRun {
    settings: LabSettings,
    session: LabSession,
    history: LossHistory,
    device: Device,
}

/// `[x0, y0, x1, y1, …]` of `cells`² cell centres over `[-extent, extent]²`, top row first.
pub fn grid_points(cells: usize, extent: f32) -> Vec<f32> {
    let at = |i: usize| -extent + (i as f32 + 0.5) * 2.0 * extent / cells as f32;
    (0..cells)
        .flat_map(|row| (0..cells).flat_map(move |column| [at(column), -at(row)]))
        .collect()
}

impl LabRun {
    /// A fresh run of `settings` on `device` (an autodiff device).
    pub fn new(settings: LabSettings, device: &Device) -> Self {
        let session = LabSession::new(&settings, device);
        let history = LossHistory::new(session.session().loss_names());
        Self {
            settings,
            session,
            history,
            device: device.clone(),
        }
    }

    /// Its settings.
    pub fn settings(&self) -> &LabSettings {
        &self.settings
    }

    /// Its loss history.
    pub fn history(&self) -> &LossHistory {
        &self.history
    }

    /// Steps trained.
    pub fn steps(&self) -> usize {
        self.session.session().steps_done()
    }

    /// Trains `steps` steps and records their losses; returns the 1-based step of the first
    /// non-finite loss, if any.
    pub async fn advance(&mut self, steps: usize) -> Result<Option<usize>, ReadbackError> {
        let before = self.history.len();
        let values = self.train(steps).await?;
        let terms = self.history.names.len().max(1);
        Ok(first_non_finite_step(&values, terms).map(|index| before + index + 1))
    }

    /// Trains `steps` steps, records their losses and returns them, step-major.
    pub async fn train(&mut self, steps: usize) -> Result<Vec<f32>, ReadbackError> {
        if steps == 0 {
            return Ok(Vec::new());
        }
        let losses: Vec<Tensor<1>> = (0..steps).map(|_| self.session.session_mut().step()).collect();
        let values = read_floats(Tensor::cat(losses, 0)).await?;
        self.history.extend_flat(&values);
        Ok(values)
    }

    /// The picture of the model now.
    pub async fn picture(&self) -> Result<LabPicture, ReadbackError> {
        let data = self.settings.data;
        let extent = data.extent();
        let session = &self.session;
        let generated = read_floats(session.samples(DRAWN_GENERATED, GENERATED_SEED)).await?;
        let arrow_heads = read_floats(session.samples(ARROW_POINTS, ARROW_SEED)).await?;
        let points = |values: Vec<f32>| {
            let n = values.len() / 2;
            Tensor::<2>::from_data(TensorData::new(values, [n, 2]), &self.device)
        };
        let heat = match session.discriminator_scores(points(grid_points(HEAT_CELLS, extent))) {
            Some(scores) => Some(read_floats(scores).await?),
            None => None,
        };
        let real = data.sample(DRAWN_REAL, REAL_SEED);
        let (latent_grid, codes) = match self.settings.model {
            LabModel::Gan => (None, None),
            LabModel::Vae | LabModel::Autoencoder => {
                let inner = self.session.session();
                let grid = inner.decode(points(grid_points(LATENT_LINES, 2.0)));
                let codes = inner.encode(points(real.clone())).expect("the autoencoders encode");
                (Some(read_floats(grid).await?), Some(read_floats(codes).await?))
            }
        };
        Ok(LabPicture {
            steps: self.steps(),
            modes: data.modes().map(|modes| score(&generated, &modes)),
            real,
            generated,
            arrow_heads,
            heat,
            latent_grid,
            codes,
        })
    }

    /// The held-out scores of the VAE (negative ELBO) or the autoencoder (reconstruction), in
    /// nats per point, on [`HELD_OUT_POINTS`] points; `None` for the GAN.
    pub async fn held_out(&self) -> Option<HeldOutScores> {
        match self.settings.model {
            LabModel::Gan => None,
            _ => self.session.session().evaluate(HELD_OUT_POINTS).read().await.ok(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::toy2d::Toy2d;

    #[test]
    fn the_grid_covers_the_square_top_row_first() {
        let grid = grid_points(4, 2.0);
        assert_eq!(grid.len(), 32);
        assert_eq!(&grid[..2], &[-1.5, 1.5]);
        assert_eq!(&grid[30..], &[1.5, -1.5]);
    }

    #[test]
    fn slices_aim_at_a_picture_every_30_ms_of_training_and_keep_slow_pictures_under_a_tenth() {
        let slice = |training_ms, picture_ms| LabSlice {
            loss_names: vec![],
            losses: vec![],
            picture: LabPicture::default(),
            held_out: None,
            training_ms,
            picture_ms,
        };
        // The CPU: 2 ms a step, cheap pictures: 15 steps a slice.
        assert_eq!(slice(10.0, 1.0).next_steps(5), 15);
        // A slow adapter: 400 ms a step, 300 ms a picture: 2.7 s of training per picture.
        let steps = slice(400.0, 300.0).next_steps(1);
        assert_eq!(steps, 7);
        let picture_share = 300.0 / (300.0 + 400.0 * steps as f64);
        assert!(picture_share <= 0.1, "{picture_share}");
        // Bounds: one step at least, at most MAX_SLICE_STEPS.
        assert_eq!(slice(5_000.0, 0.0).next_steps(1), 1);
        assert_eq!(slice(0.0, 0.0).next_steps(8), MAX_SLICE_STEPS);
    }

    #[test]
    fn a_run_advances_records_and_pictures_each_model() {
        let _turn = crate::seeded_turn();
        let device = Device::flex().autodiff();
        for model in LabModel::ALL {
            let settings = LabSettings {
                model,
                data: Toy2d::Grid,
                ..LabSettings::default()
            };
            let mut run = LabRun::new(settings, &device);
            assert_eq!(pollster::block_on(run.advance(5)).unwrap(), None);
            assert_eq!((run.steps(), run.history().len()), (5, 5));
            let picture = pollster::block_on(run.picture()).unwrap();
            assert_eq!(picture.generated.len(), 2 * DRAWN_GENERATED);
            assert_eq!(picture.arrow_heads.len(), 2 * ARROW_POINTS);
            assert_eq!(
                picture.heat.as_ref().map(Vec::len),
                (model == LabModel::Gan).then_some(HEAT_CELLS.pow(2))
            );
            assert_eq!(
                picture.latent_grid.as_ref().map(Vec::len),
                (model != LabModel::Gan).then_some(2 * LATENT_LINES.pow(2))
            );
            assert_eq!(picture.modes.as_ref().map(|m| m.modes), Some(25));
            assert_eq!(pollster::block_on(run.held_out()).is_some(), model != LabModel::Gan);
        }
    }
}
