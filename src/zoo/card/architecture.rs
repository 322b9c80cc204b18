//! A model's architecture read from the module itself: burn's module visitor walks the networks
//! a model of the zoo is built of and reports every layer (linear, convolution, transposed
//! convolution, batch norm, GRU) with what it maps and its parameter count. Nothing here is a
//! hand-written list: change the latent size and the layers read from the module change.
//!
//! The visitor sees parameters only, so a convolution's stride, padding and dilation come from
//! the module's own display (burn's `ModuleDisplay`, which prints them for `Conv2d` and
//! `ConvTranspose2d`), read in the same declaration order; from them and the 28x28 image each
//! layer that works on images gets the shape it takes in and puts out (`32×14×14`).

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::{Device, Tensor};

use crate::data::IMAGE_SIDE;
use crate::zoo::config::{BuiltConfig, build_config};
use crate::zoo::{Hyperparameters, ModelKind};

/// What sort of layer a layer is, with what it maps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayerKind {
    /// A fully connected layer, `inputs -> outputs` features.
    Linear { inputs: usize, outputs: usize },
    /// A convolution, `inputs -> outputs` channels with a square `kernel`.
    Conv {
        inputs: usize,
        outputs: usize,
        kernel: usize,
    },
    /// A transposed convolution, `inputs -> outputs` channels with a square `kernel`.
    Deconv {
        inputs: usize,
        outputs: usize,
        kernel: usize,
    },
    /// Batch normalisation of `features` features or channels.
    BatchNorm { features: usize },
    /// A GRU reading `inputs` features per step into a state of `hidden`.
    Gru { inputs: usize, hidden: usize },
    /// Parameters held outside the layers above, by the module named.
    Other { module: String },
}

impl LayerKind {
    /// The layer's type as a short name: "Linear", "Conv2d".
    pub fn name(&self) -> &str {
        match self {
            LayerKind::Linear { .. } => "Linear",
            LayerKind::Conv { .. } => "Conv2d",
            LayerKind::Deconv { .. } => "ConvTranspose2d",
            LayerKind::BatchNorm { .. } => "BatchNorm",
            LayerKind::Gru { .. } => "GRU",
            LayerKind::Other { module } => module,
        }
    }

    /// What the layer maps, in words: "784 → 256", "1 → 32 channels, 4×4".
    pub fn mapping(&self) -> String {
        match self {
            LayerKind::Linear { inputs, outputs } => format!("{inputs} → {outputs}"),
            LayerKind::Conv {
                inputs,
                outputs,
                kernel,
            }
            | LayerKind::Deconv {
                inputs,
                outputs,
                kernel,
            } => {
                format!("{inputs} → {outputs} channels, {kernel}×{kernel}")
            }
            LayerKind::BatchNorm { features } => format!("{features} features, with running statistics"),
            LayerKind::Gru { inputs, hidden } => format!("{inputs} per step → state of {hidden}"),
            LayerKind::Other { .. } => String::new(),
        }
    }

    /// The width of what the layer puts out (features or channels), if it says.
    pub fn output_width(&self) -> Option<usize> {
        match self {
            LayerKind::Linear { outputs, .. } | LayerKind::Conv { outputs, .. } | LayerKind::Deconv { outputs, .. } => {
                Some(*outputs)
            }
            LayerKind::BatchNorm { features } => Some(*features),
            LayerKind::Gru { hidden, .. } => Some(*hidden),
            LayerKind::Other { .. } => None,
        }
    }
}

/// One layer of a network, as the module holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    /// Its field path in the module, enum variants left out: `decoder.output`.
    pub path: String,
    /// Its type and what it maps.
    pub kind: LayerKind,
    /// Its parameters, counted from their shapes as burn's `num_params` counts them (a batch
    /// norm's running mean and variance included).
    pub parameters: usize,
    /// For a layer that works on images (a convolution, or a batch norm of their channels): the
    /// feature maps it takes in and puts out.
    pub shapes: Option<Shapes>,
}

