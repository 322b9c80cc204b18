//! The matmul fusion of `genplay::backend::unit_matmul` on burn's wgpu runtime: a matrix product
//! with its bias and activation gives burn's CPU values, forward and backward, and runs as one
//! kernel where burn's own fusion needs two. Needs the wgpu runtime and a Vulkan device, so it is
//! not part of CI's test run; over Chromium's SwiftShader:
//!
//!     VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json \
//!       cargo test --release --features native-webgpu --test unit_matmul
#![cfg(feature = "native-webgpu")]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use burn::tensor::activation::relu;
use burn::tensor::{Device, Distribution, Tensor, TensorData};
use burn_cubecl::cubecl::logging::{LaunchObservation, LaunchObserver};

/// The wgpu device (autodiff), opened once with the unit fusion installed (or the fusion
/// `GENPLAY_MATMUL_FUSION` names: with `burn`, the one-kernel test fails, as it should).
fn gpu() -> Device {
    static DEVICE: OnceLock<Device> = OnceLock::new();
    DEVICE
        .get_or_init(|| {
            let fusion = std::env::var("GENPLAY_MATMUL_FUSION").unwrap_or("simple".into());
            genplay::backend::unit_matmul::configure(&fusion).unwrap();
            Device::wgpu_options()
                .init()
                .expect("a Vulkan device (see the file's header)")
                .autodiff()
        })
        .clone()
}

/// Counts the kernels launched while it is installed.
#[derive(Default)]
struct Launches(AtomicUsize, Mutex<Vec<&'static str>>);

impl LaunchObserver for Launches {
    fn launched(&self, kernel: &'static str) {
        self.0.fetch_add(1, Ordering::Relaxed);
        self.1.lock().unwrap().push(kernel);
    }
}

fn random(shape: [usize; 2], seed: u64) -> TensorData {
    let cpu = Device::flex();
    cpu.seed(seed);
    Tensor::<2>::random(shape, Distribution::Normal(0.0, 1.0), &cpu).into_data()
}

/// `relu(x w + b)`, its value and the gradients of its sum with respect to x, w and b.
fn layer(x: &TensorData, w: &TensorData, b: &TensorData, device: &Device) -> [TensorData; 4] {
    let x = Tensor::<2>::from_data(x.clone(), device).require_grad();
    let w = Tensor::<2>::from_data(w.clone(), device).require_grad();
    let b = Tensor::<1>::from_data(b.clone(), device).require_grad();
    let y = relu(x.clone().matmul(w.clone()) + b.clone().unsqueeze());
    let grads = y.clone().sum().backward();
    [
        y.into_data(),
        x.grad(&grads).unwrap().into_data(),
        w.grad(&grads).unwrap().into_data(),
        b.grad(&grads).unwrap().into_data(),
    ]
}

#[test]
fn a_fused_layer_gives_the_cpus_values_forward_and_backward() {
    // The benchmark's shapes, and ragged ones that fit no tile.
    for (m, k, n) in [
        (64, 784, 256),
        (64, 256, 32),
        (64, 32, 256),
        (64, 256, 784),
        (7, 13, 5),
        (64, 512, 1),
    ] {
        let x = random([m, k], 1);
        let w = random([k, n], 2);
        let b = random([1, n], 3);
        let b = TensorData::new(b.try_to_vec::<f32>().unwrap(), [n]);
        let on_gpu = layer(&x, &w, &b, &gpu());
        let on_cpu = layer(&x, &w, &b, &Device::flex().autodiff());
        for (what, (gpu, cpu)) in ["value", "dx", "dw", "db"].iter().zip(on_gpu.iter().zip(&on_cpu)) {
            let (gpu, cpu) = (gpu.try_to_vec::<f32>().unwrap(), cpu.try_to_vec::<f32>().unwrap());
            let scale = cpu.iter().fold(1.0f32, |s, v| s.max(v.abs()));
            let worst = gpu.iter().zip(&cpu).map(|(g, c)| (g - c).abs()).fold(0.0f32, f32::max);
            assert!(
                worst <= 1e-4 * scale,
                "{m}x{k}x{n} {what}: off by {worst} (largest value {scale})"
            );
        }
    }
}

#[test]
fn a_matmul_with_its_bias_and_activation_runs_as_one_kernel() {
    let device = gpu();
    let x = Tensor::<2>::from_data(random([64, 256], 4), &device);
    let w = Tensor::<2>::from_data(random([256, 128], 5), &device);
    let b = Tensor::<2>::from_data(random([1, 128], 6), &device);
    // Inputs uploaded and settled before counting.
    let _ = (x.clone().sum() + w.clone().sum() + b.clone().sum()).into_data();
    let launches = Arc::new(Launches::default());
    let watching = LaunchObservation::new(launches.clone());
    let y = relu(x.matmul(w) + b);
    let _ = y.clone().into_data();
    drop(watching);
    let names = launches.1.lock().unwrap().clone();
    assert_eq!(launches.0.load(Ordering::Relaxed), 1, "kernels launched: {names:?}");
}
