//! Digit classifiers. They are not generative models: a small CNN judges generated digits
//! (class histogram, coverage, an Inception-Score-like figure, and a Fréchet distance on its
//! penultimate features), and an MLP is what the data-augmentation experiment trains, many
//! times over, on few labels.

use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::activation::{relu, softmax};
use burn::tensor::loss::cross_entropy_with_logits;
use burn::tensor::{Device, Int, Tensor};

use crate::data::IMAGE_SIDE;

/// Number of digit classes.
pub const CLASSES: usize = 10;

/// What every classifier here offers its trainer: a loss to minimise and a count of right answers.
pub trait LabelClassifier: Module {
    /// Class logits of each image: `[batch, 784]` -> `[batch, 10]`.
    fn logits(&self, images: Tensor<2>) -> Tensor<2>;

    /// Mean cross-entropy of the logits for `images` against `labels` `[batch]`.
    fn loss(&self, images: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<1> {
        cross_entropy_with_logits(self.logits(images), super::one_hot(labels, CLASSES))
    }

    /// How many of `images` are classified as their `labels`, as a `[1]` tensor.
    fn correct(&self, images: Tensor<2>, labels: Tensor<1, Int>) -> Tensor<1> {
        let predicted = self.logits(images).argmax(1).squeeze_dim::<1>(1);
        predicted.equal(labels).int().sum().float()
    }
}

/// Shape of the small MLP classifier the augmentation experiment trains.
#[derive(Config, Debug, PartialEq)]
pub struct MlpClassifierConfig {
    /// Width of the hidden layer.
    #[config(default = 256)]
    pub hidden: usize,
}

/// `784-hidden-10`, ReLU: fast enough to train many times in a browser tab, and with no
/// built-in translation invariance, so what augmentation adds shows.
#[derive(Module, Debug)]
pub struct MlpClassifier {
    hidden: Linear,
    output: Linear,
}

impl MlpClassifierConfig {
    /// Builds the classifier on `device`.
    pub fn init(&self, device: &Device) -> MlpClassifier {
        MlpClassifier {
            hidden: LinearConfig::new(crate::data::IMAGE_PIXELS, self.hidden).init(device),
            output: LinearConfig::new(self.hidden, CLASSES).init(device),
        }
    }
}

impl LabelClassifier for MlpClassifier {
    fn logits(&self, images: Tensor<2>) -> Tensor<2> {
        self.output.forward(relu(self.hidden.forward(images)))
    }
}

/// Shape of the digit classifier.
#[derive(Config, Debug, PartialEq)]
pub struct ClassifierConfig {
    /// Size of the penultimate feature layer (the features a Fréchet distance compares).
    #[config(default = 128)]
    pub features: usize,
}

/// `conv 16 5x5 -> ReLU -> pool /2 -> conv 32 5x5 -> ReLU -> pool /2 -> dense features -> ReLU -> dense 10`.
#[derive(Module, Debug)]
pub struct DigitClassifier {
    conv_1: Conv2d,
    conv_2: Conv2d,
    pool: MaxPool2d,
    features: Linear,
    output: Linear,
}

impl ClassifierConfig {
    /// Builds the classifier on `device`.
    pub fn init(&self, device: &Device) -> DigitClassifier {
        let conv = |from, to| {
            Conv2dConfig::new([from, to], [5, 5])
                .with_padding(PaddingConfig2d::Explicit(2, 2, 2, 2))
                .init(device)
        };
        DigitClassifier {
            conv_1: conv(1, 16),
            conv_2: conv(16, 32),
            pool: MaxPool2dConfig::new([2, 2]).init(),
            features: LinearConfig::new(32 * 7 * 7, self.features).init(device),
            output: LinearConfig::new(self.features, CLASSES).init(device),
        }
    }
}

impl DigitClassifier {
    /// Penultimate features of each image.
    ///
    /// # Shapes
    /// `[batch, 784]` -> `[batch, features]`
    pub fn features(&self, images: Tensor<2>) -> Tensor<2> {
        let batch = images.dims()[0];
        let x = images.reshape([batch, 1, IMAGE_SIDE, IMAGE_SIDE]);
        let x = self.pool.forward(relu(self.conv_1.forward(x))); // [batch, 16, 14, 14]
        let x = self.pool.forward(relu(self.conv_2.forward(x))); // [batch, 32, 7, 7]
        relu(self.features.forward(x.reshape([batch, 32 * 7 * 7])))
    }

    /// Class probabilities of each image, `[batch, 10]`.
    pub fn probabilities(&self, images: Tensor<2>) -> Tensor<2> {
        softmax(self.logits(images), 1)
    }

    /// Class probabilities `[batch, 10]` from an inference copy of the classifier (no graph,
    /// batch statistics frozen), for judging samples.
    pub fn valid_probabilities(&self, images: Tensor<2>) -> Tensor<2> {
        self.valid().probabilities(images)
    }
}

impl LabelClassifier for DigitClassifier {
    /// # Shapes
    /// `[batch, 784]` -> `[batch, 10]`
    fn logits(&self, images: Tensor<2>) -> Tensor<2> {
        self.output.forward(self.features(images))
    }
}
