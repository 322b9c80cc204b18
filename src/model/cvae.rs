//! The conditional VAE (Sohn et al., 2015): a VAE whose encoder and decoder are both told the
//! digit's class, so the latent code only has to carry the style (slant, width, stroke) and
//! the class can be chosen when sampling: what labelled data augmentation needs.
//!
//! Where a panel hands it an image without a label (reconstruct, encode, complete, score), it
//! takes the class under which the image's ELBO is highest. That is a valid ELBO of the image
//! alone with q(y | x) putting all its mass on that class: the label's KL to the uniform prior
//! is ln 10 nats, which is added to the KL term.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::{relu, sigmoid};
use burn::tensor::{Device, Int, Tensor};

use super::loss::{ELBO_LOSS_NAMES, elbo_loss_terms, kl_divergence, reconstruction_loss};
use super::vae::Vae;
use super::validation::{ConfigError, check_range};
use super::{GenerativeModel, LossTerms, PreviewKind, cycling_labels, one_hot, seeded_normal};
use crate::data::IMAGE_PIXELS;

/// Shape and objective of a conditional VAE.
#[derive(Config, Debug, PartialEq)]
pub struct ConditionalVaeConfig {
    /// Width of the hidden layers; 16 to 1024.
    #[config(default = 256)]
    pub hidden: usize,
    /// Size of the latent code (the style); 2 to 64.
    #[config(default = 16)]
    pub latent: usize,
    /// Weight of the KL term; 0 to 10.
    #[config(default = 1.0)]
    pub beta: f64,
    /// Number of classes it is conditioned on.
    #[config(default = 10)]
    pub classes: usize,
}

/// Conditional VAE: encoder `(784 + classes)-hidden-(latent, latent)`, decoder
/// `(latent + classes)-hidden-784`, ReLU, Bernoulli output.
#[derive(Module, Debug)]
pub struct ConditionalVae {
    encoder: Linear,
    mu: Linear,
    log_var: Linear,
    decoder_hidden: Linear,
    decoder_output: Linear,
    beta: f64,
    classes: usize,
}

impl ConditionalVaeConfig {
    /// Checks every field against its documented range.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_range("hidden", self.hidden as f64, 16.0, 1024.0)?;
        check_range("latent", self.latent as f64, 2.0, 64.0)?;
        check_range("beta", self.beta, 0.0, 10.0)?;
        check_range("classes", self.classes as f64, 2.0, 10.0)
    }

    /// Builds the conditional VAE with freshly initialised weights on `device`.
    pub fn init(&self, device: &Device) -> ConditionalVae {
        ConditionalVae {
            encoder: LinearConfig::new(IMAGE_PIXELS + self.classes, self.hidden).init(device),
            mu: LinearConfig::new(self.hidden, self.latent).init(device),
            log_var: LinearConfig::new(self.hidden, self.latent).init(device),
            decoder_hidden: LinearConfig::new(self.latent + self.classes, self.hidden).init(device),
            decoder_output: LinearConfig::new(self.hidden, IMAGE_PIXELS).init(device),
            beta: self.beta,
            classes: self.classes,
        }
    }
}

impl ConditionalVae {
    /// Mean and log-variance of q(z | x, y).
    ///
    /// # Shapes
    /// `[batch, 784]`, `[batch, classes]` -> (`[batch, latent]`, `[batch, latent]`)
    pub fn encode(&self, images: Tensor<2>, classes: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let features = relu(self.encoder.forward(Tensor::cat(vec![images, classes], 1)));
        (self.mu.forward(features.clone()), self.log_var.forward(features))
    }

    /// Pixel logits of p(x | z, y) from codes that end with the class's one-hot row.
    ///
    /// # Shapes
    /// `[batch, latent + classes]` -> `[batch, 784]`
    fn decoder_logits(&self, codes: Tensor<2>) -> Tensor<2> {
        self.decoder_output.forward(relu(self.decoder_hidden.forward(codes)))
    }

    /// Size of the style code.
    pub fn latent_size(&self) -> usize {
        self.mu.weight.dims()[1]
    }

    fn device(&self) -> Device {
        self.mu.weight.device()
    }

