//! The model zoo: which models there are ([`ModelKind`]), the hyper-parameters a user sets for
//! them ([`Hyperparameters`], with the table the settings form and share links are made from),
//! and the burn configuration each gets from them ([`model_config`]). Below the weights files
//! and the training loop, which both name models by these.

pub mod config;
pub mod kind;
pub mod settings;

pub use config::model_config;
pub use kind::ModelKind;
pub use settings::Hyperparameters;
