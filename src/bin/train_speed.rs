//! Native training speed of the benchmark workloads (batch 64, Adam; the shapes of
//! `../shared/bench/tfjs`), with the same model code as the site, on burn's CPU backend and,
//! built with the feature `native-webgpu`, on burn's wgpu runtime (WebGPU's shader path, natively
//! over Vulkan, Metal or DX12): how fast the browser's WebGPU path could be on a real GPU.
//!
//!     cargo run --release --bin train-speed -- [--seconds 5] [--backend cpu|webgpu|both] [--model ae_mlp]
//!     cargo run --release --features native-webgpu --bin train-speed -- --backend both
//!
//! Losses are read back every 8 steps, as the site's worker reads them once per slice.

use std::time::Instant;

use burn::tensor::Device;
use genplay::data::MnistSplit;
use genplay::train::sessions::start_session;
use genplay::train::{Hyperparameters, ModelKind, read_floats};

/// The benchmark's workloads.
const WORKLOADS: [ModelKind; 4] = [ModelKind::AeMlp, ModelKind::VaeMlp, ModelKind::GanMlp, ModelKind::Dcgan];
/// Steps between two read-backs of the losses.
const READ_EVERY: usize = 8;
/// Untimed steps first (kernel compilation, autotuning, allocation).
const WARM_UP_STEPS: usize = 16;

const USAGE: &str = "usage: train-speed [--seconds S] [--backend cpu|webgpu|both] [--model ID] [--data DIR]";

fn main() {
    if let Err(problem) = run() {
        eprintln!("train-speed: {problem}\n{USAGE}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let (mut seconds, mut backend) = (5.0f64, "cpu".to_string());
    let mut workloads = WORKLOADS.to_vec();
    let mut data_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("public/data");
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--seconds" => seconds = value.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--backend" => backend = value,
            "--data" => data_dir = value.into(),
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

/// Steps per second of `kind` on `device` over about `seconds`, after a warm-up.
fn measure(kind: ModelKind, data: &MnistSplit, device: &Device, seconds: f64) -> Result<(f64, usize), String> {
    let mut session = start_session(kind, &Hyperparameters::defaults(kind), data, device);
    let mut run = |steps: usize| -> Result<(), String> {
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
    };
    run(WARM_UP_STEPS)?;
    let started = Instant::now();
    let mut steps = 0;
    while started.elapsed().as_secs_f64() < seconds {
        run(READ_EVERY)?;
        steps += READ_EVERY;
    }
    Ok((steps as f64 / started.elapsed().as_secs_f64(), steps))
}

#[cfg(feature = "native-webgpu")]
fn webgpu_device() -> Result<(String, Device), String> {
    let device = Device::wgpu_options()
        .init()
        .map_err(|e| format!("wgpu could not start: {e}"))?;
    Ok(("wgpu (native, WGSL)".to_string(), device.autodiff()))
}

#[cfg(not(feature = "native-webgpu"))]
fn webgpu_device() -> Result<(String, Device), String> {
    Err("this build has no wgpu runtime: build it with --features native-webgpu".into())
}
