//! The plain autoencoder: an encoder squeezes a digit into a small code, a decoder rebuilds it,
//! and training minimises the reconstruction error only.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Int, Tensor};

use super::loss::reconstruction_loss;
use super::nets::{Architecture, Decoder, Encoder};
use super::validation::{ConfigError, check_range};
use super::{GenerativeModel, LossTerms, PreviewKind};

/// Shape of an autoencoder: its architecture, hidden width and code size.
#[derive(Config, Debug, PartialEq)]
pub struct AutoencoderConfig {
    /// How the encoder reads and the decoder writes a digit.
    #[config(default = "Architecture::Mlp")]
    pub architecture: Architecture,
    /// Width of the hidden layer (MLP) or of the GRU state (recurrent); 16 to 1024.
    #[config(default = 256)]
    pub hidden: usize,
    /// Size of the code; 2 to 64.
    #[config(default = 32)]
    pub latent: usize,
}

/// Autoencoder with a deterministic code and Bernoulli (sigmoid) outputs.
#[derive(Module, Debug)]
pub struct Autoencoder {
    encoder: Encoder,
    code: Linear,
    decoder: Decoder,
}

impl AutoencoderConfig {
    /// Checks every field against its documented range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_range("hidden", self.hidden as f64, 16.0, 1024.0)?;
        check_range("latent", self.latent as f64, 2.0, 64.0)
    }

    /// Builds the autoencoder with freshly initialised weights on `device`.
    pub fn init(&self, device: &Device) -> Autoencoder {
        let features = Encoder::feature_size(self.architecture, self.hidden);
        Autoencoder {
            encoder: Encoder::new(self.architecture, self.hidden, device),
            code: LinearConfig::new(features, self.latent).init(device),
            decoder: Decoder::new(self.architecture, self.latent, self.hidden, device),
        }
    }
}

impl Autoencoder {
    /// The code of each image.
    ///
    /// # Shapes
    /// `[batch, 784]` -> `[batch, latent]`
    pub fn encode(&self, images: Tensor<2>) -> Tensor<2> {
        self.code.forward(self.encoder.forward(images))
    }

    /// Images decoded from codes, intensities in `[0, 1]`.
    ///
    /// # Shapes
    /// `[batch, latent]` -> `[batch, 784]`
    pub fn decode(&self, codes: Tensor<2>) -> Tensor<2> {
        sigmoid(self.decoder.forward(codes))
    }

    /// Size of the code.
    pub fn latent_size(&self) -> usize {
        self.code.weight.dims()[1]
    }
}

impl GenerativeModel for Autoencoder {
    fn loss_names(&self) -> &'static [&'static str] {
        &["recon"]
    }

    fn loss_terms(&self, images: Tensor<2>, _labels: Tensor<1, Int>) -> LossTerms {
        let recon = reconstruction_loss(self.decoder.forward(self.encode(images.clone())), images).mean();
        LossTerms {
            terms: vec![recon.clone().detach()],
            objective: recon,
        }
    }

    fn reconstruct(&self, images: Tensor<2>) -> Tensor<2> {
        self.decode(self.encode(images))
    }

    fn code_of(&self, images: Tensor<2>) -> Tensor<2> {
        self.encode(images)
    }

    fn image_of(&self, codes: Tensor<2>) -> Tensor<2> {
        self.decode(codes)
    }

    fn code_size(&self) -> usize {
        self.latent_size()
    }

    /// An autoencoder's decoder fed standard normal codes: a poor generator, shown as such.
    fn sample(&self, count: usize, seed: u64) -> Option<Tensor<2>> {
        let codes = super::seeded_normal(count, self.latent_size(), seed, &self.code.weight.device());
        Some(self.decode(codes))
    }

    fn preview_kind(&self) -> PreviewKind {
        PreviewKind::Reconstructions
    }

    fn evaluation_terms(&self, images: Tensor<2>) -> Tensor<1> {
        reconstruction_loss(self.decoder.forward(self.encode(images.clone())), images).sum()
    }
}
