//! Trains the models of the zoo natively, with the same code as the browser, and writes the
//! weights the site ships: `public/weights/<model>.bpk` (burnpack, half precision) and
//! `public/weights/manifest.json`.
//!
//!     cargo run --release --bin pretrain -- --all
//!     cargo run --release --bin pretrain -- --model dcgan --steps 3000 --seed 1
//!
//! Every figure in the manifest is measured after the written file is loaded back, so it
//! describes the shipped weights, not the f32 ones they were rounded from.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use burn::tensor::Device;
use genplay::data::MnistSplit;
use genplay::eval::metrics::{class_accuracy, class_report};
use genplay::model::classifier::CLASSES;
use genplay::model::{ClassifierConfig, DigitClassifier};
use genplay::train::batches::labels_tensor;
use genplay::train::sessions::start_session;
use genplay::train::{
    ClassifierTrainer, Hyperparameters, ModelKind, Session, classifier_config, classifier_from_file,
    classifier_parameters, read_floats,
};
use genplay::weights::manifest::MANIFEST_FILE;
use genplay::weights::{
    CLASSIFIER_ID, Manifest, ManifestEntry, Precision, WeightsFile, WeightsHeader, metric, read_parameters, sha256_hex,
};
use indicatif::{ProgressBar, ProgressStyle};

/// Samples the classifier judges for the sample-quality figures.
const JUDGED_SAMPLES: usize = 1_000;
/// Seed of the judged samples' noise.
const JUDGED_SEED: u64 = 99;
/// The classifier's training steps, batch and learning rate.
const CLASSIFIER_STEPS: usize = 3_000;
const CLASSIFIER_BATCH: usize = 64;
const CLASSIFIER_LEARNING_RATE: f64 = 1e-3;

const USAGE: &str = "usage: pretrain (--all | --model <name>) [--steps N] [--seed S] [--out DIR]
  models: classifier, ae_mlp, ae_conv, vae_mlp, vae_2d, vae_conv, rvae, gan_mlp, dcgan, cvae, cgan";

/// What the command was asked to do.
struct Request {
    models: Vec<String>,
    steps: Option<usize>,
    seed: u64,
    out: PathBuf,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Request, String> {
    let mut request = Request {
        models: vec![],
        steps: None,
        seed: 1,
        out: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("public/weights"),
    };
    while let Some(flag) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match flag.as_str() {
            "--all" => {
                request.models = std::iter::once(CLASSIFIER_ID.to_string())
                    .chain(ModelKind::ALL.iter().map(|k| k.id().to_string()))
                    .collect()
            }
            "--model" => {
                let name = value("--model")?;
                if name != CLASSIFIER_ID && ModelKind::from_id(&name).is_none() {
                    return Err(format!("unknown model {name}"));
                }
                request.models.push(name);
            }
            "--steps" => request.steps = Some(value("--steps")?.parse().map_err(|e| format!("--steps: {e}"))?),
            "--seed" => request.seed = value("--seed")?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--out" => request.out = PathBuf::from(value("--out")?),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if request.models.is_empty() {
        return Err("name a model or --all".into());
    }
    Ok(request)
}

/// Steps each model trains for by default: long enough to look good, measured on one core.
fn default_steps(kind: ModelKind) -> usize {
    match kind {
        ModelKind::AeMlp | ModelKind::VaeMlp | ModelKind::Vae2d | ModelKind::Cvae => 8_000,
        ModelKind::AeConv | ModelKind::VaeConv | ModelKind::Rvae => 3_000,
        ModelKind::GanMlp | ModelKind::Cgan => 10_000,
        ModelKind::Dcgan => 5_000,
    }
}

fn progress_bar(steps: usize, name: &str) -> ProgressBar {
    let bar = ProgressBar::new(steps as u64);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} steps {per_sec} eta {eta} {msg}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(name.to_string());
    bar
}

fn main() {
    let request = match parse_args(std::env::args().skip(1)) {
        Ok(request) => request,
        Err(problem) => {
            eprintln!("pretrain: {problem}\n{USAGE}");
            std::process::exit(2);
        }
    };
    if let Err(problem) = run(&request) {
        eprintln!("pretrain: {problem}");
        std::process::exit(1);
    }
}

