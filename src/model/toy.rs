//! The mode-collapse lab's networks on points of the plane: a GAN whose discriminator takes
//! every remedy of [`GanRemedies`], and an autoencoder and a VAE with a Gaussian likelihood.
//! They implement the same traits as the MNIST models ([`Generator`], [`Discriminator`],
//! [`GenerativeModel`]), so the same trainers drive them; a "pixel" here is a coordinate.

use burn::module::{Module, Param};
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Distribution, Int, Tensor};

use super::gan::{Discriminator, Generator, leaky_relu};
use super::gan_loss::{GanRemedies, with_minibatch_std};
use super::loss::{ELBO_LOSS_NAMES, elbo_loss_terms, kl_divergence};
use super::spectral::SpectralLinear;
use super::{GenerativeModel, LossTerms, PreviewKind, seeded_normal};

/// Coordinates of a point.
pub const POINT_SIZE: usize = 2;
/// Width of every hidden layer.
pub const TOY_HIDDEN: usize = 128;
/// Size of the toy GAN's noise (as in PacGAN's 2-D experiments) and of the autoencoders' code.
pub const TOY_LATENT: usize = 2;

/// The 2-D GAN: generator `2-128-128-2` with ReLU, discriminator `2·pack-128-128-1` with
/// LeakyReLU 0.2, its options set by `remedies`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ToyGanConfig {
    /// The discriminator's remedies.
    pub remedies: GanRemedies,
}

/// The 2-D generator.
#[derive(Module, Debug)]
pub struct ToyGenerator {
    hidden_1: Linear,
    hidden_2: Linear,
    output: Linear,
}

/// One discriminator layer, spectrally normalised or not.
#[derive(Module, Debug)]
pub enum CriticLayer {
    /// An ordinary linear layer.
    Plain(Linear),
    /// A spectrally normalised one.
    Spectral(SpectralLinear),
}

impl CriticLayer {
    fn new(inputs: usize, outputs: usize, spectral: bool, device: &Device) -> Self {
        let linear = LinearConfig::new(inputs, outputs).init(device);
        match spectral {
            true => Self::Spectral(SpectralLinear::new(linear, device)),
            false => Self::Plain(linear),
        }
    }

    fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        match self {
            Self::Plain(linear) => linear.forward(x),
            Self::Spectral(layer) => layer.forward(x),
        }
    }

    fn refreshed(self) -> Self {
        match self {
            Self::Plain(linear) => Self::Plain(linear),
            Self::Spectral(layer) => Self::Spectral(layer.refreshed()),
        }
    }
}

/// The 2-D discriminator.
#[derive(Module, Debug)]
pub struct ToyDiscriminator {
    hidden_1: CriticLayer,
    hidden_2: CriticLayer,
    output: CriticLayer,
    minibatch_std: bool,
    pack: usize,
}

impl ToyGanConfig {
    /// Builds the generator and the discriminator on `device`.
    pub fn init(&self, device: &Device) -> (ToyGenerator, ToyDiscriminator) {
        let generator = ToyGenerator {
            hidden_1: LinearConfig::new(TOY_LATENT, TOY_HIDDEN).init(device),
            hidden_2: LinearConfig::new(TOY_HIDDEN, TOY_HIDDEN).init(device),
            output: LinearConfig::new(TOY_HIDDEN, POINT_SIZE).init(device),
        };
        let remedies = self.remedies;
        let (spectral, pack) = (remedies.spectral(), remedies.pack.max(1));
        let discriminator = ToyDiscriminator {
            hidden_1: CriticLayer::new(POINT_SIZE * pack, TOY_HIDDEN, spectral, device),
            hidden_2: CriticLayer::new(
                TOY_HIDDEN + usize::from(remedies.minibatch_std),
                TOY_HIDDEN,
                spectral,
                device,
            ),
            output: CriticLayer::new(TOY_HIDDEN, 1, spectral, device),
            minibatch_std: remedies.minibatch_std,
            pack,
        };
        (generator, discriminator)
    }
}

impl Generator for ToyGenerator {
    fn noise_size(&self) -> usize {
        self.hidden_1.weight.dims()[0]
    }

    fn device(&self) -> Device {
        self.hidden_1.weight.device()
    }

    /// # Shapes
    /// `[batch, 2]` -> `[batch, 2]`
    fn generate(&self, noise: Tensor<2>) -> Tensor<2> {
        let x = relu(self.hidden_1.forward(noise));
        let x = relu(self.hidden_2.forward(x));
        self.output.forward(x)
    }
}

