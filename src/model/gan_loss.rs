//! The remedies for mode collapse a GAN can train with: the adversarial objective, each as its
//! paper defines it from the discriminator's raw scores (logits) on real and generated batches
//! `[batch, 1]`; spectral normalisation and minibatch standard deviation in the discriminator;
//! PacGAN packing; and two-timescale learning rates.

use burn::tensor::Tensor;
use burn::tensor::activation::{relu, sigmoid, softplus};

/// Which objective a GAN trains with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
pub enum GanLoss {
    /// The original minimax game (Goodfellow et al., 2014) with the non-saturating generator
    /// loss `-log D(G(z))` the paper recommends in practice.
    #[default]
    NonSaturating,
    /// Least squares (Mao et al., 2017, the 0-1 coding `a = 0, b = c = 1`): the discriminator
    /// regresses real to 1 and fake to 0, the generator pulls its fakes' scores to 1.
    LeastSquares,
    /// The hinge loss (Lim & Ye, 2017; Miyato et al., 2018): the discriminator is penalised only
    /// inside a margin of 1, the generator raises its fakes' scores.
    Hinge,
    /// The Wasserstein critic (Arjovsky et al., 2017): real scores up, fake scores down, with no
    /// bound; it needs a Lipschitz critic, here spectral normalisation in every layer.
    Wasserstein,
}

impl GanLoss {
    /// Every objective, in the order a menu lists them.
    pub const ALL: [GanLoss; 4] = [Self::NonSaturating, Self::LeastSquares, Self::Hinge, Self::Wasserstein];

    /// Stable identifier, as used in links and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Self::NonSaturating => "ns",
            Self::LeastSquares => "lsgan",
            Self::Hinge => "hinge",
            Self::Wasserstein => "wgan",
        }
    }

    /// The objective named `id`.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.id() == id)
    }

    /// What a menu calls it.
    pub fn label(self) -> &'static str {
        match self {
            Self::NonSaturating => "non-saturating (original)",
            Self::LeastSquares => "least squares (LSGAN)",
            Self::Hinge => "hinge",
            Self::Wasserstein => "Wasserstein (spectral norm)",
        }
    }

    /// Whether the objective needs a Lipschitz discriminator, so spectral normalisation is on
    /// whatever the setting says.
    pub fn needs_lipschitz(self) -> bool {
        self == Self::Wasserstein
    }

    /// The discriminator's loss, batch mean, from its scores on `real` and `fake` batches
    /// `[batch, 1]`; `real_target` below 1 is one-sided label smoothing (Salimans et al., 2016),
    /// read by the non-saturating and least-squares losses, whose targets are probabilities.
    pub fn discriminator(self, real: Tensor<2>, fake: Tensor<2>, real_target: f32) -> Tensor<1> {
        match self {
            // -[t log D(x) + (1 - t) log(1 - D(x))] - log(1 - D(G(z))), with D = sigmoid.
            Self::NonSaturating => {
                (softplus(real.clone(), 1.0) - real * real_target).mean() + softplus(fake, 1.0).mean()
            }
            Self::LeastSquares => ((real - real_target).square().mean() + fake.square().mean()) * 0.5,
            Self::Hinge => relu(real.neg() + 1.0).mean() + relu(fake + 1.0).mean(),
            Self::Wasserstein => fake.mean() - real.mean(),
        }
    }

    /// The generator's loss, batch mean, from the discriminator's scores on its fakes `[batch, 1]`.
    pub fn generator(self, fake: Tensor<2>) -> Tensor<1> {
        match self {
            // -log D(G(z)) = softplus(-logit).
            Self::NonSaturating => softplus(fake.neg(), 1.0).mean(),
            Self::LeastSquares => (fake - 1.0).square().mean() * 0.5,
            Self::Hinge | Self::Wasserstein => fake.mean().neg(),
        }
    }

    /// What the discriminator says of a batch, as a chart shows it: the mean probability of
    /// "real" for the objectives that read scores as logits, the mean raw score otherwise.
    pub fn reported_score(self, scores: Tensor<2>) -> Tensor<1> {
        match self {
            Self::NonSaturating => sigmoid(scores).mean(),
            Self::LeastSquares | Self::Hinge | Self::Wasserstein => scores.mean(),
        }
    }
}

