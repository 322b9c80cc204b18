//! What the Compare panel computes from any session: interpolations, masks for image
//! completion, the error on the hidden pixels, the Fréchet distance between two sets of
//! classifier features, and each model's scores.

use burn::linalg::svd;
use burn::module::Module;
use burn::tensor::{Device, Tensor, TensorData};

use super::metrics::{ClassReport, class_report};
use crate::data::{IMAGE_PIXELS, IMAGE_SIDE};
use crate::model::{DigitClassifier, seeded_normal};
use crate::train::readback::{ReadbackError, read_floats};
use crate::train::{Evaluation, Inference};

/// Images of an interpolation, ends included.
pub const INTERPOLATION_STEPS: usize = 8;

/// `steps` images `[steps, 784]` along the straight line between the codes of `from` and `to`
/// (`[1, 784]` each) for a model with an encoder, or between two noise vectors fixed by `seed`
/// for a generator without one.
pub fn interpolate(session: &dyn Inference, from: Tensor<2>, to: Tensor<2>, steps: usize, seed: u64) -> Tensor<2> {
    let device = from.device();
    let ends = match session.encode(Tensor::cat(vec![from, to], 0)) {
        Some(codes) => codes,
        None => seeded_normal(2, session.code_size(), seed, &device),
    };
    let (start, end) = (ends.clone().slice(0..1), ends.slice(1..2));
    let weights: Vec<f32> = (0..steps).map(|i| i as f32 / (steps.max(2) - 1) as f32).collect();
    let t = Tensor::<2>::from_data(TensorData::new(weights, [steps, 1]), &device);
    let codes = start.clone() + (end - start) * t;
    session.decode(codes)
}

/// Which part of a digit is hidden before a model completes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaskKind {
    /// The top half.
    Top,
    /// The bottom half.
    Bottom,
    /// The left half.
    Left,
    /// The right half.
    Right,
    /// A 12x12 box in the centre.
    Centre,
}

impl MaskKind {
    /// Every mask, in the order the panel lists them.
    pub const ALL: [MaskKind; 5] = [
        MaskKind::Top,
        MaskKind::Bottom,
        MaskKind::Left,
        MaskKind::Right,
        MaskKind::Centre,
    ];

    /// Stable identifier, as used in forms and links.
    pub fn id(self) -> &'static str {
        match self {
            MaskKind::Top => "top",
            MaskKind::Bottom => "bottom",
            MaskKind::Left => "left",
            MaskKind::Right => "right",
            MaskKind::Centre => "centre",
        }
    }

    /// The mask whose [`id`](Self::id) is `id`.
    pub fn from_id(id: &str) -> Option<MaskKind> {
        Self::ALL.into_iter().find(|m| m.id() == id)
    }

    /// What a person reads.
    pub fn label(self) -> &'static str {
        match self {
            MaskKind::Top => "top half hidden",
            MaskKind::Bottom => "bottom half hidden",
            MaskKind::Left => "left half hidden",
            MaskKind::Right => "right half hidden",
            MaskKind::Centre => "centre box hidden",
        }
    }

    /// 784 values, 1 where a pixel is visible and 0 where it is hidden.
    pub fn visible(self) -> Vec<f32> {
        let half = IMAGE_SIDE / 2;
        (0..IMAGE_PIXELS)
            .map(|i| {
                let (row, col) = (i / IMAGE_SIDE, i % IMAGE_SIDE);
                let hidden = match self {
                    MaskKind::Top => row < half,
                    MaskKind::Bottom => row >= half,
                    MaskKind::Left => col < half,
                    MaskKind::Right => col >= half,
                    MaskKind::Centre => (8..20).contains(&row) && (8..20).contains(&col),
                };
                if hidden { 0.0 } else { 1.0 }
            })
            .collect()
    }
}

/// Mean squared error per hidden pixel between `completed` and `originals` (images of 784
/// values each), where `visible` (784 values) is 0.
pub fn hidden_pixel_error(completed: &[f32], originals: &[f32], visible: &[f32]) -> f64 {
    let (mut sum, mut count) = (0.0f64, 0usize);
    for (i, (c, o)) in completed.iter().zip(originals).enumerate() {
        if visible[i % IMAGE_PIXELS] == 0.0 {
            sum += f64::from(c - o).powi(2);
            count += 1;
        }
    }
    if count == 0 { 0.0 } else { sum / count as f64 }
}

/// Mean `[d]` and covariance `[d, d]` (divided by n - 1) of the rows of `features` `[n, d]`.
pub(crate) fn mean_and_covariance(features: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
    let n = features.dims()[0];
    let mean = features.clone().mean_dim(0);
    let centred = features - mean.clone();
    let covariance = centred.clone().transpose().matmul(centred) / (n.max(2) - 1) as f64;
    (mean, covariance)
}

