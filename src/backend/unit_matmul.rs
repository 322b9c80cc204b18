//! A matmul fusion for GPUs without cooperative matrices, through burn's fusion registry.
//!
//! burn's fused matmul (`burn-cubecl-fusion`, optimisation "Matmul") takes a matrix product and
//! the element-wise operations after it (a bias, an activation) as one segment. Built without
//! autotune it runs the segment with a tensor-core (Cmma) kernel, and where the device has no
//! cooperative matrices (SwiftShader; WebGPU where the browser exposes none) that launch fails
//! at every execution and the segment falls back to the plain matmul plus a second kernel for
//! the element-wise part. The same library has fused kernels that need no accelerator (unit tiles in
//! registers); this provider runs the segment with one of them, so the bias and the activation are
//! computed in the matmul's own kernel. Devices with cooperative matrices get burn's own
//! optimisation unchanged. Measured on SwiftShader it gains nothing (README, "Where a WebGPU
//! step's time goes"), so the site is built without it unless asked (feature
//! `webgpu-unit-matmul`).

use burn_cubecl::CubeDevice;
use burn_cubecl::fusion::{CubeFuser, OptimizationProvider, RegistryError};
use burn_cubecl_fusion::CubeFusionHandle;
use burn_cubecl_fusion::FallbackOperation;
use burn_cubecl_fusion::engine::launch::FuseTraceLauncher;
use burn_cubecl_fusion::engine::trace::FuseTrace;
use burn_cubecl_fusion::optim::elemwise::ElemwiseRunner;
use burn_cubecl_fusion::optim::matmul::{
    self, FusedMatmul, FusedMatmulLaunch, FusedMatmulSelector, MatmulFuser, MatmulOptimization,
};
use burn_cubecl_fusion::optim::{CubeOptimization, CubeOptimizationState, FusedOperation};
use burn_fusion::stream::Context;
use burn_fusion::{FuserProperties, FuserStatus, OperationFuser};
use burn_ir::OperationIr;
use serde::{Deserialize, Serialize};

/// The fused kernel a segment runs with where the device has no cooperative matrices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnitKernel {
    /// One output tile per invocation, loaded through shared memory (`SimpleUnit`).
    Simple,
    /// The same with double-buffered loads (`DoubleUnit`).
    DoubleBuffered,
    /// Register tiles straight from global memory, no shared stage (`GemmNoStage`).
    Gemm,
}

impl UnitKernel {
    /// The kernel named `name` (`simple`, `double` or `gemm`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "simple" => Some(Self::Simple),
            "double" => Some(Self::DoubleBuffered),
            "gemm" => Some(Self::Gemm),
            _ => None,
        }
    }

    fn selector(self) -> FusedMatmulSelector {
        match self {
            Self::Simple => FusedMatmulSelector::SimpleUnit,
            Self::DoubleBuffered => FusedMatmulSelector::DoubleUnit,
            Self::Gemm => FusedMatmulSelector::GemmNoStage,
        }
    }
}

/// The matmul fusion the GPU backend uses, by name: `burn` (burn's own), `none` (no matmul
/// fusion: each matmul and the operations after it run as separate kernels), or a [`UnitKernel`]
/// (`simple`, `double`, `gemm`). Must run before the first tensor operation on a fused GPU device;
/// later calls (a device opened again in the same module) change nothing.
pub fn configure(choice: &str) -> Result<(), String> {
    static CONFIGURED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    if CONFIGURED.get().is_some() {
        return Ok(());
    }
    let registered = match choice {
        "burn" => Ok(()),
        "none" => burn_cubecl::fusion::remove(matmul::NAME),
        name => {
            let kernel = UnitKernel::from_name(name).ok_or(format!(
                "no matmul fusion named {name} (burn, none, simple, double or gemm)"
            ))?;
            install(kernel)
        }
    };
    registered.map_err(|e| e.to_string())?;
    let _ = CONFIGURED.set(());
    Ok(())
}

/// Replaces burn's matmul fusion by this one. Must run before the first tensor operation on a
/// fused GPU device.
pub fn install(kernel: UnitKernel) -> Result<(), RegistryError> {
    burn_cubecl::fusion::remove(matmul::NAME)?;
    burn_cubecl::fusion::register(UnitMatmulProvider { kernel })
}

/// Whether `device` multiplies with cooperative matrices (then burn's own fusion is kept).
fn has_cooperative_matrices(device: &CubeDevice) -> bool {
    !device.client().properties().features.matmul.cmma.is_empty()
}

struct UnitMatmulProvider {
    kernel: UnitKernel,
}