impl Discriminator for ToyDiscriminator {
    /// # Shapes
    /// `[batch, 2 * pack]` -> `[batch, 1]`
    fn logits(&self, points: Tensor<2>, _labels: Tensor<1, Int>) -> Tensor<2> {
        let x = leaky_relu(self.hidden_1.forward(points));
        let x = if self.minibatch_std { with_minibatch_std(x) } else { x };
        let x = leaky_relu(self.hidden_2.forward(x));
        self.output.forward(x)
    }

    fn pack(&self) -> usize {
        self.pack
    }

    fn after_update(self) -> Self {
        Self {
            hidden_1: self.hidden_1.refreshed(),
            hidden_2: self.hidden_2.refreshed(),
            output: self.output.refreshed(),
            ..self
        }
    }
}

/// The 2-D autoencoder (`variational: false`) or VAE: encoder `2-128-128-2`, decoder
/// `2-128-128-2`, ReLU, and a Gaussian likelihood with a learned standard deviation per
/// coordinate, so the reconstruction term is a negative log-likelihood in nats.
#[derive(Module, Debug)]
pub struct ToyAutoencoder {
    encoder_1: Linear,
    encoder_2: Linear,
    mu: Linear,
    /// The posterior's log-variance: a VAE only.
    log_var: Option<Linear>,
    decoder_1: Linear,
    decoder_2: Linear,
    decoder_out: Linear,
    /// Log standard deviation of the likelihood, per coordinate `[2]`.
    log_scale: Param<Tensor<1>>,
}

impl ToyAutoencoder {
    /// A fresh autoencoder, or VAE when `variational`, on `device`, its likelihood's standard
    /// deviation starting at `initial_scale`.
    pub fn new(variational: bool, initial_scale: f32, device: &Device) -> Self {
        let linear = |i, o| LinearConfig::new(i, o).init(device);
        Self {
            encoder_1: linear(POINT_SIZE, TOY_HIDDEN),
            encoder_2: linear(TOY_HIDDEN, TOY_HIDDEN),
            mu: linear(TOY_HIDDEN, TOY_LATENT),
            log_var: variational.then(|| linear(TOY_HIDDEN, TOY_LATENT)),
            decoder_1: linear(TOY_LATENT, TOY_HIDDEN),
            decoder_2: linear(TOY_HIDDEN, TOY_HIDDEN),
            decoder_out: linear(TOY_HIDDEN, POINT_SIZE),
            log_scale: Param::from_tensor(Tensor::full([POINT_SIZE], initial_scale.ln(), device)),
        }
    }

    /// Whether it is the VAE.
    pub fn is_variational(&self) -> bool {
        self.log_var.is_some()
    }

    /// The code's mean and, for a VAE, log-variance `[batch, 2]`.
    fn encode(&self, points: Tensor<2>) -> (Tensor<2>, Option<Tensor<2>>) {
        let h = relu(self.encoder_2.forward(relu(self.encoder_1.forward(points))));
        (self.mu.forward(h.clone()), self.log_var.as_ref().map(|l| l.forward(h)))
    }

    /// The likelihood's means `[batch, 2]` for codes `[batch, 2]`.
    fn decode(&self, codes: Tensor<2>) -> Tensor<2> {
        let h = relu(self.decoder_2.forward(relu(self.decoder_1.forward(codes))));
        self.decoder_out.forward(h)
    }

    /// `-log N(points; means, exp(log_scale)²)` summed over coordinates: `[batch]`.
    fn negative_log_likelihood(&self, means: Tensor<2>, points: Tensor<2>) -> Tensor<1> {
        let log_scale = self.log_scale.val().unsqueeze_dim(0);
        let z = (points - means) / log_scale.clone().exp();
        let per_coordinate = z.square() * 0.5 + log_scale + 0.5 * (2.0 * std::f64::consts::PI).ln();
        per_coordinate.sum_dim(1).squeeze_dim(1)
    }