    /// Per-image reconstruction cross-entropy and KL divergence of z, each `[batch]`, with
    /// the code drawn by the reparameterisation trick.
    fn elbo_terms(&self, images: Tensor<2>, classes: Tensor<2>) -> (Tensor<1>, Tensor<1>) {
        let (mu, log_var) = self.encode(images.clone(), classes.clone());
        let codes = Vae::reparameterise(mu.clone(), log_var.clone());
        let recon = reconstruction_loss(self.decoder_logits(Tensor::cat(vec![codes, classes], 1)), images);
        (recon, kl_divergence(mu, log_var))
    }

    /// For each image, the one-hot row `[batch, classes]` of the class under which the
    /// deterministic ELBO (code = posterior mean) is highest: the model's own reading of the
    /// digit, used where no label is given.
    pub fn likeliest_classes(&self, images: Tensor<2>) -> Tensor<2> {
        let [batch, _] = images.dims();
        let device = self.device();
        // Row c * batch + i tries class c on image i: one pass for every class.
        let tried = Tensor::cat(vec![images.clone(); self.classes], 0);
        let labels: Tensor<1, Int> = Tensor::arange(0..self.classes as i64, &device)
            .reshape([self.classes, 1])
            .repeat_dim(1, batch)
            .reshape([self.classes * batch]);
        let classes = one_hot(labels, self.classes);
        let (mu, log_var) = self.encode(tried.clone(), classes.clone());
        let recon = reconstruction_loss(self.decoder_logits(Tensor::cat(vec![mu.clone(), classes], 1)), tried);
        let negative_elbo = (recon + kl_divergence(mu, log_var)).reshape([self.classes, batch]);
        let best = negative_elbo.argmin(0).reshape([batch]);
        one_hot(best, self.classes)
    }

    /// Images `[n, 784]` decoded from style codes `[n, latent]` for `labels` `[n]`.
    pub fn decode_classes(&self, styles: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<2> {
        let codes = Tensor::cat(vec![styles, one_hot(labels, self.classes)], 1);
        sigmoid(self.decoder_logits(codes))
    }
}

impl GenerativeModel for ConditionalVae {
    fn loss_names(&self) -> &'static [&'static str] {
        ELBO_LOSS_NAMES
    }

    fn loss_terms(&self, images: Tensor<2>, labels: Tensor<1, Int>) -> LossTerms {
        let (recon, kl) = self.elbo_terms(images, one_hot(labels, self.classes));
        elbo_loss_terms(recon, kl, self.beta)
    }

    /// Decodes the posterior mean under the likeliest class (no sampling noise).
    fn reconstruct(&self, images: Tensor<2>) -> Tensor<2> {
        sigmoid(self.decoder_logits(self.code_of(images)))
    }

    /// The posterior mean followed by the likeliest class's one-hot row: `[batch, latent + classes]`.
    fn code_of(&self, images: Tensor<2>) -> Tensor<2> {
        let classes = self.likeliest_classes(images.clone());
        let (mu, _) = self.encode(images, classes.clone());
        Tensor::cat(vec![mu, classes], 1)
    }

    /// Images from codes that end with class weights (one-hot, or a blend when interpolating).
    fn image_of(&self, codes: Tensor<2>) -> Tensor<2> {
        sigmoid(self.decoder_logits(codes))
    }

    fn code_size(&self) -> usize {
        self.latent_size() + self.classes
    }

    /// Samples cycling through the classes, 0 to 9 and again.
    fn sample(&self, count: usize, seed: u64) -> Option<Tensor<2>> {
        self.sample_classes(cycling_labels(count, self.classes, &self.device()), seed)
    }

    fn is_conditional(&self) -> bool {
        true
    }

    fn sample_classes(&self, labels: Tensor<1, Int>, seed: u64) -> Option<Tensor<2>> {
        let styles = seeded_normal(labels.dims()[0], self.latent_size(), seed, &self.device());
        Some(self.decode_classes(styles, labels))
    }

    fn preview_kind(&self) -> PreviewKind {
        PreviewKind::Samples
    }

    /// The ELBO under the likeliest class, whose KL term includes the label's ln 10 nats.
    fn evaluation_terms(&self, images: Tensor<2>) -> Tensor<1> {
        let classes = self.likeliest_classes(images.clone());
        let (recon, kl) = self.elbo_terms(images, classes);
        let label_kl = (self.classes as f64).ln() * recon.dims()[0] as f64;
        Tensor::cat(vec![recon.sum(), kl.sum() + label_kl], 0)
    }
}
