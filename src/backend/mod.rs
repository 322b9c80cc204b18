//! Which backend a model trains on: timed on each where both are at hand and chosen by the
//! measurement ([`choice`]), and the measurements a browser keeps across visits ([`memory`]);
//! on the GPU, which fused matmul kernel runs ([`unit_matmul`]).

pub mod choice;
pub mod memory;
#[cfg(any(feature = "webgpu-unit-matmul", feature = "native-webgpu"))]
pub mod unit_matmul;
