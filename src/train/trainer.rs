//! One training session: a model, its Adam optimiser, and a seeded pass over the training
//! digits, advanced one batch at a time by whoever drives it.

use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::seq::SliceRandom;
use rand::{SeedableRng, rngs::StdRng};

use super::catalogue::TrainSettings;
use super::evaluate::{HeldOutScores, PendingScores};
use crate::data::{IMAGE_PIXELS, MnistSplit};
use crate::model::{GenerativeModel, PreviewKind};

/// Seed of the fixed noise batch that the live preview of a generator decodes.
pub const PREVIEW_NOISE_SEED: u64 = 7;
/// Number of images in the live preview grid (8 x 8).
pub const PREVIEW_COUNT: usize = 64;

/// A training session seen from outside, whatever its model: what panels and commands use.
pub trait Session {
    /// Names of the loss terms each step reports, the first being the objective.
    fn loss_names(&self) -> &'static [&'static str];
    /// Runs one optimisation step and returns its loss terms `[terms]`, still on the device.
    fn step(&mut self) -> Tensor<1>;
    /// Steps taken so far.
    fn steps_done(&self) -> usize;
    /// Passes over the training digits so far, fractional.
    fn epochs_done(&self) -> f64;
    /// What [`preview`](Self::preview) shows.
    fn preview_kind(&self) -> PreviewKind;
    /// The live preview: [`PREVIEW_COUNT`] images `[64, 784]` in `[0, 1]`, still on the device.
    fn preview(&self) -> Tensor<2>;
    /// Starts scoring the model on `count` held-out digits; read the result with
    /// [`PendingScores::read`].
    fn evaluate(&self, count: usize) -> PendingScores;
}

/// A training session for the model type `M`.
pub struct Trainer<M: GenerativeModel> {
    model: Option<M>,
    optimizer: ModuleOptimizer,
    settings: TrainSettings,
    /// All training digits `[n, 784]`, uploaded once and kept on the device.
    train_images: Tensor<2>,
    /// Held-out digits `[n, 784]`, on the device.
    held_out_images: Tensor<2>,
    /// Shuffled order of the current epoch and the position in it.
    order: Vec<i64>,
    cursor: usize,
    rng: StdRng,
    steps: usize,
    device: Device,
}

impl<M: GenerativeModel> Trainer<M> {
    /// A session that trains `model` on the training part of `data` with `settings`.
    pub fn new(model: M, settings: TrainSettings, data: &MnistSplit, device: &Device) -> Self {
        let upload = |pixels: &[f32]| {
            let rows = pixels.len() / IMAGE_PIXELS;
            Tensor::<2>::from_data(TensorData::new(pixels.to_vec(), [rows, IMAGE_PIXELS]), device)
        };
        let mut trainer = Self {
            model: Some(model),
            optimizer: AdamConfig::new().init(),
            settings,
            train_images: upload(&data.train.pixels),
            held_out_images: upload(&data.held_out.pixels),
            order: (0..data.train.len() as i64).collect(),
            cursor: 0,
            rng: StdRng::seed_from_u64(settings.seed),
            steps: 0,
            device: device.clone(),
        };
        trainer.order.shuffle(&mut trainer.rng);
        trainer
    }

    /// The model being trained.
    pub fn model(&self) -> &M {
        self.model.as_ref().expect("the model is only taken out during a step")
    }

    /// Indices of the next batch, reshuffling at the end of each epoch.
    fn next_batch_indices(&mut self) -> Vec<i64> {
        let batch = self.settings.batch_size.min(self.order.len());
        if self.cursor + batch > self.order.len() {
            self.order.shuffle(&mut self.rng);
            self.cursor = 0;
        }
        let indices = self.order[self.cursor..self.cursor + batch].to_vec();
        self.cursor += batch;
        indices
    }
}

impl<M: GenerativeModel> Session for Trainer<M> {
    fn loss_names(&self) -> &'static [&'static str] {
        self.model().loss_names()
    }

    fn step(&mut self) -> Tensor<1> {
        let indices = self.next_batch_indices();
        let rows = indices.len();
        let indices = Tensor::<1, Int>::from_data(TensorData::new(indices, [rows]), &self.device);
        let batch = self.train_images.clone().select(0, indices);
        let model = self.model.take().expect("the model is only taken out during a step");
        let losses = model.loss_terms(batch);
        let grads = GradientsParams::from_grads(losses.objective.backward(), &model);
        self.model = Some(self.optimizer.step(self.settings.learning_rate, model, grads));
        self.steps += 1;
        Tensor::cat(losses.terms, 0)
    }

    fn steps_done(&self) -> usize {
        self.steps
    }

    fn epochs_done(&self) -> f64 {
        (self.steps * self.settings.batch_size) as f64 / self.order.len() as f64
    }

    fn preview_kind(&self) -> PreviewKind {
        self.model().preview_kind()
    }

    fn preview(&self) -> Tensor<2> {
        let model = self.model().valid();
        let samples = match model.preview_kind() {
            PreviewKind::Samples => model.sample(PREVIEW_COUNT, PREVIEW_NOISE_SEED),
            PreviewKind::Reconstructions => None,
        };
        samples.unwrap_or_else(|| model.reconstruct(self.held_out_images.clone().slice([0..PREVIEW_COUNT])))
    }

    fn evaluate(&self, count: usize) -> PendingScores {
        HeldOutScores::start(&self.model().valid(), &self.held_out_images, count)
    }
}
