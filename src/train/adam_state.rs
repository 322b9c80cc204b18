//! Adam's per-parameter state, readable without a synchronous read, so that a snapshot taken on
//! WebGPU carries the optimiser with the weights.
//!
//! burn-optim's `ModuleOptimizer::to_record` flattens each parameter's state into `TensorData`
//! synchronously, and its map of states is private. A synchronous read panics on WebGPU in a
//! browser, so the record could only be written on the CPU. [`SnapshotState`] wraps burn's
//! [`AdamState`] with a cell for a copy of it on the CPU, and [`LiveStates`] (held by the
//! optimiser, beside burn's map) reaches every state still in use: [`AdamOptimizer::read_back`]
//! fills the cells asynchronously, and the record that `to_record` then writes comes from those
//! copies. The record's format is burn's own, since the copy is flattened by burn's derive.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock, Weak};

use burn::module::Module;
use burn::optim::{AdamState, AdaptiveMomentumState, GradientsParams, ModuleOptimizer, StateSink, StateSource};
use burn::optim::{LearningRate, RecordState};
use burn::tensor::{Device, Tensor};

use super::readback::{ReadbackError, read_data};

/// Adam's state for one parameter of rank `D`, with its copy on the CPU once read back.
#[derive(Clone)]
pub struct SnapshotState<const D: usize>(Arc<Slot<D>>);

struct Slot<const D: usize> {
    adam: AdamState<D>,
    on_cpu: OnceLock<AdamState<D>>,
}

impl<const D: usize> SnapshotState<D> {
    /// A state just computed on the parameter's device, not yet read back.
    pub(crate) fn fresh(adam: AdamState<D>) -> Self {
        Self(Arc::new(Slot {
            adam,
            on_cpu: OnceLock::new(),
        }))
    }

    /// burn's state, moved out when nothing else holds it.
    pub(crate) fn into_adam(self) -> AdamState<D> {
        Arc::try_unwrap(self.0)
            .map(|slot| slot.adam)
            .unwrap_or_else(|shared| shared.adam.clone())
    }

    /// The state on `device`, keeping the copy read back (moving changes no value).
    pub(crate) fn to_device(self, device: &Device) -> Self {
        if self.0.adam.momentum.moment_1.device() == *device {
            return self;
        }
        let on_cpu = self.0.on_cpu.clone();
        let moved = AdamState::new(self.0.adam.momentum.clone().to_device(device));
        Self(Arc::new(Slot { adam: moved, on_cpu }))
    }
}

impl<const D: usize> RecordState for SnapshotState<D> {
    /// Flattens the copy on the CPU where there is one, otherwise burn's state as it is (a
    /// synchronous read: on WebGPU only after [`AdamOptimizer::read_back`]).
    fn state_flatten(&self, prefix: &str, out: &mut StateSink) {
        self.0.on_cpu.get().unwrap_or(&self.0.adam).state_flatten(prefix, out);
    }

    /// Rebuilds the state on the CPU, whatever device burn asks for (the next step moves it to
    /// the parameter's device), so it is its own copy and needs no read back.
    fn state_unflatten(prefix: &str, src: &mut StateSource, _device: &Device) -> Option<Self> {
        let adam = AdamState::<D>::state_unflatten(prefix, src, &Device::flex())?;
        let slot = Slot {
            on_cpu: OnceLock::from(adam.clone()),
            adam,
        };
        Some(Self(Arc::new(slot)))
    }
}

/// A read back that a state still in use may need.
type PendingRead<'a> = Pin<Box<dyn Future<Output = Result<(), ReadbackError>> + 'a>>;

/// A state that can copy itself to the CPU asynchronously.
trait ReadBack: Send + Sync {
    /// Whether the copy on the CPU is there.
    fn is_read(&self) -> bool;
    /// Reads the moments back and keeps them as the copy on the CPU.
    fn read(&self) -> PendingRead<'_>;
}

impl<const D: usize> ReadBack for Slot<D> {
    fn is_read(&self) -> bool {
        self.on_cpu.get().is_some()
    }

