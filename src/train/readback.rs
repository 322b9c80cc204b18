//! Reading tensors back to the CPU, always asynchronously: a synchronous read panics on
//! WebGPU in a browser, and the asynchronous one costs nothing extra elsewhere.

use burn::tensor::{Tensor, TensorData};

/// Why a read back failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("could not read values back from the device: {0}")]
pub struct ReadbackError(pub String);

/// `tensor`'s data, as stored, read back asynchronously.
pub async fn read_data<const D: usize>(tensor: Tensor<D>) -> Result<TensorData, ReadbackError> {
    tensor
        .into_data_async()
        .await
        .map_err(|e| ReadbackError(format!("{e:?}")))
}

/// The values of `tensor`, flattened, read back asynchronously.
pub async fn read_floats<const D: usize>(tensor: Tensor<D>) -> Result<Vec<f32>, ReadbackError> {
    read_data(tensor)
        .await?
        .convert::<f32>()
        .try_into_vec::<f32>()
        .map_err(|e| ReadbackError(format!("{e:?}")))
}
