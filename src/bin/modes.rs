//! Runs the mode-collapse lab natively, with the same code as the browser's Modes panel: each
//! model and each GAN remedy on the ring and the grid, for several seeds, then prints the table
//! of modes captured and high-quality samples (as VEEGAN and PacGAN count them) in Markdown:
//!
//!     cargo run --release --bin modes -- [--data ring,grid] [--seeds 5] [--steps 3000] [--arms gan,pac4,…]
//!         [--lr 1e-3] [--dsteps 1] [--batch 128] [--dlr 1]
//!
//! `--lr`, `--dsteps`, `--batch` set every arm's learning rate, discriminator steps and batch;
//! `--dlr` every GAN arm's discriminator learning-rate ratio. The arms `collapse` and `fixed`
//! are the Modes panel's two presets, with their own settings whatever the flags say.

use std::time::Instant;

use burn::tensor::Device;
use genplay::data::toy2d::Toy2d;
use genplay::eval::metrics::mean_sd;
use genplay::lab::{LabModel, LabPreset, LabSession, LabSettings, SCORED_SAMPLES, score};
use genplay::model::gan_loss::{GanLoss, GanRemedies};
use genplay::train::read_floats;

const USAGE: &str = "usage: modes [--data ring,grid] [--seeds 5] [--steps 3000] [--arms a,b,…] [--lr 1e-3] [--dsteps 1] [--batch 128] [--dlr 1]";

/// One row of the table: a model and its remedies.
struct Arm {
    id: &'static str,
    label: &'static str,
    model: LabModel,
    remedies: GanRemedies,
    /// A preset of the panel, whose settings the arm takes whole (data and seed aside).
    preset: Option<LabPreset>,
}

fn arms() -> Vec<Arm> {
    let gan = |id, label, remedies: GanRemedies| Arm {
        id,
        label,
        model: LabModel::Gan,
        remedies,
        preset: None,
    };
    let preset = |id, label, preset: LabPreset| Arm {
        id,
        label,
        model: preset.settings().model,
        remedies: preset.settings().remedies,
        preset: Some(preset),
    };
    let plain = GanRemedies::default();
    vec![
        Arm {
            id: "ae",
            label: "Autoencoder (codes from N(0, I))",
            model: LabModel::Autoencoder,
            remedies: plain,
            preset: None,
        },
        Arm {
            id: "vae",
            label: "VAE",
            model: LabModel::Vae,
            remedies: plain,
            preset: None,
        },
        gan("gan", "GAN (non-saturating)", plain),
        gan(
            "lsgan",
            "GAN, least squares",
            GanRemedies {
                loss: GanLoss::LeastSquares,
                ..plain
            },
        ),
        gan(
            "hinge",
            "GAN, hinge + spectral norm",
            GanRemedies {
                loss: GanLoss::Hinge,
                spectral_norm: true,
                ..plain
            },
        ),
        gan(
            "wgan",
            "GAN, Wasserstein + spectral norm",
            GanRemedies {
                loss: GanLoss::Wasserstein,
                ..plain
            },
        ),
        gan(
            "mbstd",
            "GAN + minibatch std",
            GanRemedies {
                minibatch_std: true,
                ..plain
            },
        ),
        gan("pac2", "PacGAN2", GanRemedies { pack: 2, ..plain }),
        gan("pac4", "PacGAN4", GanRemedies { pack: 4, ..plain }),
        gan(
            "ttur",
            "GAN, two timescales (D lr x4)",
            GanRemedies {
                discriminator_lr_ratio: 4.0,
                ..plain
            },
        ),
        preset("collapse", "preset: Watch it collapse", LabPreset::WatchItCollapse),
        preset("fixed", "preset: Fixed", LabPreset::Fixed),
    ]
}

fn main() {
    if let Err(problem) = run() {
        eprintln!("modes: {problem}\n{USAGE}");
        std::process::exit(1);
    }
}

fn list<T>(value: &str, parse: impl Fn(&str) -> Option<T>, what: &str) -> Result<Vec<T>, String> {
    value
        .split(',')
        .map(|v| parse(v.trim()).ok_or(format!("unknown {what} {v}")))
        .collect()
}

