//! The conditional GAN (Mirza & Osindero, 2014): the generator and the discriminator are both
//! given the digit's class as a one-hot row, so the generator learns to write the digit it is
//! asked for and the discriminator to refuse a good "7" offered as a "1". Same MLP sizes as
//! the unconditional pair in `gan.rs`.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig};
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Int, Tensor};

use super::gan::{Discriminator, Generator, leaky_relu};
use super::one_hot;
use crate::data::IMAGE_PIXELS;

/// Shape of the conditional MLP GAN: G `(noise + classes)-256-512-784`, D
/// `(784 + classes)-512-256-1`, LeakyReLU 0.2.
#[derive(Config, Debug, PartialEq)]
pub struct ConditionalGanConfig {
    /// Size of the noise code.
    #[config(default = 64)]
    pub noise: usize,
    /// Number of classes it is conditioned on.
    #[config(default = 10)]
    pub classes: usize,
}

/// The conditional generator: batch norm and LeakyReLU on the hidden layers, sigmoid output.
#[derive(Module, Debug)]
pub struct ConditionalGenerator {
    hidden_1: Linear,
    hidden_1_norm: BatchNorm,
    hidden_2: Linear,
    hidden_2_norm: BatchNorm,
    output: Linear,
    classes: usize,
}

/// The conditional discriminator: the image and its class row in, LeakyReLU.
#[derive(Module, Debug)]
pub struct ConditionalDiscriminator {
    hidden_1: Linear,
    hidden_2: Linear,
    output: Linear,
    classes: usize,
}

impl ConditionalGanConfig {
    /// Builds the generator and the discriminator on `device`.
    pub fn init(&self, device: &Device) -> (ConditionalGenerator, ConditionalDiscriminator) {
        let generator = ConditionalGenerator {
            hidden_1: LinearConfig::new(self.noise + self.classes, 256).init(device),
            hidden_1_norm: BatchNormConfig::new(256).init(device),
            hidden_2: LinearConfig::new(256, 512).init(device),
            hidden_2_norm: BatchNormConfig::new(512).init(device),
            output: LinearConfig::new(512, IMAGE_PIXELS).init(device),
            classes: self.classes,
        };
        let discriminator = ConditionalDiscriminator {
            hidden_1: LinearConfig::new(IMAGE_PIXELS + self.classes, 512).init(device),
            hidden_2: LinearConfig::new(512, 256).init(device),
            output: LinearConfig::new(256, 1).init(device),
            classes: self.classes,
        };
        (generator, discriminator)
    }
}

impl Generator for ConditionalGenerator {
    fn noise_size(&self) -> usize {
        self.hidden_1.weight.dims()[0] - self.classes
    }

    fn classes(&self) -> usize {
        self.classes
    }

    fn device(&self) -> Device {
        self.hidden_1.weight.device()
    }

    /// # Shapes
    /// `[batch, noise + classes]` -> `[batch, 784]`
    fn generate(&self, input: Tensor<2>) -> Tensor<2> {
        let x = leaky_relu(self.hidden_1_norm.forward(self.hidden_1.forward(input)));
        let x = leaky_relu(self.hidden_2_norm.forward(self.hidden_2.forward(x)));
        sigmoid(self.output.forward(x))
    }
}

impl Discriminator for ConditionalDiscriminator {
    /// # Shapes
    /// `[batch, 784]`, `[batch]` -> `[batch, 1]`
    fn logits(&self, images: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<2> {
        // Centre intensities on zero, as in the unconditional discriminator.
        let input = Tensor::cat(vec![images * 2.0 - 1.0, one_hot(labels, self.classes)], 1);
        let x = leaky_relu(self.hidden_1.forward(input));
        let x = leaky_relu(self.hidden_2.forward(x));
        self.output.forward(x)
    }
}
