//! One training session: a model, its Adam optimiser, and a seeded pass over the training
//! digits, advanced one batch at a time by whoever drives it.

use burn::optim::GradientsParams;
use burn::store::burn_pack::Tensor as PackTensor;
use burn::tensor::{Device, Int, Tensor};

use super::adam_state::AdamOptimizer;
use super::batches::{BatchSource, upload};
use super::evaluate::{HeldOutScores, PendingScores};
use super::fused_adam::FusedAdam;
use super::roles::{Evaluation, Inference, Persistence, Session};
use crate::data::MnistSplit;
use crate::model::completion::{RECONSTRUCTION_ROUNDS, complete_by_reconstruction};
use crate::model::{GenerativeModel, PreviewKind};
use crate::weights::{NamedParameter, Precision, WeightsError, load_into, named_parameters, split_by_owner};
use crate::zoo::Hyperparameters;

/// Seed of the fixed noise batch that the live preview of a generator decodes.
pub const PREVIEW_NOISE_SEED: u64 = 7;
/// Number of images in the live preview grid (8 x 8).
pub const PREVIEW_COUNT: usize = 64;

/// Seeds `device`'s random generator for step `step` of a run seeded with `seed`. burn's
/// generator is shared by everything on the device, so a run that merely continued the stream
/// would change whenever anything else drew from it (a classifier being built, a comparison);
/// seeding each step makes a run depend on its own seed and step count only.
pub fn seed_step(device: &Device, seed: u64, step: usize) {
    device.seed(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(step as u64 + 1));
}

/// Which player of a GAN a half step trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Player {
    /// The discriminator's updates: the first half of a step.
    Discriminator,
    /// The generator's update: the second half, which completes the step.
    Generator,
}

/// What one half of a GAN's step did, for the slow-motion view: the discriminator's mean
/// verdicts, before and after the half, on the batch that half trained on (the discriminator
/// in inference mode, so looking changes nothing).
#[derive(Debug, Clone)]
pub struct HalfStep {
    /// Whose update it was.
    pub player: Player,
    /// `[real before, fake before, real after, fake after]`, as the chart reports D(x) and
    /// D(G(z)) (probabilities for the non-saturating loss, raw scores otherwise); for the
    /// generator's half, "after" judges the fakes its updated self makes from the same noise.
    pub verdicts: Tensor<1>,
    /// The whole step's loss terms, once the generator's half completed it.
    pub losses: Option<Tensor<1>>,
}

/// A training session for the model type `M`.
pub struct Trainer<M: GenerativeModel> {
    model: Option<M>,
    optimizer: AdamOptimizer,
    learning_rate: f64,
    batches: BatchSource,
    /// Held-out digits `[n, 784]`, on the device.
    held_out_images: Tensor<2>,
    steps: usize,
    seed: u64,
    device: Device,
}

impl<M: GenerativeModel> Trainer<M> {
    /// A session that trains `model` on the training part of `data` with `settings`.
    pub fn new(model: M, settings: &Hyperparameters, data: &MnistSplit, device: &Device) -> Self {
        Self {
            model: Some(model),
            optimizer: FusedAdam::standard().init(),
            learning_rate: settings.learning_rate,
            batches: BatchSource::new(&data.train, settings.batch_size, settings.seed, device),
            held_out_images: upload(&data.held_out, device),
            steps: 0,
            seed: settings.seed,
            device: device.clone(),
        }
    }

    /// The model being trained.
    pub fn model(&self) -> &M {
        self.model.as_ref().expect("the model is only taken out during a step")
    }
}

