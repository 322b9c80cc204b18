//! The mode-collapse lab's remedies on the MNIST GANs, natively, with the same sessions the
//! Train panel trains: each remedy for several seeds, then the Compare panel's scores of 1,000
//! samples (the shipped digit classifier's classes covered and Fréchet distance to the held-out
//! digits), printed as a Markdown table:
//!
//!     cargo run --release --features pretrain --bin remedies -- [--models gan_mlp,dcgan]
//!         [--seeds 3] [--steps 2000] [--arms gan,lsgan,…]

use std::path::Path;
use std::time::Instant;

use burn::tensor::{Device, Tensor};
use genplay::data::MnistSplit;
use genplay::eval::compare::{classifier_features, score_model};
use genplay::eval::metrics::mean_sd;
use genplay::model::gan_loss::{GanLoss, GanRemedies};
use genplay::train::sessions::start_session;
use genplay::train::{Hyperparameters, ModelKind, classifier_from_file, read_floats};
use genplay::weights::WeightsFile;

const USAGE: &str = "usage: remedies [--models gan_mlp,dcgan] [--seeds 3] [--steps 2000] [--arms gan,lsgan,…]";
/// Samples each trained generator is scored on.
const SAMPLES: usize = 1_000;

/// The remedies compared, by id, as the Modes lab's table names them.
fn arms() -> Vec<(&'static str, &'static str, GanRemedies)> {
    let plain = GanRemedies::default();
    vec![
        ("gan", "GAN (non-saturating)", plain),
        (
            "lsgan",
            "least squares",
            GanRemedies {
                loss: GanLoss::LeastSquares,
                ..plain
            },
        ),
        (
            "hinge",
            "hinge + spectral norm",
            GanRemedies {
                loss: GanLoss::Hinge,
                spectral_norm: true,
                ..plain
            },
        ),
        (
            "wgan",
            "Wasserstein + spectral norm",
            GanRemedies {
                loss: GanLoss::Wasserstein,
                ..plain
            },
        ),
        (
            "mbstd",
            "+ minibatch std",
            GanRemedies {
                minibatch_std: true,
                ..plain
            },
        ),
        ("pac2", "PacGAN2", GanRemedies { pack: 2, ..plain }),
        (
            "ttur",
            "two timescales (D lr x4)",
            GanRemedies {
                discriminator_lr_ratio: 4.0,
                ..plain
            },
        ),
    ]
}

fn main() {
    if let Err(problem) = run() {
        eprintln!("remedies: {problem}\n{USAGE}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let (mut models, mut seeds, mut steps) = (vec![ModelKind::GanMlp, ModelKind::Dcgan], 3u64, 2_000usize);
    let mut chosen: Option<Vec<String>> = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--models" => {
                models = value
                    .split(',')
                    .map(|m| ModelKind::from_id(m.trim()).ok_or(format!("unknown model {m}")))
                    .collect::<Result<_, _>>()?
            }
            "--seeds" => seeds = value.parse().map_err(|e| format!("--seeds: {e}"))?,
            "--steps" => steps = value.parse().map_err(|e| format!("--steps: {e}"))?,
            "--arms" => chosen = Some(value.split(',').map(|a| a.trim().to_string()).collect()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("public");
    let data = MnistSplit::read_folder(&root.join("data"))?;
    let cpu = Device::flex();
    let device = cpu.clone().autodiff();
    let judge_file = std::fs::read(root.join("weights/classifier.bpk")).map_err(|e| e.to_string())?;
    let judge = classifier_from_file(WeightsFile::parse(&judge_file).map_err(|e| e.to_string())?, &cpu)
        .map_err(|e| e.to_string())?;
    let held_out: Tensor<2> = genplay::train::batches::upload(&data.held_out, &cpu);
    let held_out_features = pollster::block_on(classifier_features(&judge, &held_out)).map_err(|e| e.to_string())?;
    println!(
        "| model | remedy | classes covered (of 10), mean ± sd | Fréchet distance, mean ± sd | per seed (FD) | steps/s |"
    );
    println!("|---|---|---|---|---|---|");
    for &kind in &models {
        for (id, label, remedies) in arms() {
            if chosen.as_ref().is_some_and(|c| !c.iter().any(|a| a == id)) {
                continue;
            }
            let (mut covered, mut frechet, mut seconds) = (Vec::new(), Vec::new(), 0.0);
            for seed in 1..=seeds {
                let settings = Hyperparameters {
                    seed,
                    step_budget: steps,
                    remedies,
                    ..Hyperparameters::defaults(kind)
                };
                let mut session = start_session(kind, &settings, &data, &device);
                let started = Instant::now();
                for _ in 0..steps {
                    session.step();
                }
                let last = pollster::block_on(read_floats(session.step())).map_err(|e| e.to_string())?;
                seconds += started.elapsed().as_secs_f64();
                let scores = pollster::block_on(score_model(
                    session.as_ref(),
                    &judge,
                    &held_out,
                    &held_out_features,
                    SAMPLES,
                    seed,
                    &cpu,
                ))
                .map_err(|e| e.to_string())?;
                let finite = last.iter().all(|l| l.is_finite());
                covered.push(scores.samples.classes_covered as f64);
                frechet.push(if finite { scores.frechet } else { f64::NAN });
            }
            let ((c, c_sd), (f, f_sd)) = (mean_sd(&covered), mean_sd(&frechet));
            let per_seed: Vec<String> = frechet.iter().map(|f| format!("{f:.1}")).collect();
            println!(
                "| {} | {label} | {c:.1} ± {c_sd:.1} | {f:.1} ± {f_sd:.1} | {} | {:.0} |",
                kind.id(),
                per_seed.join(", "),
                (steps + 1) as f64 * seeds as f64 / seconds
            );
        }
    }
    Ok(())
}
