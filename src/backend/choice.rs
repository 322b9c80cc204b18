//! Choosing the training backend by measurement. A GPU's dispatch overhead can exceed what a tiny
//! model gains from it, so "WebGPU whenever the browser has it" is often the slower choice: with
//! both backends at hand, the first training of each model times a few steps on each and keeps
//! the faster. The user can ask for one backend instead ([`BackendPreference`]).
//!
//! No web code: the timing loop takes a clock, so native tests drive it too.

use burn::tensor::{Device, Tensor};
use serde::{Deserialize, Serialize};

use crate::data::MnistSplit;
use crate::train::read_floats;
use crate::train::sessions::start_session;
use crate::zoo::Hyperparameters;
use crate::zoo::ModelKind;

/// Untimed steps before timing: the first steps on a GPU compile its kernels.
pub const WARM_UP_STEPS: usize = 2;
/// Wall time a speed probe aims to time, in milliseconds (it times at least one step).
pub const PROBE_MS: f64 = 400.0;
/// Most steps one probe times.
pub const MAX_PROBE_STEPS: usize = 64;

/// Which backend the user wants training on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum BackendPreference {
    /// The faster of the two for each model, as measured (the default).
    #[default]
    Auto,
    /// burn's CPU backend, compiled to WebAssembly.
    Cpu,
    /// The browser's WebGPU (the CPU where the browser has none).
    WebGpu,
}

impl BackendPreference {
    /// Every preference, in the order a menu lists them.
    pub const ALL: [BackendPreference; 3] = [Self::Auto, Self::Cpu, Self::WebGpu];

    /// The value of `backend=` in an address.
    pub fn id(self) -> &'static str {
        match self {
            Self::Auto => "auto",
            Self::Cpu => "cpu",
            Self::WebGpu => "webgpu",
        }
    }

    /// What a menu calls it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Auto => "Fastest (measured)",
            Self::Cpu => "CPU",
            Self::WebGpu => "WebGPU",
        }
    }

    /// The preference named by `id`, if any.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.id() == id)
    }
}

/// A backend a model can train on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BackendKind {
    /// burn's CPU backend (flex).
    Cpu,
    /// burn's wgpu backend on the browser's WebGPU.
    WebGpu,
}

impl BackendKind {
    /// Both backends, in the order a menu lists them.
    pub const ALL: [BackendKind; 2] = [Self::Cpu, Self::WebGpu];

    /// Stable identifier, as used in links.
    pub fn id(self) -> &'static str {
        match self {
            Self::Cpu => "cpu",
            Self::WebGpu => "webgpu",
        }
    }

    /// The backend named `id`, if any.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.id() == id)
    }

    /// What a menu calls it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Cpu => "CPU",
            Self::WebGpu => "WebGPU",
        }
    }
}

/// The backend in use, as the badge names it, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct BackendInfo {
    /// Which backend.
    pub kind: BackendKind,
    /// The badge text: "CPU" or "WebGPU — <adapter>".
    pub badge: String,
    /// One sentence on why this backend is in use.
    pub explanation: String,
}

impl BackendInfo {
    /// The CPU backend, because of `reason`.
    pub fn cpu(reason: &str) -> Self {
        Self::cpu_explained(format!("Training runs on the CPU (WebAssembly): {reason}."))
    }

    /// The CPU backend, with `explanation` as the whole sentence.
    pub fn cpu_explained(explanation: String) -> Self {
        Self {
            kind: BackendKind::Cpu,
            badge: "CPU".into(),
            explanation,
        }
    }

    /// The browser's WebGPU on `adapter`, with `explanation`.
    pub fn webgpu(adapter: &str, explanation: String) -> Self {
        Self {
            kind: BackendKind::WebGpu,
            badge: format!("WebGPU — {adapter}"),
            explanation,
        }
    }
}

/// Training speed of one model on both backends, and the faster of the two.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SpeedDuel {
    /// Steps per second on the CPU.
    pub cpu: f64,
    /// Steps per second on WebGPU.
    pub webgpu: f64,
}

impl SpeedDuel {
    /// The faster backend; a tie goes to the CPU, which leaves the GPU to the rest of the page.
    pub fn winner(&self) -> BackendKind {
        if self.webgpu > self.cpu {
            BackendKind::WebGpu
        } else {
            BackendKind::Cpu
        }
    }

