//! Experiments that train many models and report a table: does generated data help a
//! classifier trained on few labels ([`augment`]).

pub mod augment;
