//! Generative adversarial networks (Goodfellow et al., 2014): a generator maps noise to digits,
//! a discriminator tells real digits from generated ones, and each learns against the other.
//! This file holds what every GAN shares and the MLP pair; `dcgan.rs` holds the convolutional pair.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig};
use burn::tensor::activation::{leaky_relu, sigmoid};
use burn::tensor::{Device, Tensor};

use crate::data::IMAGE_PIXELS;

/// Slope of LeakyReLU for negative inputs, in every GAN here.
pub const LEAKY_SLOPE: f64 = 0.2;

/// A network that turns noise codes into images.
pub trait Generator: Module {
    /// Size of the noise code.
    fn noise_size(&self) -> usize;

    /// The device the generator's weights live on.
    fn device(&self) -> Device;

    /// `count` images `[count, 784]` from standard normal noise fixed by `seed`.
    fn sample(&self, count: usize, seed: u64) -> Tensor<2> {
        self.generate(super::seeded_normal(count, self.noise_size(), seed, &self.device()))
    }

    /// Images `[batch, 784]` with intensities in `[0, 1]` from noise `[batch, noise_size]`.
    fn generate(&self, noise: Tensor<2>) -> Tensor<2>;
}

/// A network that scores how real images look.
pub trait Discriminator: Module {
    /// Logits `[batch, 1]` of "real" for images `[batch, 784]`.
    fn logits(&self, images: Tensor<2>) -> Tensor<2>;
}

/// Shape of the MLP GAN: G `noise-256-512-784`, D `784-512-256-1`, LeakyReLU 0.2.
#[derive(Config, Debug, PartialEq)]
pub struct MlpGanConfig {
    /// Size of the noise code.
    #[config(default = 64)]
    pub noise: usize,
}

/// The MLP generator: `noise-256-512-784`, batch norm and LeakyReLU on the hidden layers,
/// sigmoid output. Batch norm keeps the generator from collapsing onto one digit (measured: without
/// it, 3,000 steps ended with every sample a "3").
#[derive(Module, Debug)]
pub struct MlpGenerator {
    hidden_1: Linear,
    hidden_1_norm: BatchNorm,
    hidden_2: Linear,
    hidden_2_norm: BatchNorm,
    output: Linear,
}

/// The MLP discriminator: `784-512-256-1`, LeakyReLU.
#[derive(Module, Debug)]
pub struct MlpDiscriminator {
    hidden_1: Linear,
    hidden_2: Linear,
    output: Linear,
}

impl MlpGanConfig {
    /// Builds the generator and the discriminator on `device`.
    pub fn init(&self, device: &Device) -> (MlpGenerator, MlpDiscriminator) {
        let generator = MlpGenerator {
            hidden_1: LinearConfig::new(self.noise, 256).init(device),
            hidden_1_norm: BatchNormConfig::new(256).init(device),
            hidden_2: LinearConfig::new(256, 512).init(device),
            hidden_2_norm: BatchNormConfig::new(512).init(device),
            output: LinearConfig::new(512, IMAGE_PIXELS).init(device),
        };
        let discriminator = MlpDiscriminator {
            hidden_1: LinearConfig::new(IMAGE_PIXELS, 512).init(device),
            hidden_2: LinearConfig::new(512, 256).init(device),
            output: LinearConfig::new(256, 1).init(device),
        };
        (generator, discriminator)
    }
}

impl Generator for MlpGenerator {
    fn noise_size(&self) -> usize {
        self.hidden_1.weight.dims()[0]
    }

    fn device(&self) -> Device {
        self.hidden_1.weight.device()
    }

    /// # Shapes
    /// `[batch, noise]` -> `[batch, 784]`
    fn generate(&self, noise: Tensor<2>) -> Tensor<2> {
        let x = leaky_relu(self.hidden_1_norm.forward(self.hidden_1.forward(noise)), LEAKY_SLOPE);
        let x = leaky_relu(self.hidden_2_norm.forward(self.hidden_2.forward(x)), LEAKY_SLOPE);
        sigmoid(self.output.forward(x))
    }
}

impl Discriminator for MlpDiscriminator {
    /// # Shapes
    /// `[batch, 784]` -> `[batch, 1]`
    fn logits(&self, images: Tensor<2>) -> Tensor<2> {
        // Centre intensities on zero, as a tanh generator's images would be.
        let x = leaky_relu(self.hidden_1.forward(images * 2.0 - 1.0), LEAKY_SLOPE);
        let x = leaky_relu(self.hidden_2.forward(x), LEAKY_SLOPE);
        self.output.forward(x)
    }
}
