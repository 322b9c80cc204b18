//! The models a user can pick, with their settings, and how each becomes a training session.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::trainer::{Session, Trainer};
use crate::data::MnistSplit;
use crate::model::{AutoencoderConfig, VaeConfig};

/// The models of the playground.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// MLP autoencoder 784-256-32-256-784.
    AeMlp,
    /// MLP variational autoencoder 784-256-(16, 16)-256-784.
    VaeMlp,
}

impl ModelKind {
    /// Every model, in the order the picker lists them.
    pub const ALL: [ModelKind; 2] = [ModelKind::AeMlp, ModelKind::VaeMlp];

    /// Stable identifier, as used in files and links.
    pub fn id(self) -> &'static str {
        match self {
            ModelKind::AeMlp => "ae_mlp",
            ModelKind::VaeMlp => "vae_mlp",
        }
    }

    /// The name a person reads.
    pub fn label(self) -> &'static str {
        match self {
            ModelKind::AeMlp => "Autoencoder",
            ModelKind::VaeMlp => "VAE",
        }
    }

    /// One sentence on what the model learns, for the panel.
    pub fn summary(self) -> &'static str {
        match self {
            ModelKind::AeMlp => {
                "An autoencoder squeezes each digit into a 32-number code and learns to rebuild it: it \
                 minimises reconstruction error only, so its codes are not arranged for sampling."
            }
            ModelKind::VaeMlp => {
                "A VAE encodes each digit as a Gaussian over 16-number codes and adds a KL term that pulls \
                 those towards N(0, I): the price in reconstruction buys a latent space you can sample."
            }
        }
    }

    /// The model whose [`id`](Self::id) is `id`.
    pub fn from_id(id: &str) -> Option<ModelKind> {
        Self::ALL.into_iter().find(|kind| kind.id() == id)
    }
}

/// Optimisation settings shared by every model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrainSettings {
    /// Adam's learning rate.
    pub learning_rate: f64,
    /// Digits per batch.
    pub batch_size: usize,
    /// Seed of the initial weights, the batch order and the sampling noise.
    pub seed: u64,
}

impl Default for TrainSettings {
    fn default() -> Self {
        Self {
            learning_rate: 1e-3,
            batch_size: 64,
            seed: 1,
        }
    }
}

/// Starts a training session of `kind` on `device` (an autodiff device), over `data`.
pub fn start_session(kind: ModelKind, settings: TrainSettings, data: &MnistSplit, device: &Device) -> Box<dyn Session> {
    // Seed before building the model so that its initial weights follow the seed.
    device.seed(settings.seed);
    match kind {
        ModelKind::AeMlp => Box::new(Trainer::new(
            AutoencoderConfig::new().init(device),
            settings,
            data,
            device,
        )),
        ModelKind::VaeMlp => Box::new(Trainer::new(VaeConfig::new().init(device), settings, data, device)),
    }
}
