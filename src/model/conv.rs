//! Convolutional encoder and decoder trunks shared by the convolutional autoencoder and VAE:
//! two stride-2 convolutions down to 7x7x64, and two stride-2 transposed convolutions back.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use crate::data::{IMAGE_PIXELS, IMAGE_SIDE};

/// Features the convolutional encoder hands to its heads: 64 channels of 7x7.
pub const CONV_FEATURES: usize = 64 * 7 * 7;

/// `[batch, 784]` -> `conv 32 /2 -> ReLU -> conv 64 /2 -> ReLU` -> `[batch, 3136]`.
#[derive(Module, Debug)]
pub struct ConvEncoder {
    downsample_1: Conv2d,
    downsample_2: Conv2d,
}

/// `[batch, latent]` -> `dense 7x7x64 -> ReLU -> deconv 32 x2 -> ReLU -> deconv 1 x2` -> logits `[batch, 784]`.
#[derive(Module, Debug)]
pub struct ConvDecoder {
    project: Linear,
    upsample_1: ConvTranspose2d,
    upsample_2: ConvTranspose2d,
}

/// A 4x4 convolution with stride 2 and padding 1, which halves the side (28 -> 14 -> 7).
pub fn halving_conv(from: usize, to: usize, device: &Device) -> Conv2d {
    Conv2dConfig::new([from, to], [4, 4])
        .with_stride([2, 2])
        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
        .init(device)
}

/// A 4x4 transposed convolution with stride 2 and padding 1, which doubles the side (7 -> 14 -> 28).
pub fn doubling_deconv(from: usize, to: usize, device: &Device) -> ConvTranspose2d {
    ConvTranspose2dConfig::new([from, to], [4, 4])
        .with_stride([2, 2])
        .with_padding([1, 1])
        .init(device)
}

impl ConvEncoder {
    /// A fresh encoder trunk on `device`.
    pub fn new(device: &Device) -> Self {
        Self {
            downsample_1: halving_conv(1, 32, device),
            downsample_2: halving_conv(32, 64, device),
        }
    }

    /// # Shapes
    /// `[batch, 784]` -> `[batch, 3136]`
    pub fn forward(&self, images: Tensor<2>) -> Tensor<2> {
        let batch = images.dims()[0];
        let x = images.reshape([batch, 1, IMAGE_SIDE, IMAGE_SIDE]);
        let x = relu(self.downsample_1.forward(x)); // [batch, 32, 14, 14]
        let x = relu(self.downsample_2.forward(x)); // [batch, 64, 7, 7]
        x.reshape([batch, CONV_FEATURES])
    }
}

impl ConvDecoder {
    /// A fresh decoder from codes of size `latent`, on `device`.
    pub fn new(latent: usize, device: &Device) -> Self {
        Self {
            project: LinearConfig::new(latent, CONV_FEATURES).init(device),
            upsample_1: doubling_deconv(64, 32, device),
            upsample_2: doubling_deconv(32, 1, device),
        }
    }

    /// Size of the codes this decoder reads.
    pub fn latent_size(&self) -> usize {
        self.project.weight.dims()[0]
    }

    /// Bernoulli logits of the pixels.
    ///
    /// # Shapes
    /// `[batch, latent]` -> `[batch, 784]`
    pub fn forward(&self, codes: Tensor<2>) -> Tensor<2> {
        let batch = codes.dims()[0];
        let x = relu(self.project.forward(codes)).reshape([batch, 64, 7, 7]);
        let x = relu(self.upsample_1.forward(x)); // [batch, 32, 14, 14]
        self.upsample_2.forward(x).reshape([batch, IMAGE_PIXELS]) // [batch, 784]
    }
}
