//! Spectral normalisation (Miyato et al., 2018): a layer's weight divided by its largest
//! singular value, estimated by one step of power iteration per training step, so that the
//! layer is 1-Lipschitz and a discriminator built of such layers cannot grow arbitrarily sharp.

use burn::module::Module;
use burn::nn::Linear;
use burn::nn::conv::Conv2d;
use burn::tensor::{Device, Tensor};

/// Guards the normalisations against a zero vector.
const EPSILON: f32 = 1e-12;

/// `v / |v|`, without a gradient.
fn normalised(v: Tensor<2>) -> Tensor<2> {
    let norm = v.clone().square().sum().sqrt().reshape([1, 1]) + EPSILON;
    v.detach() / norm.detach()
}

/// One step of power iteration per update for a weight matrix `W` `[inputs, outputs]` (a
/// linear layer's; a convolution's kernels flattened to it): the estimate of the top right
/// singular vector `u` (`[1, outputs]`), a constant of the module (neither trained nor saved),
/// carried from step to step as Algorithm 1 of the paper does.
#[derive(Module, Debug)]
pub struct PowerIteration {
    u: Tensor<2>,
}

impl PowerIteration {
    /// An estimate for a weight of `outputs` columns, starting from the all-ones vector.
    pub fn new(outputs: usize, device: &Device) -> Self {
        Self {
            u: normalised(Tensor::ones([1, outputs], device)),
        }
    }

    /// The singular vectors after one more power iteration, without a gradient: the left one
    /// `v` (`[inputs, 1]`) and the right one `u` (`[1, outputs]`) of `weight`.
    fn iterated(&self, weight: Tensor<2>) -> (Tensor<2>, Tensor<2>) {
        let weight = weight.detach();
        let v = normalised(weight.clone().matmul(self.u.clone().transpose()));
        let u = normalised(v.clone().transpose().matmul(weight));
        (v, u)
    }

    /// The estimate of the largest singular value `v^T W u` (`[1]`) of `weight`, with its
    /// gradient.
    pub fn sigma(&self, weight: Tensor<2>) -> Tensor<1> {
        let (v, u) = self.iterated(weight.clone());
        v.transpose().matmul(weight).matmul(u.transpose()).reshape([1])
    }

    /// `linear` applied with its weight normalised: `x W / sigma(W) + b`.
    ///
    /// # Shapes
    /// `[batch, inputs]` -> `[batch, outputs]`
    pub fn linear_forward(&self, linear: &Linear, x: Tensor<2>) -> Tensor<2> {
        let sigma = self.sigma(linear.weight.val()).reshape([1, 1]);
        let y = x.matmul(linear.weight.val()) / sigma;
        match &linear.bias {
            Some(bias) => y + bias.val().unsqueeze_dim(0),
            None => y,
        }
    }

    /// `conv` applied with its kernels normalised: a convolution is linear in its weight, so
    /// `conv(x, W / sigma) + b` is `(conv(x, W) - b) / sigma + b`, with `sigma` that of the
    /// kernels flattened to `[inputs * kernel², outputs]` ([`conv_matrix`]).
    ///
    /// # Shapes
    /// `[batch, inputs, h, w]` -> `[batch, outputs, h', w']`
    pub fn conv_forward(&self, conv: &Conv2d, x: Tensor<4>) -> Tensor<4> {
        let sigma = self.sigma(conv_matrix(conv)).reshape([1, 1, 1, 1]);
        match &conv.bias {
            Some(bias) => {
                let bias = bias.val().reshape([1, -1, 1, 1]);
                (conv.forward(x) - bias.clone()) / sigma + bias
            }
            None => conv.forward(x) / sigma,
        }
    }

    /// The estimate carried one power iteration on for `weight`: called after each update of
    /// the weight.
    pub fn refreshed(self, weight: Tensor<2>) -> Self {
        Self {
            u: self.iterated(weight).1,
        }
    }
}

/// Every layer's estimate in `power` carried one iteration on for its weight in `weights()`, in
/// order (read only where there are estimates: a discriminator without spectral normalisation).
pub fn refreshed_all(
    power: Option<Vec<PowerIteration>>,
    weights: impl FnOnce() -> Vec<Tensor<2>>,
) -> Option<Vec<PowerIteration>> {
    let power = power?;
    Some(power.into_iter().zip(weights()).map(|(p, w)| p.refreshed(w)).collect())
}

