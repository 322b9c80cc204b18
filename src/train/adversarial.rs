//! Training a GAN: `k` discriminator steps on real and generated samples, then one generator
//! step, each with its own Adam optimiser (beta_1 = 0.5, as in the DCGAN paper). The objective
//! is one of [`GanLoss`] (by default the non-saturating one); real labels may be smoothed on one
//! side (Salimans et al., 2016); the discriminator may judge packed samples (PacGAN) and learn
//! at its own rate (two timescales). The same trainer drives the MNIST GANs and the 2-D ones of
//! the mode-collapse lab.

use burn::optim::GradientsParams;
use burn::store::burn_pack::Tensor as PackTensor;
use burn::tensor::{Device, Distribution, Int, Tensor};

use super::adam_state::AdamOptimizer;
use super::batches::BatchSource;
use super::evaluate::PendingScores;
use super::fused_adam::FusedAdam;
use super::roles::{Evaluation, Inference, Persistence, Session};
use super::trainer::{HalfStep, PREVIEW_COUNT, PREVIEW_NOISE_SEED, Player, one_state_each, seed_step};
use crate::data::MnistSplit;
use crate::model::PreviewKind;
use crate::model::completion::{LATENT_SEARCH_STEPS, complete_by_latent_search};
use crate::model::gan::{Discriminator, Generator};
use crate::model::gan_loss::{GanLoss, packed};
use crate::weights::{NamedParameter, Precision, WeightsError, load_into, named_parameters, split_by_owner};
use crate::zoo::Hyperparameters;

/// A GAN training session.
pub struct AdversarialTrainer<G: Generator, D: Discriminator> {
    generator: Option<G>,
    discriminator: Option<D>,
    generator_optimizer: AdamOptimizer,
    discriminator_optimizer: AdamOptimizer,
    learning_rate: f64,
    /// The discriminator's learning rate over the generator's.
    discriminator_lr_ratio: f64,
    loss: GanLoss,
    discriminator_steps: usize,
    label_smoothing: f32,
    batches: BatchSource,
    /// The fakes of the last discriminator step, with the generator's graph, and their classes
    /// (the real batch's): the generator's step trains on them.
    last_fakes: Option<(Tensor<2>, Tensor<1, Int>)>,
    /// Half way through a step in slow motion: the discriminator's half is done, with what it
    /// reported (loss, D(x), D(G(z))), and the real batch and noise of its last update.
    halfway: Option<Halfway>,
    steps: usize,
    seed: u64,
    device: Device,
}

impl<G: Generator, D: Discriminator> AdversarialTrainer<G, D> {
    /// A session that trains `generator` against `discriminator` on the training digits.
    pub fn new(players: (G, D), settings: &Hyperparameters, data: &MnistSplit, device: &Device) -> Self {
        let batches = BatchSource::new(&data.train, settings.batch_size, settings.seed, device);
        Self::with_batches(players, settings, batches, device)
    }

    /// A session that trains `generator` against `discriminator` on `batches`.
    pub fn with_batches(
        (generator, discriminator): (G, D),
        settings: &Hyperparameters,
        batches: BatchSource,
        device: &Device,
    ) -> Self {
        Self {
            generator: Some(generator),
            discriminator: Some(discriminator),
            generator_optimizer: adam(),
            discriminator_optimizer: adam(),
            learning_rate: settings.learning_rate,
            discriminator_lr_ratio: settings.remedies.discriminator_lr_ratio,
            loss: settings.remedies.loss,
            discriminator_steps: settings.discriminator_steps.max(1),
            label_smoothing: settings.label_smoothing as f32,
            batches,
            last_fakes: None,
            halfway: None,
            steps: 0,
            seed: settings.seed,
            device: device.clone(),
        }
    }

    fn discriminator(&self) -> &D {
        self.discriminator
            .as_ref()
            .expect("the discriminator is only taken out during a step")
    }

    fn generator(&self) -> &G {
        self.generator
            .as_ref()
            .expect("the generator is only taken out during a step")
    }

    /// The discriminator's scores `[n, 1]` of single samples `[n, features]`, without a
    /// gradient; a packed discriminator judges each sample repeated to fill its pack.
    pub fn scores_of(&self, samples: Tensor<2>) -> Tensor<2> {
        let discriminator = self.discriminator().valid();
        let n = samples.dims()[0];
        let labels = Tensor::zeros([n], &samples.device());
        discriminator.logits(samples.repeat_dim(1, discriminator.pack()), labels)
    }

