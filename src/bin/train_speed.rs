//! Native training speed of the benchmark workloads (batch 64, Adam; the shapes of
//! `../shared/bench/tfjs`), with the same model code as the site, on burn's CPU backend and,
//! built with the feature `native-webgpu`, on burn's wgpu runtime (WebGPU's shader path, natively
//! over Vulkan, Metal or DX12): how fast the browser's WebGPU path could be on a real GPU.
//!
//!     cargo run --release --bin train-speed -- [--seconds 5] [--backend cpu|webgpu|both] [--model ae_mlp]
//!     cargo run --release --features native-webgpu --bin train-speed -- --backend both
//!
//! With `--kernels STEPS` (wgpu only) it times every kernel of STEPS steps after the warm-up, one
//! kernel at a time (cubecl's launch observer), and prints where a step's device time goes.
//! `GENPLAY_MATMUL_FUSION` picks the matmul fusion (`genplay::backend::unit_matmul::configure`).
//! Over Chromium's own SwiftShader (the adapter the browser tests use), on Linux:
//!
//!     VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json \
//!       cargo run --release --features native-webgpu --bin train-speed -- --backend webgpu --kernels 8
//!
//! Losses are read back every 8 steps, as the site's worker reads them once per slice.

use std::time::Instant;

use burn::tensor::Device;
use genplay::data::MnistSplit;
use genplay::train::sessions::start_session;
use genplay::train::{Hyperparameters, ModelKind, Session, read_floats};

/// The benchmark's workloads.
const WORKLOADS: [ModelKind; 4] = [ModelKind::AeMlp, ModelKind::VaeMlp, ModelKind::GanMlp, ModelKind::Dcgan];
/// Steps between two read-backs of the losses.
const READ_EVERY: usize = 8;
/// Untimed steps first (kernel compilation, autotuning, allocation).
const WARM_UP_STEPS: usize = 16;

const USAGE: &str =
    "usage: train-speed [--seconds S] [--backend cpu|webgpu|both] [--model ID] [--data DIR] [--kernels STEPS]";

