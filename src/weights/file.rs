//! A genplay weights file: a burnpack container whose metadata names the model, its full
//! configuration, the settings it was trained with, its step count and its precision.

use burn::store::burn_pack::{Reader, Tensor as PackTensor, Writer};
use burn::tensor::{Bytes, DType};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::zoo::{Hyperparameters, ModelKind};

/// Largest weights file the app accepts (the biggest model of the zoo is about 4.4 MB in f32).
pub const MAX_WEIGHTS_BYTES: usize = 32 * 1024 * 1024;
/// The model name a file of the digit classifier carries.
pub const CLASSIFIER_ID: &str = "classifier";
/// Metadata key under which the header is stored, as JSON.
const HEADER_KEY: &str = "genplay";

/// How the floating-point weights are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// 32-bit floats, exactly what was trained (exports).
    F32,
    /// 16-bit floats for the weights of linear and convolution layers, batch-norm statistics
    /// kept in 32 bits (burn-store's `HalfPrecisionAdapter`): the shipped files, half the size.
    F16,
}

/// What a weights file says about the weights it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightsHeader {
    /// The model's id (a [`ModelKind`] id, or [`CLASSIFIER_ID`]).
    pub model: String,
    /// The model's full burn `Config`, as JSON.
    pub config: Value,
    /// The hyper-parameters it was trained with, when it is a model of the zoo.
    pub settings: Option<Hyperparameters>,
    /// Training steps behind these weights.
    pub steps: usize,
    /// How the weights are stored.
    pub precision: Precision,
}

impl WeightsHeader {
    /// The header of a model of the zoo: `kind` with `settings`, trained `steps` steps, stored
    /// with `precision`.
    pub fn of_model(kind: ModelKind, settings: Hyperparameters, steps: usize, precision: Precision) -> Self {
        Self {
            model: kind.id().into(),
            config: crate::zoo::model_config(kind, &settings),
            settings: Some(settings),
            steps,
            precision,
        }
    }
}

/// Why a weights file was refused. Every message names the problem in plain words.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeightsError {
    /// The file is over [`MAX_WEIGHTS_BYTES`].
    #[error("the file is {size} bytes, more than the {limit} bytes a weights file may have")]
    TooLarge {
        /// Size of the file.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The bytes are not a readable burnpack container.
    #[error("the file is not a burn weights file (.bpk), or it is damaged or truncated: {0}")]
    Unreadable(String),
    /// A burnpack container that genplay did not write.
    #[error("the file is a burn weights file, but not one saved by genplay: it does not say which model it holds")]
    NotGenplay,
    /// The genplay header is present but cannot be understood.
    #[error("the file's description of its model is damaged: {0}")]
    BadHeader(String),
    /// The file holds another model.
    #[error("the file holds weights for {found}, but the model in use is {expected}: pick {found} first")]
    OtherModel {
        /// What the file holds.
        found: String,
        /// What is in use.
        expected: String,
    },
    /// Same model, another configuration.
    #[error("the file's {model} was built differently from the one in use ({differences})")]
    OtherConfig {
        /// The model.
        model: String,
        /// Each differing field, "field: file value, in use value".
        differences: String,
    },
    /// The header's precision is not what the tensors hold.
    #[error("the file says its weights are stored as {claimed}, but {found}")]
    PrecisionMismatch {
        /// What the header says, in words.
        claimed: &'static str,
        /// What the tensors are, in words (naming the first that differs).
        found: String,
    },
    /// The tensors do not match the model's parameters.
    #[error("the file's tensors do not fit the model: {0}")]
    TensorMismatch(String),
    /// Reading weights back from the device failed (export).
    #[error("could not read the weights back from the device: {0}")]
    Readback(String),
    /// Writing the container failed (export).
    #[error("could not write the weights file: {0}")]
    Write(String),
}

/// The name a person reads for a model id.
pub fn model_label(id: &str) -> String {
    match ModelKind::from_id(id) {
        Some(kind) => kind.label().to_string(),
        None if id == CLASSIFIER_ID => "the digit classifier".to_string(),
        None => format!("an unknown model \"{}\"", id.chars().take(40).collect::<String>()),
    }
}

/// A parsed weights file: its header and its tensors, not yet applied to any model.
#[derive(Debug)]
pub struct WeightsFile {
    /// What the file says about its weights.
    pub header: WeightsHeader,
    tensors: Vec<PackTensor>,
}

