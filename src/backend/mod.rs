//! Which backend a model trains on: timed on each where both are at hand and chosen by the
//! measurement ([`choice`]), and the measurements a browser keeps across visits ([`memory`]).

pub mod choice;
pub mod memory;