fn run(request: &Request) -> Result<(), String> {
    let data_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("public/data");
    let data = MnistSplit::read_folder(&data_dir)?;
    let device = Device::flex().autodiff();
    std::fs::create_dir_all(&request.out).map_err(|e| e.to_string())?;
    let manifest_path = request.out.join(MANIFEST_FILE);
    let mut manifest: Manifest = match std::fs::read_to_string(&manifest_path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| format!("{}: {e}", manifest_path.display()))?,
        Err(_) => Manifest::default(),
    };
    let mut judge = None;
    for name in &request.models {
        let entry = if name == CLASSIFIER_ID {
            let (entry, classifier) = pretrain_classifier(request, &data, &device)?;
            judge = Some(classifier);
            entry
        } else {
            let kind = ModelKind::from_id(name).expect("checked when parsing");
            if judge.is_none() {
                judge = Some(load_classifier(&request.out, &device)?);
            }
            pretrain_model(kind, request, &data, &device, judge.as_ref().expect("just loaded"))?
        };
        eprintln!("{}: {} bytes, {:?}", entry.file, entry.bytes, entry.metrics);
        manifest.upsert(entry);
        let json = serde_json::to_string_pretty(&manifest).map_err(|e| e.to_string())?;
        std::fs::write(&manifest_path, json + "\n").map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// The shipped classifier, which judges generated digits.
fn load_classifier(out: &Path, device: &Device) -> Result<DigitClassifier, String> {
    let path = out.join(format!("{CLASSIFIER_ID}.bpk"));
    let bytes = std::fs::read(&path).map_err(|e| {
        format!(
            "{}: {e} (pretrain the classifier first: --model classifier)",
            path.display()
        )
    })?;
    let file = WeightsFile::parse(&bytes).map_err(|e| e.to_string())?;
    classifier_from_file(file, device).map_err(|e| e.to_string())
}

/// Writes `header` and the tensors to `<out>/<model>.bpk`; returns the file name, bytes and hash.
fn write_file(
    out: &Path,
    header: &WeightsHeader,
    tensors: Vec<genplay::weights::NamedParameter>,
) -> Result<(String, Vec<u8>), String> {
    let tensors = pollster::block_on(read_parameters(tensors)).map_err(|e| e.to_string())?;
    let bytes = WeightsFile::encode(header, tensors).map_err(|e| e.to_string())?;
    let file = format!("{}.bpk", header.model);
    std::fs::write(out.join(&file), &bytes).map_err(|e| e.to_string())?;
    Ok((file, bytes))
}

fn pretrain_classifier(
    request: &Request,
    data: &MnistSplit,
    device: &Device,
) -> Result<(ManifestEntry, DigitClassifier), String> {
    let steps = request.steps.unwrap_or(CLASSIFIER_STEPS);
    device.seed(request.seed);
    let model = ClassifierConfig::new().init(device);
    let mut trainer = ClassifierTrainer::new(
        model,
        CLASSIFIER_LEARNING_RATE,
        CLASSIFIER_BATCH,
        request.seed,
        &data.train,
        device,
    );
    let bar = progress_bar(steps, CLASSIFIER_ID);
    let started = Instant::now();
    for step in 0..steps {
        let loss = trainer.step();
        if step % 50 == 0 {
            let loss = pollster::block_on(read_floats(loss)).map_err(|e| e.to_string())?[0];
            bar.set_message(format!("cross-entropy {loss:.4}"));
        }
        bar.inc(1);
    }
    bar.finish();
    let wall_seconds = started.elapsed().as_secs_f64();
    let header = WeightsHeader {
        model: CLASSIFIER_ID.into(),
        config: classifier_config(),
        settings: None,
        steps,
        precision: Precision::F16,
    };
    let (file, bytes) = write_file(
        &request.out,
        &header,
        classifier_parameters(trainer.model(), Precision::F16),
    )?;
    let shipped = classifier_from_file(WeightsFile::parse(&bytes).map_err(|e| e.to_string())?, device)
        .map_err(|e| e.to_string())?;
    let accuracy = pollster::block_on(genplay::train::classifier::accuracy(&shipped, &data.held_out, device))
        .map_err(|e| e.to_string())?;
    let metrics = BTreeMap::from([(metric::HELD_OUT_ACCURACY.to_string(), accuracy)]);
    let entry = manifest_entry(header, request.seed, wall_seconds, file, &bytes, metrics);
    Ok((entry, shipped))
}

/// Where the shipped weights were trained.
const TRAINED_ON: &str = "burn flex (CPU), native, one thread";

fn pretrain_model(
    kind: ModelKind,
    request: &Request,
    data: &MnistSplit,
    device: &Device,
    judge: &DigitClassifier,
) -> Result<ManifestEntry, String> {
    let steps = request.steps.unwrap_or_else(|| default_steps(kind));
    let settings = Hyperparameters {
        seed: request.seed,
        step_budget: steps,
        ..Hyperparameters::defaults(kind)
    };
    let mut session = start_session(kind, &settings, data, device);
    let bar = progress_bar(steps, kind.id());
    let started = Instant::now();
    let names = session.loss_names();
    for step in 0..steps {
        let losses = session.step();
        if step % 50 == 0 || step + 1 == steps {
            let losses = pollster::block_on(read_floats(losses)).map_err(|e| e.to_string())?;
            if losses.iter().any(|l| !l.is_finite()) {
                return Err(format!(
                    "{}: the loss is not finite at step {step}: {losses:?}",
                    kind.id()
                ));
            }
            let shown: Vec<String> = names.iter().zip(&losses).map(|(n, l)| format!("{n} {l:.3}")).collect();
            bar.set_message(shown.join(", "));
        }
        bar.inc(1);
    }
    bar.finish();
    let wall_seconds = started.elapsed().as_secs_f64();
    let header = WeightsHeader::of_model(kind, settings, steps, Precision::F16);
    let (file, bytes) = write_file(&request.out, &header, session.parameters(Precision::F16))?;
    // Measure what ships: load the written file back into the session.
    let shipped = WeightsFile::parse(&bytes).map_err(|e| e.to_string())?;
    shipped
        .check_fits(kind.id(), &header.config)
        .map_err(|e| e.to_string())?;
    session
        .load_parameters(shipped.into_tensors(), Precision::F16)
        .map_err(|e| e.to_string())?;
    let metrics = measure(session.as_ref(), judge, device)?;
    Ok(manifest_entry(
        header,
        request.seed,
        wall_seconds,
        file,
        &bytes,
        metrics,
    ))
}

/// The manifest's entry for a file written with `header`.
fn manifest_entry(
    header: WeightsHeader,
    seed: u64,
    wall_seconds: f64,
    file: String,
    bytes: &[u8],
    metrics: BTreeMap<String, f64>,
) -> ManifestEntry {
    ManifestEntry {
        model: header.model,
        file,
        config: header.config,
        settings: header.settings,
        steps: header.steps,
        seed,
        wall_seconds,
        trained_on: TRAINED_ON.into(),
        metrics,
        bytes: bytes.len(),
        sha256: sha256_hex(bytes),
    }
}

/// Held-out scores (models with an encoder) and the classifier's verdict on samples.
fn measure(session: &dyn Session, judge: &DigitClassifier, device: &Device) -> Result<BTreeMap<String, f64>, String> {
    let mut metrics = BTreeMap::new();
    if let Ok(scores) = pollster::block_on(session.evaluate(1_000).read()) {
        metrics.insert(metric::HELD_OUT_RECONSTRUCTION_BCE.into(), scores.reconstruction);
        if let (Some(kl), Some(elbo)) = (scores.kl, scores.elbo()) {
            metrics.insert(metric::HELD_OUT_KL.into(), kl);
            metrics.insert(metric::HELD_OUT_ELBO.into(), elbo);
        }
    }
    if let Some(samples) = session.samples(JUDGED_SAMPLES, JUDGED_SEED) {
        let probabilities =
            pollster::block_on(read_floats(judge.valid_probabilities(samples))).map_err(|e| e.to_string())?;
        let report = class_report(&probabilities);
        metrics.insert(metric::SAMPLE_CLASSES_COVERED.into(), report.classes_covered as f64);
        metrics.insert(metric::SAMPLE_MEAN_CONFIDENCE.into(), report.mean_confidence);
        metrics.insert(metric::SAMPLE_INCEPTION_SCORE.into(), report.inception_score);
    }
    if session.is_conditional() {
        let labels: Vec<u8> = (0..JUDGED_SAMPLES).map(|i| (i % CLASSES) as u8).collect();
        let samples = session
            .samples_of_classes(labels_tensor(&labels, device), JUDGED_SEED)
            .expect("a conditional model samples chosen classes");
        let probabilities =
            pollster::block_on(read_floats(judge.valid_probabilities(samples))).map_err(|e| e.to_string())?;
        metrics.insert(
            metric::SAMPLE_CLASS_ACCURACY.into(),
            class_accuracy(&probabilities, &labels),
        );
    }
    Ok(metrics)
}