/// A convolution's kernels `[outputs, inputs, kh, kw]` as the matrix `[inputs * kh * kw,
/// outputs]` its spectral norm is taken of (as SN-GAN reshapes them).
pub fn conv_matrix(conv: &Conv2d) -> Tensor<2> {
    let [outputs, inputs, kh, kw] = conv.weight.dims();
    conv.weight.val().reshape([outputs, inputs * kh * kw]).transpose()
}

/// A linear layer with spectral normalisation: `x W / sigma(W) + b`.
#[derive(Module, Debug)]
pub struct SpectralLinear {
    linear: Linear,
    power: PowerIteration,
}

impl SpectralLinear {
    /// Spectral normalisation around `linear`, its estimate starting from the all-ones vector.
    pub fn new(linear: Linear, device: &Device) -> Self {
        let power = PowerIteration::new(linear.weight.dims()[1], device);
        Self { linear, power }
    }

    /// The estimate of the largest singular value `v^T W u` (`[1]`), with `W`'s gradient.
    pub fn sigma(&self) -> Tensor<1> {
        self.power.sigma(self.linear.weight.val())
    }

    /// # Shapes
    /// `[batch, inputs]` -> `[batch, outputs]`
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.power.linear_forward(&self.linear, x)
    }

    /// The layer with its estimate carried one power iteration on: called after each update
    /// of the weight.
    pub fn refreshed(self) -> Self {
        let power = self.power.refreshed(self.linear.weight.val());
        Self { power, ..self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::nn::LinearConfig;
    use burn::tensor::TensorData;

    /// The largest singular value of `[rows, cols]` `values`, by 500 power iterations in f64.
    fn top_singular_value(values: &[f32], rows: usize, cols: usize) -> f64 {
        let m = |r: usize, c: usize| f64::from(values[r * cols + c]);
        let mut u = vec![1.0f64; cols];
        let mut sigma = 0.0;
        for _ in 0..500 {
            let v: Vec<f64> = (0..rows).map(|r| (0..cols).map(|c| m(r, c) * u[c]).sum()).collect();
            let next: Vec<f64> = (0..cols).map(|c| (0..rows).map(|r| m(r, c) * v[r]).sum()).collect();
            let norm = next.iter().map(|x| x * x).sum::<f64>().sqrt();
            sigma = norm.sqrt();
            u = next.into_iter().map(|x| x / norm).collect();
        }
        sigma
    }

    #[test]
    fn the_normalised_weight_has_largest_singular_value_near_one() {
        let device = Device::flex();
        let mut layer = SpectralLinear::new(LinearConfig::new(12, 7).init(&device), &device);
        let weight: Vec<f32> = layer.linear.weight.val().into_data().try_to_vec().unwrap();
        let truth = top_singular_value(&weight, 12, 7);
        assert!(truth > 0.2, "a trivial weight: {truth}");
        for _ in 0..30 {
            layer = layer.refreshed();
        }
        let sigma = f64::from(layer.sigma().into_scalar::<f32>());
        assert!((sigma - truth).abs() < 1e-3 * truth, "estimate {sigma} vs {truth}");
        // The weight the layer applies, read back from its outputs on the identity.
        let identity = Tensor::<2>::eye(12, &device);
        let bias: Vec<f32> = layer
            .linear
            .bias
            .as_ref()
            .unwrap()
            .val()
            .into_data()
            .try_to_vec()
            .unwrap();
        let applied: Vec<f32> = layer.forward(identity).into_data().try_to_vec().unwrap();
        let applied: Vec<f32> = applied.iter().enumerate().map(|(i, y)| y - bias[i % 7]).collect();
        let top = top_singular_value(&applied, 12, 7);
        assert!(
            (top - 1.0).abs() < 1e-3,
            "largest singular value after normalisation {top}"
        );
    }

    #[test]
    fn the_gradient_flows_into_the_weight_through_sigma() {
        let device = Device::flex().autodiff();
        let layer = SpectralLinear::new(LinearConfig::new(3, 2).init(&device), &device);
        let x = Tensor::<2>::from_data(TensorData::new(vec![1.0f32, -2.0, 0.5], [1, 3]), &device);
        let gradients = layer.forward(x).sum().backward();
        let gradient: Vec<f32> = layer
            .linear
            .weight
            .grad(&gradients)
            .unwrap()
            .into_data()
            .try_to_vec()
            .unwrap();
        assert!(gradient.iter().all(|g| g.is_finite()) && gradient.iter().any(|g| g.abs() > 1e-4));
    }
}
