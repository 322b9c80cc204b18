//! Scores on the held-out digits: reconstruction cross-entropy and, for a VAE, the ELBO.

use burn::tensor::Tensor;

use super::readback::{ReadbackError, read_floats};
use crate::model::GenerativeModel;

/// Digits scored per forward pass, to bound memory.
const EVALUATION_CHUNK: usize = 250;

/// Held-out scores, per image, in nats.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeldOutScores {
    /// Number of held-out digits scored.
    pub count: usize,
    /// Mean reconstruction binary cross-entropy (nats per image; lower is better).
    pub reconstruction: f64,
    /// Mean KL divergence of the posterior to the prior, for a VAE.
    pub kl: Option<f64>,
}

impl HeldOutScores {
    /// The evidence lower bound in nats per image (higher is better), for a VAE.
    pub fn elbo(&self) -> Option<f64> {
        self.kl.map(|kl| -(self.reconstruction + kl))
    }

    /// Nats per image, lower is better: the negative ELBO for a VAE, else the reconstruction.
    pub fn nats(&self) -> f64 {
        self.reconstruction + self.kl.unwrap_or(0.0)
    }

    /// Starts scoring `model` (an inference copy) on the first `count` of `held_out` `[n, 784]`.
    pub fn start<M: GenerativeModel>(model: &M, held_out: &Tensor<2>, count: usize) -> PendingScores {
        let count = count.min(held_out.dims()[0]);
        let sums = (0..count)
            .step_by(EVALUATION_CHUNK)
            .map(|start| {
                let end = (start + EVALUATION_CHUNK).min(count);
                model.evaluation_terms(held_out.clone().slice(start..end))
            })
            .reduce(|a, b| a + b);
        let sums = sums.ok_or("there are no held-out digits to score");
        PendingScores { sums, count }
    }
}

/// Why held-out scores are not available.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvaluationError {
    /// The model cannot be scored this way (the reason says why).
    #[error("{0}")]
    NotApplicable(&'static str),
    /// The scores could not be read back from the device.
    #[error(transparent)]
    Readback(#[from] ReadbackError),
}

/// Held-out scores still on the device, or why the model has none.
pub struct PendingScores {
    sums: Result<Tensor<1>, &'static str>,
    count: usize,
}

impl PendingScores {
    /// Scores that do not exist for this model, with the reason.
    pub fn not_applicable(reason: &'static str) -> Self {
        Self {
            sums: Err(reason),
            count: 0,
        }
    }

    /// Reads the scores back (asynchronously).
    pub async fn read(self) -> Result<HeldOutScores, EvaluationError> {
        let sums = self.sums.map_err(EvaluationError::NotApplicable)?;
        let sums = read_floats(sums).await?;
        let per_image = |i: usize| f64::from(sums[i]) / self.count as f64;
        Ok(HeldOutScores {
            count: self.count,
            reconstruction: per_image(0),
            kl: (sums.len() > 1).then(|| per_image(1)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::HeldOutScores;

    #[test]
    fn nats_are_the_negative_elbo_of_a_vae_and_the_reconstruction_of_the_rest() {
        let vae = HeldOutScores {
            count: 10,
            reconstruction: 90.0,
            kl: Some(12.5),
        };
        assert_eq!(vae.nats(), -vae.elbo().unwrap());
        let autoencoder = HeldOutScores { kl: None, ..vae };
        assert_eq!(autoencoder.nats(), 90.0);
    }
}
