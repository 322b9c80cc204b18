//! Generative adversarial networks (Goodfellow et al., 2014): a generator maps noise to digits,
//! a discriminator tells real digits from generated ones, and each learns against the other.
//! This file holds what every GAN shares and the MLP pair; `dcgan.rs` holds the convolutional pair.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig};
use burn::tensor::activation::{relu, sigmoid};
use burn::tensor::{Device, Int, Tensor};

use super::gan_loss::{DiscriminatorRemedies, with_minibatch_std};
use super::spectral::{PowerIteration, refreshed_all};
use crate::data::IMAGE_PIXELS;

/// Slope of LeakyReLU for negative inputs, in every GAN here.
pub const LEAKY_SLOPE: f64 = 0.2;

/// LeakyReLU with slope [`LEAKY_SLOPE`], every GAN's activation, written as
/// `s x + (1 - s) relu(x)`: the same function, in fewer passes over the activations on the CPU.
/// burn's `leaky_relu` is a comparison, a scale and a select, and under autodiff the select's
/// backward pass is two more selects, each over a fresh tensor of zeros; `relu` has a fused
/// backward pass.
pub fn leaky_relu<const D: usize>(x: Tensor<D>) -> Tensor<D> {
    x.clone() * LEAKY_SLOPE + relu(x) * (1.0 - LEAKY_SLOPE)
}

/// A network that turns noise codes (followed, for a class-conditional generator, by the
/// class's one-hot row) into images.
pub trait Generator: Module {
    /// Size of the noise code.
    fn noise_size(&self) -> usize;

    /// Number of classes it is conditioned on; 0 for an unconditional generator.
    fn classes(&self) -> usize {
        0
    }

    /// Size of its input: the noise, then the one-hot class row of a conditional generator.
    fn input_size(&self) -> usize {
        self.noise_size() + self.classes()
    }

    /// The device the generator's weights live on.
    fn device(&self) -> Device;

