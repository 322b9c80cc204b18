//! Image completion: filling the hidden pixels of a digit from the visible ones.
//!
//! - A model with an encoder iterates reconstruction with the visible pixels clamped: the
//!   reconstruction proposes the hidden pixels, the visible ones are put back, repeat.
//! - A generator has no encoder, so its noise code is optimised (with burn's Adam) to make
//!   the generated image match the visible pixels; the generator itself stays frozen.

use burn::module::{Module, Param};
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor};

use super::gan::Generator;
use super::seeded_normal;

/// Reconstruction rounds of a completion by an encoder model.
pub const RECONSTRUCTION_ROUNDS: usize = 20;
/// Adam steps of a completion by a generator's latent search.
pub const LATENT_SEARCH_STEPS: usize = 60;
/// Adam's learning rate on the noise code.
const LATENT_SEARCH_RATE: f64 = 0.05;
/// Candidate codes tried per image; the one matching the visible pixels best is kept.
pub const LATENT_SEARCH_RESTARTS: usize = 4;

/// `images` `[batch, 784]` with the hidden pixels (where `visible` is 0) filled by iterating
/// `reconstruct` `rounds` times; visible pixels are always the observed ones. Hidden pixels
/// start at the visible pixels' mean grey.
pub fn complete_by_reconstruction(
    images: Tensor<2>,
    visible: Tensor<2>,
    rounds: usize,
    reconstruct: impl Fn(Tensor<2>) -> Tensor<2>,
) -> Tensor<2> {
    let hidden = visible.clone().neg() + 1.0;
    let observed = images * visible.clone();
    let seen = visible.clone().sum_dim(1).clamp_min(1.0);
    let start = observed.clone().sum_dim(1) / seen;
    let mut current = observed.clone() + hidden.clone() * start;
    for _ in 0..rounds {
        current = observed.clone() + reconstruct(current) * hidden.clone();
    }
    current
}

/// A batch of noise codes, as a module so that burn's optimiser can update it.
#[derive(Module, Debug)]
struct NoiseCode {
    code: Param<Tensor<2>>,
}

/// Per-row binary cross-entropy of `generated` (intensities) against `target` on the visible
/// pixels, `[batch]`.
fn visible_cross_entropy(generated: Tensor<2>, target: Tensor<2>, visible: Tensor<2>) -> Tensor<1> {
    let p = generated.clamp(1e-6, 1.0 - 1e-6);
    let per_pixel = (target.clone() * p.clone().log() + (target.neg() + 1.0) * (p.neg() + 1.0).log()).neg();
    (per_pixel * visible).sum_dim(1).squeeze_dim(1)
}

/// `images` `[batch, 784]` completed by a generator: for each image, [`LATENT_SEARCH_RESTARTS`]
/// input codes (fixed by `seed`; for a conditional generator the class row is searched too, as
/// continuous weights) are optimised by Adam for `steps` steps to match the visible
/// pixels, and the best one's image fills the hidden pixels. `generator` must be on an autodiff
/// device; it is frozen here (batch norm in inference mode, no weight gradients).
pub fn complete_by_latent_search<G: Generator>(
    generator: &G,
    images: Tensor<2>,
    visible: Tensor<2>,
    steps: usize,
    seed: u64,
) -> Tensor<2> {
    let generator = generator.clone().freeze();
    let device: Device = generator.device();
    let batch = images.dims()[0];
    // Row r of the search works on image r % batch.
    let repeat = |t: &Tensor<2>| Tensor::cat(vec![t.clone(); LATENT_SEARCH_RESTARTS], 0);
    let (target, mask) = (repeat(&images), repeat(&visible));
    let tries = batch * LATENT_SEARCH_RESTARTS;
    let mut code = NoiseCode {
        code: Param::from_tensor(seeded_normal(tries, generator.input_size(), seed, &device)),
    };
    let mut optimizer: ModuleOptimizer = AdamConfig::new().init();
    for _ in 0..steps {
        let generated = generator.generate(code.code.val());
        let loss = visible_cross_entropy(generated, target.clone(), mask.clone()).sum();
        let grads = GradientsParams::from_grads(loss.backward(), &code);
        code = optimizer.step(LATENT_SEARCH_RATE, code, grads);
    }
    let generated = generator.generate(code.code.val().detach()).detach();
    let errors = visible_cross_entropy(generated.clone(), target, mask).reshape([LATENT_SEARCH_RESTARTS, batch]);
    // Per image, the try whose image matches the visible pixels best.
    let best = errors.argmin(0).reshape([batch]);
    let rows = best * (batch as i64) + Tensor::arange(0..batch as i64, &device);
    let chosen = generated.select(0, rows);
    let hidden = visible.clone().neg() + 1.0;
    images * visible + chosen * hidden
}
