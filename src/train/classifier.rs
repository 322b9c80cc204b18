//! Training a digit classifier (the CNN that judges generated digits, or the augmentation
//! experiment's MLP), and measuring its accuracy.

use burn::optim::GradientsParams;
use burn::tensor::{Device, Int, Tensor};

use super::adam_state::AdamOptimizer;
use super::batches::{BatchSource, upload, upload_labels};
use super::fused_adam::FusedAdam;
use super::readback::{ReadbackError, read_floats};
use crate::data::Digits;
use crate::model::classifier::LabelClassifier;
use crate::model::{ClassifierConfig, DigitClassifier};
use crate::weights::{
    CLASSIFIER_ID, NamedParameter, Precision, WeightsError, WeightsFile, load_into, named_parameters, split_by_owner,
};

/// Trains a classifier (by default the [`DigitClassifier`]) with Adam on labelled digits.
pub struct ClassifierTrainer<M: LabelClassifier = DigitClassifier> {
    model: Option<M>,
    optimizer: AdamOptimizer,
    learning_rate: f64,
    batches: BatchSource,
}

impl<M: LabelClassifier> ClassifierTrainer<M> {
    /// A session that trains `model` on `digits`, in batches drawn in an order fixed by `seed`.
    pub fn new(model: M, learning_rate: f64, batch_size: usize, seed: u64, digits: &Digits, device: &Device) -> Self {
        Self {
            model: Some(model),
            optimizer: FusedAdam::standard().init(),
            learning_rate,
            batches: BatchSource::new(digits, batch_size, seed, device),
        }
    }

    /// One optimisation step; returns the batch's cross-entropy `[1]`, still on the device.
    pub fn step(&mut self) -> Tensor<1> {
        let (images, labels) = self.batches.next_labelled_batch();
        let model = self.model.take().expect("the model is only taken out during a step");
        let loss = model.loss(images, labels);
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        self.model = Some(self.optimizer.step(self.learning_rate, model, grads));
        loss.detach()
    }

    /// The classifier being trained.
    pub fn model(&self) -> &M {
        self.model.as_ref().expect("the model is only taken out during a step")
    }

    /// The trained classifier.
    pub fn into_model(self) -> M {
        self.model.expect("the model is only taken out during a step")
    }
}

/// Fraction of `digits` that `classifier` labels correctly, read back asynchronously.
pub async fn accuracy<M: LabelClassifier>(
    classifier: &M,
    digits: &Digits,
    device: &Device,
) -> Result<f64, ReadbackError> {
    let images: Tensor<2> = upload(digits, device);
    let labels: Tensor<1, Int> = upload_labels(digits, device);
    let correct = read_floats(classifier.valid().correct(images, labels)).await?;
    Ok(f64::from(correct[0]) / digits.len() as f64)
}

/// The classifier's config, as a weights file records it.
pub fn classifier_config() -> serde_json::Value {
    serde_json::to_value(ClassifierConfig::new()).expect("burn configs serialise to JSON")
}

/// The classifier's parameters, named as in a weights file stored with `precision`.
pub fn classifier_parameters(classifier: &DigitClassifier, precision: Precision) -> Vec<NamedParameter> {
    named_parameters(classifier, CLASSIFIER_ID, precision)
}

/// The classifier held by `file`, built on `device` (refused if the file holds anything else).
pub fn classifier_from_file(file: WeightsFile, device: &Device) -> Result<DigitClassifier, WeightsError> {
    file.check_fits(CLASSIFIER_ID, &classifier_config())?;
    let precision = file.header.precision;
    let [own] = split_by_owner(file.into_tensors(), [CLASSIFIER_ID])?;
    load_into(&ClassifierConfig::new().init(device), own, precision)
}
