//! One training session: a model, its Adam optimiser, and a seeded pass over the training
//! digits, advanced one batch at a time by whoever drives it.

use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::store::burn_pack::Tensor as PackTensor;
use burn::tensor::{Device, Int, Tensor};

use super::batches::{BatchSource, upload};
use super::evaluate::{HeldOutScores, PendingScores};
use super::fused_adam::FusedAdam;
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

/// A training session seen from outside, whatever its model: what panels and commands use.
pub trait Session {
    /// Names of the loss terms each step reports, the first being the objective.
    fn loss_names(&self) -> &'static [&'static str];
    /// Runs one optimisation step and returns its loss terms `[terms]`, still on the device.
    fn step(&mut self) -> Tensor<1>;
    /// Runs the next half of a GAN's step (the discriminator's, then the generator's): the
    /// slow-motion view. Two halves do exactly what one [`step`](Self::step) does. `None` for a
    /// model without players.
    fn half_step(&mut self) -> Option<HalfStep> {
        None
    }
    /// Steps taken so far.
    fn steps_done(&self) -> usize;
    /// Number of trainable parameters (both players, for a GAN).
    fn parameter_count(&self) -> usize;
    /// Passes over the training digits so far, fractional.
    fn epochs_done(&self) -> f64;
    /// What [`preview`](Self::preview) shows.
    fn preview_kind(&self) -> PreviewKind;
    /// The live preview: [`PREVIEW_COUNT`] images `[64, 784]` in `[0, 1]`, still on the device.
    fn preview(&self) -> Tensor<2>;
    /// Whether the model is trained to generate (a GAN), rather than to reconstruct.
    fn is_generator(&self) -> bool {
        self.preview_kind() == PreviewKind::Samples
    }
    /// `count` samples `[count, 784]` in `[0, 1]` from noise fixed by `seed` (for an
    /// autoencoder: its decoder fed random codes).
    fn samples(&self, count: usize, seed: u64) -> Option<Tensor<2>>;
    /// One sample `[n, 784]` of each class in `labels` `[n]`, from noise fixed by `seed`, or
    /// `None` for a model that is not class-conditional.
    fn samples_of_classes(&self, labels: Tensor<1, Int>, seed: u64) -> Option<Tensor<2>>;
    /// Whether the model is class-conditional (it trains on labels and samples a chosen digit).
    fn is_conditional(&self) -> bool;
    /// Starts scoring the model on `count` held-out digits; read the result with
    /// [`PendingScores::read`].
    fn evaluate(&self, count: usize) -> PendingScores;
    /// Starts scoring the model on `images` `[n, 784]` (the held-out images of whichever
    /// dataset is in use); read the result with [`PendingScores::read`].
    fn evaluate_on(&self, images: &Tensor<2>) -> PendingScores;
    /// Codes `[batch, code_size]` of `images` (posterior means for a VAE), or `None` for a model
    /// without an encoder (a GAN).
    fn encode(&self, images: Tensor<2>) -> Option<Tensor<2>>;
    /// Images `[batch, 784]` decoded from codes (for a GAN: generated from noise).
    fn decode(&self, codes: Tensor<2>) -> Tensor<2>;
    /// Size of the code, or of a GAN's noise.
    fn code_size(&self) -> usize;
    /// Reconstructions of `images`, or `None` for a model without an encoder.
    fn reconstruct(&self, images: Tensor<2>) -> Option<Tensor<2>>;
    /// `images` with the pixels where `visible` is 0 filled in by the model (see
    /// [`crate::model::completion`]); `seed` fixes any noise it starts from.
    fn complete(&self, images: Tensor<2>, visible: Tensor<2>, seed: u64) -> Tensor<2>;
    /// The model's parameters, named as in a weights file stored with `precision` (shared with
    /// the model, not copied).
    fn parameters(&self, precision: Precision) -> Vec<NamedParameter>;
    /// Replaces every parameter with `tensors` from a weights file and starts the optimiser and
    /// the step count afresh; on any mismatch nothing changes and the error says what is wrong.
    fn load_parameters(&mut self, tensors: Vec<PackTensor>, precision: Precision) -> Result<(), WeightsError>;
    /// The optimisers' state (Adam's moments and step counts: burn's optimiser record, as
    /// burnpack bytes), one buffer per optimiser, so a snapshot resumes training exactly. Read
    /// synchronously: for a session on the CPU only.
    fn optimizer_state(&self) -> Result<Vec<Vec<u8>>, String>;
    /// Puts back [`Session::optimizer_state`]'s buffers, once the weights they were taken with
    /// are loaded (the state is keyed by parameter ids, which a weights file keeps). On an
    /// error the optimisers stay as they were.
    fn load_optimizer_state(&mut self, state: Vec<Vec<u8>>) -> Result<(), String>;
    /// Continues at step `steps`: a session restored from a snapshot of one that had trained
    /// that far (its weights loaded), drawing the batches that one would have drawn next; the
    /// optimisers' state comes with [`Session::load_optimizer_state`].
    fn resume_at(&mut self, steps: usize);
}