impl Layer {
    /// What the layer maps, in words, with its feature maps where it has them:
    /// "1×28×28 → 32×14×14, 4×4 kernel", "784 → 256".
    pub fn mapping(&self) -> String {
        match (&self.kind, &self.shapes) {
            (LayerKind::Conv { kernel, .. } | LayerKind::Deconv { kernel, .. }, Some(shapes)) => {
                format!("{} → {}, {kernel}×{kernel} kernel", shapes.input, shapes.output)
            }
            (LayerKind::BatchNorm { .. }, Some(shapes)) => format!("{}, with running statistics", shapes.output),
            _ => self.kind.mapping(),
        }
    }
}

/// A stack of feature maps: `channels` images of `height` by `width`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureMap {
    pub channels: usize,
    pub height: usize,
    pub width: usize,
}

impl FeatureMap {
    /// One grey-level digit, as every network that starts with a convolution takes it in.
    pub const IMAGE: FeatureMap = FeatureMap {
        channels: 1,
        height: IMAGE_SIDE,
        width: IMAGE_SIDE,
    };

    /// The numbers it holds, as a linear layer sees it flattened.
    pub fn len(&self) -> usize {
        self.channels * self.height * self.width
    }

    /// `width` numbers read as square maps of `channels` channels (a linear layer's output
    /// reshaped for a convolution), if they are.
    fn unflattened(width: usize, channels: usize) -> Option<FeatureMap> {
        let per_channel = width.checked_div(channels).filter(|p| p * channels == width)?;
        let side = (per_channel as f64).sqrt().round() as usize;
        (side * side == per_channel).then_some(FeatureMap {
            channels,
            height: side,
            width: side,
        })
    }
}

impl std::fmt::Display for FeatureMap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}×{}×{}", self.channels, self.height, self.width)
    }
}

/// What a layer that works on images takes in and puts out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shapes {
    pub input: FeatureMap,
    pub output: FeatureMap,
}

/// One network of a model (the autoencoder, or a GAN's generator or discriminator), in the
/// order its module declares its layers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// What the network is: the model's name, or a GAN's "Generator" and "Discriminator".
    pub role: &'static str,
    /// Its layers.
    pub layers: Vec<Layer>,
}

impl Network {
    /// The network's parameters.
    pub fn parameters(&self) -> usize {
        self.layers.iter().map(|l| l.parameters).sum()
    }
}

/// The struct types that are layers: a visit that enters one of these attributes every
/// parameter under it to that layer (a GRU's gates are its own, not linear layers of their own).
const LAYER_TYPES: [&str; 5] = [
    "Struct:Gru",
    "Struct:Linear",
    "Struct:Conv2d",
    "Struct:ConvTranspose2d",
    "Struct:BatchNorm",
];

/// Walks a module and gathers its layers: each parameter is attributed to the outermost
/// enclosing struct that is a layer.
#[derive(Default)]
struct LayerGatherer {
    /// The (field name, type of the struct holding it) of each module entered, outermost first.
    stack: Vec<(String, String)>,
    layers: Vec<Layer>,
    /// The path of the layer that the last parameter went to.
    open: Option<String>,
}