    /// Its input `[batch, input_size]` for `noise` `[batch, noise_size]` and `labels` `[batch]`
    /// (which an unconditional generator ignores).
    fn input_of(&self, noise: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<2> {
        match self.classes() {
            0 => noise,
            classes => Tensor::cat(vec![noise, super::one_hot(labels, classes)], 1),
        }
    }

    /// `count` images `[count, 784]` from standard normal noise fixed by `seed` (for a
    /// conditional generator, cycling through the classes).
    fn sample(&self, count: usize, seed: u64) -> Tensor<2> {
        let labels = super::cycling_labels(count, self.classes(), &self.device());
        self.sample_classes(labels, seed)
    }

    /// One image `[n, 784]` for each class in `labels` `[n]`, from noise fixed by `seed`.
    fn sample_classes(&self, labels: Tensor<1, Int>, seed: u64) -> Tensor<2> {
        let noise = super::seeded_normal(labels.dims()[0], self.noise_size(), seed, &self.device());
        self.generate(self.input_of(noise, labels))
    }

    /// Images `[batch, 784]` with intensities in `[0, 1]` from inputs `[batch, input_size]`.
    fn generate(&self, input: Tensor<2>) -> Tensor<2>;
}

/// A network that scores how real images look (for a conditional discriminator: how real
/// they look as digits of the given classes).
pub trait Discriminator: Module {
    /// Logits `[batch, 1]` of "real" for images `[batch, 784]` of classes `labels` `[batch]`
    /// (which an unconditional discriminator ignores).
    fn logits(&self, images: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<2>;

    /// How many samples it judges at once (PacGAN packing): its input is that many samples side
    /// by side (see [`super::gan_loss::packed`]).
    fn pack(&self) -> usize {
        1
    }

    /// Itself after an optimiser update of its weights: where a spectrally normalised layer
    /// carries its power iteration on.
    fn after_update(self) -> Self {
        self
    }
}

/// Shape of the MLP GAN: G `noise-256-512-784`, D `784-512-256-1`, LeakyReLU 0.2.
#[derive(Config, Debug, PartialEq)]
pub struct MlpGanConfig {
    /// Size of the noise code.
    #[config(default = 64)]
    pub noise: usize,
    /// The discriminator's remedies for mode collapse.
    #[config(default = "DiscriminatorRemedies::default()")]
    pub discriminator: DiscriminatorRemedies,
}

/// The MLP generator: `(noise + classes)-256-512-784`, batch norm and LeakyReLU on the hidden
/// layers, sigmoid output; with `classes` above 0 it is the conditional GAN's, its input the
/// noise and the one-hot class row. Batch norm keeps the generator from collapsing onto one
/// digit (measured: without it, 3,000 steps ended with every sample a "3").
#[derive(Module, Debug)]
pub struct MlpGenerator {
    hidden_1: Linear,
    hidden_1_norm: BatchNorm,
    hidden_2: Linear,
    hidden_2_norm: BatchNorm,
    output: Linear,
    classes: usize,
}

/// The MLP discriminator: `(784 + classes)-512-256-1`, LeakyReLU; with `classes` above 0 it
/// also reads the image's one-hot class row (the conditional GAN's). Its remedies for mode
/// collapse ([`DiscriminatorRemedies`]) are the 2-D lab's: `pack` images side by side at its
/// input (`784 * pack + classes`), a minibatch standard deviation feature after its first
/// layer, and every layer spectrally normalised. Its tensors are named as without them.
#[derive(Module, Debug)]
pub struct MlpDiscriminator {
    hidden_1: Linear,
    hidden_2: Linear,
    output: Linear,
    classes: usize,
    minibatch_std: bool,
    pack: usize,
    /// One power iteration per layer, in order, when spectrally normalised.
    spectral: Option<Vec<PowerIteration>>,
}

impl MlpGenerator {
    /// A fresh generator from `noise` numbers and `classes` (0: unconditional) on `device`.
    pub fn new(noise: usize, classes: usize, device: &Device) -> Self {
        Self {
            hidden_1: LinearConfig::new(noise + classes, 256).init(device),
            hidden_1_norm: BatchNormConfig::new(256).init(device),
            hidden_2: LinearConfig::new(256, 512).init(device),
            hidden_2_norm: BatchNormConfig::new(512).init(device),
            output: LinearConfig::new(512, IMAGE_PIXELS).init(device),
            classes,
        }
    }
}

impl MlpDiscriminator {
    /// A fresh discriminator of images and `classes` (0: unconditional) with `remedies` on
    /// `device`.
    pub fn new(classes: usize, remedies: DiscriminatorRemedies, device: &Device) -> Self {
        let pack = remedies.pack.max(1);
        let hidden_2_inputs = 512 + usize::from(remedies.minibatch_std);
        Self {
            hidden_1: LinearConfig::new(IMAGE_PIXELS * pack + classes, 512).init(device),
            hidden_2: LinearConfig::new(hidden_2_inputs, 256).init(device),
            output: LinearConfig::new(256, 1).init(device),
            classes,
            minibatch_std: remedies.minibatch_std,
            pack,
            spectral: remedies.spectral_norm.then(|| {
                [512, 256, 1]
                    .map(|outputs| PowerIteration::new(outputs, device))
                    .to_vec()
            }),
        }
    }

