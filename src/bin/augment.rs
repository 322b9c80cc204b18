//! Runs the data-augmentation experiment natively, with the same code as the browser's Augment
//! panel, and prints the accuracy table in Markdown:
//!
//!     cargo run --release --bin augment -- [--per-class 5,10,50] [--seeds 5]
//!
//! The shipped conditional VAE and GAN (`public/weights`) supply the pretrained arms.

use std::path::Path;
use std::time::Instant;

use burn::tensor::Device;
use genplay::data::MnistSplit;
use genplay::experiment::augment::{AugmentArm, AugmentExperiment, AugmentPlan};
use genplay::train::ModelKind;
use genplay::train::sessions::shipped_session;

const USAGE: &str = "usage: augment [--per-class 5,10,50] [--seeds 5]";

fn main() {
    if let Err(problem) = run() {
        eprintln!("augment: {problem}\n{USAGE}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let (mut per_class, mut seeds) = (vec![5, 10, 50], 5);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--per-class" => {
                per_class = value
                    .split(',')
                    .map(|k| k.trim().parse().map_err(|e| format!("--per-class: {e}")))
                    .collect::<Result<_, _>>()?
            }
            "--seeds" => seeds = value.parse().map_err(|e| format!("--seeds: {e}"))?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("public");
    let data = MnistSplit::read_folder(&root.join("data"))?;
    let device = Device::flex().autodiff();
    let shipped = |kind: ModelKind| shipped_session(&root.join("weights"), kind, &data, &device);
    println!("| K per class | arm | held-out accuracy, mean ± sd over {seeds} seeds | per seed |");
    println!("|---|---|---|---|");
    for k in per_class {
        let plan = AugmentPlan {
            seeds,
            arms: AugmentArm::ALL.to_vec(),
            ..AugmentPlan::new(k)
        };
        let pretrained = vec![
            (AugmentArm::PretrainedCvae, shipped(ModelKind::Cvae)?),
            (AugmentArm::PretrainedCgan, shipped(ModelKind::Cgan)?),
        ];
        let started = Instant::now();
        let mut experiment = AugmentExperiment::new(plan, data.clone(), pretrained, &device)?;
        while !experiment.is_finished() {
            pollster::block_on(experiment.advance(500)).map_err(|e| e.to_string())?;
        }
        for outcome in experiment.outcomes() {
            let per_seed: Vec<String> = outcome.accuracies.iter().map(|a| format!("{:.1}", a * 100.0)).collect();
            println!(
                "| {k} | {} | {:.1}% ± {:.1} | {} |",
                outcome.arm.label(),
                outcome.mean() * 100.0,
                outcome.spread() * 100.0,
                per_seed.join(", ")
            );
        }
        eprintln!("K = {k}: {:.0} s", started.elapsed().as_secs_f64());
    }
    Ok(())
}
