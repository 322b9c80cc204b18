//! The data-augmentation experiment: does adding generated digits help a classifier that has
//! only K labelled digits per class?
//!
//! For each seed, K digits per class are drawn from the training digits. A small MLP
//! classifier is trained on them alone, and on them plus extra labelled digits from each
//! source ("arm"): shifted and rotated copies, samples of the pretrained conditional VAE and
//! GAN (trained on all 9,000 labelled training digits, so they carry far more information
//! than the K labels), and samples of a conditional VAE and GAN trained on the K labelled
//! digits only.
//! Each classifier is scored on the 1,000 held-out digits. The experiment advances a bounded
//! number of steps at a time, so a browser worker can report progress between slices.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use crate::data::augment::{shifted_and_rotated, take_per_class};
use crate::data::{Digits, IMAGE_PIXELS, MnistSplit};
use crate::model::classifier::{CLASSES, MlpClassifier, MlpClassifierConfig};
use crate::train::Session;
use crate::train::batches::labels_tensor;
use crate::train::classifier::{ClassifierTrainer, accuracy};
use crate::train::readback::{ReadbackError, read_floats};
use crate::train::sessions::start_session;
use crate::zoo::Hyperparameters;
use crate::zoo::ModelKind;

/// Adam's learning rate for the experiment's classifiers.
pub const CLASSIFIER_LEARNING_RATE: f64 = 1e-3;
/// Digits per classifier batch (fewer when the training set is smaller).
pub const CLASSIFIER_BATCH: usize = 64;
/// The labelled digits per class (K) the Augment panel and its links offer.
pub const PER_CLASS_CHOICES: [usize; 5] = [1, 5, 10, 20, 50];
/// The most seeds one experiment runs.
pub const MAX_AUGMENT_SEEDS: usize = 10;
/// Example extra digits kept per arm (from the first seed) to show what the arm adds.
pub const EXAMPLES_PER_CLASS: usize = 2;

/// Where the extra labelled digits of one arm come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AugmentArm {
    /// The K labelled digits alone.
    RealOnly,
    /// Plus shifted and rotated copies of them.
    Classic,
    /// Plus samples of the shipped conditional VAE (trained on all 9,000 labelled digits).
    PretrainedCvae,
    /// Plus samples of the shipped conditional GAN (trained on all 9,000 labelled digits).
    PretrainedCgan,
    /// Plus samples of a conditional VAE trained on the K labelled digits only.
    FewShotCvae,
    /// Plus samples of a conditional GAN trained on the K labelled digits only.
    FewShotCgan,
}

impl AugmentArm {
    /// Every arm, in the order tables list them.
    pub const ALL: [AugmentArm; 6] = [
        AugmentArm::RealOnly,
        AugmentArm::Classic,
        AugmentArm::FewShotCvae,
        AugmentArm::FewShotCgan,
        AugmentArm::PretrainedCvae,
        AugmentArm::PretrainedCgan,
    ];

    /// What the arm trains on, as a table row reads.
    pub fn label(self) -> &'static str {
        match self {
            AugmentArm::RealOnly => "labelled digits only",
            AugmentArm::Classic => "+ shifted and rotated copies",
            AugmentArm::FewShotCvae => "+ conditional VAE trained on the same labelled digits",
            AugmentArm::FewShotCgan => "+ conditional GAN trained on the same labelled digits",
            AugmentArm::PretrainedCvae => "+ shipped conditional VAE",
            AugmentArm::PretrainedCgan => "+ shipped conditional GAN",
        }
    }

    /// Where the arm's extra digits come from, and what information they carry.
    pub fn provenance(self) -> &'static str {
        match self {
            AugmentArm::RealOnly => "no extra digits",
            AugmentArm::Classic => "copies moved up to 2 px and turned up to 15°: no information beyond the labels",
            AugmentArm::FewShotCvae | AugmentArm::FewShotCgan => {
                "a generator that saw only the same K labelled digits per class: no information beyond the labels"
            }
            AugmentArm::PretrainedCvae | AugmentArm::PretrainedCgan => {
                "a generator pretrained on all 9,000 labelled training digits: it carries far more labelled \
                 information than K per class, so this is an upper bound, not a fair few-label result"
            }
        }
    }

    /// The shipped model whose samples the arm adds, if any.
    pub fn pretrained_model(self) -> Option<ModelKind> {
        match self {
            AugmentArm::PretrainedCvae => Some(ModelKind::Cvae),
            AugmentArm::PretrainedCgan => Some(ModelKind::Cgan),
            _ => None,
        }
    }

    /// The model trained on the K labelled digits whose samples the arm adds, if any.
    pub fn few_shot_model(self) -> Option<ModelKind> {
        match self {
            AugmentArm::FewShotCvae => Some(ModelKind::Cvae),
            AugmentArm::FewShotCgan => Some(ModelKind::Cgan),
            _ => None,
        }
    }
}