/// The remedies a GAN trains with: one objective and any of the discriminator's options.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GanRemedies {
    /// The adversarial objective.
    pub loss: GanLoss,
    /// Spectral normalisation in every discriminator layer ([`super::spectral`]).
    pub spectral_norm: bool,
    /// A minibatch standard deviation feature in the discriminator (Karras et al., 2018,
    /// section 3): the batch's spread, one number, appended to every sample's features, so the
    /// discriminator can see a batch that has collapsed.
    pub minibatch_std: bool,
    /// PacGAN packing (Lin et al., 2018): the discriminator judges this many samples at once,
    /// all real or all generated; 1 is an ordinary discriminator.
    pub pack: usize,
    /// Two-timescale update rule (Heusel et al., 2017): the discriminator's learning rate is
    /// this many times the generator's.
    pub discriminator_lr_ratio: f64,
}

/// Most samples a packed discriminator judges at once.
pub const MAX_PACK: usize = 4;

impl Default for GanRemedies {
    fn default() -> Self {
        Self {
            loss: GanLoss::NonSaturating,
            spectral_norm: false,
            minibatch_std: false,
            pack: 1,
            discriminator_lr_ratio: 1.0,
        }
    }
}

impl GanRemedies {
    /// Whether the discriminator's layers are spectrally normalised: asked for, or needed by
    /// the objective.
    pub fn spectral(&self) -> bool {
        self.spectral_norm || self.loss.needs_lipschitz()
    }

    /// The remedies that change how the discriminator is built (the objective and the learning
    /// rates are the trainer's).
    pub fn discriminator(&self) -> DiscriminatorRemedies {
        DiscriminatorRemedies {
            spectral_norm: self.spectral(),
            minibatch_std: self.minibatch_std,
            pack: self.pack.clamp(1, MAX_PACK),
        }
    }
}

/// How a discriminator is built beyond its shape: part of an MNIST GAN's burn config, so a
/// weights file records it (only where it is not [`DiscriminatorRemedies::default`], so files
/// of plain GANs stay as they were).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DiscriminatorRemedies {
    /// Every layer spectrally normalised ([`super::spectral`]).
    pub spectral_norm: bool,
    /// A minibatch standard deviation feature after the first layer.
    pub minibatch_std: bool,
    /// Samples judged at once (PacGAN), 1 to [`MAX_PACK`].
    pub pack: usize,
}

impl Default for DiscriminatorRemedies {
    fn default() -> Self {
        GanRemedies::default().discriminator()
    }
}

/// `[batch, features]` as `[batch / pack, pack * features]`: each row `pack` consecutive
/// samples side by side, the last `batch % pack` samples dropped.
pub fn packed(samples: Tensor<2>, pack: usize) -> Tensor<2> {
    let [batch, features] = samples.dims();
    if pack <= 1 {
        return samples;
    }
    let rows = batch / pack;
    samples.slice(0..rows * pack).reshape([rows, pack * features])
}

/// `features` `[batch, n]` with one more column: the standard deviation over the batch of each
/// feature, averaged over the features (the same number in every row).
pub fn with_minibatch_std(features: Tensor<2>) -> Tensor<2> {
    let [batch, _] = features.dims();
    let centred = features.clone() - features.clone().mean_dim(0);
    let spread = (centred.square().mean_dim(0) + 1e-8).sqrt().mean().reshape([1, 1]);
    Tensor::cat(vec![features, spread.repeat_dim(0, batch)], 1)
}

