//! DCGAN (Radford et al., 2016) sized for MNIST: a generator of transposed convolutions with
//! batch norm and LeakyReLU, and a convolutional discriminator with batch norm and LeakyReLU.

use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::{Conv2d, ConvTranspose2d};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig};
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Int, Tensor};

use super::conv::{doubling_deconv, halving_conv};
use super::gan::{Discriminator, Generator, leaky_relu};
use crate::data::{IMAGE_PIXELS, IMAGE_SIDE};

/// Shape of the DCGAN.
#[derive(Config, Debug, PartialEq)]
pub struct DcganConfig {
    /// Size of the noise code.
    #[config(default = 64)]
    pub noise: usize,
}

/// Generator: `z -> dense 7x7x64 -> BN -> LeakyReLU -> deconv 14x14x32 -> BN -> LeakyReLU ->
/// deconv 28x28x1 -> sigmoid`.
#[derive(Module, Debug)]
pub struct ConvGenerator {
    project: Linear,
    project_norm: BatchNorm,
    upsample_1: ConvTranspose2d,
    upsample_1_norm: BatchNorm,
    upsample_2: ConvTranspose2d,
}

/// Discriminator: `conv 32 /2 -> LeakyReLU -> conv 64 /2 -> BN -> LeakyReLU -> dense 1`.
#[derive(Module, Debug)]
pub struct ConvDiscriminator {
    downsample_1: Conv2d,
    downsample_2: Conv2d,
    downsample_2_norm: BatchNorm,
    output: Linear,
}

impl DcganConfig {
    /// Builds the generator and the discriminator on `device`.
    pub fn init(&self, device: &Device) -> (ConvGenerator, ConvDiscriminator) {
        let generator = ConvGenerator {
            project: LinearConfig::new(self.noise, 64 * 7 * 7).init(device),
            project_norm: BatchNormConfig::new(64).init(device),
            upsample_1: doubling_deconv(64, 32, device),
            upsample_1_norm: BatchNormConfig::new(32).init(device),
            upsample_2: doubling_deconv(32, 1, device),
        };
        let discriminator = ConvDiscriminator {
            downsample_1: halving_conv(1, 32, device),
            downsample_2: halving_conv(32, 64, device),
            downsample_2_norm: BatchNormConfig::new(64).init(device),
            output: LinearConfig::new(64 * 7 * 7, 1).init(device),
        };
        (generator, discriminator)
    }
}

impl Generator for ConvGenerator {
    fn noise_size(&self) -> usize {
        self.project.weight.dims()[0]
    }

    fn device(&self) -> Device {
        self.project.weight.device()
    }

    /// # Shapes
    /// `[batch, noise]` -> `[batch, 784]`
    fn generate(&self, noise: Tensor<2>) -> Tensor<2> {
        let batch = noise.dims()[0];
        let x = self.project.forward(noise).reshape([batch, 64, 7, 7]); // [batch, 64, 7, 7]
        let x = leaky_relu(self.project_norm.forward(x));
        let x = self.upsample_1.forward(x); // [batch, 32, 14, 14]
        let x = leaky_relu(self.upsample_1_norm.forward(x));
        let x = self.upsample_2.forward(x); // [batch, 1, 28, 28]
        sigmoid(x).reshape([batch, IMAGE_PIXELS])
    }
}

impl Discriminator for ConvDiscriminator {
    /// # Shapes
    /// `[batch, 784]` -> `[batch, 1]`
    fn logits(&self, images: Tensor<2>, _labels: Tensor<1, Int>) -> Tensor<2> {
        let batch = images.dims()[0];
        let x = images.reshape([batch, 1, IMAGE_SIDE, IMAGE_SIDE]);
        let x = leaky_relu(self.downsample_1.forward(x)); // [batch, 32, 14, 14]
        let x = self.downsample_2.forward(x); // [batch, 64, 7, 7]
        let x = leaky_relu(self.downsample_2_norm.forward(x));
        self.output.forward(x.reshape([batch, 64 * 7 * 7]))
    }
}