    /// The generator's input for a batch of `labels`: fresh noise, then (conditional) their classes.
    fn input(&self, labels: Tensor<1, Int>) -> Tensor<2> {
        let noise = Tensor::random(
            [labels.dims()[0], self.generator().noise_size()],
            Distribution::Normal(0.0, 1.0),
            &self.device,
        );
        self.generator().input_of(noise, labels)
    }

    /// One discriminator update on the next real batch and fresh noise; returns (loss, mean
    /// D(x), mean D(G(z))), detached.
    fn discriminator_step(&mut self) -> [Tensor<1>; 3] {
        let batch = self.next_batch();
        self.discriminator_update(batch)
    }

    /// The next real batch with its classes, the generator's input for as many fakes (fresh
    /// noise, then the real batch's classes, so both halves have the same class mix) and those
    /// fakes, with the generator's graph.
    fn next_batch(&mut self) -> DiscriminatorBatch {
        let (real, labels) = self.batches.next_labelled_batch();
        let input = self.input(labels.clone());
        let fakes = self.generator().generate(input.clone());
        DiscriminatorBatch {
            real,
            labels,
            input,
            fakes,
        }
    }

    /// One discriminator update on `batch`; returns (loss, mean D(x), mean D(G(z))), detached.
    fn discriminator_update(&mut self, batch: DiscriminatorBatch) -> [Tensor<1>; 3] {
        let DiscriminatorBatch {
            real, labels, fakes, ..
        } = batch;
        let discriminator = self
            .discriminator
            .take()
            .expect("the discriminator is only taken out during a step");
        let (real_logits, fake_logits) = (
            judge(&discriminator, real, labels.clone()),
            judge(&discriminator, fakes.clone().detach(), labels.clone()),
        );
        self.last_fakes = Some((fakes, labels));
        let loss = self
            .loss
            .discriminator(real_logits.clone(), fake_logits.clone(), 1.0 - self.label_smoothing);
        let grads = GradientsParams::from_grads(loss.backward(), &discriminator);
        let learning_rate = self.learning_rate * self.discriminator_lr_ratio;
        let discriminator = self.discriminator_optimizer.step(learning_rate, discriminator, grads);
        self.discriminator = Some(discriminator.after_update());
        [
            loss.detach(),
            self.loss.reported_score(real_logits.detach()),
            self.loss.reported_score(fake_logits.detach()),
        ]
    }

    /// One generator update (with the non-saturating loss, `-log D(G(z))`); returns it, detached.
    /// It scores the fakes of the last discriminator step against the updated discriminator, as
    /// the DCGAN reference implementations do, rather than generating a second batch: that
    /// saves one generator forward pass per step.
    fn generator_step(&mut self) -> Tensor<1> {
        let (fakes, labels) = self
            .last_fakes
            .take()
            .expect("a discriminator step comes before each generator step");
        let generator = self
            .generator
            .take()
            .expect("the generator is only taken out during a step");
        // The discriminator's weights stay fixed in this step, so they ask for no gradients here:
        // the backward pass then skips their weight gradients (a sixth of a gan_mlp step's matrix
        // products) and still carries the gradient through them to the generator.
        let discriminator = self
            .discriminator
            .take()
            .expect("the discriminator is back after its step")
            .no_grad();
        let loss = self.loss.generator(judge(&discriminator, fakes, labels));
        let grads = GradientsParams::from_grads(loss.backward(), &generator);
        self.discriminator = Some(discriminator.set_require_grad(true));
        self.generator = Some(self.generator_optimizer.step(self.learning_rate, generator, grads));
        loss.detach()
    }
}

/// One discriminator update's batch: real images, their classes, the generator's input for as
/// many fakes, and those fakes (with the generator's graph).
#[derive(Clone)]
struct DiscriminatorBatch {
    real: Tensor<2>,
    labels: Tensor<1, Int>,
    input: Tensor<2>,
    fakes: Tensor<2>,
}

/// The discriminator's half of a step in slow motion, waiting for the generator's.
struct Halfway {
    /// What its last update reported: loss, mean D(x), mean D(G(z)).
    reported: [Tensor<1>; 3],
    /// That update's batch.
    batch: DiscriminatorBatch,
}