fn run() -> Result<(), String> {
    let (mut datasets, mut seeds, mut steps) = (vec![Toy2d::Ring, Toy2d::Grid], 5u64, 3_000usize);
    let mut chosen: Option<Vec<String>> = None;
    let mut base = LabSettings::default();
    let mut dlr: Option<f64> = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--data" => datasets = list(&value, Toy2d::from_id, "dataset")?,
            "--seeds" => seeds = value.parse().map_err(|e| format!("--seeds: {e}"))?,
            "--steps" => steps = value.parse().map_err(|e| format!("--steps: {e}"))?,
            "--lr" => base.learning_rate = value.parse().map_err(|e| format!("--lr: {e}"))?,
            "--dsteps" => base.discriminator_steps = value.parse().map_err(|e| format!("--dsteps: {e}"))?,
            "--dlr" => dlr = Some(value.parse().map_err(|e| format!("--dlr: {e}"))?),
            "--batch" => base.batch_size = value.parse().map_err(|e| format!("--batch: {e}"))?,
            "--arms" => chosen = Some(value.split(',').map(|a| a.trim().to_string()).collect()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let arms: Vec<Arm> = arms()
        .into_iter()
        .filter(|arm| chosen.as_ref().is_none_or(|c| c.iter().any(|id| id == arm.id)))
        .collect();
    let device = Device::flex().autodiff();
    println!(
        "| data | model | modes captured (of n), mean ± sd | high-quality samples %, mean ± sd | \
         held-out -ELBO (VAE) / reconstruction NLL (AE), nats | median distance to a mode, sd | per seed (modes) | steps/s |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for data in &datasets {
        let modes = data.modes().ok_or(format!("{} has no modes to count", data.id()))?;
        for arm in &arms {
            let (mut captured, mut quality, mut nats, mut rates) = (vec![], vec![], vec![], vec![]);
            let mut distances = vec![];
            for seed in 1..=seeds {
                let settings = match arm.preset {
                    Some(preset) => LabSettings {
                        data: *data,
                        seed,
                        ..preset.settings()
                    },
                    None => LabSettings {
                        data: *data,
                        model: arm.model,
                        remedies: GanRemedies {
                            discriminator_lr_ratio: dlr.unwrap_or(arm.remedies.discriminator_lr_ratio),
                            ..arm.remedies
                        },
                        seed,
                        ..base
                    },
                };
                let mut session = LabSession::new(&settings, &device);
                let started = Instant::now();
                for step in 0..steps {
                    let losses = session.session_mut().step();
                    if step + 1 == steps {
                        pollster::block_on(read_floats(losses)).map_err(|e| e.to_string())?;
                    }
                }
                rates.push(steps as f64 / started.elapsed().as_secs_f64());
                let samples = pollster::block_on(read_floats(session.samples(SCORED_SAMPLES, 1_000 + seed)))
                    .map_err(|e| e.to_string())?;
                let result = score(&samples, &modes);
                captured.push(result.captured as f64);
                quality.push(100.0 * result.high_quality);
                distances.push(f64::from(result.median_distance));
                if arm.model != LabModel::Gan {
                    let held_out =
                        pollster::block_on(session.session().evaluate(usize::MAX).read()).map_err(|e| e.to_string())?;
                    nats.push(held_out.nats());
                }
            }
            let (c, c_sd) = mean_sd(&captured);
            let (q, q_sd) = mean_sd(&quality);
            let nats = match nats.is_empty() {
                true => "—".to_string(),
                false => {
                    let (m, sd) = mean_sd(&nats);
                    format!("{m:.2} ± {sd:.2}")
                }
            };
            let per_seed: Vec<String> = captured.iter().map(|c| format!("{c}")).collect();
            println!(
                "| {} | {} | {c:.1} ± {c_sd:.1} (of {}) | {q:.1} ± {q_sd:.1} | {nats} | {:.1} | {} | {:.0} |",
                data.id(),
                arm.label,
                modes.centres.len(),
                mean_sd(&distances).0,
                per_seed.join(", "),
                mean_sd(&rates).0
            );
        }
    }
    Ok(())
}