impl WeightsFile {
    /// Reads a weights file, refusing anything too large, unreadable or not written by genplay.
    pub fn parse(bytes: &[u8]) -> Result<Self, WeightsError> {
        if bytes.len() > MAX_WEIGHTS_BYTES {
            return Err(WeightsError::TooLarge {
                size: bytes.len(),
                limit: MAX_WEIGHTS_BYTES,
            });
        }
        let reader = Reader::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
            .map_err(|e| WeightsError::Unreadable(e.to_string()))?;
        let header = reader.metadata().get(HEADER_KEY).ok_or(WeightsError::NotGenplay)?;
        let header: WeightsHeader = serde_json::from_str(header).map_err(|e| WeightsError::BadHeader(e.to_string()))?;
        let tensors = reader
            .into_tensors()
            .map_err(|e| WeightsError::Unreadable(e.to_string()))?;
        // Materialise every tensor now, so that a truncated data section is refused here rather
        // than half-way through loading.
        for tensor in &tensors {
            tensor
                .to_bytes()
                .map_err(|e| WeightsError::Unreadable(format!("tensor {}: {e}", tensor.name)))?;
        }
        check_precision(header.precision, &tensors)?;
        Ok(Self { header, tensors })
    }

    /// Writes `tensors` with `header` into the bytes of a weights file.
    pub fn encode(header: &WeightsHeader, tensors: Vec<PackTensor>) -> Result<Vec<u8>, WeightsError> {
        let header = serde_json::to_string(header).map_err(|e| WeightsError::Write(e.to_string()))?;
        let bytes = Writer::new(tensors)
            .with_metadata("format", "burnpack")
            .with_metadata("producer", "genplay")
            .with_metadata(HEADER_KEY, &header)
            .into_bytes()
            .map_err(|e| WeightsError::Write(e.to_string()))?;
        Ok(bytes.to_vec())
    }

    /// Checks that the file holds `model` built with `config`; the error names what differs.
    pub fn check_fits(&self, model: &str, config: &Value) -> Result<(), WeightsError> {
        if self.header.model != model {
            return Err(WeightsError::OtherModel {
                found: model_label(&self.header.model),
                expected: model_label(model),
            });
        }
        let differences = config_differences(&self.header.config, config);
        if differences.is_empty() {
            Ok(())
        } else {
            Err(WeightsError::OtherConfig {
                model: model_label(model),
                differences: differences.join("; "),
            })
        }
    }

    /// The tensors, to apply to a model.
    pub fn into_tensors(self) -> Vec<PackTensor> {
        self.tensors
    }
}

/// Checks that `tensors` are stored as `precision` says: only 32-bit floats for
/// [`Precision::F32`]; 16-bit floats, and 32-bit ones where burn-store keeps them (batch-norm
/// statistics), for [`Precision::F16`].
fn check_precision(precision: Precision, tensors: &[PackTensor]) -> Result<(), WeightsError> {
    let allowed: &[DType] = match precision {
        Precision::F32 => &[DType::F32],
        Precision::F16 => &[DType::F16, DType::F32],
    };
    let claimed = match precision {
        Precision::F32 => "32-bit floats",
        Precision::F16 => "16-bit floats",
    };
    if let Some(odd) = tensors.iter().find(|t| !allowed.contains(&t.dtype)) {
        return Err(WeightsError::PrecisionMismatch {
            claimed,
            found: format!("tensor {} is {:?}", odd.name, odd.dtype),
        });
    }
    if precision == Precision::F16 && !tensors.iter().any(|t| t.dtype == DType::F16) {
        return Err(WeightsError::PrecisionMismatch {
            claimed,
            found: "every tensor is 32-bit".into(),
        });
    }
    Ok(())
}

/// "field: file X, in use Y" for every top-level field where `file` and `in_use` differ.
fn config_differences(file: &Value, in_use: &Value) -> Vec<String> {
    let (Value::Object(file), Value::Object(in_use)) = (file, in_use) else {
        return if file == in_use {
            vec![]
        } else {
            vec![format!("file {file}, in use {in_use}")]
        };
    };
    let mut keys: Vec<&String> = file.keys().chain(in_use.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|key| file.get(*key) != in_use.get(*key))
        .map(|key| {
            let show = |v: Option<&Value>| v.map_or("none".to_string(), Value::to_string);
            format!("{key}: file {}, in use {}", show(file.get(key)), show(in_use.get(key)))
        })
        .collect()
}