impl<G: Generator, D: Discriminator> AdversarialTrainer<G, D> {
    /// The discriminator's mean verdicts `[real, fake]` on `real` images and `fakes` of classes
    /// `labels`, in inference mode (batch norm reads its running statistics and updates none).
    fn verdicts(&self, real: &Tensor<2>, labels: &Tensor<1, Int>, fakes: Tensor<2>) -> [Tensor<1>; 2] {
        let discriminator = self.discriminator().valid();
        [
            self.loss
                .reported_score(judge(&discriminator, real.clone(), labels.clone())),
            self.loss
                .reported_score(judge(&discriminator, fakes.detach(), labels.clone())),
        ]
    }

    /// The discriminator's half: its updates of this step, with the verdicts on the last one's
    /// real digits and fakes before and after it. The same draws as [`Session::step`] makes, in
    /// the same order, so two halves train exactly as one step does.
    fn discriminator_half(&mut self) -> HalfStep {
        seed_step(&self.device, self.seed, self.steps);
        for _ in 1..self.discriminator_steps {
            self.discriminator_step();
        }
        let batch = self.next_batch();
        let [real_before, fake_before] = self.verdicts(&batch.real, &batch.labels, batch.fakes.clone());
        let reported = self.discriminator_update(batch.clone());
        let [real_after, fake_after] = self.verdicts(&batch.real, &batch.labels, batch.fakes.clone());
        self.halfway = Some(Halfway { reported, batch });
        HalfStep {
            player: Player::Discriminator,
            verdicts: Tensor::cat(vec![real_before, fake_before, real_after, fake_after], 0),
            losses: None,
        }
    }

    /// The generator's half, completing the step the discriminator's half began, with the
    /// verdicts on the fakes the generator makes from that half's noise (in inference mode)
    /// before and after its update.
    fn generator_half(&mut self, halfway: Halfway) -> HalfStep {
        let Halfway { reported, batch } = halfway;
        let made = |trainer: &Self| trainer.generator().valid().generate(batch.input.clone());
        let [real, fake_before] = self.verdicts(&batch.real, &batch.labels, made(self));
        let losses = self.finish_step(reported);
        let [_, fake_after] = self.verdicts(&batch.real, &batch.labels, made(self));
        HalfStep {
            player: Player::Generator,
            verdicts: Tensor::cat(vec![real.clone(), fake_before, real, fake_after], 0),
            losses: Some(losses),
        }
    }

    /// The generator's update after the discriminator's, which `reported` (loss, mean D(x),
    /// mean D(G(z))): the step's loss terms.
    fn finish_step(&mut self, reported: [Tensor<1>; 3]) -> Tensor<1> {
        let generator_loss = self.generator_step();
        self.steps += 1;
        let [d_loss, real, fake] = reported;
        Tensor::cat(vec![d_loss, generator_loss, real, fake], 0)
    }
}

impl<G: Generator, D: Discriminator> Session for AdversarialTrainer<G, D> {
    fn loss_names(&self) -> &'static [&'static str] {
        &["d_loss", "g_loss", "D(x)", "D(G(z))"]
    }

    fn step(&mut self) -> Tensor<1> {
        // A step begun in slow motion is finished, not begun again.
        if let Some(halfway) = self.halfway.take() {
            return self.finish_step(halfway.reported);
        }
        seed_step(&self.device, self.seed, self.steps);
        let mut reported = self.discriminator_step();
        for _ in 1..self.discriminator_steps {
            reported = self.discriminator_step();
        }
        self.finish_step(reported)
    }

    fn half_step(&mut self) -> Option<HalfStep> {
        Some(match self.halfway.take() {
            None => self.discriminator_half(),
            Some(halfway) => self.generator_half(halfway),
        })
    }

    fn steps_done(&self) -> usize {
        self.steps
    }

    fn epochs_done(&self) -> f64 {
        let digits_seen = self.steps * self.discriminator_steps * self.batches.batch_size();
        digits_seen as f64 / self.batches.epoch_len() as f64
    }

    fn preview(&self) -> Tensor<2> {
        self.generator().valid().sample(PREVIEW_COUNT, PREVIEW_NOISE_SEED)
    }
}