    fn read(&self) -> PendingRead<'_> {
        Box::pin(async move {
            let momentum = &self.adam.momentum;
            let moment_1 = read_data(momentum.moment_1.clone()).await?;
            let moment_2 = read_data(momentum.moment_2.clone()).await?;
            let cpu = Device::flex();
            let mut copy = AdaptiveMomentumState::new(
                momentum.time,
                Tensor::from_data(moment_1, &cpu),
                Tensor::from_data(moment_2, &cpu),
            );
            if let Some(max) = &momentum.max_moment_2 {
                copy.max_moment_2 = Some(Tensor::from_data(read_data(max.clone()).await?, &cpu));
            }
            let _ = self.on_cpu.set(AdamState::new(copy));
            Ok(())
        })
    }
}

/// The states one optimiser has handed out and may still hold (weakly: a state replaced by the
/// next step is gone from here too).
#[derive(Clone, Default)]
pub struct LiveStates(Arc<Mutex<Vec<Weak<dyn ReadBack>>>>);

/// Dead entries are swept once the list is this long (each step adds one per parameter).
const SWEEP_AT: usize = 256;

impl LiveStates {
    /// Notes a state that a step just made.
    pub(crate) fn register<const D: usize>(&self, state: &SnapshotState<D>) {
        let weak: Weak<dyn ReadBack> = Arc::downgrade(&state.0) as Weak<dyn ReadBack>;
        let mut states = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if states.len() >= SWEEP_AT {
            states.retain(|state| state.strong_count() > 0);
        }
        states.push(weak);
    }

    /// The states in use whose copy on the CPU is missing.
    fn unread(&self) -> Vec<Arc<dyn ReadBack>> {
        let states = self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        states
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|state| !state.is_read())
            .collect()
    }
}

/// Adam over a whole module: burn's `ModuleOptimizer` running [`super::fused_adam::FusedAdam`],
/// with the states it holds reachable for an asynchronous read back.
#[derive(Clone)]
pub struct AdamOptimizer {
    optimizer: ModuleOptimizer,
    states: LiveStates,
}

impl AdamOptimizer {
    pub(crate) fn new(optimizer: ModuleOptimizer, states: LiveStates) -> Self {
        Self { optimizer, states }
    }

    /// Updates `module`'s parameters with `grads` (burn's `ModuleOptimizer::step`).
    pub fn step<M: Module>(&mut self, learning_rate: LearningRate, module: M, grads: GradientsParams) -> M {
        self.optimizer.step(learning_rate, module, grads)
    }

    /// Copies every state in use to the CPU, asynchronously, so that [`AdamOptimizer::to_bytes`]
    /// reads nothing from the device. Needed before `to_bytes` on WebGPU; on the CPU it only copies.
    pub async fn read_back(&self) -> Result<(), ReadbackError> {
        for state in self.states.unread() {
            state.read().await?;
        }
        Ok(())
    }

    /// The state as burn's optimiser record, in burnpack bytes.
    pub fn to_bytes(&self) -> Result<Vec<u8>, String> {
        self.optimizer
            .into_bytes()
            .map(|bytes| bytes.to_vec())
            .map_err(|e| format!("the optimiser state could not be written ({e:?})"))
    }

    /// This (fresh) optimiser holding the state of [`AdamOptimizer::to_bytes`]'s `bytes`.
    pub fn with_bytes(self, bytes: Vec<u8>) -> Result<Self, String> {
        let optimizer = self
            .optimizer
            .from_bytes(burn::tensor::Bytes::from_bytes_vec(bytes))
            .map_err(|e| format!("the optimiser state could not be read ({e:?})"))?;
        Ok(Self {
            optimizer,
            states: self.states,
        })
    }