impl<M: GenerativeModel> Session for Trainer<M> {
    fn loss_names(&self) -> &'static [&'static str] {
        self.model().loss_names()
    }

    fn step(&mut self) -> Tensor<1> {
        seed_step(&self.device, self.seed, self.steps);
        let (batch, labels) = self.batches.next_labelled_batch();
        let model = self.model.take().expect("the model is only taken out during a step");
        let losses = model.loss_terms(batch, labels);
        let grads = GradientsParams::from_grads(losses.objective.backward(), &model);
        self.model = Some(self.optimizer.step(self.learning_rate, model, grads));
        self.steps += 1;
        Tensor::cat(losses.terms, 0)
    }

    fn steps_done(&self) -> usize {
        self.steps
    }

    fn epochs_done(&self) -> f64 {
        (self.steps * self.batches.batch_size()) as f64 / self.batches.epoch_len() as f64
    }

    fn preview(&self) -> Tensor<2> {
        let model = self.model().valid();
        let samples = match model.preview_kind() {
            PreviewKind::Samples => model.sample(PREVIEW_COUNT, PREVIEW_NOISE_SEED),
            PreviewKind::Reconstructions => None,
        };
        samples.unwrap_or_else(|| model.reconstruct(self.held_out_images.clone().slice(0..PREVIEW_COUNT)))
    }
}

impl<M: GenerativeModel> Inference for Trainer<M> {
    fn preview_kind(&self) -> PreviewKind {
        self.model().preview_kind()
    }

    fn is_conditional(&self) -> bool {
        self.model().is_conditional()
    }

    fn parameter_count(&self) -> usize {
        self.model().num_params()
    }

    fn code_size(&self) -> usize {
        self.model().code_size()
    }

    fn samples(&self, count: usize, seed: u64) -> Option<Tensor<2>> {
        self.model().valid().sample(count, seed)
    }

    fn samples_of_classes(&self, labels: Tensor<1, Int>, seed: u64) -> Option<Tensor<2>> {
        self.model().valid().sample_classes(labels, seed)
    }

    fn encode(&self, images: Tensor<2>) -> Option<Tensor<2>> {
        Some(self.model().valid().code_of(images))
    }

    fn decode(&self, codes: Tensor<2>) -> Tensor<2> {
        self.model().valid().image_of(codes)
    }

    fn reconstruct(&self, images: Tensor<2>) -> Option<Tensor<2>> {
        Some(self.model().valid().reconstruct(images))
    }

    fn complete(&self, images: Tensor<2>, visible: Tensor<2>, _seed: u64) -> Tensor<2> {
        let model = self.model().valid();
        complete_by_reconstruction(images, visible, RECONSTRUCTION_ROUNDS, |x| model.reconstruct(x))
    }
}

impl<M: GenerativeModel> Evaluation for Trainer<M> {
    fn evaluate(&self, count: usize) -> PendingScores {
        HeldOutScores::start(&self.model().valid(), &self.held_out_images, count)
    }

    fn evaluate_on(&self, images: &Tensor<2>) -> PendingScores {
        HeldOutScores::start(&self.model().valid(), images, images.dims()[0])
    }
}

impl<M: GenerativeModel> Persistence for Trainer<M> {
    fn parameters(&self, precision: Precision) -> Vec<NamedParameter> {
        named_parameters(self.model(), "model", precision)
    }

    fn load_parameters(&mut self, tensors: Vec<PackTensor>, precision: Precision) -> Result<(), WeightsError> {
        let [own] = split_by_owner(tensors, ["model"])?;
        self.model = Some(load_into(self.model(), own, precision)?);
        self.optimizer = FusedAdam::standard().init();
        self.steps = 0;
        Ok(())
    }

    fn optimizers(&self) -> Vec<&AdamOptimizer> {
        vec![&self.optimizer]
    }

    fn load_optimizer_state(&mut self, state: Vec<Vec<u8>>) -> Result<(), String> {
        let [bytes] = one_state_each(state)?;
        self.optimizer = FusedAdam::standard().init().with_bytes(bytes)?;
        Ok(())
    }

    fn resume_at(&mut self, steps: usize) {
        self.batches.skip(steps.saturating_sub(self.steps));
        self.steps = steps;
    }
}

/// An optimiser's state as burnpack bytes (burn's optimiser record).
/// `state` as exactly `N` buffers, one per optimiser of a session.
pub(crate) fn one_state_each<const N: usize>(state: Vec<Vec<u8>>) -> Result<[Vec<u8>; N], String> {
    let count = state.len();
    state
        .try_into()
        .map_err(|_| format!("{count} optimiser states for a session with {N} optimisers"))
}
