//! The objectives of the autoencoder family, per image and in nats.

use burn::tensor::Tensor;
use burn::tensor::activation::softplus;

use super::LossTerms;

/// Names of the terms [`elbo_loss_terms`] reports.
pub const ELBO_LOSS_NAMES: &[&str] = &["loss", "recon", "kl"];

/// The loss terms of a VAE's batch from per-image reconstruction cross-entropy and KL `[batch]`:
/// the objective `recon + beta * KL` (the negative ELBO when `beta` is 1), then the batch means
/// of both terms, named as in [`ELBO_LOSS_NAMES`].
pub fn elbo_loss_terms(recon: Tensor<1>, kl: Tensor<1>, beta: f64) -> LossTerms {
    let (recon, kl) = (recon.mean(), kl.mean());
    let objective = recon.clone() + kl.clone() * beta;
    LossTerms {
        terms: vec![objective.clone().detach(), recon.detach(), kl.detach()],
        objective,
    }
}

/// Binary cross-entropy between Bernoulli `logits` and `targets` in `[0, 1]`, summed over
/// the pixels of each image: `[batch, pixels]` -> `[batch]`.
///
/// Uses `softplus(x) - t * x`, which equals `-(t log sigmoid(x) + (1 - t) log(1 - sigmoid(x)))`
/// and stays finite for large logits.
pub fn reconstruction_loss(logits: Tensor<2>, targets: Tensor<2>) -> Tensor<1> {
    let per_pixel = softplus(logits.clone(), 1.0) - targets * logits;
    per_pixel.sum_dim(1).squeeze_dim(1)
}

/// KL divergence from the diagonal Gaussian `N(mu, exp(log_var))` to the standard normal prior,
/// summed over latent dimensions: `[batch, latent]` -> `[batch]`.
pub fn kl_divergence(mu: Tensor<2>, log_var: Tensor<2>) -> Tensor<1> {
    let per_dim = (mu.square() + log_var.clone().exp() - log_var - 1.0) * 0.5;
    per_dim.sum_dim(1).squeeze_dim(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::tensor::{Device, TensorData};

    fn tensor(values: &[f32], rows: usize, device: &Device) -> Tensor<2> {
        Tensor::from_data(TensorData::new(values.to_vec(), [rows, values.len() / rows]), device)
    }

    fn read(t: Tensor<1>) -> Vec<f32> {
        t.into_data().try_to_vec().unwrap()
    }

    #[test]
    fn reconstruction_loss_matches_the_closed_form() {
        let device = Device::flex();
        // logit 0 is p = 0.5: each pixel costs ln 2 whatever the target.
        let zeros = tensor(&[0.0; 4], 1, &device);
        let targets = tensor(&[0.0, 1.0, 0.3, 1.0], 1, &device);
        assert!((read(reconstruction_loss(zeros, targets))[0] - 4.0 * 2f32.ln()).abs() < 1e-5);
        // A confident right answer costs almost nothing; a confident wrong one costs ~|logit|.
        let logits = tensor(&[30.0, -30.0], 2, &device);
        let targets = tensor(&[1.0, 1.0], 2, &device);
        let losses = read(reconstruction_loss(logits, targets));
        assert!(losses[0] < 1e-6 && (losses[1] - 30.0).abs() < 1e-4, "{losses:?}");
    }

    #[test]
    fn kl_is_zero_at_the_prior_and_positive_elsewhere() {
        let device = Device::flex();
        let at_prior = read(kl_divergence(
            tensor(&[0.0; 3], 1, &device),
            tensor(&[0.0; 3], 1, &device),
        ));
        assert!(at_prior[0].abs() < 1e-7);
        // KL(N(1, e^0) || N(0, 1)) = 0.5 per dimension.
        let shifted = read(kl_divergence(
            tensor(&[1.0, 1.0], 1, &device),
            tensor(&[0.0, 0.0], 1, &device),
        ));
        assert!((shifted[0] - 1.0).abs() < 1e-6);
    }
}
