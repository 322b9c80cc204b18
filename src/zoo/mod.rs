//! The model zoo: which models there are ([`ModelKind`]), the hyper-parameters a user sets for
//! them ([`Hyperparameters`], with the table the settings form and share links are made from),
//! the burn configuration each gets from them ([`model_config`]), and each model's card
//! ([`card`]: objective, architecture read from the module, what to watch for). Below the weights files
//! and the training loop, which both name models by these.

pub mod card;
pub mod config;
pub mod kind;
pub mod settings;

pub use config::model_config;
pub use kind::ModelKind;
pub use settings::Hyperparameters;