/// A training session for the model type `M`.
pub struct Trainer<M: GenerativeModel> {
    model: Option<M>,
    optimizer: ModuleOptimizer,
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

    fn parameter_count(&self) -> usize {
        self.model().num_params()
    }

    fn epochs_done(&self) -> f64 {
        (self.steps * self.batches.batch_size()) as f64 / self.batches.epoch_len() as f64
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
        samples.unwrap_or_else(|| model.reconstruct(self.held_out_images.clone().slice(0..PREVIEW_COUNT)))
    }

    fn samples(&self, count: usize, seed: u64) -> Option<Tensor<2>> {
        self.model().valid().sample(count, seed)
    }

    fn samples_of_classes(&self, labels: Tensor<1, Int>, seed: u64) -> Option<Tensor<2>> {
        self.model().valid().sample_classes(labels, seed)
    }

    fn is_conditional(&self) -> bool {
        self.model().is_conditional()
    }

    fn evaluate(&self, count: usize) -> PendingScores {
        HeldOutScores::start(&self.model().valid(), &self.held_out_images, count)
    }

    fn evaluate_on(&self, images: &Tensor<2>) -> PendingScores {
        HeldOutScores::start(&self.model().valid(), images, images.dims()[0])
    }

    fn encode(&self, images: Tensor<2>) -> Option<Tensor<2>> {
        Some(self.model().valid().code_of(images))
    }

    fn decode(&self, codes: Tensor<2>) -> Tensor<2> {
        self.model().valid().image_of(codes)
    }

    fn code_size(&self) -> usize {
        self.model().code_size()
    }

    fn reconstruct(&self, images: Tensor<2>) -> Option<Tensor<2>> {
        Some(self.model().valid().reconstruct(images))
    }

    fn complete(&self, images: Tensor<2>, visible: Tensor<2>, _seed: u64) -> Tensor<2> {
        let model = self.model().valid();
        complete_by_reconstruction(images, visible, RECONSTRUCTION_ROUNDS, |x| model.reconstruct(x))
    }

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

    fn optimizer_state(&self) -> Result<Vec<Vec<u8>>, String> {
        Ok(vec![optimizer_bytes(&self.optimizer)?])
    }

    fn load_optimizer_state(&mut self, state: Vec<Vec<u8>>) -> Result<(), String> {
        let [bytes] = one_state_each(state)?;
        self.optimizer = optimizer_from_bytes(FusedAdam::standard().init(), bytes)?;
        Ok(())
    }

    fn resume_at(&mut self, steps: usize) {
        self.batches.skip(steps.saturating_sub(self.steps));
        self.steps = steps;
    }
}

/// An optimiser's state as burnpack bytes (burn's optimiser record).
pub(crate) fn optimizer_bytes(optimizer: &ModuleOptimizer) -> Result<Vec<u8>, String> {
    optimizer
        .into_bytes()
        .map(|bytes| bytes.to_vec())
        .map_err(|e| format!("the optimiser state could not be written ({e:?})"))
}

/// `fresh` holding the state of [`optimizer_bytes`]'s `bytes`.
pub(crate) fn optimizer_from_bytes(fresh: ModuleOptimizer, bytes: Vec<u8>) -> Result<ModuleOptimizer, String> {
    fresh
        .from_bytes(burn::tensor::Bytes::from_bytes_vec(bytes))
        .map_err(|e| format!("the optimiser state could not be read ({e:?})"))
}

/// `state` as exactly `N` buffers, one per optimiser of a session.
pub(crate) fn one_state_each<const N: usize>(state: Vec<Vec<u8>>) -> Result<[Vec<u8>; N], String> {
    let count = state.len();
    state
        .try_into()
        .map_err(|_| format!("{count} optimiser states for a session with {N} optimisers"))
}