impl<G: Generator, D: Discriminator> Inference for AdversarialTrainer<G, D> {
    fn preview_kind(&self) -> PreviewKind {
        PreviewKind::Samples
    }

    fn is_conditional(&self) -> bool {
        self.generator().classes() > 0
    }

    fn parameter_count(&self) -> usize {
        self.generator().num_params() + self.discriminator().num_params()
    }

    fn code_size(&self) -> usize {
        self.generator().input_size()
    }

    fn samples(&self, count: usize, seed: u64) -> Option<Tensor<2>> {
        Some(self.generator().valid().sample(count, seed))
    }

    fn samples_of_classes(&self, labels: Tensor<1, Int>, seed: u64) -> Option<Tensor<2>> {
        let generator = self.generator().valid();
        (generator.classes() > 0).then(|| generator.sample_classes(labels, seed))
    }

    fn encode(&self, _images: Tensor<2>) -> Option<Tensor<2>> {
        None
    }

    fn decode(&self, codes: Tensor<2>) -> Tensor<2> {
        self.generator().valid().generate(codes)
    }

    fn reconstruct(&self, _images: Tensor<2>) -> Option<Tensor<2>> {
        None
    }

    fn complete(&self, images: Tensor<2>, visible: Tensor<2>, seed: u64) -> Tensor<2> {
        complete_by_latent_search(self.generator(), images, visible, LATENT_SEARCH_STEPS, seed)
    }
}

impl<G: Generator, D: Discriminator> Evaluation for AdversarialTrainer<G, D> {
    fn evaluate(&self, _count: usize) -> PendingScores {
        PendingScores::not_applicable("a GAN has no encoder, so it cannot score held-out digits")
    }

    fn evaluate_on(&self, _images: &Tensor<2>) -> PendingScores {
        self.evaluate(0)
    }
}

impl<G: Generator, D: Discriminator> Persistence for AdversarialTrainer<G, D> {
    fn parameters(&self, precision: Precision) -> Vec<NamedParameter> {
        let mut parameters = named_parameters(self.generator(), "generator", precision);
        parameters.extend(named_parameters(self.discriminator(), "discriminator", precision));
        parameters
    }

    fn load_parameters(&mut self, tensors: Vec<PackTensor>, precision: Precision) -> Result<(), WeightsError> {
        let [generator, discriminator] = split_by_owner(tensors, ["generator", "discriminator"])?;
        let generator = load_into(self.generator(), generator, precision)?;
        let discriminator = load_into(self.discriminator(), discriminator, precision)?;
        self.generator = Some(generator);
        self.discriminator = Some(discriminator);
        self.generator_optimizer = adam();
        self.discriminator_optimizer = adam();
        self.steps = 0;
        self.halfway = None;
        Ok(())
    }

    fn optimizers(&self) -> Vec<&AdamOptimizer> {
        vec![&self.generator_optimizer, &self.discriminator_optimizer]
    }

    fn load_optimizer_state(&mut self, state: Vec<Vec<u8>>) -> Result<(), String> {
        let [generator, discriminator] = one_state_each(state)?;
        let generator = adam().with_bytes(generator)?;
        self.discriminator_optimizer = adam().with_bytes(discriminator)?;
        self.generator_optimizer = generator;
        Ok(())
    }

    fn resume_at(&mut self, steps: usize) {
        // One real batch for each discriminator update of a step.
        self.batches
            .skip(steps.saturating_sub(self.steps) * self.discriminator_steps);
        self.steps = steps;
        self.halfway = None;
    }
}

/// The discriminator's scores of `samples` `[batch, features]` of classes `labels`: packed
/// first when it judges several at once (each pack then carries its first sample's class).
fn judge<D: Discriminator>(discriminator: &D, samples: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<2> {
    match discriminator.pack() {
        1 => discriminator.logits(samples, labels),
        pack => {
            let rows = samples.dims()[0] / pack;
            let firsts = labels
                .slice(0..rows * pack)
                .reshape([rows, pack])
                .slice([0..rows, 0..1])
                .reshape([rows]);
            discriminator.logits(packed(samples, pack), firsts)
        }
    }
}

/// Adam as the DCGAN paper sets it for both players (beta_1 = 0.5).
fn adam() -> AdamOptimizer {
    FusedAdam::new(0.5).init()
}