    /// How many times faster the winner is.
    pub fn ratio(&self) -> f64 {
        let (fast, slow) = match self.winner() {
            BackendKind::Cpu => (self.cpu, self.webgpu),
            BackendKind::WebGpu => (self.webgpu, self.cpu),
        };
        if slow > 0.0 { fast / slow } else { f64::INFINITY }
    }

    /// One sentence for the user: what was measured for `model` and what trains where;
    /// `measured_on` dates a measurement remembered from an earlier visit ("2026-11-26").
    pub fn explanation(&self, model: &str, measured_on: Option<&str>) -> String {
        let winner = match self.winner() {
            BackendKind::Cpu => "the CPU",
            BackendKind::WebGpu => "WebGPU",
        };
        let when = match measured_on {
            None => "Measured here".to_string(),
            Some(date) => format!("Measured in this browser on {date}"),
        };
        format!(
            "{when} for the {model}: {} steps/s on the CPU, {} steps/s on WebGPU, so it trains on {winner} \
             ({:.1}x faster). Pick a backend to override.",
            rate_text(self.cpu),
            rate_text(self.webgpu),
            self.ratio()
        )
    }
}

/// A rate with the digits that matter: "104", "5.3", "0.24".
pub fn rate_text(rate: f64) -> String {
    if rate >= 100.0 {
        format!("{rate:.0}")
    } else if rate >= 1.0 {
        format!("{rate:.1}")
    } else {
        format!("{rate:.2}")
    }
}

/// Trains a throwaway session of `kind` on `device` and returns its steps per second: after
/// [`WARM_UP_STEPS`] untimed steps, it times slices of steps, each read back as training reads
/// them, until [`PROBE_MS`] have passed or [`MAX_PROBE_STEPS`] were timed. `now_ms` is the clock.
pub async fn measure_steps_per_second(
    kind: ModelKind,
    settings: &Hyperparameters,
    data: &MnistSplit,
    device: &Device,
    now_ms: impl Fn() -> f64,
) -> Result<f64, String> {
    let mut session = start_session(kind, settings, data, device);
    let mut run = |steps: usize| {
        let losses: Vec<Tensor<1>> = (0..steps).map(|_| session.step()).collect();
        read_floats(Tensor::cat(losses, 0))
    };
    run(WARM_UP_STEPS).await.map_err(|e| e.to_string())?;
    let started = now_ms();
    let (mut timed, mut slice) = (0, 1);
    while timed < MAX_PROBE_STEPS && (timed == 0 || now_ms() - started < PROBE_MS) {
        let steps = slice.min(MAX_PROBE_STEPS - timed);
        run(steps).await.map_err(|e| e.to_string())?;
        timed += steps;
        slice *= 2;
    }
    let seconds = (now_ms() - started).max(1e-3) / 1000.0;
    Ok(timed as f64 / seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preference_is_found_by_its_id() {
        assert_eq!(BackendPreference::from_id("tpu"), None);
        for preference in BackendPreference::ALL {
            assert_eq!(BackendPreference::from_id(preference.id()), Some(preference));
        }
    }

    #[test]
    fn the_faster_backend_wins_and_the_sentence_says_by_how_much() {
        let duel = SpeedDuel {
            cpu: 104.0,
            webgpu: 1.8,
        };
        assert_eq!(duel.winner(), BackendKind::Cpu);
        assert!((duel.ratio() - 57.78).abs() < 0.01);
        assert_eq!(
            duel.explanation("DCGAN", None),
            "Measured here for the DCGAN: 104 steps/s on the CPU, 1.8 steps/s on WebGPU, so it trains on the CPU \
             (57.8x faster). Pick a backend to override."
        );
        assert!(
            duel.explanation("DCGAN", Some("2026-11-26"))
                .starts_with("Measured in this browser on 2026-11-26 for the DCGAN: 104 steps/s")
        );
        let duel = SpeedDuel { cpu: 5.3, webgpu: 57.6 };
        assert_eq!(duel.winner(), BackendKind::WebGpu);
        assert_eq!(SpeedDuel { cpu: 2.0, webgpu: 2.0 }.winner(), BackendKind::Cpu);
        assert_eq!(rate_text(0.244), "0.24");
    }
}
