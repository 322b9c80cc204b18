//! A training session seen from outside, whatever its model, in the four roles its callers
//! have: using what it has learnt ([`Inference`]), scoring that ([`Evaluation`], which includes
//! it), keeping it ([`Persistence`]) and training it ([`Session`], which includes them all). A
//! panel that only draws from a model holds a `dyn Inference` and cannot step, score or replace
//! it; the Compare panel holds a `dyn Evaluation`; the worker and the commands hold the whole
//! `dyn Session`, which upcasts to each role.

use burn::store::burn_pack::Tensor as PackTensor;
use burn::tensor::{Int, Tensor};

use super::adam_state::AdamOptimizer;
use super::evaluate::PendingScores;
use super::trainer::HalfStep;
use crate::model::PreviewKind;
use crate::weights::{NamedParameter, Precision, WeightsError};

/// Training: one step (or one half of a GAN's step) at a time, and where the run stands.
pub trait Session: Evaluation + Persistence {
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
    /// Passes over the training digits so far, fractional.
    fn epochs_done(&self) -> f64;
    /// The live preview: [`PREVIEW_COUNT`](super::trainer::PREVIEW_COUNT) images `[64, 784]` in
    /// `[0, 1]`, still on the device; what it shows is [`Inference::preview_kind`].
    fn preview(&self) -> Tensor<2>;
}

/// What the model computes, in inference mode: samples, codes, reconstructions, completions.
pub trait Inference {
    /// What [`Session::preview`] shows.
    fn preview_kind(&self) -> PreviewKind;
    /// Whether the model is trained to generate (a GAN), rather than to reconstruct.
    fn is_generator(&self) -> bool {
        self.preview_kind() == PreviewKind::Samples
    }
    /// Whether the model is class-conditional (it trains on labels and samples a chosen digit).
    fn is_conditional(&self) -> bool;
    /// Number of trainable parameters (both players, for a GAN).
    fn parameter_count(&self) -> usize;
    /// Size of the code, or of a GAN's noise.
    fn code_size(&self) -> usize;
    /// `count` samples `[count, 784]` in `[0, 1]` from noise fixed by `seed` (for an
    /// autoencoder: its decoder fed random codes).
    fn samples(&self, count: usize, seed: u64) -> Option<Tensor<2>>;
    /// One sample `[n, 784]` of each class in `labels` `[n]`, from noise fixed by `seed`, or
    /// `None` for a model that is not class-conditional.
    fn samples_of_classes(&self, labels: Tensor<1, Int>, seed: u64) -> Option<Tensor<2>>;
    /// Codes `[batch, code_size]` of `images` (posterior means for a VAE), or `None` for a model
    /// without an encoder (a GAN).
    fn encode(&self, images: Tensor<2>) -> Option<Tensor<2>>;
    /// Images `[batch, 784]` decoded from codes (for a GAN: generated from noise).
    fn decode(&self, codes: Tensor<2>) -> Tensor<2>;
    /// Reconstructions of `images`, or `None` for a model without an encoder.
    fn reconstruct(&self, images: Tensor<2>) -> Option<Tensor<2>>;
    /// `images` with the pixels where `visible` is 0 filled in by the model (see
    /// [`crate::model::completion`]); `seed` fixes any noise it starts from.
    fn complete(&self, images: Tensor<2>, visible: Tensor<2>, seed: u64) -> Tensor<2>;
}

/// Held-out scores (reconstruction error, negative ELBO), started on the device and read later,
/// beside what the model computes: what the Compare panel's metrics need.
pub trait Evaluation: Inference {
    /// Starts scoring the model on `count` held-out digits; read the result with
    /// [`PendingScores::read`].
    fn evaluate(&self, count: usize) -> PendingScores;
    /// Starts scoring the model on `images` `[n, 784]` (the held-out images of whichever
    /// dataset is in use); read the result with [`PendingScores::read`].
    fn evaluate_on(&self, images: &Tensor<2>) -> PendingScores;
}

/// The weights and the optimisers' state, out to a file or a snapshot and back.
pub trait Persistence {
    /// The model's parameters, named as in a weights file stored with `precision` (shared with
    /// the model, not copied).
    fn parameters(&self, precision: Precision) -> Vec<NamedParameter>;
    /// Replaces every parameter with `tensors` from a weights file and starts the optimiser and
    /// the step count afresh; on any mismatch nothing changes and the error says what is wrong.
    fn load_parameters(&mut self, tensors: Vec<PackTensor>, precision: Precision) -> Result<(), WeightsError>;
    /// The session's optimisers, in the order of [`Persistence::optimizer_state`]'s buffers, for
    /// an asynchronous read back of their state ([`AdamOptimizer::read_back`]).
    fn optimizers(&self) -> Vec<&AdamOptimizer>;
    /// The optimisers' state (Adam's moments and step counts: burn's optimiser record, as
    /// burnpack bytes), one buffer per optimiser, so a snapshot resumes training exactly. Read
    /// synchronously: on WebGPU only right after [`AdamOptimizer::read_back`] of each optimiser.
    fn optimizer_state(&self) -> Result<Vec<Vec<u8>>, String> {
        self.optimizers().into_iter().map(AdamOptimizer::to_bytes).collect()
    }
    /// Puts back [`Persistence::optimizer_state`]'s buffers, once the weights they were taken
    /// with are loaded (the state is keyed by parameter ids, which a weights file keeps). On an
    /// error the optimisers stay as they were.
    fn load_optimizer_state(&mut self, state: Vec<Vec<u8>>) -> Result<(), String>;
    /// Continues at step `steps`: a session restored from a snapshot of one that had trained
    /// that far (its weights loaded), drawing the batches that one would have drawn next; the
    /// optimisers' state comes with [`Persistence::load_optimizer_state`].
    fn resume_at(&mut self, steps: usize);
}
