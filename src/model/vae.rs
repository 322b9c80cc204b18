//! The variational autoencoder (Kingma & Welling, 2014): the encoder outputs a Gaussian over
//! codes, a code is sampled by the reparameterisation trick, and training maximises the ELBO:
//! reconstruction log-likelihood minus `beta` times the KL divergence to the N(0, I) prior.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::{relu, sigmoid};
use burn::tensor::{Device, Distribution, Tensor};

use super::loss::{kl_divergence, reconstruction_loss};
use super::{GenerativeModel, LossTerms, PreviewKind, seeded_normal};
use crate::data::IMAGE_PIXELS;

/// Shape and objective of the MLP VAE `784-hidden-(mu, log_var)-hidden-784`.
#[derive(Config, Debug, PartialEq)]
pub struct VaeConfig {
    /// Width of the hidden layer on each side.
    #[config(default = 256)]
    pub hidden: usize,
    /// Size of the latent code.
    #[config(default = 16)]
    pub latent: usize,
    /// Weight of the KL term (1 is the true ELBO; other values give a beta-VAE).
    #[config(default = 1.0)]
    pub beta: f64,
}

/// MLP VAE with a diagonal Gaussian encoder and a Bernoulli decoder.
#[derive(Module, Debug)]
pub struct Vae {
    encoder_hidden: Linear,
    encoder_mu: Linear,
    encoder_log_var: Linear,
    decoder_hidden: Linear,
    decoder_output: Linear,
    beta: f64,
}

impl VaeConfig {
    /// Builds the VAE with freshly initialised weights on `device`.
    pub fn init(&self, device: &Device) -> Vae {
        Vae {
            encoder_hidden: LinearConfig::new(IMAGE_PIXELS, self.hidden).init(device),
            encoder_mu: LinearConfig::new(self.hidden, self.latent).init(device),
            encoder_log_var: LinearConfig::new(self.hidden, self.latent).init(device),
            decoder_hidden: LinearConfig::new(self.latent, self.hidden).init(device),
            decoder_output: LinearConfig::new(self.hidden, IMAGE_PIXELS).init(device),
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
        let hidden = relu(self.encoder_hidden.forward(images));
        (
            self.encoder_mu.forward(hidden.clone()),
            self.encoder_log_var.forward(hidden),
        )
    }

    /// Bernoulli logits of the pixels decoded from each code.
    ///
    /// # Shapes
    /// `[batch, latent]` -> `[batch, 784]`
    pub fn decode_logits(&self, codes: Tensor<2>) -> Tensor<2> {
        self.decoder_output.forward(relu(self.decoder_hidden.forward(codes)))
    }

    /// A code drawn from q(z | x) by the reparameterisation trick `mu + sigma * eps`.
    fn reparameterise(mu: Tensor<2>, log_var: Tensor<2>) -> Tensor<2> {
        let eps = Tensor::random(mu.shape(), Distribution::Normal(0.0, 1.0), &mu.device());
        mu + (log_var * 0.5).exp() * eps
    }

    /// Per-image reconstruction cross-entropy and KL divergence, each `[batch]`.
    fn elbo_terms(&self, images: Tensor<2>) -> (Tensor<1>, Tensor<1>) {
        let (mu, log_var) = self.encode(images.clone());
        let codes = Self::reparameterise(mu.clone(), log_var.clone());
        let recon = reconstruction_loss(self.decode_logits(codes), images);
        (recon, kl_divergence(mu, log_var))
    }

    fn latent_size(&self) -> usize {
        self.encoder_mu.weight.dims()[1]
    }
}

impl GenerativeModel for Vae {
    fn loss_names(&self) -> &'static [&'static str] {
        &["loss", "recon", "kl"]
    }

    fn loss_terms(&self, images: Tensor<2>) -> LossTerms {
        let (recon, kl) = self.elbo_terms(images);
        let (recon, kl) = (recon.mean(), kl.mean());
        let objective = recon.clone() + kl.clone() * self.beta;
        LossTerms {
            terms: vec![objective.clone().detach(), recon.detach(), kl.detach()],
            objective,
        }
    }

    /// Decodes the posterior mean of each image (no sampling noise).
    fn reconstruct(&self, images: Tensor<2>) -> Tensor<2> {
        let (mu, _) = self.encode(images);
        sigmoid(self.decode_logits(mu))
    }

    fn sample(&self, count: usize, seed: u64) -> Option<Tensor<2>> {
        let codes = seeded_normal(count, self.latent_size(), seed, &self.encoder_mu.weight.device());
        Some(sigmoid(self.decode_logits(codes)))
    }

    fn preview_kind(&self) -> PreviewKind {
        PreviewKind::Samples
    }

    fn evaluation_terms(&self, images: Tensor<2>) -> Tensor<1> {
        let (recon, kl) = self.elbo_terms(images);
        Tensor::cat(vec![recon.sum(), kl.sum()], 0)
    }
}
