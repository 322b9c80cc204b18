//! The variational autoencoder (Kingma & Welling, 2014): the encoder outputs a Gaussian over
//! codes, a code is sampled by the reparameterisation trick, and training maximises the ELBO:
//! reconstruction log-likelihood minus `beta` times the KL divergence to the N(0, I) prior.
//! With the recurrent architecture this is the recurrent VAE that reads a digit row by row.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Distribution, Int, Tensor};

use super::loss::{ELBO_LOSS_NAMES, elbo_loss_terms, kl_divergence, reconstruction_loss};
use super::nets::{Architecture, Decoder, Encoder};
use super::validation::{ConfigError, check_range};
use super::{GenerativeModel, LossTerms, PreviewKind, seeded_normal};

/// Shape and objective of a VAE.
#[derive(Config, Debug, PartialEq)]
pub struct VaeConfig {
    /// How the encoder reads and the decoder writes a digit.
    #[config(default = "Architecture::Mlp")]
    pub architecture: Architecture,
    /// Width of the hidden layer (MLP) or of the GRU state (recurrent); 16 to 1024.
    #[config(default = 256)]
    pub hidden: usize,
    /// Size of the latent code; 2 to 64.
    #[config(default = 16)]
    pub latent: usize,
    /// Weight of the KL term; 0 to 10 (1 is the true ELBO; other values give a beta-VAE).
    #[config(default = 1.0)]
    pub beta: f64,
}

/// VAE with a diagonal Gaussian encoder and a Bernoulli decoder.
#[derive(Module, Debug)]
pub struct Vae {
    encoder: Encoder,
    mu: Linear,
    log_var: Linear,
    decoder: Decoder,
    beta: f64,
}

impl VaeConfig {
    /// Checks every field against its documented range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_range("hidden", self.hidden as f64, 16.0, 1024.0)?;
        check_range("latent", self.latent as f64, 2.0, 64.0)?;
        check_range("beta", self.beta, 0.0, 10.0)
    }

    /// Builds the VAE with freshly initialised weights on `device`.
    pub fn init(&self, device: &Device) -> Vae {
        let features = Encoder::feature_size(self.architecture, self.hidden);
        Vae {
            encoder: Encoder::new(self.architecture, self.hidden, device),
            mu: LinearConfig::new(features, self.latent).init(device),
            log_var: LinearConfig::new(features, self.latent).init(device),
            decoder: Decoder::new(self.architecture, self.latent, self.hidden, device),
            beta: self.beta,
        }
    }
}

impl Vae {
    /// Mean and log-variance of the approximate posterior q(z | x).
    ///
    /// # Shapes
    /// `[batch, 784]` -> (`[batch, latent]`, `[batch, latent]`)
    pub fn encode(&self, images: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let features = self.encoder.forward(images);
        (self.mu.forward(features.clone()), self.log_var.forward(features))
    }

    /// Images decoded from codes, intensities in `[0, 1]`.
    ///
    /// # Shapes
    /// `[batch, latent]` -> `[batch, 784]`
    pub fn decode(&self, codes: Tensor<2>) -> Tensor<2> {
        sigmoid(self.decoder.forward(codes))
    }

    /// Size of the latent code.
    pub fn latent_size(&self) -> usize {
        self.mu.weight.dims()[1]
    }

    /// A code drawn from q(z | x) by the reparameterisation trick `mu + sigma * eps`.
    pub(crate) fn reparameterise(mu: Tensor<2>, log_var: Tensor<2>) -> Tensor<2> {
        let eps = Tensor::random(mu.shape(), Distribution::Normal(0.0, 1.0), &mu.device());
        mu + (log_var * 0.5).exp() * eps
    }

    /// Per-image reconstruction cross-entropy and KL divergence, each `[batch]`.
    fn elbo_terms(&self, images: Tensor<2>) -> (Tensor<1>, Tensor<1>) {
        let (mu, log_var) = self.encode(images.clone());
        let codes = Self::reparameterise(mu.clone(), log_var.clone());
        let recon = reconstruction_loss(self.decoder.forward(codes), images);
        (recon, kl_divergence(mu, log_var))
    }
}

impl GenerativeModel for Vae {
    fn loss_names(&self) -> &'static [&'static str] {
        ELBO_LOSS_NAMES
    }

    fn loss_terms(&self, images: Tensor<2>, _labels: Tensor<1, Int>) -> LossTerms {
        let (recon, kl) = self.elbo_terms(images);
        elbo_loss_terms(recon, kl, self.beta)
    }

    /// Decodes the posterior mean of each image (no sampling noise).
    fn reconstruct(&self, images: Tensor<2>) -> Tensor<2> {
        self.decode(self.encode(images).0)
    }

    fn code_of(&self, images: Tensor<2>) -> Tensor<2> {
        self.encode(images).0
    }

    fn image_of(&self, codes: Tensor<2>) -> Tensor<2> {
        self.decode(codes)
    }

    fn code_size(&self) -> usize {
        self.latent_size()
    }

    fn sample(&self, count: usize, seed: u64) -> Option<Tensor<2>> {
        Some(self.decode(seeded_normal(count, self.latent_size(), seed, &self.mu.weight.device())))
    }

    fn preview_kind(&self) -> PreviewKind {
        PreviewKind::Samples
    }

    fn evaluation_terms(&self, images: Tensor<2>) -> Tensor<1> {
        let (recon, kl) = self.elbo_terms(images);
        Tensor::cat(vec![recon.sum(), kl.sum()], 0)
    }
}