/// The square root of a symmetric positive semi-definite matrix, through its SVD.
fn psd_sqrt(matrix: Tensor<2>) -> Tensor<2> {
    let (u, s, _) = svd::<2, 1>(matrix, SVD_SWEEPS);
    let root = s.clamp_min(0.0).sqrt();
    u.clone().mul(root.unsqueeze_dim(0)).matmul(u.transpose())
}

/// Jacobi sweeps of the SVD; 30 is far past convergence for 128 x 128 covariances.
const SVD_SWEEPS: usize = 30;

/// The Fréchet distance between Gaussians fitted to two sets of feature rows (`a` and `b`,
/// `dims` values per row): `|mu_a - mu_b|^2 + tr(S_a) + tr(S_b) - 2 tr((S_a^1/2 S_b S_a^1/2)^1/2)`,
/// as in FID (Heusel et al., 2017), here over the digit classifier's features. Computed on the
/// CPU (`device`) from values already read back.
pub async fn frechet_distance(a: &[f32], b: &[f32], dims: usize, device: &Device) -> Result<f64, ReadbackError> {
    let rows =
        |values: &[f32]| Tensor::<2>::from_data(TensorData::new(values.to_vec(), [values.len() / dims, dims]), device);
    let (mean_a, cov_a) = mean_and_covariance(rows(a));
    let (mean_b, cov_b) = mean_and_covariance(rows(b));
    let root_a = psd_sqrt(cov_a.clone());
    let middle = root_a.clone().matmul(cov_b.clone()).matmul(root_a);
    let (_, s, _) = svd::<2, 1>(middle, SVD_SWEEPS);
    let cross = s.clamp_min(0.0).sqrt().sum();
    let mean_term = (mean_a - mean_b).square().sum();
    let trace = |m: Tensor<2>| m.mul(Tensor::eye(dims, device)).sum();
    let terms = Tensor::cat(vec![mean_term, trace(cov_a), trace(cov_b), cross], 0);
    let [mean_term, trace_a, trace_b, cross]: [f32; 4] = read_floats(terms)
        .await?
        .try_into()
        .map_err(|_| ReadbackError("expected four values".into()))?;
    Ok((f64::from(mean_term) + f64::from(trace_a) + f64::from(trace_b) - 2.0 * f64::from(cross)).max(0.0))
}

/// What one model shows in each row of the Compare panel.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonImages {
    /// Its reconstructions of the inputs; empty for a model without an encoder.
    pub reconstruction: Vec<f32>,
    /// As many samples as inputs, from the seed.
    pub samples: Vec<f32>,
    /// [`INTERPOLATION_STEPS`] images between the pair's codes (or two noise vectors).
    pub interpolation: Vec<f32>,
    /// The inputs with the mask's part hidden, completed.
    pub completion: Vec<f32>,
    /// Mean squared error of the completion on the hidden pixels.
    pub completion_error: f64,
}

/// What every model of a comparison is shown.
pub struct ComparisonInputs<'a> {
    /// The digits reconstructed and completed `[n, 784]`.
    pub inputs: &'a Tensor<2>,
    /// Their pixels, to measure the completion against.
    pub input_pixels: &'a [f32],
    /// The held-out digits, and which two of them the interpolation joins.
    pub held_out: &'a Tensor<2>,
    pub pair: (usize, usize),
    /// The seed of the samples, the interpolation's noise (without an encoder) and the completion.
    pub seed: u64,
    /// What the completion hides.
    pub mask: MaskKind,
}

/// Every row's images for `session`, read back.
pub async fn comparison_images(session: &dyn Inference, on: &ComparisonInputs<'_>) -> Result<ComparisonImages, String> {
    let read = |t: Tensor<2>| async move { read_floats(t).await.map_err(|e| e.to_string()) };
    let shown = on.inputs.dims()[0];
    let reconstruction = match session.reconstruct(on.inputs.clone()) {
        Some(r) => read(r).await?,
        None => Vec::new(),
    };
    let samples = read(session.samples(shown, on.seed).ok_or("the model cannot sample")?).await?;
    let pick = |i: usize| on.held_out.clone().slice(i..i + 1);
    let (from, to) = on.pair;
    let interpolation = read(interpolate(session, pick(from), pick(to), INTERPOLATION_STEPS, on.seed)).await?;
    let visible_values = on.mask.visible();
    let visible_rows: Vec<f32> = (0..shown).flat_map(|_| visible_values.clone()).collect();
    let visible = Tensor::<2>::from_data(
        TensorData::new(visible_rows, [shown, IMAGE_PIXELS]),
        &on.inputs.device(),
    );
    let completion = read(session.complete(on.inputs.clone(), visible, on.seed)).await?;
    let completion_error = hidden_pixel_error(&completion, on.input_pixels, &visible_values);
    Ok(ComparisonImages {
        reconstruction,
        samples,
        interpolation,
        completion,
        completion_error,
    })
}