/// What to run: how many labels, seeds and extra digits, and how long each network trains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AugmentPlan {
    /// Labelled digits per class (K).
    pub per_class: usize,
    /// Number of seeds (each draws other labelled digits and initial weights).
    pub seeds: usize,
    /// Extra digits per class that an augmenting arm adds.
    pub extra_per_class: usize,
    /// Training steps of each classifier.
    pub classifier_steps: usize,
    /// Training steps of each generator trained on the labelled digits only.
    pub generator_steps: usize,
    /// The arms to compare.
    pub arms: Vec<AugmentArm>,
}

impl Default for AugmentPlan {
    /// The plan the panel starts with: K = 10.
    fn default() -> Self {
        Self::new(10)
    }
}

impl AugmentPlan {
    /// The plan the panel starts with, for `per_class` labels per class.
    pub fn new(per_class: usize) -> Self {
        Self {
            per_class,
            seeds: 3,
            extra_per_class: 100,
            classifier_steps: 400,
            generator_steps: 1_500,
            // The few-label GAN is left for the user to add: its 1,500 steps per seed took a
            // default run in a browser tab from about a minute to about four.
            arms: AugmentArm::ALL
                .into_iter()
                .filter(|arm| *arm != AugmentArm::FewShotCgan)
                .collect(),
        }
    }

    /// Checks the plan's numbers, with a message naming the one that is out of range.
    pub fn validate(&self) -> Result<(), String> {
        let check = |name: &str, value: usize, min: usize, max: usize| {
            if (min..=max).contains(&value) {
                Ok(())
            } else {
                Err(format!("{name} must be from {min} to {max}, not {value}"))
            }
        };
        check("labelled digits per class", self.per_class, 1, 500)?;
        check("seeds", self.seeds, 1, MAX_AUGMENT_SEEDS)?;
        check("extra digits per class", self.extra_per_class, 1, 1_000)?;
        check("classifier steps", self.classifier_steps, 1, 20_000)?;
        check("generator steps", self.generator_steps, 1, 20_000)?;
        if self.arms.is_empty() {
            return Err("choose at least one arm".into());
        }
        Ok(())
    }

    /// Steps of training the whole experiment runs: its progress bar's length.
    pub fn total_steps(&self) -> usize {
        let generators = self.few_shot_arms().count() * self.generator_steps;
        self.seeds * (generators + self.arms.len() * self.classifier_steps)
    }

    /// The arms whose generator is trained on the labelled digits, in the plan's order.
    pub fn few_shot_arms(&self) -> impl Iterator<Item = AugmentArm> + '_ {
        self.arms.iter().copied().filter(|arm| arm.few_shot_model().is_some())
    }

    /// The seed of run `index`.
    pub fn seed(&self, index: usize) -> u64 {
        index as u64 + 1
    }
}

/// The held-out accuracies of one arm, one per seed, and a few of the digits it added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmOutcome {
    /// The arm.
    pub arm: AugmentArm,
    /// Held-out accuracy of each seed's classifier, in `[0, 1]`.
    pub accuracies: Vec<f64>,
    /// Digits the arm added in the first seed, [`EXAMPLES_PER_CLASS`] per class, flat pixels.
    pub examples: Vec<f32>,
}

impl ArmOutcome {
    /// Mean accuracy over seeds.
    pub fn mean(&self) -> f64 {
        self.accuracies.iter().sum::<f64>() / self.accuracies.len().max(1) as f64
    }

    /// Sample standard deviation over seeds (0 with one seed).
    pub fn spread(&self) -> f64 {
        let n = self.accuracies.len();
        if n < 2 {
            return 0.0;
        }
        let mean = self.mean();
        let squares: f64 = self.accuracies.iter().map(|a| (a - mean).powi(2)).sum();
        (squares / (n - 1) as f64).sqrt()
    }
}

/// Where a running experiment stands, for a progress bar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AugmentProgress {
    /// Steps done.
    pub done: usize,
    /// Steps in all.
    pub total: usize,
    /// What it is doing now.
    pub activity: String,
}