    /// burn's optimiser underneath (for tests that compare records).
    #[cfg(test)]
    pub(crate) fn inner(&self) -> &ModuleOptimizer {
        &self.optimizer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::fused_adam::FusedAdam;
    use burn::nn::{Linear, LinearConfig};
    use burn::optim::AdamConfig;

    /// One step of `optimizer` on `layer` against a loss that changes with `step`.
    fn step<O>(layer: Linear, step: usize, optimize: &mut O) -> Linear
    where
        O: FnMut(Linear, GradientsParams) -> Linear,
    {
        let device = layer.weight.val().device();
        let input = Tensor::<2>::from_data([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], &device);
        let loss = (layer.forward(input).powi_scalar(2) * (1.0 + step as f32)).sum();
        let grads = GradientsParams::from_grads(loss.backward(), &layer);
        optimize(layer, grads)
    }

    fn weights(layer: &Linear) -> Vec<f32> {
        layer.weight.val().into_data().try_into_vec::<f32>().unwrap()
    }

    #[test]
    fn a_read_back_state_is_written_as_burns_record_and_burns_adam_resumes_from_it() {
        let device = Device::flex().autodiff();
        let mut layer: Linear = LinearConfig::new(3, 2).init(&device);
        let mut ours = FusedAdam::standard().init();
        for n in 0..3 {
            layer = step(layer, n, &mut |l, g| ours.step(1e-2, l, g));
        }
        let read_synchronously = ours.to_bytes().unwrap();
        pollster::block_on(ours.read_back()).unwrap();
        assert!(ours.states.unread().is_empty(), "a state was left unread");
        let read_back = ours.to_bytes().unwrap();
        assert_eq!(read_back, read_synchronously, "the copies wrote another record");

        // burn's own Adam takes the record and goes on exactly as ours does.
        let mut burns = AdamConfig::new()
            .with_epsilon(1e-5)
            .init()
            .from_bytes(burn::tensor::Bytes::from_bytes_vec(read_back))
            .unwrap();
        let (mut with_ours, mut with_burns) = (layer.clone(), layer.clone());
        let mut fresh = FusedAdam::standard().init();
        let mut without_state = layer;
        for n in 3..5 {
            with_ours = step(with_ours, n, &mut |l, g| ours.step(1e-2, l, g));
            with_burns = step(with_burns, n, &mut |l, g| burns.step(1e-2, l, g));
            without_state = step(without_state, n, &mut |l, g| fresh.step(1e-2, l, g));
        }
        for (a, b) in weights(&with_ours).iter().zip(weights(&with_burns)) {
            assert!((a - b).abs() <= 1e-6 * a.abs().max(1.0), "ours {a} against burn's {b}");
        }
        assert_ne!(
            weights(&with_ours),
            weights(&without_state),
            "the state changed nothing"
        );
    }

    #[test]
    fn each_step_leaves_one_state_per_parameter_to_read_and_a_loaded_one_needs_none() {
        let device = Device::flex().autodiff();
        let mut layer: Linear = LinearConfig::new(3, 2).init(&device);
        let mut optimizer = FusedAdam::standard().init();
        for n in 0..4 {
            layer = step(layer, n, &mut |l, g| optimizer.step(1e-2, l, g));
            // The weight's and the bias's: the states the earlier steps replaced are gone.
            assert_eq!(optimizer.states.unread().len(), 2, "after step {n}");
        }
        pollster::block_on(optimizer.read_back()).unwrap();
        assert_eq!(optimizer.states.unread().len(), 0);

        // A state loaded from a record is its own copy: no read back, and it resumes exactly.
        let mut loaded = FusedAdam::standard()
            .init()
            .with_bytes(optimizer.to_bytes().unwrap())
            .unwrap();
        assert_eq!(loaded.states.unread().len(), 0, "a loaded state asked for a read back");
        assert!(!loaded.to_bytes().unwrap().is_empty());
        let resumed = step(layer.clone(), 4, &mut |l, g| loaded.step(1e-2, l, g));
        let went_on = step(layer, 4, &mut |l, g| optimizer.step(1e-2, l, g));
        assert_eq!(weights(&resumed), weights(&went_on));
        assert_eq!(loaded.states.unread().len(), 2, "the next step's states are new");
    }
}
