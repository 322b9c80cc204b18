//! The encoder and decoder networks of the autoencoder family, in three architectures, so that
//! the AE and the VAE are each written once and take any of them.

use burn::module::Module;
use burn::nn::gru::{Gru, GruConfig};
use burn::nn::{Linear, LinearConfig};
use burn::tensor::activation::{relu, tanh};
use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use super::conv::{CONV_FEATURES, ConvDecoder, ConvEncoder};
use crate::data::{IMAGE_PIXELS, IMAGE_SIDE};

/// How an autoencoder reads and writes a digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    /// Fully connected: `784-hidden` and back.
    Mlp,
    /// Two stride-2 convolutions down to 7x7x64 and two transposed convolutions back.
    Conv,
    /// A GRU reads the 28 rows as a sequence; another GRU writes them one by one.
    Recurrent,
}

/// The encoder trunk: images `[batch, 784]` to features `[batch, features]`.
// Built once per model, so the variants' size difference costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Encoder {
    /// `784-hidden`, ReLU.
    Mlp(Linear),
    /// Convolutional trunk.
    Conv(ConvEncoder),
    /// A GRU over the rows; the features are its last state.
    Recurrent(Gru),
}

/// The decoder: codes `[batch, latent]` to pixel logits `[batch, 784]`.
// Built once per model, so the variants' size difference costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum Decoder {
    /// `latent-hidden-784`, ReLU.
    Mlp(MlpDecoder),
    /// Transposed-convolution decoder.
    Conv(ConvDecoder),
    /// A GRU fed the code at each of 28 steps, emitting one row per step.
    Recurrent(RowWriter),
}

/// Fully connected decoder `latent-hidden-784`.
#[derive(Module, Debug)]
pub struct MlpDecoder {
    hidden: Linear,
    output: Linear,
}

/// Recurrent decoder: the code sets the initial state and is the input at every step.
#[derive(Module, Debug)]
pub struct RowWriter {
    initial_state: Linear,
    rnn: Gru,
    row_output: Linear,
}

impl Encoder {
    /// A fresh encoder of `architecture` with `hidden` units (MLP layer or GRU state), on `device`.
    pub fn new(architecture: Architecture, hidden: usize, device: &Device) -> Self {
        match architecture {
            Architecture::Mlp => Encoder::Mlp(LinearConfig::new(IMAGE_PIXELS, hidden).init(device)),
            Architecture::Conv => Encoder::Conv(ConvEncoder::new(device)),
            Architecture::Recurrent => Encoder::Recurrent(GruConfig::new(IMAGE_SIDE, hidden, true).init(device)),
        }
    }

    /// Size of the features this encoder produces.
    pub fn feature_size(architecture: Architecture, hidden: usize) -> usize {
        match architecture {
            Architecture::Mlp | Architecture::Recurrent => hidden,
            Architecture::Conv => CONV_FEATURES,
        }
    }

    /// # Shapes
    /// `[batch, 784]` -> `[batch, features]`
    pub fn forward(&self, images: Tensor<2>) -> Tensor<2> {
        match self {
            Encoder::Mlp(layer) => relu(layer.forward(images)),
            Encoder::Conv(trunk) => trunk.forward(images),
            Encoder::Recurrent(rnn) => {
                let batch = images.dims()[0];
                let rows = images.reshape([batch, IMAGE_SIDE, IMAGE_SIDE]); // [batch, 28 rows, 28 pixels]
                let states = rnn.forward(rows, None); // [batch, 28, hidden]
                let hidden = states.dims()[2];
                states
                    .slice([0..batch, IMAGE_SIDE - 1..IMAGE_SIDE])
                    .reshape([batch, hidden])
            }
        }
    }
}

impl Decoder {
    /// A fresh decoder of `architecture` from codes of size `latent`, on `device`.
    pub fn new(architecture: Architecture, latent: usize, hidden: usize, device: &Device) -> Self {
        match architecture {
            Architecture::Mlp => Decoder::Mlp(MlpDecoder {
                hidden: LinearConfig::new(latent, hidden).init(device),
                output: LinearConfig::new(hidden, IMAGE_PIXELS).init(device),
            }),
            Architecture::Conv => Decoder::Conv(ConvDecoder::new(latent, device)),
            Architecture::Recurrent => Decoder::Recurrent(RowWriter {
                initial_state: LinearConfig::new(latent, hidden).init(device),
                rnn: GruConfig::new(latent, hidden, true).init(device),
                row_output: LinearConfig::new(hidden, IMAGE_SIDE).init(device),
            }),
        }
    }

    /// Pixel logits decoded from `codes`.
    ///
    /// # Shapes
    /// `[batch, latent]` -> `[batch, 784]`
    pub fn forward(&self, codes: Tensor<2>) -> Tensor<2> {
        match self {
            Decoder::Mlp(mlp) => mlp.output.forward(relu(mlp.hidden.forward(codes))),
            Decoder::Conv(conv) => conv.forward(codes),
            Decoder::Recurrent(writer) => {
                let [batch, latent] = codes.dims();
                let state = tanh(writer.initial_state.forward(codes.clone())); // [batch, hidden]
                let inputs = codes.reshape([batch, 1, latent]).repeat_dim(1, IMAGE_SIDE); // [batch, 28, latent]
                let states = writer.rnn.forward(inputs, Some(state)); // [batch, 28, hidden]
                writer.row_output.forward(states).reshape([batch, IMAGE_PIXELS]) // one row of 28 per step
            }
        }
    }
}
