//! The generative models, written once with burn and free of any web or backend choice:
//! the app picks the `Device`, these files only describe networks and their objectives.

pub mod ae;
pub mod cgan;
pub mod classifier;
pub mod completion;
pub mod conv;
pub mod cvae;
pub mod dcgan;
pub mod fused_bce;
pub mod gan;
pub mod gan_loss;
pub mod loss;
pub mod nets;
pub mod spectral;
pub mod toy;
pub mod vae;
pub mod validation;

use burn::module::Module;
use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::{SeedableRng, rngs::StdRng};

use crate::data::standard_normal;

pub use ae::{Autoencoder, AutoencoderConfig};
pub use cgan::ConditionalGanConfig;
pub use classifier::{ClassifierConfig, DigitClassifier};
pub use cvae::{ConditionalVae, ConditionalVaeConfig};
pub use dcgan::DcganConfig;
pub use gan::{Discriminator, Generator, MlpGanConfig};
pub use nets::Architecture;
pub use vae::{Vae, VaeConfig};
pub use validation::ConfigError;

/// The named loss terms of one training batch.
///
/// `objective` carries the autodiff graph and is what the optimiser minimises; `terms` are
/// the values to report, detached, in the order of [`GenerativeModel::loss_names`].
#[derive(Debug, Clone)]
pub struct LossTerms {
    /// The scalar minimised by training (with its graph).
    pub objective: Tensor<1>,
    /// One scalar per reported term, detached from the graph.
    pub terms: Vec<Tensor<1>>,
}

/// What a model's live preview grid shows while it trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PreviewKind {
    /// The model's reconstructions of fixed held-out digits (autoencoders).
    Reconstructions,
    /// The model's samples from a fixed noise batch (generators).
    Samples,
}

/// The interface every generative model of the playground implements, so that training,
/// panels and metrics never special-case a model.
pub trait GenerativeModel: Module + Sized {
    /// Names of the terms in [`LossTerms::terms`], the first being the training objective.
    fn loss_names(&self) -> &'static [&'static str];

    /// The loss terms of one batch of images `[batch, 784]` with intensities in `[0, 1]` and
    /// their classes `[batch]` (read only by a class-conditional model).
    fn loss_terms(&self, images: Tensor<2>, labels: Tensor<1, Int>) -> LossTerms;

    /// Reconstructions `[batch, 784]` (intensities in `[0, 1]`) of `images` `[batch, 784]`.
    fn reconstruct(&self, images: Tensor<2>) -> Tensor<2>;

    /// Codes `[batch, latent]` of `images`: the code (autoencoder) or the posterior mean (VAE).
    fn code_of(&self, images: Tensor<2>) -> Tensor<2>;

    /// Images `[batch, 784]` (intensities in `[0, 1]`) decoded from codes `[batch, latent]`.
    fn image_of(&self, codes: Tensor<2>) -> Tensor<2>;

    /// Size of the code.
    fn code_size(&self) -> usize;

    /// `count` samples `[count, 784]` (intensities in `[0, 1]`) from noise fixed by `seed`,
    /// or `None` for a model that is not a generator.
    fn sample(&self, count: usize, seed: u64) -> Option<Tensor<2>>;

    /// Whether the model is class-conditional: it reads labels in training and writes the
    /// digit it is asked for.
    fn is_conditional(&self) -> bool {
        false
    }

    /// One sample `[n, 784]` of each class in `labels` `[n]`, from noise fixed by `seed`, or
    /// `None` for a model that is not class-conditional.
    fn sample_classes(&self, _labels: Tensor<1, Int>, _seed: u64) -> Option<Tensor<2>> {
        None
    }

    /// What the live preview of this model shows.
    fn preview_kind(&self) -> PreviewKind;

    /// Per-image held-out scores `[terms]`, summed over `images`: the reconstruction
    /// cross-entropy in nats, and for a VAE the KL term (so that -ELBO = recon + KL).
    fn evaluation_terms(&self, images: Tensor<2>) -> Tensor<1>;
}

/// Whether `device` is burn's CPU backend (flex), with or without autodiff: where the loops
/// fused by hand for the CPU ([`loss::fused_reconstruction_loss`], the training's fused Adam)
/// run, and other devices keep burn's tensor operations.
pub fn is_cpu(device: &Device) -> bool {
    device.clone().without_autodiff() == Device::flex()
}

/// A `[rows, cols]` tensor of standard normal noise drawn on the CPU from `seed`, so that the
/// same seed gives the same noise on every backend.
pub fn seeded_normal(rows: usize, cols: usize, seed: u64, device: &Device) -> Tensor<2> {
    let mut rng = StdRng::seed_from_u64(seed);
    let values: Vec<f32> = (0..rows * cols).map(|_| standard_normal(&mut rng)).collect();
    Tensor::from_data(TensorData::new(values, [rows, cols]), device)
}

/// Classes as one-hot rows: `[batch]` -> `[batch, classes]` floats, how a conditional model
/// is told which digit to write. Built from a comparison with `0..classes` rather than burn's
/// `one_hot`, which checks the labels with a synchronous read that WebGPU in wasm cannot do.
pub fn one_hot(labels: Tensor<1, Int>, classes: usize) -> Tensor<2> {
    let batch = labels.dims()[0];
    let device = labels.device();
    let rows = labels.reshape([batch, 1]).repeat_dim(1, classes);
    let columns = Tensor::<1, Int>::arange(0..classes as i64, &device)
        .reshape([1, classes])
        .repeat_dim(0, batch);
    rows.equal(columns).float()
}

/// The labels `0, 1, …, classes - 1, 0, 1, …` for `count` samples: samples spread evenly over
/// the classes, so a grid of a conditional model's samples shows every digit.
pub fn cycling_labels(count: usize, classes: usize, device: &Device) -> Tensor<1, Int> {
    let labels: Vec<i64> = (0..count).map(|i| (i % classes.max(1)) as i64).collect();
    Tensor::from_data(TensorData::new(labels, [count]), device)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hot_rows_mark_each_label() {
        let device = Device::flex();
        let labels = Tensor::<1, Int>::from_data(TensorData::new(vec![2i64, 0, 1], [3]), &device);
        let rows: Vec<f32> = one_hot(labels, 3).into_data().try_to_vec().unwrap();
        assert_eq!(rows, [0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
        let cycled: Vec<i32> = cycling_labels(5, 2, &device)
            .into_data()
            .convert::<i32>()
            .try_to_vec()
            .unwrap();
        assert_eq!(cycled, [0, 1, 0, 1, 0]);
    }
}
