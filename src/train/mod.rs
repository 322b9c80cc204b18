//! Training: the loop a browser tab or a native command drives one step at a time, how a model
//! of the zoo becomes a session, and its held-out scores.

pub mod adam_state;
pub mod adversarial;
pub mod batches;
pub mod classifier;
pub mod evaluate;
pub mod fused_adam;
pub mod history;
pub mod readback;
pub mod roles;
pub mod sessions;
pub mod trainer;

pub use adversarial::AdversarialTrainer;
pub use classifier::{ClassifierTrainer, classifier_config, classifier_from_file, classifier_parameters};
pub use evaluate::HeldOutScores;
pub use history::{LossHistory, RateMeter};
pub use readback::read_floats;
pub use roles::{Evaluation, Inference, Persistence, Session};
pub use trainer::{HalfStep, Player, Trainer};
// The zoo's names, for the layers above that use them with the training loop.
pub use crate::zoo::{Hyperparameters, ModelKind, model_config};