fn main() {
    if let Err(problem) = run() {
        eprintln!("train-speed: {problem}\n{USAGE}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let (mut seconds, mut backend) = (5.0f64, "cpu".to_string());
    let mut workloads = WORKLOADS.to_vec();
    let mut kernel_steps = None;
    let mut data_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("public/data");
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--seconds" => seconds = value.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--backend" => backend = value,
            "--data" => data_dir = value.into(),
            "--kernels" => kernel_steps = Some(value.parse().map_err(|e| format!("--kernels: {e}"))?),
            "--model" => workloads = vec![ModelKind::from_id(&value).ok_or(format!("unknown model {value}"))?],
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let data = MnistSplit::read_folder(&data_dir)?;
    let mut devices = Vec::new();
    if backend == "cpu" || backend == "both" {
        devices.push(("CPU (flex, one thread)".to_string(), Device::flex().autodiff()));
    }
    if backend == "webgpu" || backend == "both" {
        devices.push(webgpu_device()?);
    }
    if devices.is_empty() {
        return Err(format!("unknown backend {backend}"));
    }
    if let Some(steps) = kernel_steps {
        let (name, device) = devices
            .pop()
            .filter(|(name, _)| name.starts_with("wgpu"))
            .ok_or("--kernels needs --backend webgpu")?;
        println!("{name}");
        for &kind in &workloads {
            kernels::profile(kind, &data, &device, steps)?;
        }
        return Ok(());
    }
    println!("| backend | workload | steps/s | steps timed |");
    println!("|---|---|---|---|");
    for (name, device) in &devices {
        for &kind in &workloads {
            let (rate, steps) = measure(kind, &data, device, seconds)?;
            println!("| {name} | {} | {rate:.1} | {steps} |", kind.id());
        }
    }
    Ok(())
}

/// Trains `steps` steps of `session`, reading the losses back every [`READ_EVERY`] steps and
/// after the last.
fn train(session: &mut dyn Session, kind: ModelKind, steps: usize) -> Result<(), String> {
    for done in 1..=steps {
        let losses = session.step();
        if done % READ_EVERY == 0 || done == steps {
            let values = pollster::block_on(read_floats(losses)).map_err(|e| e.to_string())?;
            if values.iter().any(|v| !v.is_finite()) {
                return Err(format!("{}: the loss is not finite", kind.id()));
            }
        }
    }
    Ok(())
}

/// Steps per second of `kind` on `device` over about `seconds`, after a warm-up.
fn measure(kind: ModelKind, data: &MnistSplit, device: &Device, seconds: f64) -> Result<(f64, usize), String> {
    let mut session = start_session(kind, &Hyperparameters::defaults(kind), data, device);
    let mut run = |steps: usize| train(session.as_mut(), kind, steps);
    run(WARM_UP_STEPS)?;
    let started = Instant::now();
    let mut steps = 0;
    while started.elapsed().as_secs_f64() < seconds {
        run(READ_EVERY)?;
        steps += READ_EVERY;
    }
    Ok((steps as f64 / started.elapsed().as_secs_f64(), steps))
}

/// Opens burn's wgpu device, with the matmul fusion `GENPLAY_MATMUL_FUSION` names (see
/// `genplay::backend::unit_matmul::configure`; burn's own, as on the site, when unset).
#[cfg(feature = "native-webgpu")]
fn webgpu_device() -> Result<(String, Device), String> {
    let fusion = std::env::var("GENPLAY_MATMUL_FUSION").unwrap_or("burn".into());
    genplay::backend::unit_matmul::configure(&fusion)?;
    println!("matmul fusion: {fusion}");
    let device = Device::wgpu_options()
        .init()
        .map_err(|e| format!("wgpu could not start: {e}"))?;
    Ok(("wgpu (native, WGSL)".to_string(), device.autodiff()))
}

#[cfg(not(feature = "native-webgpu"))]
fn webgpu_device() -> Result<(String, Device), String> {
    Err("this build has no wgpu runtime: build it with --features native-webgpu".into())
}

/// Where a step's device time goes on the wgpu runtime: every kernel of a few steps timed alone.
#[cfg(feature = "native-webgpu")]
mod kernels {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    use std::time::Instant;

    use burn::tensor::Device;
    use burn_cubecl::cubecl::config::{TypeNameFormatLevel, type_name_format};
    use burn_cubecl::cubecl::logging::{Duration, LaunchObservation, LaunchObserver, TimingMethod, TimingRequest};
    use genplay::data::MnistSplit;
    use genplay::train::sessions::start_session;
    use genplay::train::{Hyperparameters, ModelKind};

    use super::{WARM_UP_STEPS, train};

    /// Launches and device time per kernel name, and how they were timed.
    #[derive(Default)]
    struct KernelTimes {
        by_kernel: Mutex<HashMap<&'static str, (usize, f64)>>,
        methods: Mutex<HashMap<String, usize>>,
    }

    impl LaunchObserver for KernelTimes {
        fn launched(&self, _kernel: &'static str) {}

        fn timing(&self) -> TimingRequest {
            TimingRequest::Resolved
        }

        fn timed(&self, kernel: &'static str, duration: Duration, method: TimingMethod) {
            let mut by_kernel = self.by_kernel.lock().unwrap();
            let entry = by_kernel.entry(kernel).or_default();
            entry.0 += 1;
            entry.1 += duration.as_secs_f64();
            *self.methods.lock().unwrap().entry(format!("{method:?}")).or_default() += 1;
        }
    }

    /// Prints, for `steps` steps of `kind` after the warm-up, each kernel's launches and device
    /// time per step (largest first) beside the step's time untimed.
    pub fn profile(kind: ModelKind, data: &MnistSplit, device: &Device, steps: usize) -> Result<(), String> {
        let mut session = start_session(kind, &Hyperparameters::defaults(kind), data, device);
        let started = Instant::now();
        train(session.as_mut(), kind, 1)?;
        let first_step = started.elapsed().as_secs_f64();
        train(session.as_mut(), kind, WARM_UP_STEPS - 1)?;
        let started = Instant::now();
        train(session.as_mut(), kind, steps)?;
        let untimed = started.elapsed().as_secs_f64() / steps as f64;

        let times = Arc::new(KernelTimes::default());
        let watching = LaunchObservation::new(times.clone());
        train(session.as_mut(), kind, steps)?;
        drop(watching);

        // Kernels by their short names (two full names may shorten to one: their figures add up).
        let mut by_name: HashMap<String, (usize, f64)> = HashMap::new();
        for (name, &(launches, seconds)) in times.by_kernel.lock().unwrap().iter() {
            let entry = by_name
                .entry(type_name_format(name, TypeNameFormatLevel::Short))
                .or_default();
            entry.0 += launches;
            entry.1 += seconds;
        }
        let mut rows: Vec<(String, usize, f64)> = by_name.into_iter().map(|(name, (n, t))| (name, n, t)).collect();
        rows.sort_by(|a, b| b.2.total_cmp(&a.2));
        let total: f64 = rows.iter().map(|r| r.2).sum();
        let launches: usize = rows.iter().map(|r| r.1).sum();
        let per_step = |x: f64| x / steps as f64;
        println!(
            "\n{}: first step {:.2} s; a step {:.1} ms untimed; timed kernel by kernel {:.1} ms of device time \
             in {} launches per step ({:?})",
            kind.id(),
            first_step,
            untimed * 1e3,
            per_step(total) * 1e3,
            launches / steps,
            times.methods.lock().unwrap(),
        );
        println!("| kernel | launches per step | ms per step | share |");
        println!("|---|---|---|---|");
        for (name, n, t) in rows {
            println!(
                "| {name} | {:.1} | {:.2} | {:.1}% |",
                n as f64 / steps as f64,
                per_step(t) * 1e3,
                100.0 * t / total.max(f64::MIN_POSITIVE)
            );
        }
        Ok(())
    }
}

#[cfg(not(feature = "native-webgpu"))]
mod kernels {
    use burn::tensor::Device;
    use genplay::data::MnistSplit;
    use genplay::train::ModelKind;

    /// Without the wgpu runtime there are no kernels to time.
    pub fn profile(_: ModelKind, _: &MnistSplit, _: &Device, _: usize) -> Result<(), String> {
        Err("--kernels times wgpu kernels: build with --features native-webgpu".into())
    }
}