/// Feature maps `[batch, channels, h, w]` with one more channel: the standard deviation over
/// the batch of each feature, averaged (Karras et al.'s layer, one number filling the channel).
pub fn with_minibatch_std_maps(maps: Tensor<4>) -> Tensor<4> {
    let [batch, channels, height, width] = maps.dims();
    let flat = maps.clone().reshape([batch, channels * height * width]);
    let centred = flat.clone() - flat.mean_dim(0);
    let spread = (centred.square().mean_dim(0) + 1e-8)
        .sqrt()
        .mean()
        .reshape([1, 1, 1, 1]);
    Tensor::cat(
        vec![
            maps,
            spread.repeat_dim(0, batch).repeat_dim(2, height).repeat_dim(3, width),
        ],
        1,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    fn scores(values: &[f32]) -> Tensor<2> {
        Tensor::from_data(TensorData::new(values.to_vec(), [values.len(), 1]), &Device::flex())
    }

    fn value(t: Tensor<1>) -> f32 {
        t.into_scalar()
    }

    /// Real scores 2 and -1, fake scores 0.5 and -3: each loss worked out by hand from its paper.
    #[test]
    fn each_loss_computes_what_its_paper_defines_on_a_hand_made_batch() {
        let (real, fake) = ([2.0f32, -1.0], [0.5f32, -3.0]);
        let softplus = |x: f32| (1.0 + x.exp()).ln();
        let mean = |a: f32, b: f32| (a + b) / 2.0;
        let expected_discriminator = [
            (
                GanLoss::NonSaturating,
                mean(softplus(-real[0]), softplus(-real[1])) + mean(softplus(fake[0]), softplus(fake[1])),
            ),
            (GanLoss::LeastSquares, 0.5 * (mean(1.0, 4.0) + mean(0.25, 9.0))),
            // max(0, 1 - 2) = 0, max(0, 1 + 1) = 2; max(0, 1.5) = 1.5, max(0, -2) = 0.
            (GanLoss::Hinge, mean(0.0, 2.0) + mean(1.5, 0.0)),
            (GanLoss::Wasserstein, mean(0.5, -3.0) - mean(2.0, -1.0)),
        ];
        for (loss, expected) in expected_discriminator {
            let got = value(loss.discriminator(scores(&real), scores(&fake), 1.0));
            assert!((got - expected).abs() < 1e-5, "{loss:?}: {got} vs {expected}");
        }
        let expected_generator = [
            (GanLoss::NonSaturating, mean(softplus(-0.5), softplus(3.0))),
            (GanLoss::LeastSquares, 0.5 * mean(0.25, 16.0)),
            (GanLoss::Hinge, -mean(0.5, -3.0)),
            (GanLoss::Wasserstein, -mean(0.5, -3.0)),
        ];
        for (loss, expected) in expected_generator {
            let got = value(loss.generator(scores(&fake)));
            assert!((got - expected).abs() < 1e-5, "{loss:?}: {got} vs {expected}");
        }
    }

    #[test]
    fn label_smoothing_moves_the_real_target_of_the_probability_losses_only() {
        let (real, fake) = (scores(&[3.0, 1.0]), scores(&[-2.0, 0.0]));
        for loss in GanLoss::ALL {
            let plain = value(loss.discriminator(real.clone(), fake.clone(), 1.0));
            let smoothed = value(loss.discriminator(real.clone(), fake.clone(), 0.9));
            let reads_target = matches!(loss, GanLoss::NonSaturating | GanLoss::LeastSquares);
            assert_eq!((plain - smoothed).abs() > 1e-4, reads_target, "{loss:?}");
        }
        // Least squares with target 0.9: 0.5 * (mean((3 - 0.9)², (1 - 0.9)²) + mean(4, 0)).
        let smoothed = value(GanLoss::LeastSquares.discriminator(real, fake, 0.9));
        assert!((smoothed - 0.5 * ((2.1f32 * 2.1 + 0.01) / 2.0 + 2.0)).abs() < 1e-5);
    }

    #[test]
    fn packing_puts_consecutive_samples_side_by_side() {
        let device = Device::flex();
        let samples = Tensor::<2>::from_data(TensorData::new((0..14).map(|v| v as f32).collect(), [7, 2]), &device);
        let packed3 = packed(samples.clone(), 3);
        assert_eq!(packed3.dims(), [2, 6]);
        let values: Vec<f32> = packed3.into_data().try_to_vec().unwrap();
        assert_eq!(values, (0..12).map(|v| v as f32).collect::<Vec<_>>());
        assert_eq!(packed(samples, 1).dims(), [7, 2]);
    }

    #[test]
    fn the_minibatch_std_column_is_the_mean_spread_of_the_features() {
        let device = Device::flex();
        // Feature 0 is 1, 3 (std 1); feature 1 is 5, 5 (std 0): the column is 0.5 in both rows.
        let features = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, 5.0, 3.0, 5.0], [2, 2]), &device);
        let values: Vec<f32> = with_minibatch_std(features).into_data().try_to_vec().unwrap();
        assert_eq!(values.len(), 6);
        assert!(
            (values[2] - 0.5).abs() < 1e-3 && (values[5] - 0.5).abs() < 1e-3,
            "{values:?}"
        );
        // A collapsed batch has no spread.
        let collapsed = Tensor::<2>::ones([4, 3], &device);
        let values: Vec<f32> = with_minibatch_std(collapsed).into_data().try_to_vec().unwrap();
        assert!(values[3].abs() < 1e-3);
    }

    #[test]
    fn every_loss_is_named_and_found_by_its_id() {
        for loss in GanLoss::ALL {
            assert_eq!(GanLoss::from_id(loss.id()), Some(loss));
            assert!(!loss.label().is_empty());
        }
        assert_eq!(GanLoss::default(), GanLoss::NonSaturating);
    }
}