impl LayerGatherer {
    fn add_parameter(&mut self, shape: &[usize]) {
        let count: usize = shape.iter().product();
        let layer_at = self
            .stack
            .iter()
            .position(|(_, container)| LAYER_TYPES.contains(&container.as_str()));
        let owner_end = layer_at.unwrap_or(self.stack.len().saturating_sub(1));
        let path = self.stack[..owner_end]
            .iter()
            .filter(|(_, container)| !container.starts_with("Enum:"))
            .map(|(name, _)| name.as_str())
            .collect::<Vec<_>>()
            .join(".");
        if self.open.as_deref() == Some(path.as_str())
            && let Some(layer) = self.layers.last_mut()
        {
            layer.parameters += count;
            return;
        }
        let container = layer_at.map(|at| self.stack[at].1.as_str());
        let kind = match (container, shape) {
            (Some("Struct:Linear"), [inputs, outputs]) => LayerKind::Linear {
                inputs: *inputs,
                outputs: *outputs,
            },
            (Some("Struct:Conv2d"), [outputs, inputs, kernel, _]) => LayerKind::Conv {
                inputs: *inputs,
                outputs: *outputs,
                kernel: *kernel,
            },
            (Some("Struct:ConvTranspose2d"), [inputs, outputs, kernel, _]) => LayerKind::Deconv {
                inputs: *inputs,
                outputs: *outputs,
                kernel: *kernel,
            },
            (Some("Struct:BatchNorm"), [features]) => LayerKind::BatchNorm { features: *features },
            (Some("Struct:Gru"), [inputs, hidden]) => LayerKind::Gru {
                inputs: *inputs,
                hidden: *hidden,
            },
            _ => LayerKind::Other {
                module: self
                    .stack
                    .last()
                    .map(|(_, container)| container.trim_start_matches("Struct:").to_string())
                    .unwrap_or_default(),
            },
        };
        self.layers.push(Layer {
            path: path.clone(),
            kind,
            parameters: count,
            shapes: None,
        });
        self.open = Some(path);
    }
}

impl ModuleVisitor for LayerGatherer {
    fn enter_module(&mut self, name: &str, container_type: &str) {
        self.stack.push((name.to_string(), container_type.to_string()));
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.stack.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        self.add_parameter(&param.val().dims());
    }
}

/// The layers of `module`, playing `role`, with the feature maps of those that work on images.
pub fn network_of<M: Module + std::fmt::Display>(role: &'static str, module: &M) -> Network {
    let mut gatherer = LayerGatherer::default();
    module.visit(&mut gatherer);
    let mut layers = gatherer.layers;
    add_feature_maps(&mut layers, &convolutions_displayed(&module.to_string()));
    Network { role, layers }
}

/// How a convolution slides over its input, as its module displays it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Sliding {
    transposed: bool,
    stride: [usize; 2],
    kernel: [usize; 2],
    dilation: [usize; 2],
    padding: Padding,
    /// A transposed convolution's extra rows and columns at the bottom and right.
    padding_out: [usize; 2],
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Padding {
    /// Rows and columns of zeros added (top, left, bottom, right).
    Explicit([usize; 4]),
    /// As much as keeps the side at `ceil(side / stride)`.
    Same,
}

impl Sliding {
    /// The side its output has along `axis` (0: height, 1: width) for an input of `side`, or
    /// `None` when the input is too small for the kernel.
    fn output_side(&self, side: usize, axis: usize) -> Option<usize> {
        let reach = self.dilation[axis] * (self.kernel[axis] - 1) + 1;
        let stride = self.stride[axis];
        match (&self.padding, self.transposed) {
            (Padding::Same, false) => Some(side.div_ceil(stride)),
            (Padding::Explicit(p), false) => {
                let padded = side + p[axis] + p[axis + 2];
                padded.checked_sub(reach).map(|room| room / stride + 1)
            }
            // A transposed convolution's padding (one number per axis) trims both sides.
            (Padding::Explicit(p), true) => {
                ((side.checked_sub(1)? * stride) + reach + self.padding_out[axis]).checked_sub(2 * p[axis])
            }
            (Padding::Same, true) => None,
        }
    }

    fn output(&self, input: FeatureMap, channels: usize) -> Option<FeatureMap> {
        Some(FeatureMap {
            channels,
            height: self.output_side(input.height, 0)?,
            width: self.output_side(input.width, 1)?,
        })
    }
}

