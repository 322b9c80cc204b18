//! Adam with burn's update and burn's state, fused into one pass over each parameter on the CPU.
//!
//! burn's `Adam` updates a parameter with about a dozen tensor operations (scale the moments, add
//! the new gradient terms, take a square root, divide, scale, subtract), each a pass over the
//! whole parameter and most of them a fresh allocation. Profiled in Chromium, those passes took a
//! quarter of an ae_mlp training step on the CPU backend, as much as the forward pass's matrix
//! products. [`FusedAdam`] does the same arithmetic, in the same order and in `f32`, in one loop
//! that reads each parameter, gradient and moment once and writes them back in place. It keeps
//! burn's [`AdamState`] (inside a [`SnapshotState`], which can be read back without a synchronous
//! read), so an optimiser record is burn's. On any other device (WebGPU), or for a tensor that
//! is not `f32`, it hands the step to burn's own `Adam`, which runs there as kernels.

use burn::optim::{Adam, AdamConfig, AdamState, AdaptiveMomentumState, LearningRate, ModuleOptimizer, Optimizer};
use burn::tensor::{DType, Device, Tensor, TensorData};

use super::adam_state::{AdamOptimizer, LiveStates, SnapshotState};
use crate::model::is_cpu;

/// Second-moment decay rate (burn's default).
const BETA_2: f32 = 0.999;
/// Added to the root of the second moment (burn's default, which is not the paper's 1e-8).
const EPSILON: f32 = 1e-5;

/// Adam (Kingma & Ba, 2015) without weight decay or AMSGrad, as burn's `AdamConfig` defines it,
/// run in one fused pass per parameter on the CPU.
#[derive(Clone)]
pub struct FusedAdam {
    beta_1: f32,
    /// burn's Adam with the same settings, for devices other than the CPU.
    elsewhere: Adam,
    /// The states this optimiser's steps made, for a read back.
    states: LiveStates,
}

impl FusedAdam {
    /// Adam with first-moment decay `beta_1` (burn's default is 0.9; GANs commonly use 0.5).
    pub fn new(beta_1: f32) -> Self {
        let config = AdamConfig::new()
            .with_beta_1(beta_1)
            .with_beta_2(BETA_2)
            .with_epsilon(EPSILON);
        Self {
            beta_1,
            elsewhere: config.build(),
            states: LiveStates::default(),
        }
    }

    /// Adam with burn's default settings.
    pub fn standard() -> Self {
        Self::new(0.9)
    }

    /// A whole-module optimiser, as `AdamConfig::init` gives, whose state can be read back.
    pub fn init(self) -> AdamOptimizer {
        let states = self.states.clone();
        AdamOptimizer::new(ModuleOptimizer::from(self), states)
    }

    /// One parameter's update, with burn's state.
    fn update<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<AdamState<D>>,
    ) -> (Tensor<D>, Option<AdamState<D>>) {
        let device = tensor.device();
        let fusable = is_cpu(&device)
            && tensor.dtype() == DType::F32
            && grad.dtype() == DType::F32
            && state.as_ref().is_none_or(|s| {
                s.momentum.max_moment_2.is_none()
                    && s.momentum.moment_1.dtype() == DType::F32
                    && s.momentum.moment_2.dtype() == DType::F32
            });
        if !fusable {
            return self.elsewhere.step(lr, tensor, grad, state);
        }
        let shape = tensor.shape();
        let mut parameters = floats(tensor);
        // Read in place: a gradient comes from burn's kernels, whose buffers can be aligned for
        // SIMD, and turning one into a `Vec<f32>` would copy it.
        let gradient = grad.into_data();
        let gradient: &[f32] = gradient.as_slice().expect("checked to be an f32 tensor");
        let (time, mut moment_1, mut moment_2) = match state {
            Some(state) => (
                state.momentum.time + 1,
                floats(state.momentum.moment_1),
                floats(state.momentum.moment_2),
            ),
            None => (1, vec![0.0; parameters.len()], vec![0.0; parameters.len()]),
        };
        let update = UpdateFactors::at(time, self.beta_1, lr);
        update.apply(&mut parameters, gradient, &mut moment_1, &mut moment_2);
        let tensor_of = |values: Vec<f32>| Tensor::from_data(TensorData::new(values, shape.clone()), &device);
        let state = AdamState::new(AdaptiveMomentumState::new(
            time,
            tensor_of(moment_1),
            tensor_of(moment_2),
        ));
        (tensor_of(parameters), Some(state))
    }
}

impl Optimizer for FusedAdam {
    type State<const D: usize> = SnapshotState<D>;

    fn step<const D: usize>(
        &self,
        lr: LearningRate,
        tensor: Tensor<D>,
        grad: Tensor<D>,
        state: Option<SnapshotState<D>>,
    ) -> (Tensor<D>, Option<SnapshotState<D>>) {
        let (tensor, state) = self.update(lr, tensor, grad, state.map(SnapshotState::into_adam));
        let state = state.map(SnapshotState::fresh);
        if let Some(state) = &state {
            self.states.register(state);
        }
        (tensor, state)
    }

    fn to_device<const D: usize>(state: SnapshotState<D>, device: &Device) -> SnapshotState<D> {
        state.to_device(device)
    }
}

/// The values of a CPU tensor (moved out without a copy when nothing else holds them).
fn floats<const D: usize>(tensor: Tensor<D>) -> Vec<f32> {
    tensor
        .into_data()
        .try_into_vec::<f32>()
        .expect("checked to be an f32 tensor")
}