    /// The per-point terms: reconstruction and, for a VAE, KL `[batch]`, from a code drawn
    /// from the posterior (a VAE) or the code itself.
    fn terms(&self, points: Tensor<2>) -> (Tensor<1>, Option<Tensor<1>>) {
        let (mu, log_var) = self.encode(points.clone());
        match log_var {
            Some(log_var) => {
                let noise = Tensor::random(mu.dims(), Distribution::Normal(0.0, 1.0), &mu.device());
                let code = mu.clone() + (log_var.clone() * 0.5).exp() * noise;
                let recon = self.negative_log_likelihood(self.decode(code), points);
                (recon, Some(kl_divergence(mu, log_var)))
            }
            None => (self.negative_log_likelihood(self.decode(mu), points), None),
        }
    }
}

impl GenerativeModel for ToyAutoencoder {
    fn loss_names(&self) -> &'static [&'static str] {
        if self.is_variational() {
            ELBO_LOSS_NAMES
        } else {
            &["loss"]
        }
    }

    fn loss_terms(&self, points: Tensor<2>, _labels: Tensor<1, Int>) -> LossTerms {
        match self.terms(points) {
            (recon, Some(kl)) => elbo_loss_terms(recon, kl, 1.0),
            (recon, None) => {
                let objective = recon.mean();
                LossTerms {
                    terms: vec![objective.clone().detach()],
                    objective,
                }
            }
        }
    }

    fn reconstruct(&self, points: Tensor<2>) -> Tensor<2> {
        self.decode(self.encode(points).0)
    }

    fn code_of(&self, points: Tensor<2>) -> Tensor<2> {
        self.encode(points).0
    }

    fn image_of(&self, codes: Tensor<2>) -> Tensor<2> {
        self.decode(codes)
    }

    fn code_size(&self) -> usize {
        TOY_LATENT
    }

    /// The decoder's means for codes drawn from the prior N(0, I): for the autoencoder, whose
    /// codes were never asked to follow any prior, this is the article's point that its random
    /// samples land anywhere.
    fn sample(&self, count: usize, seed: u64) -> Option<Tensor<2>> {
        let device = self.mu.weight.device();
        Some(self.decode(seeded_normal(count, TOY_LATENT, seed, &device)))
    }

    fn preview_kind(&self) -> PreviewKind {
        PreviewKind::Samples
    }

    fn evaluation_terms(&self, points: Tensor<2>) -> Tensor<1> {
        match self.terms(points) {
            (recon, Some(kl)) => Tensor::cat(vec![recon.sum(), kl.sum()], 0),
            (recon, None) => recon.sum(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gan_loss::{GanLoss, packed};
    use burn::tensor::TensorData;

    #[test]
    fn the_discriminator_follows_its_remedies() {
        let device = Device::flex();
        let points = Tensor::<2>::from_data(
            TensorData::new((0..24).map(|v| v as f32 * 0.1).collect(), [12, 2]),
            &device,
        );
        let labels = Tensor::<1, Int>::zeros([12], &device);
        for (pack, minibatch_std, loss) in [(1, false, GanLoss::NonSaturating), (3, true, GanLoss::Wasserstein)] {
            let remedies = GanRemedies {
                pack,
                minibatch_std,
                loss,
                ..GanRemedies::default()
            };
            let (generator, discriminator) = ToyGanConfig { remedies }.init(&device);
            assert_eq!(discriminator.pack(), pack);
            assert_eq!(
                matches!(discriminator.output, CriticLayer::Spectral(_)),
                loss == GanLoss::Wasserstein
            );
            let scores = discriminator.logits(packed(points.clone(), pack), labels.clone());
            assert_eq!(scores.dims(), [12 / pack, 1]);
            assert_eq!(generator.generate(Tensor::zeros([5, 2], &device)).dims(), [5, 2]);
        }
    }

    #[test]
    fn the_likelihood_is_a_gaussians_in_nats() {
        let device = Device::flex();
        let model = ToyAutoencoder::new(true, 1.0, &device);
        let points = Tensor::<2>::from_data(TensorData::new(vec![0.5f32, -1.0], [1, 2]), &device);
        // At unit scale and mean 0: 0.5 (0.25 + 1) + ln(2π).
        let nll: f32 = model
            .negative_log_likelihood(Tensor::zeros([1, 2], &device), points)
            .into_scalar();
        let expected = 0.5 * 1.25 + (2.0 * std::f32::consts::PI).ln();
        assert!((nll - expected).abs() < 1e-5, "{nll} vs {expected}");
        assert_eq!(model.loss_names(), ELBO_LOSS_NAMES);
        assert_eq!(ToyAutoencoder::new(false, 1.0, &device).loss_names(), ["loss"]);
    }
}
