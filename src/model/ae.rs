//! The plain autoencoder: an encoder squeezes a digit into a small code, a decoder rebuilds it,
//! and training minimises the reconstruction error only.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::{relu, sigmoid};
use burn::tensor::{Device, Tensor};

use super::loss::reconstruction_loss;
use super::{GenerativeModel, LossTerms, PreviewKind};
use crate::data::IMAGE_PIXELS;

/// Shape of the MLP autoencoder `784-hidden-latent-hidden-784`.
#[derive(Config, Debug, PartialEq)]
pub struct AutoencoderConfig {
    /// Width of the hidden layer on each side.
    #[config(default = 256)]
    pub hidden: usize,
    /// Size of the code.
    #[config(default = 32)]
    pub latent: usize,
}

/// MLP autoencoder with ReLU hidden layers and Bernoulli (sigmoid) outputs.
#[derive(Module, Debug)]
pub struct Autoencoder {
    encoder_hidden: Linear,
    encoder_code: Linear,
    decoder_hidden: Linear,
    decoder_output: Linear,
}

impl AutoencoderConfig {
    /// Builds the autoencoder with freshly initialised weights on `device`.
    pub fn init(&self, device: &Device) -> Autoencoder {
        Autoencoder {
            encoder_hidden: LinearConfig::new(IMAGE_PIXELS, self.hidden).init(device),
            encoder_code: LinearConfig::new(self.hidden, self.latent).init(device),
            decoder_hidden: LinearConfig::new(self.latent, self.hidden).init(device),
            decoder_output: LinearConfig::new(self.hidden, IMAGE_PIXELS).init(device),
        }
    }
}

impl Autoencoder {
    /// The code of each image.
    ///
    /// # Shapes
    /// `[batch, 784]` -> `[batch, latent]`
    pub fn encode(&self, images: Tensor<2>) -> Tensor<2> {
        self.encoder_code.forward(relu(self.encoder_hidden.forward(images)))
    }

    /// Bernoulli logits of the pixels decoded from each code.
    ///
    /// # Shapes
    /// `[batch, latent]` -> `[batch, 784]`
    pub fn decode_logits(&self, codes: Tensor<2>) -> Tensor<2> {
        self.decoder_output.forward(relu(self.decoder_hidden.forward(codes)))
    }

    fn latent_size(&self) -> usize {
        self.encoder_code.weight.dims()[1]
    }
}

impl GenerativeModel for Autoencoder {
    fn loss_names(&self) -> &'static [&'static str] {
        &["recon"]
    }

    fn loss_terms(&self, images: Tensor<2>) -> LossTerms {
        let logits = self.decode_logits(self.encode(images.clone()));
        let recon = reconstruction_loss(logits, images).mean();
        LossTerms {
            terms: vec![recon.clone().detach()],
            objective: recon,
        }
    }

    fn reconstruct(&self, images: Tensor<2>) -> Tensor<2> {
        sigmoid(self.decode_logits(self.encode(images)))
    }

    /// An autoencoder's decoder fed standard normal codes: a poor generator, shown as such.
    fn sample(&self, count: usize, seed: u64) -> Option<Tensor<2>> {
        let device = self.encoder_code.weight.device();
        let codes = super::seeded_normal(count, self.latent_size(), seed, &device);
        Some(sigmoid(self.decode_logits(codes)))
    }

    fn preview_kind(&self) -> PreviewKind {
        PreviewKind::Reconstructions
    }

    fn evaluation_terms(&self, images: Tensor<2>) -> Tensor<1> {
        let logits = self.decode_logits(self.encode(images.clone()));
        reconstruction_loss(logits, images).sum()
    }
}
