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
use super::gan_loss::{DiscriminatorRemedies, with_minibatch_std_maps};
use super::spectral::{PowerIteration, conv_matrix, refreshed_all};
use crate::data::{IMAGE_PIXELS, IMAGE_SIDE};

/// Shape of the DCGAN.
#[derive(Config, Debug, PartialEq)]
pub struct DcganConfig {
    /// Size of the noise code.
    #[config(default = 64)]
    pub noise: usize,
    /// The discriminator's remedies for mode collapse.
    #[config(default = "DiscriminatorRemedies::default()")]
    pub discriminator: DiscriminatorRemedies,
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
///
/// Its remedies ([`DiscriminatorRemedies`]): `pack` images as the channels of its input, a
/// minibatch standard deviation channel after the first convolution, and every layer
/// spectrally normalised (the convolutions by their kernels flattened). Its tensors are named
/// as without them.
#[derive(Module, Debug)]
pub struct ConvDiscriminator {
    downsample_1: Conv2d,
    downsample_2: Conv2d,
    downsample_2_norm: BatchNorm,
    output: Linear,
    minibatch_std: bool,
    pack: usize,
    /// One power iteration for each convolution and the output layer, when spectrally
    /// normalised.
    spectral: Option<Vec<PowerIteration>>,
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
        let remedies = self.discriminator;
        let pack = remedies.pack.max(1);
        let discriminator = ConvDiscriminator {
            downsample_1: halving_conv(pack, 32, device),
            downsample_2: halving_conv(32 + usize::from(remedies.minibatch_std), 64, device),
            downsample_2_norm: BatchNormConfig::new(64).init(device),
            output: LinearConfig::new(64 * 7 * 7, 1).init(device),
            minibatch_std: remedies.minibatch_std,
            pack,
            spectral: remedies
                .spectral_norm
                .then(|| [32, 64, 1].map(|outputs| PowerIteration::new(outputs, device)).to_vec()),
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

impl ConvDiscriminator {
    /// Convolution `index` (0 or 1) applied to `x`, spectrally normalised when the
    /// discriminator is.
    fn convolve(&self, index: usize, x: Tensor<4>) -> Tensor<4> {
        let conv = [&self.downsample_1, &self.downsample_2][index];
        match &self.spectral {
            Some(power) => power[index].conv_forward(conv, x),
            None => conv.forward(x),
        }
    }
}

impl Discriminator for ConvDiscriminator {
    /// # Shapes
    /// `[batch, 784 * pack]` -> `[batch, 1]`
    fn logits(&self, images: Tensor<2>, _labels: Tensor<1, Int>) -> Tensor<2> {
        let batch = images.dims()[0];
        let x = images.reshape([batch, self.pack, IMAGE_SIDE, IMAGE_SIDE]);
        let x = leaky_relu(self.convolve(0, x)); // [batch, 32, 14, 14]
        let x = if self.minibatch_std {
            with_minibatch_std_maps(x)
        } else {
            x
        };
        let x = self.convolve(1, x); // [batch, 64, 7, 7]
        let x = leaky_relu(self.downsample_2_norm.forward(x)).reshape([batch, 64 * 7 * 7]);
        match &self.spectral {
            Some(power) => power[2].linear_forward(&self.output, x),
            None => self.output.forward(x),
        }
    }

    fn pack(&self) -> usize {
        self.pack
    }

    fn after_update(mut self) -> Self {
        let weights = || {
            vec![
                conv_matrix(&self.downsample_1),
                conv_matrix(&self.downsample_2),
                self.output.weight.val(),
            ]
        };
        self.spectral = refreshed_all(self.spectral.take(), weights);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    fn logits_of(discriminator: &ConvDiscriminator, rows: usize) -> Vec<f32> {
        let device = Device::flex();
        let width = IMAGE_PIXELS * discriminator.pack;
        let images: Vec<f32> = (0..rows * width).map(|i| ((i * 37) % 101) as f32 / 100.0).collect();
        let images = Tensor::<2>::from_data(TensorData::new(images, [rows, width]), &device);
        discriminator
            .logits(images, Tensor::zeros([rows], &device))
            .into_data()
            .try_to_vec()
            .unwrap()
    }

    #[test]
    fn the_conv_discriminator_follows_its_remedies() {
        let device = Device::flex();
        let config = |discriminator| DcganConfig::new().with_discriminator(discriminator);
        let remedies = DiscriminatorRemedies {
            spectral_norm: true,
            minibatch_std: true,
            pack: 2,
        };
        device.seed(3);
        let (_, mut discriminator) = config(remedies).init(&device);
        // Two images as two input channels; one more channel before the second convolution.
        assert_eq!(discriminator.downsample_1.weight.dims(), [32, 2, 4, 4]);
        assert_eq!(discriminator.downsample_2.weight.dims(), [64, 33, 4, 4]);
        discriminator = discriminator.after_update().after_update();
        let before = logits_of(&discriminator, 3);
        assert_eq!(before.len(), 3);
        // Spectrally normalised kernels: scaling them changes nothing.
        discriminator.downsample_1.weight = discriminator.downsample_1.weight.clone().map(|w| w * 5.0);
        let after = logits_of(&discriminator, 3);
        let change = before
            .iter()
            .zip(&after)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(change < 1e-4, "{before:?} vs {after:?}");
        let (_, plain) = config(DiscriminatorRemedies::default()).init(&device);
        assert_eq!(plain.downsample_1.weight.dims(), [32, 1, 4, 4]);
        assert!(plain.spectral.is_none() && !plain.minibatch_std && plain.pack == 1);
    }
}
