//! How a model of the zoo becomes a training session: fresh from its seed, or holding the
//! weights of a file.

use burn::tensor::Device;

use super::adversarial::AdversarialTrainer;
use super::roles::Session;
use super::trainer::Trainer;
use crate::data::MnistSplit;
use crate::weights::{WeightsError, WeightsFile};
use crate::zoo::config::{BuiltConfig, build_config};
use crate::zoo::{Hyperparameters, ModelKind, model_config};

/// Starts a training session of `kind` with `settings` on `device` (an autodiff device), over `data`.
pub fn start_session(
    kind: ModelKind,
    settings: &Hyperparameters,
    data: &MnistSplit,
    device: &Device,
) -> Box<dyn Session> {
    // Seed before building the model so that its initial weights follow the seed.
    device.seed(settings.seed);
    match build_config(kind, settings) {
        BuiltConfig::Autoencoder(config) => Box::new(Trainer::new(config.init(device), settings, data, device)),
        BuiltConfig::Vae(config) => Box::new(Trainer::new(config.init(device), settings, data, device)),
        BuiltConfig::MlpGan(config) => Box::new(AdversarialTrainer::new(config.init(device), settings, data, device)),
        BuiltConfig::Dcgan(config) => Box::new(AdversarialTrainer::new(config.init(device), settings, data, device)),
        BuiltConfig::ConditionalVae(config) => Box::new(Trainer::new(config.init(device), settings, data, device)),
        BuiltConfig::ConditionalGan(config) => {
            Box::new(AdversarialTrainer::new(config.init(device), settings, data, device))
        }
    }
}

/// A session of `kind` with `settings` on `device` over `data`, holding the weights of `file`
/// once they are checked to fit: how a shipped, exported or uploaded file becomes a model.
pub fn session_from_file(
    kind: ModelKind,
    settings: &Hyperparameters,
    file: WeightsFile,
    data: &MnistSplit,
    device: &Device,
) -> Result<Box<dyn Session>, WeightsError> {
    file.check_fits(kind.id(), &model_config(kind, settings))?;
    let precision = file.header.precision;
    let mut session = start_session(kind, settings, data, device);
    session.load_parameters(file.into_tensors(), precision)?;
    Ok(session)
}

/// A session of `kind` holding its shipped pretrained weights, read from `weights_dir` (the
/// site's `public/weights`: `manifest.json` and the files it names) with the settings the
/// manifest records: how the native commands and tests start from a shipped model.
#[cfg(not(target_arch = "wasm32"))]
pub fn shipped_session(
    weights_dir: &std::path::Path,
    kind: ModelKind,
    data: &MnistSplit,
    device: &Device,
) -> Result<Box<dyn Session>, String> {
    let read = |name: &str| {
        let path = weights_dir.join(name);
        std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))
    };
    let manifest: crate::weights::Manifest =
        serde_json::from_slice(&read("manifest.json")?).map_err(|e| format!("manifest.json: {e}"))?;
    let entry = manifest
        .entry(kind.id())
        .ok_or(format!("no shipped weights for {}", kind.id()))?;
    let settings = entry
        .settings
        .ok_or(format!("the manifest records no settings for {}", kind.id()))?;
    let file = WeightsFile::parse(&read(&entry.file)?).map_err(|e| format!("{}: {e}", entry.file))?;
    session_from_file(kind, &settings, file, data, device).map_err(|e| format!("{}: {e}", entry.file))
}
