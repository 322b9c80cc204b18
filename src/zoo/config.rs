//! Each model's burn `Config` from its settings: the one place where a model's shape is decided.

use serde_json::Value;

use super::kind::ModelKind;
use crate::model::gan_loss::DiscriminatorRemedies;
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
        ModelKind::GanMlp => BuiltConfig::MlpGan(
            MlpGanConfig::new()
                .with_noise(settings.latent)
                .with_discriminator(settings.remedies.discriminator()),
        ),
        ModelKind::Dcgan => BuiltConfig::Dcgan(
            DcganConfig::new()
                .with_noise(settings.latent)
                .with_discriminator(settings.remedies.discriminator()),
        ),
        ModelKind::Cvae => BuiltConfig::ConditionalVae(
            ConditionalVaeConfig::new()
                .with_latent(settings.latent)
                .with_beta(settings.beta),
        ),
        ModelKind::Cgan => BuiltConfig::ConditionalGan(
            ConditionalGanConfig::new()
                .with_noise(settings.latent)
                .with_discriminator(settings.remedies.discriminator()),
        ),
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
    let mut json = json.expect("burn configs serialise to JSON");
    // A plain discriminator is recorded as before remedies existed, so earlier files still fit.
    let plain = serde_json::to_value(DiscriminatorRemedies::default()).expect("serialises");
    if let Value::Object(fields) = &mut json
        && fields.get("discriminator") == Some(&plain)
    {
        fields.remove("discriminator");
    }
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_gan_records_its_config_as_before_and_a_remedy_is_recorded() {
        for kind in [ModelKind::GanMlp, ModelKind::Dcgan, ModelKind::Cgan] {
            let mut settings = Hyperparameters::defaults(kind);
            assert!(model_config(kind, &settings).get("discriminator").is_none(), "{kind:?}");
            // The objective alone does not change the weights, so it is not in the config.
            settings.remedies.loss = crate::model::gan_loss::GanLoss::LeastSquares;
            assert!(model_config(kind, &settings).get("discriminator").is_none(), "{kind:?}");
            settings.remedies.pack = 2;
            let recorded = model_config(kind, &settings)["discriminator"]["pack"].clone();
            assert_eq!(recorded, serde_json::json!(2), "{kind:?}");
        }
    }
}