    /// `layer` (0, 1 or 2) applied to `x`, spectrally normalised when the discriminator is.
    fn layer(&self, index: usize, x: Tensor<2>) -> Tensor<2> {
        let linear = [&self.hidden_1, &self.hidden_2, &self.output][index];
        match &self.spectral {
            Some(power) => power[index].linear_forward(linear, x),
            None => linear.forward(x),
        }
    }
}

impl MlpGanConfig {
    /// Builds the generator and the discriminator on `device`.
    pub fn init(&self, device: &Device) -> (MlpGenerator, MlpDiscriminator) {
        (
            MlpGenerator::new(self.noise, 0, device),
            MlpDiscriminator::new(0, self.discriminator, device),
        )
    }
}

impl Generator for MlpGenerator {
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

impl Discriminator for MlpDiscriminator {
    /// # Shapes
    /// `[batch, 784 * pack]`, `[batch]` -> `[batch, 1]`
    fn logits(&self, images: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<2> {
        // Centre intensities on zero, as a tanh generator's images would be.
        let images = images * 2.0 - 1.0;
        let input = match self.classes {
            0 => images,
            classes => Tensor::cat(vec![images, super::one_hot(labels, classes)], 1),
        };
        let x = leaky_relu(self.layer(0, input));
        let x = if self.minibatch_std { with_minibatch_std(x) } else { x };
        let x = leaky_relu(self.layer(1, x));
        self.layer(2, x)
    }

    fn pack(&self) -> usize {
        self.pack
    }

    fn after_update(mut self) -> Self {
        let layers = [&self.hidden_1, &self.hidden_2, &self.output];
        self.spectral = refreshed_all(self.spectral.take(), || layers.map(|l| l.weight.val()).to_vec());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::TensorData;

    fn logits_of(discriminator: &MlpDiscriminator, rows: usize) -> Vec<f32> {
        let device = Device::flex();
        let width = IMAGE_PIXELS * discriminator.pack;
        let images: Vec<f32> = (0..rows * width).map(|i| ((i * 37) % 101) as f32 / 100.0).collect();
        let images = Tensor::<2>::from_data(TensorData::new(images, [rows, width]), &device);
        let labels = Tensor::<1, Int>::zeros([rows], &device);
        discriminator.logits(images, labels).into_data().try_to_vec().unwrap()
    }

    #[test]
    fn the_mlp_discriminator_follows_its_remedies() {
        let device = Device::flex();
        let remedies = DiscriminatorRemedies {
            spectral_norm: true,
            minibatch_std: true,
            pack: 3,
        };
        let discriminator = MlpDiscriminator::new(0, remedies, &device);
        // Three images side by side at its input, one more feature before its second layer.
        assert_eq!(discriminator.hidden_1.weight.dims(), [3 * IMAGE_PIXELS, 512]);
        assert_eq!(discriminator.hidden_2.weight.dims(), [513, 256]);
        assert_eq!(logits_of(&discriminator, 5).len(), 5);
        let plain = MlpDiscriminator::new(0, DiscriminatorRemedies::default(), &device);
        assert_eq!(plain.num_params(), 784 * 512 + 512 + 512 * 256 + 256 + 256 + 1);
    }

    #[test]
    fn a_spectrally_normalised_discriminator_ignores_the_scale_of_its_weights() {
        let device = Device::flex();
        let scaled = |spectral_norm: bool| {
            device.seed(5);
            let remedies = DiscriminatorRemedies {
                spectral_norm,
                ..DiscriminatorRemedies::default()
            };
            let mut discriminator = MlpDiscriminator::new(0, remedies, &device);
            for _ in 0..3 {
                discriminator = discriminator.after_update();
            }
            let before = logits_of(&discriminator, 4);
            // W / sigma(W) is the same for 7 W (its power iteration too); the bias is not scaled.
            discriminator.hidden_2.weight = discriminator.hidden_2.weight.clone().map(|w| w * 7.0);
            let after = logits_of(&discriminator, 4);
            before
                .iter()
                .zip(&after)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max)
        };
        assert!(scaled(true) < 1e-4, "normalised: {}", scaled(true));
        assert!(scaled(false) > 1e-2, "plain: {}", scaled(false));
    }

    #[test]
    fn leaky_relu_has_the_value_and_gradient_of_burns() {
        let device = Device::flex().autodiff();
        let values: Vec<f32> = (0..40).map(|i| (i as f32 - 19.5) * 0.37).collect();
        let run = |ours: bool| {
            let x = Tensor::<2>::from_data(TensorData::new(values.clone(), [4, 10]), &device).require_grad();
            let y = if ours {
                leaky_relu(x.clone())
            } else {
                burn::tensor::activation::leaky_relu(x.clone(), LEAKY_SLOPE)
            };
            let weights =
                Tensor::<2>::from_data(TensorData::new((1..=40).map(|w| w as f32).collect(), [4, 10]), &device);
            let gradients = (y.clone() * weights).sum().backward();
            let gradient = x.grad(&gradients).unwrap().into_data().try_to_vec::<f32>().unwrap();
            (y.into_data().try_to_vec::<f32>().unwrap(), gradient)
        };
        let ((ours, our_gradient), (burns, burns_gradient)) = (run(true), run(false));
        for (a, b) in ours.iter().zip(&burns).chain(our_gradient.iter().zip(&burns_gradient)) {
            assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{a} vs {b}");
        }
        assert!(ours.iter().any(|&y| y < 0.0) && ours.iter().any(|&y| y > 1.0));
    }
}
