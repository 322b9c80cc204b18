//! Each model's burn `Config` from its settings: the one place where a model's shape is decided.

use serde_json::Value;

use super::kind::ModelKind;
use crate::model::{
    Architecture, AutoencoderConfig, ConditionalGanConfig, ConditionalVaeConfig, DcganConfig, MlpGanConfig, VaeConfig,
};
use crate::zoo::Hyperparameters;

/// The burn `Config` of one model of the zoo, as a session builds it.
pub enum BuiltConfig {
    Autoencoder(AutoencoderConfig),
    Vae(VaeConfig),
    MlpGan(MlpGanConfig),
    Dcgan(DcganConfig),
    ConditionalVae(ConditionalVaeConfig),
    ConditionalGan(ConditionalGanConfig),
}

/// The config of `kind` with `settings`: the one place where a model's shape is decided.
pub fn build_config(kind: ModelKind, settings: &Hyperparameters) -> BuiltConfig {
    let autoencoder = |architecture| {
        BuiltConfig::Autoencoder(
            AutoencoderConfig::new()
                .with_architecture(architecture)
                .with_latent(settings.latent),
        )
    };
    let vae = |architecture, hidden| {
        BuiltConfig::Vae(
            VaeConfig::new()
                .with_architecture(architecture)
                .with_hidden(hidden)
                .with_latent(settings.latent)
                .with_beta(settings.beta),
        )
    };
    match kind {
        ModelKind::AeMlp => autoencoder(Architecture::Mlp),
        ModelKind::AeConv => autoencoder(Architecture::Conv),
        ModelKind::VaeMlp | ModelKind::Vae2d => vae(Architecture::Mlp, 256),
        ModelKind::VaeConv => vae(Architecture::Conv, 256),
        ModelKind::Rvae => vae(Architecture::Recurrent, 128),
        ModelKind::GanMlp => BuiltConfig::MlpGan(MlpGanConfig::new().with_noise(settings.latent)),
        ModelKind::Dcgan => BuiltConfig::Dcgan(DcganConfig::new().with_noise(settings.latent)),
        ModelKind::Cvae => BuiltConfig::ConditionalVae(
            ConditionalVaeConfig::new()
                .with_latent(settings.latent)
                .with_beta(settings.beta),
        ),
        ModelKind::Cgan => BuiltConfig::ConditionalGan(ConditionalGanConfig::new().with_noise(settings.latent)),
    }
}

/// The full burn `Config` of `kind` with `settings`, as JSON: what a weights file records, and
/// what a file must match to load into a session of `kind` with `settings`.
pub fn model_config(kind: ModelKind, settings: &Hyperparameters) -> Value {
    let json = match build_config(kind, settings) {
        BuiltConfig::Autoencoder(config) => serde_json::to_value(config),
        BuiltConfig::Vae(config) => serde_json::to_value(config),
        BuiltConfig::MlpGan(config) => serde_json::to_value(config),
        BuiltConfig::Dcgan(config) => serde_json::to_value(config),
        BuiltConfig::ConditionalVae(config) => serde_json::to_value(config),
        BuiltConfig::ConditionalGan(config) => serde_json::to_value(config),
    };
    json.expect("burn configs serialise to JSON")
}
