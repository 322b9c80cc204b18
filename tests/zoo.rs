//! Every model of the zoo: one training step reports its named terms, the preview has the
//! grid's shape, settings outside their ranges are refused with a clear message, and the
//! digit classifier reaches 97% on the held-out digits.

use burn::tensor::Device;
use genplay::model::{Architecture, AutoencoderConfig, ClassifierConfig, VaeConfig};
use genplay::train::classifier::accuracy;
use genplay::train::{ClassifierTrainer, ModelKind, read_floats};

mod common;
use common::seeded;

#[test]
fn every_model_steps_and_previews_with_the_expected_shapes() {
    for kind in ModelKind::ALL {
        let _turn = seeded::turn();
        let mut session = seeded::session(kind, 2);
        let names = session.loss_names();
        let expected: &[&str] = match kind {
            ModelKind::AeMlp | ModelKind::AeConv => &["recon"],
            ModelKind::VaeMlp | ModelKind::Vae2d | ModelKind::VaeConv | ModelKind::Rvae | ModelKind::Cvae => {
                &["loss", "recon", "kl"]
            }
            ModelKind::GanMlp | ModelKind::Dcgan | ModelKind::Cgan => &["d_loss", "g_loss", "D(x)", "D(G(z))"],
        };
        assert_eq!(names, expected, "{kind:?}");
        eprintln!("{}: {} parameters", kind.id(), session.parameter_count());
        assert!(session.parameter_count() > 10_000, "{kind:?} has parameters");
        let losses = seeded::train(session.as_mut(), 2);
        assert!(
            losses
                .iter()
                .all(|l| l.len() == names.len() && l.iter().all(|v| v.is_finite())),
            "{kind:?}: {losses:?}"
        );
        let preview = session.preview();
        assert_eq!(preview.dims(), [64, 784], "{kind:?}");
        let pixels = pollster::block_on(read_floats(preview)).unwrap();
        assert!(
            pixels.iter().all(|p| (0.0..=1.0).contains(p)),
            "{kind:?}: preview outside [0, 1]"
        );
        if kind.is_adversarial() {
            // D(x) and D(G(z)) are probabilities.
            assert!(
                losses
                    .iter()
                    .all(|l| (0.0..=1.0).contains(&l[2]) && (0.0..=1.0).contains(&l[3]))
            );
        }
    }
}

#[test]
fn settings_outside_their_ranges_are_refused_by_name() {
    assert!(VaeConfig::new().validate().is_ok());
    assert!(
        AutoencoderConfig::new()
            .with_architecture(Architecture::Conv)
            .validate()
            .is_ok()
    );
    let err = VaeConfig::new().with_latent(65).validate().unwrap_err();
    assert_eq!(err.to_string(), "latent must be between 2 and 64, not 65");
    let err = VaeConfig::new().with_beta(-1.0).validate().unwrap_err();
    assert_eq!(err.field, "beta");
    let err = AutoencoderConfig::new().with_latent(1).validate().unwrap_err();
    assert_eq!(err.field, "latent");
}

#[test]
fn the_digit_classifier_reaches_97_percent_on_held_out_digits() {
    let _turn = seeded::turn();
    let data = common::mnist();
    let device: Device = seeded::device();
    device.seed(5);
    let mut trainer = ClassifierTrainer::new(ClassifierConfig::new().init(&device), 1e-3, 64, 5, &data.train, &device);
    let started = std::time::Instant::now();
    for _ in 0..CLASSIFIER_STEPS {
        trainer.step();
    }
    let held_out = pollster::block_on(accuracy(trainer.model(), &data.held_out, &device)).unwrap();
    eprintln!(
        "classifier: {CLASSIFIER_STEPS} steps in {:.1} s, held-out accuracy {held_out:.4}",
        started.elapsed().as_secs_f64()
    );
    assert!(held_out >= 0.97, "held-out accuracy {held_out}");
}

/// About 4.3 epochs of the 9,000 training digits. Measured with seed 5: 97.4% (41 s on one core);
/// 900 steps gave 97.3%, so more steps of this recipe do not widen the margin.
const CLASSIFIER_STEPS: usize = 600;
