//! The objectives of the autoencoder family, per image and in nats.

use burn::tensor::activation::softplus;
use burn::tensor::{DType, Tensor, TensorData};

use super::fused_bce::bce_with_logits;
use super::{LossTerms, is_cpu};

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
/// and stays finite for large logits. On the CPU it is computed in one pass
/// ([`fused_reconstruction_loss`]); elsewhere (WebGPU) with burn's tensor operations.
pub fn reconstruction_loss(logits: Tensor<2>, targets: Tensor<2>) -> Tensor<1> {
    if let Some(loss) = fused_reconstruction_loss(&logits, &targets) {
        return loss;
    }
    let per_pixel = softplus(logits.clone(), 1.0) - targets * logits;
    per_pixel.sum_dim(1).squeeze_dim(1)
}

/// [`reconstruction_loss`] on burn's CPU backend in `f32`, from one pass over the pixels
/// ([`bce_with_logits`]), or `None` on any other device or type.
///
/// burn's `softplus` is seven tensor operations (a scale, a comparison, a fill, `exp`, `log1p`,
/// a division and a select), each a pass over the batch's pixels, and its backward pass about as
/// many again. Here one loop gives each pixel's loss and derivative `g = sigmoid(x) - t`, and
/// the result is `sum(x * g) + (loss - sum(x * g))` per image, the second term a constant: its
/// value is the loss, and its gradient with respect to the logits is `g`, the loss's, through
/// one multiplication in the autodiff graph.
pub fn fused_reconstruction_loss(logits: &Tensor<2>, targets: &Tensor<2>) -> Option<Tensor<1>> {
    let device = logits.device();
    if !is_cpu(&device)
        || logits.dtype() != DType::F32
        || targets.dtype() != DType::F32
        || logits.dims() != targets.dims()
    {
        return None;
    }
    let [batch, pixels] = logits.dims();
    if batch == 0 || pixels == 0 {
        return None;
    }
    let (x, t) = (logits.clone().into_data(), targets.clone().into_data());
    let (x, t): (&[f32], &[f32]) = (x.as_slice().ok()?, t.as_slice().ok()?);
    let mut slopes = vec![0f32; batch * pixels];
    let offsets: Vec<f32> = x
        .chunks_exact(pixels)
        .zip(t.chunks_exact(pixels))
        .zip(slopes.chunks_exact_mut(pixels))
        .map(|((x, t), slopes)| {
            let (loss, linear) = bce_with_logits(x, t, slopes);
            loss - linear
        })
        .collect();
    let slopes = Tensor::<2>::from_data(TensorData::new(slopes, [batch, pixels]), &device);
    let offsets = Tensor::<1>::from_data(TensorData::new(offsets, [batch]), &device);
    Some((logits.clone() * slopes).sum_dim(1).squeeze_dim(1) + offsets)
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
    fn the_fused_loss_has_the_value_and_gradient_of_burns_softplus_form() {
        use rand::{Rng, SeedableRng, rngs::StdRng};
        let device = Device::flex().autodiff();
        let mut rng = StdRng::seed_from_u64(7);
        let (rows, pixels) = (3, 60);
        // Logits from confident to saturated, both signs; targets at the ends and between.
        let mut logits: Vec<f32> = (0..rows * pixels).map(|_| rng.random_range(-12.0..12.0)).collect();
        logits[..4].copy_from_slice(&[40.0, -40.0, 0.0, -0.0]);
        let targets: Vec<f32> = (0..rows * pixels)
            .map(|i| match i % 3 {
                0 => 0.0,
                1 => 1.0,
                _ => rng.random_range(0.0..1.0),
            })
            .collect();
        let value_and_gradient = |fused: bool| {
            let x = tensor(&logits, rows, &device).require_grad();
            let t = tensor(&targets, rows, &device);
            let loss = if fused {
                fused_reconstruction_loss(&x, &t).expect("flex f32 takes the fused path")
            } else {
                (softplus(x.clone(), 1.0) - t * x.clone()).sum_dim(1).squeeze_dim(1)
            };
            let gradients = (loss.clone() * Tensor::<1>::from_data(TensorData::from([1.0f32, 2.0, 3.0]), &device))
                .sum()
                .backward();
            let gradient = x.grad(&gradients).unwrap().into_data().try_to_vec::<f32>().unwrap();
            (read(loss), gradient)
        };
        let (fused_loss, fused_gradient) = value_and_gradient(true);
        let (loss, gradient) = value_and_gradient(false);
        for (a, b) in fused_loss.iter().zip(&loss) {
            assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "loss {a} vs {b}");
        }
        for (a, b) in fused_gradient.iter().zip(&gradient) {
            assert!((a - b).abs() <= 1e-5, "gradient {a} vs {b}");
        }
        assert!(
            fused_gradient.iter().any(|g| g.abs() > 0.5),
            "the gradient is not trivially zero"
        );
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
