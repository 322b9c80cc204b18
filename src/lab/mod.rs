//! The mode-collapse lab: a GAN, a VAE and an autoencoder trained on 2-D data by the same
//! trainers as the MNIST models, with the GAN's remedies for mode collapse, and the mode
//! metrics of VEEGAN and PacGAN. Plain Rust: the Modes panel and the `modes` command drive it.

pub mod modes;
pub mod run;

use burn::tensor::{Device, Tensor};

use crate::data::toy2d::Toy2d;
use crate::data::{Digits, MnistSplit};
use crate::model::gan_loss::GanRemedies;
use crate::model::toy::{ToyAutoencoder, ToyDiscriminator, ToyGanConfig, ToyGenerator};
use crate::train::batches::BatchSource;
use crate::train::{AdversarialTrainer, Hyperparameters, ModelKind, Session, Trainer};
pub use modes::{ModeScore, SCORED_SAMPLES, score};

/// Points a lab model trains on.
pub const TRAINING_POINTS: usize = 20_000;
/// Held-out points the VAE and the autoencoder are scored on.
pub const HELD_OUT_POINTS: usize = 2_500;

/// Which model the lab trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum LabModel {
    /// The GAN, with its remedies.
    Gan,
    /// The VAE.
    Vae,
    /// The plain autoencoder, sampled by decoding codes from N(0, I).
    Autoencoder,
}

impl LabModel {
    /// Every model, in the order a menu lists them.
    pub const ALL: [LabModel; 3] = [Self::Gan, Self::Vae, Self::Autoencoder];

    /// Stable identifier, as used in links and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Self::Gan => "gan",
            Self::Vae => "vae",
            Self::Autoencoder => "ae",
        }
    }

    /// The model named `id`.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.id() == id)
    }

    /// What a menu calls it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Gan => "GAN",
            Self::Vae => "VAE",
            Self::Autoencoder => "Autoencoder",
        }
    }
}

/// Everything one lab run is made of.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LabSettings {
    /// The distribution trained on.
    pub data: Toy2d,
    /// The model.
    pub model: LabModel,
    /// The GAN's objective and remedies (ignored by the other models).
    pub remedies: GanRemedies,
    /// Adam's learning rate (the generator's, for a GAN).
    pub learning_rate: f64,
    /// Points per batch.
    pub batch_size: usize,
    /// Discriminator updates per generator update.
    pub discriminator_steps: usize,
    /// Seed of the data, the initial weights and the batch order.
    pub seed: u64,
}

/// The two presets the lab opens with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabPreset {
    /// A plain GAN on the ring whose discriminator learns at a quarter of the generator's
    /// rate, at a seed where it collapses (measured with `modes`: at the default rate the plain
    /// GAN keeps nearly every mode, at a quarter it keeps about one).
    WatchItCollapse,
    /// The same GAN and seed with a minibatch standard deviation feature, which lets the
    /// discriminator see a collapsed batch.
    Fixed,
}

impl LabPreset {
    /// Its settings.
    pub fn settings(self) -> LabSettings {
        let collapsing = LabSettings {
            remedies: GanRemedies {
                discriminator_lr_ratio: 0.25,
                ..GanRemedies::default()
            },
            ..LabSettings::default()
        };
        match self {
            Self::WatchItCollapse => collapsing,
            Self::Fixed => LabSettings {
                remedies: GanRemedies {
                    minibatch_std: true,
                    ..collapsing.remedies
                },
                ..collapsing
            },
        }
    }
}

impl Default for LabSettings {
    /// A plain GAN on the ring, learning rate 1e-3 (Adam, beta_1 0.5), batch 128.
    fn default() -> Self {
        Self {
            data: Toy2d::Ring,
            model: LabModel::Gan,
            remedies: GanRemedies::default(),
            learning_rate: 1e-3,
            batch_size: 128,
            discriminator_steps: 1,
            seed: 1,
        }
    }
}

impl LabSettings {
    /// The GAN's remedies in a few words ("hinge, spectral norm, PacGAN2"); a dash for the
    /// models that have none.
    pub fn remedies_text(&self) -> String {
        if self.model != LabModel::Gan {
            return "—".into();
        }
        let r = self.remedies;
        let mut parts = vec![r.loss.label().to_string()];
        if r.spectral_norm && !r.loss.needs_lipschitz() {
            parts.push("spectral norm".into());
        }
        if r.minibatch_std {
            parts.push("minibatch std".into());
        }
        if r.pack > 1 {
            parts.push(format!("PacGAN{}", r.pack));
        }
        if r.discriminator_lr_ratio != 1.0 {
            parts.push(format!("D lr x{}", r.discriminator_lr_ratio));
        }
        if self.discriminator_steps > 1 {
            parts.push(format!("{} D steps", self.discriminator_steps));
        }
        parts.join(", ")
    }

