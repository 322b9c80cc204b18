//! Seeded mini-batches of training digits, kept on the device: the digits are uploaded once
//! and each batch is a `select` of shuffled indices, reshuffled every epoch.

use burn::tensor::{Device, Int, Tensor, TensorData};
use rand::seq::SliceRandom;
use rand::{SeedableRng, rngs::StdRng};

use crate::data::{Digits, IMAGE_PIXELS};

/// Uploads `digits` to `device` as a `[n, 784]` tensor (`[n, width]` for rows of another
/// width, such as the mode-collapse lab's points).
pub fn upload(digits: &Digits, device: &Device) -> Tensor<2> {
    let width = match digits.len() {
        0 => IMAGE_PIXELS,
        n => digits.pixels.len() / n,
    };
    Tensor::from_data(TensorData::new(digits.pixels.clone(), [digits.len(), width]), device)
}

/// Uploads the labels of `digits` to `device` as a `[n]` tensor.
pub fn upload_labels(digits: &Digits, device: &Device) -> Tensor<1, Int> {
    labels_tensor(&digits.labels, device)
}

/// `labels` as a `[n]` tensor on `device`.
pub fn labels_tensor(labels: &[u8], device: &Device) -> Tensor<1, Int> {
    let values: Vec<i64> = labels.iter().map(|&l| i64::from(l)).collect();
    Tensor::from_data(TensorData::new(values, [labels.len()]), device)
}

/// Shuffled passes over a set of digits on the device.
pub struct BatchSource {
    images: Tensor<2>,
    labels: Tensor<1, Int>,
    order: Vec<i64>,
    cursor: usize,
    batch_size: usize,
    rng: StdRng,
    device: Device,
}

impl BatchSource {
    /// Batches of `batch_size` (at most the set's size) from `digits`, in an order fixed by `seed`.
    pub fn new(digits: &Digits, batch_size: usize, seed: u64, device: &Device) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut order: Vec<i64> = (0..digits.len() as i64).collect();
        order.shuffle(&mut rng);
        Self {
            images: upload(digits, device),
            labels: upload_labels(digits, device),
            batch_size: batch_size.clamp(1, order.len().max(1)),
            order,
            cursor: 0,
            rng,
            device: device.clone(),
        }
    }

    /// Number of digits in one pass.
    pub fn epoch_len(&self) -> usize {
        self.order.len()
    }

    /// Digits per batch.
    pub fn batch_size(&self) -> usize {
        self.batch_size
    }

    /// The next batch `[batch, 784]`, reshuffling at the end of each pass.
    pub fn next_batch(&mut self) -> Tensor<2> {
        let indices = self.next_indices();
        self.images.clone().select(0, indices)
    }

    /// The next batch with its labels: `[batch, 784]` and `[batch]`.
    pub fn next_labelled_batch(&mut self) -> (Tensor<2>, Tensor<1, Int>) {
        let indices = self.next_indices();
        (
            self.images.clone().select(0, indices.clone()),
            self.labels.clone().select(0, indices),
        )
    }

    /// Passes over `batches` batches without making them, reshuffling as drawing them would: a
    /// session resumed at a step draws the batches the original would have drawn next.
    pub fn skip(&mut self, batches: usize) {
        for _ in 0..batches {
            self.advance();
        }
    }

    /// Indices of the next batch on the device.
    fn next_indices(&mut self) -> Tensor<1, Int> {
        let start = self.advance();
        let indices = self.order[start..start + self.batch_size].to_vec();
        Tensor::from_data(TensorData::new(indices, [self.batch_size]), &self.device)
    }

    /// Moves to the next batch, reshuffling at the end of a pass; returns where it starts.
    fn advance(&mut self) -> usize {
        if self.cursor + self.batch_size > self.order.len() {
            self.order.shuffle(&mut self.rng);
            self.cursor = 0;
        }
        self.cursor += self.batch_size;
        self.cursor - self.batch_size
    }
}