/// The scalars of step `time`, computed as burn's `Adam` computes them.
struct UpdateFactors {
    beta_1: f32,
    /// `sqrt(1 - beta_2^t) / (1 - beta_1^t)`: both bias corrections, applied to the first moment.
    combined: f32,
    /// `epsilon * sqrt(1 - beta_2^t)`: epsilon, moved inside the second moment's correction.
    epsilon: f32,
    learning_rate: f32,
}

impl UpdateFactors {
    fn at(time: usize, beta_1: f32, lr: LearningRate) -> Self {
        let time = time as i32;
        let correction_2 = (1.0 - BETA_2.powi(time)).sqrt();
        Self {
            beta_1,
            combined: correction_2 / (1.0 - beta_1.powi(time)),
            epsilon: EPSILON * correction_2,
            learning_rate: lr as f32,
        }
    }

    /// Updates the moments and the parameters in place, element by element, in burn's order of
    /// operations.
    fn apply(&self, parameters: &mut [f32], gradient: &[f32], moment_1: &mut [f32], moment_2: &mut [f32]) {
        let (keep_1, take_1) = (self.beta_1, 1.0 - self.beta_1);
        let (keep_2, take_2) = (BETA_2, 1.0 - BETA_2);
        for (((p, &g), m), v) in parameters.iter_mut().zip(gradient).zip(moment_1).zip(moment_2) {
            *m = flush_subnormal(*m * keep_1 + g * take_1);
            *v = flush_subnormal(*v * keep_2 + (g * g) * take_2);
            let step = (*m * self.combined) / (v.sqrt() + self.epsilon);
            *p -= step * self.learning_rate;
        }
    }
}

/// `x`, or 0 where it is subnormal (below `f32::MIN_POSITIVE` in size).
///
/// A weight whose gradient is always 0 (one reading a pixel that is blank in every digit, as
/// the border pixels are) sees its first moment decay by `beta_1` each step into the subnormal
/// range after about 800 steps, and its second moment by `beta_2` after about 80,000. Arithmetic
/// on subnormal numbers takes a slow path in x86 processors, in WebAssembly too: measured, one
/// subnormal element in four made this loop nearly 60 times slower. Flushing them changes an update by
/// less than 1e-33.
#[inline(always)]
fn flush_subnormal(x: f32) -> f32 {
    if x.abs() < f32::MIN_POSITIVE { 0.0 } else { x }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::module::Module;
    use burn::nn::{Linear, LinearConfig};
    use burn::optim::GradientsParams;

    /// Trains two copies of a layer for a few steps, one with burn's Adam and one with
    /// [`FusedAdam`], and returns both layers' weights.
    fn train_both(beta_1: f32, steps: usize) -> (Vec<f32>, Vec<f32>) {
        let _turn = crate::seeded_turn();
        let device = Device::flex().autodiff();
        device.seed(3);
        let layer: Linear = LinearConfig::new(5, 4).init(&device);
        let input = Tensor::<2>::random([6, 5], burn::tensor::Distribution::Normal(0.0, 1.0), &device);
        let mut burns = layer.clone();
        let mut ours = layer;
        let mut burn_optimizer = AdamConfig::new().with_beta_1(beta_1).init();
        let mut fused_optimizer = FusedAdam::new(beta_1).init();
        for step in 0..steps {
            let scale = 1.0 + step as f32;
            let grads = GradientsParams::from_grads(
                (burns.forward(input.clone()).powi_scalar(2) * scale).sum().backward(),
                &burns,
            );
            burns = burn_optimizer.step(1e-2, burns, grads);
            let grads = GradientsParams::from_grads(
                (ours.forward(input.clone()).powi_scalar(2) * scale).sum().backward(),
                &ours,
            );
            ours = fused_optimizer.step(1e-2, ours, grads);
        }
        let weights = |layer: Linear| layer.weight.val().into_data().try_into_vec::<f32>().unwrap();
        (weights(burns), weights(ours))
    }

    #[test]
    fn matches_burns_adam_step_for_step() {
        for beta_1 in [0.9, 0.5] {
            let (burns, ours) = train_both(beta_1, 5);
            let (_, untouched) = train_both(beta_1, 0);
            assert!(
                burns.iter().zip(&untouched).any(|(a, b)| a != b),
                "the steps changed nothing"
            );
            for (a, b) in burns.iter().zip(&ours) {
                assert!((a - b).abs() <= 1e-6 * a.abs().max(1.0), "burn {a} against fused {b}");
            }
        }
    }

    #[test]
    fn a_moment_that_decays_below_the_normal_range_becomes_zero() {
        // A weight whose gradient stays 0: its first moment decays by beta_1 every step.
        let update = UpdateFactors::at(50, 0.9, 1e-3);
        let (mut parameter, mut moment_1, mut moment_2) = ([0.5], [4.0 * f32::MIN_POSITIVE], [1.0]);
        for _ in 0..20 {
            update.apply(&mut parameter, &[0.0], &mut moment_1, &mut moment_2);
            assert!(!moment_1[0].is_subnormal(), "moment {:e} left subnormal", moment_1[0]);
        }
        assert_eq!(moment_1[0], 0.0);
        assert!(moment_2[0] > 0.9 && parameter[0] <= 0.5);
    }

    #[test]
    fn keeps_burns_state_so_a_record_is_burns() {
        let device = Device::flex().autodiff();
        let layer: Linear = LinearConfig::new(3, 2).init(&device);
        let mut optimizer = FusedAdam::standard().init();
        let input = Tensor::<2>::ones([1, 3], &device);
        let grads = GradientsParams::from_grads(layer.forward(input).sum().backward(), &layer);
        let layer = optimizer.step(1e-3, layer, grads);
        assert_eq!(layer.num_params(), 8);
        let record = optimizer.inner().to_record();
        assert!(!record.is_empty(), "the optimiser kept no state");
    }
}