/// What is being trained now.
enum Stage {
    /// About to draw the labelled digits of the next seed.
    NextSeed,
    /// About to start the next generator trained on the labelled digits (the `index`-th).
    NextGenerator { index: usize },
    /// Training the generator of `arm` on the labelled digits only.
    Generator {
        arm: AugmentArm,
        index: usize,
        session: Box<dyn Session>,
        left: usize,
    },
    /// About to build the training set of arm `arm`.
    NextArm { arm: usize },
    /// Training arm `arm`'s classifier.
    Classifier {
        arm: usize,
        trainer: Box<ClassifierTrainer<MlpClassifier>>,
        left: usize,
    },
    /// Every seed and arm is scored.
    Finished,
}

/// A running experiment; drive it with [`advance`](Self::advance) until [`is_finished`](Self::is_finished).
pub struct AugmentExperiment {
    plan: AugmentPlan,
    data: MnistSplit,
    device: Device,
    /// The shipped conditional generators, by the arm that adds their samples.
    pretrained: Vec<(AugmentArm, Box<dyn Session>)>,
    seed_index: usize,
    labelled: Option<Digits>,
    /// This seed's generators trained on its labelled digits, by the arm that adds their samples.
    few_shot: Vec<(AugmentArm, Box<dyn Session>)>,
    stage: Stage,
    outcomes: Vec<ArmOutcome>,
    done: usize,
}

impl AugmentExperiment {
    /// An experiment following `plan` on `data`, training on `device` (an autodiff device);
    /// `pretrained` holds a session for each arm that adds a shipped generator's samples.
    pub fn new(
        plan: AugmentPlan,
        data: MnistSplit,
        pretrained: Vec<(AugmentArm, Box<dyn Session>)>,
        device: &Device,
    ) -> Result<Self, String> {
        plan.validate()?;
        for arm in &plan.arms {
            if arm.pretrained_model().is_some() && !pretrained.iter().any(|(a, _)| a == arm) {
                return Err(format!("the arm \"{}\" needs its pretrained generator", arm.label()));
            }
        }
        let outcomes = plan
            .arms
            .iter()
            .map(|&arm| ArmOutcome {
                arm,
                accuracies: Vec::new(),
                examples: Vec::new(),
            })
            .collect();
        Ok(Self {
            plan,
            data,
            device: device.clone(),
            pretrained,
            seed_index: 0,
            labelled: None,
            few_shot: Vec::new(),
            stage: Stage::NextSeed,
            outcomes,
            done: 0,
        })
    }

    /// Whether every seed and arm is scored.
    pub fn is_finished(&self) -> bool {
        matches!(self.stage, Stage::Finished)
    }

    /// The outcomes so far (complete once finished), in the plan's arm order.
    pub fn outcomes(&self) -> &[ArmOutcome] {
        &self.outcomes
    }

    /// The plan being run.
    pub fn plan(&self) -> &AugmentPlan {
        &self.plan
    }

    /// Where the experiment stands.
    pub fn progress(&self) -> AugmentProgress {
        let seed = format!("seed {} of {}", self.seed_index + 1, self.plan.seeds);
        let activity = match &self.stage {
            Stage::NextSeed | Stage::NextGenerator { .. } | Stage::NextArm { .. } => format!("preparing, {seed}"),
            Stage::Generator { arm, .. } => format!(
                "training a {} on the labelled digits, {seed}",
                arm.few_shot_model()
                    .map_or("generator", |kind| kind.label())
                    .to_lowercase()
            ),
            Stage::Classifier { arm, .. } => {
                format!("training a classifier on {}, {seed}", self.plan.arms[*arm].label())
            }
            Stage::Finished => "finished".into(),
        };
        AugmentProgress {
            done: self.done,
            total: self.plan.total_steps(),
            activity,
        }
    }

    /// Runs up to `budget` training steps (and whatever preparing and scoring falls between
    /// them), then returns.
    pub async fn advance(&mut self, budget: usize) -> Result<(), ReadbackError> {
        let mut spent = 0;
        while spent < budget {
            match std::mem::replace(&mut self.stage, Stage::Finished) {
                Stage::Finished => return Ok(()),
                Stage::NextSeed => self.stage = self.start_seed(),
                Stage::NextGenerator { index } => self.stage = self.start_generator(index),
                Stage::Generator {
                    arm,
                    index,
                    mut session,
                    left,
                } => {
                    let steps = left.min(budget - spent);
                    for _ in 0..steps {
                        session.step();
                    }
                    (spent, self.done) = (spent + steps, self.done + steps);
                    self.stage = if left > steps {
                        Stage::Generator {
                            arm,
                            index,
                            session,
                            left: left - steps,
                        }
                    } else {
                        self.few_shot.push((arm, session));
                        Stage::NextGenerator { index: index + 1 }
                    };
                }
                Stage::NextArm { arm } => self.stage = self.start_arm(arm).await?,
                Stage::Classifier { arm, mut trainer, left } => {
                    let steps = left.min(budget - spent);
                    for _ in 0..steps {
                        trainer.step();
                    }
                    (spent, self.done) = (spent + steps, self.done + steps);
                    self.stage = if left > steps {
                        Stage::Classifier {
                            arm,
                            trainer,
                            left: left - steps,
                        }
                    } else {
                        let score = accuracy(trainer.model(), &self.data.held_out, &self.device).await?;
                        self.outcomes[arm].accuracies.push(score);
                        self.after_arm(arm)
                    };
                }
            }
        }
        Ok(())
    }