    /// The training settings of the trainers these settings drive.
    fn hyperparameters(&self) -> Hyperparameters {
        let kind = match self.model {
            LabModel::Gan => ModelKind::GanMlp,
            LabModel::Vae => ModelKind::VaeMlp,
            LabModel::Autoencoder => ModelKind::AeMlp,
        };
        Hyperparameters {
            learning_rate: self.learning_rate,
            batch_size: self.batch_size,
            discriminator_steps: self.discriminator_steps,
            label_smoothing: 0.0,
            seed: self.seed,
            remedies: self.remedies,
            ..Hyperparameters::defaults(kind)
        }
    }
}

/// `count` points of `data` drawn from `seed`, as a set of two-"pixel" rows.
fn points(data: Toy2d, count: usize, seed: u64) -> Digits {
    Digits {
        pixels: data.sample(count, seed),
        labels: vec![0; count],
    }
}

/// The lab's data: [`TRAINING_POINTS`] to train on and [`HELD_OUT_POINTS`] to score, drawn from
/// `seed`.
pub fn lab_split(data: Toy2d, seed: u64) -> MnistSplit {
    MnistSplit {
        train: points(data, TRAINING_POINTS, seed),
        held_out: points(data, HELD_OUT_POINTS, seed.wrapping_add(0x5EED)),
    }
}

/// A lab model in training.
pub enum LabSession {
    /// The GAN.
    Gan(AdversarialTrainer<ToyGenerator, ToyDiscriminator>),
    /// The VAE or the autoencoder.
    Autoencoder(Trainer<ToyAutoencoder>),
}

impl LabSession {
    /// A fresh model for `settings` on `device` (an autodiff device).
    pub fn new(settings: &LabSettings, device: &Device) -> Self {
        device.seed(settings.seed);
        let split = lab_split(settings.data, settings.seed);
        let training = settings.hyperparameters();
        match settings.model {
            LabModel::Gan => {
                let players = ToyGanConfig {
                    remedies: settings.remedies,
                }
                .init(device);
                let batches = BatchSource::new(&split.train, training.batch_size, training.seed, device);
                Self::Gan(AdversarialTrainer::with_batches(players, &training, batches, device))
            }
            LabModel::Vae | LabModel::Autoencoder => {
                // The likelihood starts narrow, a fifteenth of the drawn square: one as wide as
                // the data lets the decoder settle on the data's mean and the posterior collapse
                // onto the prior (measured on the ring with 1: -ELBO stuck at 2.15 nats, no mode).
                let scale = settings.data.extent() / 15.0;
                let model = ToyAutoencoder::new(settings.model == LabModel::Vae, scale, device);
                Self::Autoencoder(Trainer::new(model, &training, &split, device))
            }
        }
    }

    /// The session, as the trainers' common interface.
    pub fn session(&self) -> &dyn Session {
        match self {
            Self::Gan(trainer) => trainer,
            Self::Autoencoder(trainer) => trainer,
        }
    }

    /// The session, to train.
    pub fn session_mut(&mut self) -> &mut dyn Session {
        match self {
            Self::Gan(trainer) => trainer,
            Self::Autoencoder(trainer) => trainer,
        }
    }

    /// `count` samples `[count, 2]` from noise fixed by `seed`.
    pub fn samples(&self, count: usize, seed: u64) -> Tensor<2> {
        self.session().samples(count, seed).expect("every lab model samples")
    }

    /// The GAN discriminator's scores `[n, 1]` of `points` `[n, 2]` (for a packed discriminator,
    /// of packs of one point repeated), for the heat map; `None` for the other models.
    pub fn discriminator_scores(&self, points: Tensor<2>) -> Option<Tensor<2>> {
        match self {
            Self::Gan(trainer) => Some(trainer.scores_of(points)),
            Self::Autoencoder(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::gan_loss::GanLoss;

    #[test]
    fn the_remedies_are_named_as_the_lab_table_lists_them() {
        let plain = LabSettings::default();
        assert_eq!(plain.remedies_text(), plain.remedies.loss.label());
        let mut fixed = plain;
        fixed.remedies.loss = GanLoss::Hinge;
        fixed.remedies.spectral_norm = true;
        fixed.remedies.pack = 2;
        fixed.remedies.discriminator_lr_ratio = 4.0;
        fixed.discriminator_steps = 2;
        assert_eq!(
            fixed.remedies_text(),
            format!("{}, spectral norm, PacGAN2, D lr x4, 2 D steps", GanLoss::Hinge.label())
        );
        let vae = LabSettings {
            model: LabModel::Vae,
            ..fixed
        };
        assert_eq!(vae.remedies_text(), "—");
    }
}
