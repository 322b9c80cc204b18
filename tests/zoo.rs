//! Every model of the zoo: one training step reports its named terms, the preview has the
//! grid's shape, settings outside their ranges are refused with a clear message, and the
//! digit classifier reaches 97% on the held-out digits; both players of each GAN learn at every
//! step.

use burn::tensor::Device;
use genplay::model::{Architecture, AutoencoderConfig, ClassifierConfig, VaeConfig};
use genplay::train::classifier::accuracy;
use genplay::train::{ClassifierTrainer, ModelKind, Session, read_floats};
use genplay::weights::Precision;
use genplay::zoo::Hyperparameters;
use genplay::zoo::card::ModelCard;

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
        // The model card's architecture, read from a module built apart, counts the same parameters.
        let card = ModelCard::new(kind, &Hyperparameters::defaults(kind));
        assert_eq!(card.parameters(), session.parameter_count(), "{kind:?}");
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

/// Each player's parameters, flattened, from a GAN session, as `(generator, discriminator)`.
fn players(session: &dyn Session) -> (Vec<f32>, Vec<f32>) {
    let (mut generator, mut discriminator) = (Vec::new(), Vec::new());
    for parameter in session.parameters(Precision::F32) {
        let values = pollster::block_on(read_floats(parameter.values)).unwrap();
        if parameter.name.starts_with("generator.") {
            generator.extend(values);
        } else {
            discriminator.extend(values);
        }
    }
    (generator, discriminator)
}

#[test]
fn both_gan_players_train_at_every_step() {
    // The generator's step holds the discriminator fixed (it asks for no gradients there): the
    // discriminator must still learn in its own step, and the generator in its.
    for kind in ModelKind::ALL.into_iter().filter(|k| k.is_adversarial()) {
        let _turn = seeded::turn();
        let mut session = seeded::session(kind, 5);
        let mut before = players(session.as_ref());
        assert!(
            !before.0.is_empty() && !before.1.is_empty(),
            "{kind:?}: both players have parameters"
        );
        for step in 1..=3 {
            seeded::train(session.as_mut(), 1);
            let after = players(session.as_ref());
            assert_ne!(
                after.0, before.0,
                "{kind:?}: the generator did not change at step {step}"
            );
            assert_ne!(
                after.1, before.1,
                "{kind:?}: the discriminator did not change at step {step}"
            );
            before = after;
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

/// The backend probe times whole slices of steps against the clock it is given: with a clock
/// that moves 200 ms per reading, it times 1 then 2 steps (the third reading is past its 400 ms)
/// over the 600 ms of four readings: 5 steps/s. On a real clock it reports a positive rate.
#[test]
fn the_backend_probe_counts_steps_against_its_clock() {
    use std::cell::Cell;
    use std::time::Instant;

    use genplay::backend::choice::measure_steps_per_second;
    use genplay::train::Hyperparameters;

    let _turn = seeded::turn();
    let data = common::mnist();
    let settings = Hyperparameters::defaults(ModelKind::AeMlp);
    let readings = Cell::new(0.0);
    let fake_clock = || {
        let now = readings.get();
        readings.set(now + 200.0);
        now
    };
    let rate = pollster::block_on(measure_steps_per_second(
        ModelKind::AeMlp,
        &settings,
        &data,
        &seeded::device(),
        fake_clock,
    ))
    .unwrap();
    assert!((rate - 5.0).abs() < 1e-9, "{rate}");

    let started = Instant::now();
    let clock = || started.elapsed().as_secs_f64() * 1000.0;
    let rate = pollster::block_on(measure_steps_per_second(
        ModelKind::Dcgan,
        &Hyperparameters::defaults(ModelKind::Dcgan),
        &data,
        &seeded::device(),
        clock,
    ))
    .unwrap();
    assert!(rate.is_finite() && rate > 0.0, "{rate}");
}
