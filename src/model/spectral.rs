//! Spectral normalisation (Miyato et al., 2018): a layer's weight divided by its largest
//! singular value, estimated by one step of power iteration per training step, so that the
//! layer is 1-Lipschitz and a discriminator built of such layers cannot grow arbitrarily sharp.

use burn::module::Module;
use burn::nn::Linear;
use burn::tensor::{Device, Tensor};

/// Guards the normalisations against a zero vector.
const EPSILON: f32 = 1e-12;

/// A linear layer with spectral normalisation: `x W / sigma(W) + b`.
#[derive(Module, Debug)]
pub struct SpectralLinear {
    linear: Linear,
    /// The power iteration's estimate of the top right singular vector of `W` (`[1, outputs]`):
    /// a constant of the module (neither trained nor saved), carried from step to step as
    /// Algorithm 1 of the paper does.
    u: Tensor<2>,
}

/// `v / |v|`, without a gradient.
fn normalised(v: Tensor<2>) -> Tensor<2> {
    let norm = v.clone().square().sum().sqrt().reshape([1, 1]) + EPSILON;
    v.detach() / norm.detach()
}

impl SpectralLinear {
    /// Spectral normalisation around `linear`, its estimate starting from the all-ones vector.
    pub fn new(linear: Linear, device: &Device) -> Self {
        let outputs = linear.weight.dims()[1];
        let u = normalised(Tensor::ones([1, outputs], device));
        Self { linear, u }
    }

    /// The singular vectors after one more power iteration, without a gradient: the left one
    /// `v` (`[inputs, 1]`) and the right one `u` (`[1, outputs]`) of `W` (`[inputs, outputs]`).
    fn iterated(&self) -> (Tensor<2>, Tensor<2>) {
        let weight = self.linear.weight.val().detach();
        let v = normalised(weight.clone().matmul(self.u.clone().transpose()));
        let u = normalised(v.clone().transpose().matmul(weight));
        (v, u)
    }

    /// The estimate of the largest singular value `v^T W u` (`[1]`), with `W`'s gradient.
    pub fn sigma(&self) -> Tensor<1> {
        let (v, u) = self.iterated();
        v.transpose()
            .matmul(self.linear.weight.val())
            .matmul(u.transpose())
            .reshape([1])
    }

    /// # Shapes
    /// `[batch, inputs]` -> `[batch, outputs]`
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        let sigma = self.sigma().reshape([1, 1]);
        let y = x.matmul(self.linear.weight.val()) / sigma;
        match &self.linear.bias {
            Some(bias) => y + bias.val().unsqueeze_dim(0),
            None => y,
        }
    }

    /// The layer with its estimate carried one power iteration on: called after each update
    /// of the weight.
    pub fn refreshed(mut self) -> Self {
        self.u = self.iterated().1;
        self
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