impl OptimizationProvider for UnitMatmulProvider {
    type Operation = UnitMatmul;

    fn fuser(&self, device: &CubeDevice) -> CubeFuser {
        CubeFuser::new(UnitMatmulFuser {
            inner: MatmulFuser::new(device.clone()),
            device: device.clone(),
            kernel: self.kernel,
            burns_own: has_cooperative_matrices(device),
        })
    }

    fn restore(&self, device: &CubeDevice, state: &CubeOptimizationState) -> CubeOptimization {
        let state: MatmulState = state.decode();
        if has_cooperative_matrices(device) {
            CubeOptimization::new(MatmulOptimization::from_state(device, state.into_burns()))
        } else {
            CubeOptimization::new(UnitMatmul::new(device, state, self.kernel))
        }
    }
}

/// burn's matmul fuser, finishing into [`UnitMatmul`] where the device has no cooperative
/// matrices: the segments fused are exactly burn's.
#[derive(Clone)]
struct UnitMatmulFuser {
    inner: MatmulFuser,
    device: CubeDevice,
    kernel: UnitKernel,
    burns_own: bool,
}

impl OperationFuser<CubeOptimization> for UnitMatmulFuser {
    fn fuse(&mut self, operation: &OperationIr) {
        self.inner.fuse(operation);
    }

    fn finish(&mut self) -> CubeOptimization {
        let burns = self.inner.finish();
        if self.burns_own {
            return burns;
        }
        let state: MatmulState = burns.to_state().decode();
        CubeOptimization::new(UnitMatmul::new(&self.device, state, self.kernel))
    }

    fn reset(&mut self) {
        self.inner.reset();
    }

    fn status(&self) -> FuserStatus {
        self.inner.status()
    }

    fn properties(&self) -> FuserProperties {
        self.inner.properties()
    }

    fn len(&self) -> usize {
        self.inner.len()
    }

    fn clone_dyn(&self) -> Box<dyn OperationFuser<CubeOptimization>> {
        Box::new(self.clone())
    }
}

/// The state of a fused matmul segment: burn's `MatmulOptimizationState`, field for field (its
/// fields are private to burn; the state is serialised by field name, so the two decode each
/// other's bytes).
#[derive(Clone, Serialize, Deserialize)]
pub struct MatmulState {
    trace: FuseTrace,
    trace_fallback: FuseTrace,
    matmul: FusedMatmul,
    len: usize,
}

impl MatmulState {
    fn into_burns(self) -> matmul::MatmulOptimizationState {
        CubeOptimizationState::new(matmul::NAME, &self).decode()
    }
}

/// A fused matmul segment run by one unit kernel, or where that kernel refuses the shapes, as
/// burn runs it: the plain matmul, then the element-wise part.
pub struct UnitMatmul {
    state: MatmulState,
    device: CubeDevice,
    kernel: UnitKernel,
}

impl UnitMatmul {
    fn new(device: &CubeDevice, state: MatmulState, kernel: UnitKernel) -> Self {
        Self {
            state,
            device: device.clone(),
            kernel,
        }
    }
}

impl FusedOperation for UnitMatmul {
    // burn's name, so that a plan serialised with either restores through this provider.
    const NAME: &'static str = matmul::NAME;
    type State = MatmulState;

    fn num_ops_fused(&self) -> usize {
        self.state.len
    }

    fn max_relative_shape_id(&self) -> Option<usize> {
        [
            self.state.trace.max_relative_shape_id(),
            self.state.trace_fallback.max_relative_shape_id(),
        ]
        .into_iter()
        .flatten()
        .max()
    }

    fn run(&mut self, context: &mut Context<CubeFusionHandle>, fallback: &dyn Fn(usize) -> Box<dyn FallbackOperation>) {
        let client = self.device.client();
        let launch = FusedMatmulLaunch::new(&self.state.matmul, self.kernel.selector());
        if FuseTraceLauncher::new(&self.state.trace, &launch)
            .launch(&client, &self.device, context)
            .is_ok()
        {
            return;
        }
        // The matmul is always the segment's first operation.
        fallback(0).run(context);
        FuseTraceLauncher::new(&self.state.trace_fallback, &ElemwiseRunner)
            .launch(&client, &self.device, context)
            .expect("the element-wise part of a matmul segment always launches");
    }

    fn to_state(&self) -> MatmulState {
        self.state.clone()
    }

    /// Restoring goes through [`UnitMatmulProvider::restore`], which knows the kernel chosen;
    /// this is burn's generic path, which gets the default one.
    fn from_state(device: &CubeDevice, state: MatmulState) -> Self {
        Self::new(device, state, UnitKernel::Simple)
    }
}
