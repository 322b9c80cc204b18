//! The data-augmentation experiment at a small scale, natively: every arm is trained and
//! scored for every seed, the numbers are accuracies a real classifier reached, and the
//! conditional generators write the digits they are asked for.

use genplay::eval::metrics::class_accuracy;
use genplay::experiment::augment::{AugmentArm, AugmentExperiment, AugmentPlan, EXAMPLES_PER_CLASS};
use genplay::model::DigitClassifier;
use genplay::train::batches::labels_tensor;
use genplay::train::{ModelKind, read_floats};

mod common;
use common::seeded;

/// Share of 500 samples (50 per class) of the shipped `kind` that the shipped classifier
/// reads as the class they were asked for.
fn requested_class_accuracy(kind: ModelKind, judge: &DigitClassifier) -> f64 {
    let session = common::pretrained_session(kind);
    let labels: Vec<u8> = (0..500).map(|i| (i % 10) as u8).collect();
    let samples = session
        .samples_of_classes(labels_tensor(&labels, &seeded::device()), 3)
        .expect("conditional");
    let probabilities = pollster::block_on(read_floats(judge.valid_probabilities(samples))).unwrap();
    class_accuracy(&probabilities, &labels)
}

#[test]
fn shipped_conditional_models_write_the_digit_asked_for() {
    let _turn = seeded::turn();
    let judge = common::pretrained_classifier();
    for kind in [ModelKind::Cvae, ModelKind::Cgan] {
        let accuracy = requested_class_accuracy(kind, &judge);
        eprintln!(
            "{}: {:.1}% of samples read as the class asked for",
            kind.id(),
            accuracy * 100.0
        );
        assert!(accuracy > 0.7, "{kind:?}: {accuracy}");
    }
}

#[test]
fn every_arm_is_trained_and_scored_for_every_seed() {
    let _turn = seeded::turn();
    let plan = AugmentPlan {
        per_class: 10,
        seeds: 2,
        extra_per_class: 50,
        classifier_steps: 150,
        generator_steps: 150,
        arms: AugmentArm::ALL.to_vec(),
    };
    let pretrained = vec![
        (AugmentArm::PretrainedCvae, common::pretrained_session(ModelKind::Cvae)),
        (AugmentArm::PretrainedCgan, common::pretrained_session(ModelKind::Cgan)),
    ];
    let mut experiment = AugmentExperiment::new(plan.clone(), common::mnist(), pretrained, &seeded::device()).unwrap();
    let mut slices = 0;
    while !experiment.is_finished() {
        pollster::block_on(experiment.advance(100)).unwrap();
        let progress = experiment.progress();
        assert!(progress.done <= progress.total, "{progress:?}");
        slices += 1;
    }
    let progress = experiment.progress();
    assert_eq!(progress.done, plan.total_steps());
    assert_eq!(slices, plan.total_steps().div_ceil(100));
    let outcomes = experiment.outcomes();
    assert_eq!(outcomes.iter().map(|o| o.arm).collect::<Vec<_>>(), plan.arms);
    for outcome in outcomes {
        eprintln!(
            "{:<55} {:.3} ± {:.3} {:?}",
            outcome.arm.label(),
            outcome.mean(),
            outcome.spread(),
            outcome.accuracies
        );
        assert_eq!(outcome.accuracies.len(), 2, "{:?}", outcome.arm);
        // Ten labels per class already put a classifier far above chance (10%).
        assert!(
            outcome.accuracies.iter().all(|a| (0.4..=1.0).contains(a)),
            "{outcome:?}"
        );
        let examples = if outcome.arm == AugmentArm::RealOnly {
            0
        } else {
            10 * EXAMPLES_PER_CLASS
        };
        assert_eq!(outcome.examples.len(), examples * 784, "{:?}", outcome.arm);
    }
    // The seeds draw different labelled digits, so their scores differ.
    assert_ne!(outcomes[0].accuracies[0], outcomes[0].accuracies[1]);
    // A generator that saw all 9,000 labelled digits adds information the 100 labels lack.
    let real = outcomes[0].mean();
    let shipped_cvae = outcomes
        .iter()
        .find(|o| o.arm == AugmentArm::PretrainedCvae)
        .unwrap()
        .mean();
    assert!(shipped_cvae > real, "shipped cVAE {shipped_cvae} vs real only {real}");
}

#[test]
fn a_plan_out_of_range_or_missing_its_generator_is_refused() {
    let device = seeded::device();
    let mut plan = AugmentPlan::new(0);
    let refused = AugmentExperiment::new(plan.clone(), common::mnist(), vec![], &device).err();
    assert_eq!(
        refused.as_deref(),
        Some("labelled digits per class must be from 1 to 500, not 0")
    );
    plan.per_class = 5;
    let refused = AugmentExperiment::new(plan, common::mnist(), vec![], &device).err();
    assert_eq!(
        refused.as_deref(),
        Some("the arm \"+ shipped conditional VAE\" needs its pretrained generator")
    );
}
