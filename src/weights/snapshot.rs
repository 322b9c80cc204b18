//! Taking a module's parameters out (for export) and putting a file's tensors in (for import).
//!
//! burn-store's own `collect` reads each tensor back synchronously when the file is written,
//! which panics on WebGPU in a browser. Export therefore takes the names from `collect` (which
//! reads nothing) and the tensors from a visitor of the same traversal, and reads each back
//! with `into_data_async` before writing.

use burn::module::{Module, ModuleVisitor, Param};
use burn::store::burn_pack::Tensor as PackTensor;
use burn::store::{FloatCastAdapter, HalfPrecisionAdapter, ModuleAdapter, ModuleSnapshot};
use burn::tensor::{DType, Shape, Tensor};

use super::file::{Precision, WeightsError};

/// One float parameter of a module, named as in a weights file, still on its device.
#[derive(Debug, Clone)]
pub struct NamedParameter {
    /// Dotted path, with the owner's prefix (for example `model.decoder.output.weight`).
    pub name: String,
    /// The parameter's id.
    pub id: u64,
    /// Its shape.
    pub shape: Shape,
    /// How it is stored in the file (F16 for a half-precision file's linear and conv weights).
    pub stored_as: DType,
    /// Its values, flattened.
    pub values: Tensor<1>,
}

/// Gathers every float parameter in traversal order, flattened, as saved.
#[derive(Default)]
struct FloatGatherer {
    tensors: Vec<Tensor<1>>,
}

impl ModuleVisitor for FloatGatherer {
    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let tensor = param.transform_for_save().val();
        let count = tensor.shape().num_elements();
        self.tensors.push(tensor.reshape([count]));
    }
}

/// The float parameters of `module`, named `prefix.path` (cheap: tensors are shared, not
/// copied). With [`Precision::F16`], burn-store's `HalfPrecisionAdapter` decides which are
/// stored in 16 bits.
pub fn named_parameters<M: Module>(module: &M, prefix: &str, precision: Precision) -> Vec<NamedParameter> {
    // `valid` folds batch norm's pending running statistics into their values (a plain visit
    // would see stale ones) and drops the autodiff graph.
    let module = module.valid();
    let described = module.collect(None, adapter(precision), false);
    let mut gatherer = FloatGatherer::default();
    module.visit(&mut gatherer);
    assert_eq!(
        described.len(),
        gatherer.tensors.len(),
        "genplay's models have float parameters only"
    );
    described
        .into_iter()
        .zip(gatherer.tensors)
        .map(|(description, values)| NamedParameter {
            name: format!("{prefix}.{}", description.name),
            id: description.param_id.unwrap_or_default(),
            shape: description.shape,
            stored_as: description.dtype,
            values,
        })
        .collect()
}

/// Reads `parameters` back to the CPU, asynchronously, as tensors of a weights file.
pub async fn read_parameters(parameters: Vec<NamedParameter>) -> Result<Vec<PackTensor>, WeightsError> {
    let mut tensors = Vec::with_capacity(parameters.len());
    for parameter in parameters {
        let data = parameter
            .values
            .into_data_async()
            .await
            .map_err(|e| WeightsError::Readback(format!("{e:?}")))?;
        let data = if data.dtype() == parameter.stored_as {
            data
        } else {
            data.convert_dtype(parameter.stored_as)
        };
        let (bytes, _, dtype) = data.into_parts();
        tensors.push(PackTensor::new(
            parameter.name,
            dtype,
            parameter.shape,
            Some(parameter.id),
            bytes,
        ));
    }
    Ok(tensors)
}

/// Splits a file's `tensors` by owner (`model`, or `generator` and `discriminator`), each part
/// with its owner's prefix removed; a tensor of no listed owner is refused.
pub fn split_by_owner<const N: usize>(
    tensors: Vec<PackTensor>,
    owners: [&str; N],
) -> Result<[Vec<PackTensor>; N], WeightsError> {
    let mut parts: [Vec<PackTensor>; N] = std::array::from_fn(|_| Vec::new());
    for mut tensor in tensors {
        let owner = owners.iter().position(|owner| {
            tensor
                .name
                .strip_prefix(owner)
                .is_some_and(|rest| rest.starts_with('.'))
        });
        let Some(owner) = owner else {
            return Err(WeightsError::TensorMismatch(format!(
                "the tensor {} belongs to none of {}",
                tensor.name,
                owners.join(", ")
            )));
        };
        tensor.name = tensor.name[owners[owner].len() + 1..].to_string();
        parts[owner].push(tensor);
    }
    Ok(parts)
}

/// A copy of `module` with `tensors` (named without prefix) applied; `module` itself is never
/// changed. Refused unless every parameter is given exactly once with its shape.
pub fn load_into<M: Module>(module: &M, tensors: Vec<PackTensor>, precision: Precision) -> Result<M, WeightsError> {
    // Not `clone`: batch norm's running statistics are shared between clones and `apply`
    // would write into the original's. `valid` makes an independent copy, `train` below puts
    // it back on the autodiff device.
    let mut copy = module.valid();
    let result = copy.apply(tensors, None, loading_adapter(precision), false);
    let list = |names: Vec<String>| {
        let shown: Vec<String> = names.iter().take(3).cloned().collect();
        let more = names.len().saturating_sub(3);
        if more > 0 {
            format!("{} and {more} more", shown.join(", "))
        } else {
            shown.join(", ")
        }
    };
    if !result.errors.is_empty() {
        let errors = result.errors.iter().map(|e| e.to_string()).collect();
        return Err(WeightsError::TensorMismatch(list(errors)));
    }
    if !result.missing.is_empty() {
        let missing = result.missing.into_iter().map(|(path, _)| path).collect();
        return Err(WeightsError::TensorMismatch(format!("missing {}", list(missing))));
    }
    if !result.unused.is_empty() {
        return Err(WeightsError::TensorMismatch(format!(
            "tensors the model does not have: {}",
            list(result.unused)
        )));
    }
    Ok(copy.train())
}

/// The adapter that turns a file's tensors stored with `precision` into the module's f32. For
/// 16-bit files every float tensor is cast to f32, whichever module it belongs to, so no
/// tensor of another float type ever reaches a module (burn-store's `HalfPrecisionAdapter`
/// casts by module type and direction, and would turn a 32-bit tensor of a linear layer into
/// 16 bits on the way in). [`WeightsFile::parse`](super::WeightsFile::parse) has already
/// checked the tensors against `precision`.
fn loading_adapter(precision: Precision) -> Option<Box<dyn ModuleAdapter>> {
    match precision {
        Precision::F32 => None,
        Precision::F16 => Some(Box::new(FloatCastAdapter::to(DType::F32))),
    }
}

/// The adapter that converts between the module's f32 and the file's `precision`, if any.
fn adapter(precision: Precision) -> Option<Box<dyn ModuleAdapter>> {
    match precision {
        Precision::F32 => None,
        Precision::F16 => Some(Box::new(HalfPrecisionAdapter::new())),
    }
}