/// What a model with an encoder makes of one image `[1, 784]`: its code and its reconstruction,
/// read back; `None` for a model without an encoder or when a read fails.
pub async fn read_image(session: &dyn Inference, image: &Tensor<2>) -> Option<(Vec<f32>, Vec<f32>)> {
    let code = session.encode(image.clone())?;
    let reconstruction = session.reconstruct(image.clone())?;
    Some((read_floats(code).await.ok()?, read_floats(reconstruction).await.ok()?))
}

/// The most probable class of `probabilities` and its probability (the first on a tie; class 0
/// at 0 for none).
pub fn most_likely(probabilities: &[f32]) -> (usize, f32) {
    probabilities
        .iter()
        .copied()
        .enumerate()
        .fold((0, 0.0), |best, (class, p)| if p > best.1 { (class, p) } else { best })
}

/// Digits scored per forward pass, to bound memory.
const SCORING_CHUNK: usize = 250;

/// The Compare panel's numbers for one model; `None` where a figure does not apply.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelScores {
    /// Held-out reconstruction cross-entropy, nats per image.
    pub reconstruction_bce: Option<f64>,
    /// Held-out reconstruction squared error, summed over pixels, per image.
    pub reconstruction_mse: Option<f64>,
    /// Held-out ELBO, nats per image (VAEs).
    pub elbo: Option<f64>,
    /// The classifier's verdict on the samples.
    pub samples: ClassReport,
    /// Fréchet distance between the classifier features of the samples and of the held-out digits.
    pub frechet: f64,
}

/// Classifier features `[n, features]` of `images`, read back, in chunks.
pub async fn classifier_features(judge: &DigitClassifier, images: &Tensor<2>) -> Result<Vec<f32>, ReadbackError> {
    let judge = judge.valid();
    let mut features = Vec::new();
    let count = images.dims()[0];
    for start in (0..count).step_by(SCORING_CHUNK) {
        let end = (start + SCORING_CHUNK).min(count);
        features.extend(read_floats(judge.features(images.clone().slice(start..end))).await?);
    }
    Ok(features)
}

/// Scores `session`: held-out reconstruction and ELBO (with an encoder), and `sample_count`
/// samples from `seed` judged by `judge` against the held-out digits' features. The matrix
/// work of the Fréchet distance runs on `cpu`.
pub async fn score_model(
    session: &dyn Evaluation,
    judge: &DigitClassifier,
    held_out: &Tensor<2>,
    held_out_features: &[f32],
    sample_count: usize,
    seed: u64,
    cpu: &Device,
) -> Result<ModelScores, ReadbackError> {
    let count = held_out.dims()[0];
    let scores = session.evaluate_on(held_out).read().await.ok();
    let mut squared_error = 0.0f64;
    let mut has_encoder = false;
    for start in (0..count).step_by(SCORING_CHUNK) {
        let chunk = held_out.clone().slice(start..(start + SCORING_CHUNK).min(count));
        if let Some(reconstruction) = session.reconstruct(chunk.clone()) {
            has_encoder = true;
            let error = (reconstruction - chunk).square().sum().reshape([1, 1]);
            squared_error += f64::from(read_floats(error).await?[0]);
        }
    }
    let samples = session
        .samples(sample_count, seed)
        .ok_or_else(|| ReadbackError("the model cannot sample".into()))?;
    let probabilities = read_floats(judge.valid_probabilities(samples.clone())).await?;
    let sample_features = classifier_features(judge, &samples).await?;
    let dims = sample_features.len() / sample_count.max(1);
    let frechet = frechet_distance(&sample_features, held_out_features, dims, cpu).await?;
    Ok(ModelScores {
        reconstruction_bce: scores.as_ref().map(|s| s.reconstruction),
        reconstruction_mse: has_encoder.then(|| squared_error / count as f64),
        elbo: scores.as_ref().and_then(|s| s.elbo()),
        samples: class_report(&probabilities),
        frechet,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_likely_class_is_the_first_of_the_largest() {
        assert_eq!(most_likely(&[0.1, 0.7, 0.2]), (1, 0.7));
        assert_eq!(most_likely(&[0.4, 0.2, 0.4]), (0, 0.4));
        assert_eq!(most_likely(&[]), (0, 0.0));
    }
}