/// Every `Conv2d` and `ConvTranspose2d` in a module's display, in the order it prints them (the
/// order the module declares them, as the visitor walks them). burn prints, for instance,
/// `Conv2d {ch_in: 1, ch_out: 32, stride: [2, 2], kernel_size: [4, 4], dilation: [1, 1],
/// groups: 1, padding: Explicit(1, 1, 1, 1), params: 544}` and `ConvTranspose2d {channels:
/// [64, 32], stride: [2, 2], kernel_size: [4, 4], dilation: [1, 1], groups: 1, padding: [1,
/// 1], padding_out: [0, 0], params: 32800}`. A convolution whose display is not read whole is
/// left out, and then [`add_feature_maps`] gives no shapes rather than wrong ones.
fn convolutions_displayed(display: &str) -> Vec<Option<Sliding>> {
    let mut found = Vec::new();
    let mut rest = display;
    while let Some(at) = rest.find("Conv") {
        let before = rest[..at].chars().next_back();
        let after = &rest[at..];
        rest = &rest[at + 4..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let transposed = if after.starts_with("Conv2d {") {
            false
        } else if after.starts_with("ConvTranspose2d {") {
            true
        } else {
            continue;
        };
        let body = &after[after.find('{').unwrap_or(0) + 1..];
        let body = &body[..body.find('}').unwrap_or(body.len())];
        found.push(sliding_of(body, transposed));
    }
    found
}

/// Reads a displayed convolution's attributes (`stride: [2, 2], …`).
fn sliding_of(attributes: &str, transposed: bool) -> Option<Sliding> {
    let value = |name: &str| -> Option<&str> {
        let start = attributes.find(&format!("{name}: "))? + name.len() + 2;
        let tail = &attributes[start..];
        let mut depth = 0i32;
        let end = tail
            .char_indices()
            .find(|&(_, c)| {
                depth += match c {
                    '[' | '(' => 1,
                    ']' | ')' => -1,
                    _ => 0,
                };
                c == ',' && depth == 0
            })
            .map_or(tail.len(), |(i, _)| i);
        Some(tail[..end].trim())
    };
    let numbers = |name: &str| -> Option<Vec<usize>> {
        value(name)?
            .split(|c: char| !c.is_ascii_digit())
            .filter(|n| !n.is_empty())
            .map(|n| n.parse().ok())
            .collect()
    };
    let pair = |name: &str| -> Option<[usize; 2]> { numbers(name)?.try_into().ok() };
    let padding = match (value("padding")?, transposed) {
        ("Same", false) => Padding::Same,
        ("Valid", false) => Padding::Explicit([0; 4]),
        (text, false) if text.starts_with("Explicit(") => Padding::Explicit(numbers("padding")?.try_into().ok()?),
        (_, true) => {
            let [height, width] = pair("padding")?;
            Padding::Explicit([height, width, height, width])
        }
        _ => return None,
    };
    let sliding = Sliding {
        transposed,
        stride: pair("stride")?,
        kernel: pair("kernel_size")?,
        dilation: pair("dilation")?,
        padding,
        padding_out: if transposed { pair("padding_out")? } else { [0, 0] },
    };
    let positive = sliding
        .stride
        .iter()
        .chain(&sliding.kernel)
        .chain(&sliding.dilation)
        .all(|&n| n > 0);
    positive.then_some(sliding)
}

/// Gives each layer that works on images its feature maps: a network's first convolution takes
/// the digit in ([`FeatureMap::IMAGE`]); a convolution after a linear layer takes its output
/// reshaped into square maps of the convolution's input channels; a batch norm keeps the maps
/// it normalises. `sliding` holds the network's convolutions in order; if it does not pair one
/// to one with the convolution layers, no layer gets shapes.
fn add_feature_maps(layers: &mut [Layer], sliding: &[Option<Sliding>]) {
    let convolutions = layers
        .iter()
        .filter(|l| matches!(l.kind, LayerKind::Conv { .. } | LayerKind::Deconv { .. }))
        .count();
    if convolutions == 0 || convolutions != sliding.len() {
        return;
    }
    let mut sliding = sliding.iter();
    // What the previous layer put out: maps, or a flat width.
    let mut maps: Option<FeatureMap> = None;
    let mut flat: Option<usize> = None;
    for (index, layer) in layers.iter_mut().enumerate() {
        layer.shapes = match layer.kind {
            LayerKind::Conv { inputs, outputs, .. } | LayerKind::Deconv { inputs, outputs, .. } => {
                let input = match (maps, flat) {
                    (Some(m), _) if m.channels == inputs => Some(m),
                    (None, Some(width)) => FeatureMap::unflattened(width, inputs),
                    (None, None) if index == 0 && inputs == FeatureMap::IMAGE.channels => Some(FeatureMap::IMAGE),
                    _ => None,
                };
                let slides = sliding.next().and_then(Option::as_ref);
                input.zip(slides).and_then(|(input, s)| {
                    Some(Shapes {
                        input,
                        output: s.output(input, outputs)?,
                    })
                })
            }
            LayerKind::BatchNorm { features } => {
                let input = match (maps, flat) {
                    (Some(m), _) if m.channels == features => Some(m),
                    (None, Some(width)) => FeatureMap::unflattened(width, features).filter(|_| width != features),
                    _ => None,
                };
                input.map(|m| Shapes { input: m, output: m })
            }
            _ => None,
        };
        match layer.shapes {
            Some(shapes) => (maps, flat) = (Some(shapes.output), None),
            None => (maps, flat) = (None, layer.kind.output_width()),
        }
    }
}

/// The networks of `kind` with `settings`, built afresh on the CPU and read layer by layer.
pub fn architecture(kind: ModelKind, settings: &Hyperparameters) -> Vec<Network> {
    let device = Device::flex();
    match build_config(kind, settings) {
        BuiltConfig::Autoencoder(config) => vec![network_of(kind.label(), &config.init(&device))],
        BuiltConfig::Vae(config) => vec![network_of(kind.label(), &config.init(&device))],
        BuiltConfig::ConditionalVae(config) => vec![network_of(kind.label(), &config.init(&device))],
        BuiltConfig::MlpGan(config) => pair(config.init(&device)),
        BuiltConfig::Dcgan(config) => pair(config.init(&device)),
        BuiltConfig::ConditionalGan(config) => pair(config.init(&device)),
    }
}

/// A GAN's two networks.
fn pair<G: Module + std::fmt::Display, D: Module + std::fmt::Display>(
    (generator, discriminator): (G, D),
) -> Vec<Network> {
    vec![
        network_of("Generator", &generator),
        network_of("Discriminator", &discriminator),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A linear layer's weights and biases.
    fn linear(inputs: usize, outputs: usize) -> usize {
        inputs * outputs + outputs
    }

    #[test]
    fn the_mlp_autoencoder_is_read_layer_by_layer() {
        let settings = Hyperparameters::defaults(ModelKind::AeMlp);
        let networks = architecture(ModelKind::AeMlp, &settings);
        let layers = &networks[0].layers;
        let read: Vec<(&str, String, usize)> = layers
            .iter()
            .map(|l| (l.path.as_str(), l.kind.mapping(), l.parameters))
            .collect();
        assert_eq!(
            read,
            [
                ("encoder", "784 → 256".to_string(), linear(784, 256)),
                ("code", "256 → 32".to_string(), linear(256, 32)),
                ("decoder.hidden", "32 → 256".to_string(), linear(32, 256)),
                ("decoder.output", "256 → 784".to_string(), linear(256, 784)),
            ]
        );
    }

    #[test]
    fn the_layers_follow_the_settings() {
        let mut settings = Hyperparameters::defaults(ModelKind::VaeConv);
        let before = architecture(ModelKind::VaeConv, &settings);
        settings.latent = 8;
        let after = architecture(ModelKind::VaeConv, &settings);
        let mu = |networks: &[Network]| {
            networks[0]
                .layers
                .iter()
                .find(|l| l.path == "mu")
                .map(|l| l.kind.clone())
        };
        assert_eq!(
            mu(&before),
            Some(LayerKind::Linear {
                inputs: 64 * 7 * 7,
                outputs: 16
            })
        );
        assert_eq!(
            mu(&after),
            Some(LayerKind::Linear {
                inputs: 64 * 7 * 7,
                outputs: 8
            })
        );
        // mu, log_var and the decoder's projection each lose 8 x 3136 weights, and 8 biases go.
        assert_eq!(before[0].parameters() - after[0].parameters(), 3 * 8 * 3136 + 2 * 8);
        let kinds: Vec<&str> = after[0].layers.iter().map(|l| l.kind.name()).collect();
        assert_eq!(
            kinds,
            [
                "Conv2d",
                "Conv2d",
                "Linear",
                "Linear",
                "Linear",
                "ConvTranspose2d",
                "ConvTranspose2d"
            ]
        );
    }

    #[test]
    fn every_parameter_of_every_model_is_in_a_known_layer() {
        for kind in ModelKind::ALL {
            for layer in architecture(kind, &Hyperparameters::defaults(kind))
                .iter()
                .flat_map(|n| &n.layers)
            {
                assert!(
                    !matches!(layer.kind, LayerKind::Other { .. }),
                    "{kind:?}: {layer:?} is not a known layer"
                );
                assert!(layer.parameters > 0 && layer.kind.output_width().is_some());
            }
        }
    }

    #[test]
    fn a_gru_is_one_layer_and_gans_have_two_networks() {
        let settings = Hyperparameters::defaults(ModelKind::Rvae);
        let networks = architecture(ModelKind::Rvae, &settings);
        let encoder = &networks[0].layers[0];
        assert_eq!(encoder.path, "encoder");
        assert_eq!(
            encoder.kind,
            LayerKind::Gru {
                inputs: 28,
                hidden: 128
            }
        );
        // Three gates, each an input and a hidden transform with biases.
        assert_eq!(encoder.parameters, 3 * (linear(28, 128) + linear(128, 128)));
        let gan = architecture(ModelKind::Dcgan, &Hyperparameters::defaults(ModelKind::Dcgan));
        let roles: Vec<&str> = gan.iter().map(|n| n.role).collect();
        assert_eq!(roles, ["Generator", "Discriminator"]);
        assert_eq!(gan[0].layers[1].kind, LayerKind::BatchNorm { features: 64 });
    }

    /// The feature maps of every layer of `network` that has them, by path.
    fn maps(network: &Network) -> Vec<(String, String)> {
        network
            .layers
            .iter()
            .filter_map(|l| {
                l.shapes
                    .map(|s| (l.path.clone(), format!("{} → {}", s.input, s.output)))
            })
            .collect()
    }

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn convolutions_get_the_feature_maps_their_stride_and_padding_give() {
        let vae = architecture(ModelKind::VaeConv, &Hyperparameters::defaults(ModelKind::VaeConv));
        assert_eq!(
            maps(&vae[0]),
            owned(&[
                ("encoder.downsample_1", "1×28×28 → 32×14×14"),
                ("encoder.downsample_2", "32×14×14 → 64×7×7"),
                ("decoder.upsample_1", "64×7×7 → 32×14×14"),
                ("decoder.upsample_2", "32×14×14 → 1×28×28"),
            ])
        );
        let dcgan = architecture(ModelKind::Dcgan, &Hyperparameters::defaults(ModelKind::Dcgan));
        assert_eq!(
            maps(&dcgan[0]),
            owned(&[
                ("project_norm", "64×7×7 → 64×7×7"),
                ("upsample_1", "64×7×7 → 32×14×14"),
                ("upsample_1_norm", "32×14×14 → 32×14×14"),
                ("upsample_2", "32×14×14 → 1×28×28"),
            ])
        );
        assert_eq!(dcgan[1].layers[0].mapping(), "1×28×28 → 32×14×14, 4×4 kernel");
        assert_eq!(dcgan[1].layers[2].mapping(), "64×7×7, with running statistics");
    }

    #[test]
    fn every_convolution_has_maps_that_fit_the_layers_around_it() {
        for kind in ModelKind::ALL {
            for network in architecture(kind, &Hyperparameters::defaults(kind)) {
                let layers = &network.layers;
                for (i, layer) in layers.iter().enumerate() {
                    let convolution = matches!(layer.kind, LayerKind::Conv { .. } | LayerKind::Deconv { .. });
                    let Some(shapes) = layer.shapes else {
                        assert!(!convolution, "{kind:?}: {} has no feature maps", layer.path);
                        continue;
                    };
                    assert_eq!(
                        Some(shapes.output.channels),
                        layer.kind.output_width(),
                        "{kind:?} {}",
                        layer.path
                    );
                    // A linear layer right after takes exactly the maps' numbers in.
                    if let Some(Layer {
                        kind: LayerKind::Linear { inputs, .. },
                        path,
                        ..
                    }) = layers.get(i + 1)
                    {
                        assert_eq!(*inputs, shapes.output.len(), "{kind:?}: {path} after {}", layer.path);
                    }
                }
                // A network that ends in a convolution draws the digit.
                if let Some(last) = layers.last().filter(|l| matches!(l.kind, LayerKind::Deconv { .. })) {
                    assert_eq!(last.shapes.map(|s| s.output), Some(FeatureMap::IMAGE), "{kind:?}");
                }
            }
        }
    }

    #[test]
    fn the_maps_come_from_the_module_not_from_a_list() {
        use burn::nn::PaddingConfig2d;
        use burn::nn::conv::{Conv2dConfig, ConvTranspose2dConfig};
        let device = Device::flex();
        let valid = Conv2dConfig::new([1, 8], [3, 3]).init(&device);
        assert_eq!(
            network_of("valid", &valid).layers[0].mapping(),
            "1×28×28 → 8×26×26, 3×3 kernel"
        );
        let same = Conv2dConfig::new([1, 8], [5, 5])
            .with_padding(PaddingConfig2d::Same)
            .init(&device);
        assert_eq!(
            network_of("same", &same).layers[0].mapping(),
            "1×28×28 → 8×28×28, 5×5 kernel"
        );
        let dilated = Conv2dConfig::new([1, 4], [3, 3])
            .with_stride([3, 3])
            .with_dilation([2, 2])
            .with_padding(PaddingConfig2d::Explicit(1, 0, 1, 0))
            .init(&device);
        // Height (28 + 2 - 5) / 3 + 1 = 9, width (28 - 5) / 3 + 1 = 8.
        let shapes = network_of("dilated", &dilated).layers[0].shapes.unwrap();
        assert_eq!((shapes.output.height, shapes.output.width), (9, 8));
        let sliding = convolutions_displayed(
            &ConvTranspose2dConfig::new([2, 1], [3, 3])
                .with_stride([2, 2])
                .with_padding([1, 1])
                .with_padding_out([1, 1])
                .init(&device)
                .to_string(),
        );
        // (14 - 1) x 2 - 2 + 3 + 1 = 28.
        let input = FeatureMap {
            channels: 2,
            height: 14,
            width: 14,
        };
        assert_eq!(
            sliding[0].as_ref().and_then(|s| s.output(input, 1)),
            Some(FeatureMap::IMAGE)
        );
    }

    #[test]
    fn a_display_it_cannot_read_gives_no_maps_rather_than_wrong_ones() {
        assert_eq!(convolutions_displayed("Conv2d {ch_in: 1, stride: [2, 2]}"), vec![None]);
        assert_eq!(convolutions_displayed("MyConv2d {stride: [2, 2]}"), vec![]);
        let mut layers = architecture(ModelKind::AeConv, &Hyperparameters::defaults(ModelKind::AeConv))
            .remove(0)
            .layers;
        layers.iter_mut().for_each(|l| l.shapes = None);
        add_feature_maps(&mut layers, &[None]);
        assert!(layers.iter().all(|l| l.shapes.is_none()));
    }
}
