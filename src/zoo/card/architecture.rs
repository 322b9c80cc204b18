//! A model's architecture read from the module itself: burn's module visitor walks the networks
//! a model of the zoo is built of and reports every layer (linear, convolution, transposed
//! convolution, batch norm, GRU) with what it maps and its parameter count. Nothing here is a
//! hand-written list: change the latent size and the layers read from the module change.

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::{Device, Tensor};

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

/// The layers of `module`, playing `role`.
pub fn network_of<M: Module>(role: &'static str, module: &M) -> Network {
    let mut gatherer = LayerGatherer::default();
    module.visit(&mut gatherer);
    Network {
        role,
        layers: gatherer.layers,
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
fn pair<G: Module, D: Module>((generator, discriminator): (G, D)) -> Vec<Network> {
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
}