    /// Draws the labelled digits of the current seed.
    fn start_seed(&mut self) -> Stage {
        let seed = self.plan.seed(self.seed_index);
        self.labelled = Some(take_per_class(&self.data.train, self.plan.per_class, seed));
        self.few_shot.clear();
        Stage::NextGenerator { index: 0 }
    }

    /// Starts the `index`-th generator trained on the labelled digits, or the arms once none is left.
    fn start_generator(&mut self, index: usize) -> Stage {
        let Some(arm) = self.plan.few_shot_arms().nth(index) else {
            return Stage::NextArm { arm: 0 };
        };
        let kind = arm.few_shot_model().expect("a few-shot arm");
        let labelled = self.labelled.clone().expect("digits are drawn before the generators");
        let seed = self.plan.seed(self.seed_index);
        let settings = Hyperparameters {
            seed,
            batch_size: CLASSIFIER_BATCH.min(labelled.len()),
            ..Hyperparameters::defaults(kind)
        };
        let few = MnistSplit {
            train: labelled,
            held_out: self.data.held_out.clone(),
        };
        Stage::Generator {
            arm,
            index,
            session: start_session(kind, &settings, &few, &self.device),
            left: self.plan.generator_steps,
        }
    }

    /// Builds arm `arm`'s training set and its fresh classifier.
    async fn start_arm(&mut self, arm: usize) -> Result<Stage, ReadbackError> {
        let seed = self.plan.seed(self.seed_index);
        let labelled = self.labelled.as_ref().expect("digits are drawn before the arms");
        let extra = match self.plan.arms[arm] {
            AugmentArm::RealOnly => None,
            AugmentArm::Classic => Some(shifted_and_rotated(labelled, self.plan.extra_per_class, seed)),
            generated => {
                let (_, session) = self
                    .few_shot
                    .iter()
                    .chain(&self.pretrained)
                    .find(|(a, _)| *a == generated)
                    .expect("trained before the arms, or checked when the experiment was made");
                Some(generate(session.as_ref(), self.plan.extra_per_class, seed, &self.device).await?)
            }
        };
        let mut set = labelled.clone();
        if let Some(extra) = extra {
            if self.seed_index == 0 {
                self.outcomes[arm].examples = take_per_class(&extra, EXAMPLES_PER_CLASS, seed).pixels;
            }
            set.pixels.extend(extra.pixels);
            set.labels.extend(extra.labels);
        }
        // Every arm of a seed starts from the same initial weights.
        self.device.seed(seed);
        let trainer = ClassifierTrainer::new(
            MlpClassifierConfig::new().init(&self.device),
            CLASSIFIER_LEARNING_RATE,
            CLASSIFIER_BATCH.min(set.len()),
            seed,
            &set,
            &self.device,
        );
        Ok(Stage::Classifier {
            arm,
            trainer: Box::new(trainer),
            left: self.plan.classifier_steps,
        })
    }

    /// What follows the scoring of arm `arm`: the next arm, the next seed, or the end.
    fn after_arm(&mut self, arm: usize) -> Stage {
        if arm + 1 < self.plan.arms.len() {
            return Stage::NextArm { arm: arm + 1 };
        }
        self.seed_index += 1;
        if self.seed_index < self.plan.seeds {
            Stage::NextSeed
        } else {
            self.seed_index = self.plan.seeds - 1;
            Stage::Finished
        }
    }
}

/// `per_class` samples of each class from a conditional `session`, labelled with the class
/// they were asked for.
async fn generate(
    session: &dyn Session,
    per_class: usize,
    seed: u64,
    device: &Device,
) -> Result<Digits, ReadbackError> {
    let labels: Vec<u8> = (0..CLASSES as u8)
        .flat_map(|class| std::iter::repeat_n(class, per_class))
        .collect();
    let samples = session
        .samples_of_classes(labels_tensor(&labels, device), seed.wrapping_mul(7_919))
        .expect("the experiment's generators are class-conditional");
    let pixels = read_floats(samples).await?;
    debug_assert_eq!(pixels.len(), labels.len() * IMAGE_PIXELS);
    Ok(Digits { pixels, labels })
}
