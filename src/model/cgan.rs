//! The conditional GAN (Mirza & Osindero, 2014): the generator and the discriminator are both
//! given the digit's class as a one-hot row, so the generator learns to write the digit it is
//! asked for and the discriminator to refuse a good "7" offered as a "1". The unconditional
//! pair of `gan.rs`, each network's input widened by the class row.

use burn::config::Config;
use burn::tensor::Device;

use super::gan::{MlpDiscriminator, MlpGenerator};
use super::gan_loss::DiscriminatorRemedies;

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
    /// The discriminator's remedies for mode collapse.
    #[config(default = "DiscriminatorRemedies::default()")]
    pub discriminator: DiscriminatorRemedies,
}

impl ConditionalGanConfig {
    /// Builds the generator and the discriminator on `device`: the MLP GAN's, each also given
    /// the class.
    pub fn init(&self, device: &Device) -> (MlpGenerator, MlpDiscriminator) {
        (
            MlpGenerator::new(self.noise, self.classes, device),
            MlpDiscriminator::new(self.classes, self.discriminator, device),
        )
    }
}
