//! Training speeds remembered across visits: the browser keeps each model's measured duel
//! between the CPU and WebGPU ([`SpeedDuel`]), so a later visit trains on the faster backend at
//! once instead of timing both again. A measurement belongs to one WebGPU adapter and one batch
//! size (both change which backend is faster) and is trusted for [`MAX_AGE_DAYS`] days, since
//! browsers, drivers and this site change.
//!
//! No web code: the page stores [`SpeedMemory::to_json`] where it likes (`localStorage`).

use serde::{Deserialize, Serialize};

use super::choice::SpeedDuel;
use crate::zoo::ModelKind;

/// Where the page keeps the memory (a `localStorage` key).
pub const STORAGE_KEY: &str = "genplay.backend-speeds";
/// The layout version of the stored memory; a memory of another version is dropped.
pub const VERSION: u32 = 1;
/// Days a measurement is trusted.
pub const MAX_AGE_DAYS: f64 = 30.0;
/// Most measurements kept (the most recent win).
pub const CAPACITY: usize = 48;

const MS_PER_DAY: f64 = 86_400_000.0;

/// One model's measured speeds on one adapter at one batch size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RememberedSpeed {
    /// The WebGPU adapter's name, as the badge shows it.
    pub adapter: String,
    /// The model's id ([`ModelKind::id`]).
    pub model: String,
    /// Digits per batch when it was timed.
    pub batch_size: usize,
    /// The steps per second on each backend.
    pub duel: SpeedDuel,
    /// When it was measured, in milliseconds since 1970 (JavaScript's `Date.now()`).
    pub measured_at_ms: f64,
}

impl RememberedSpeed {
    /// Whether this is the measurement for `kind` at `batch_size` on `adapter`.
    fn is_for(&self, adapter: &str, kind: ModelKind, batch_size: usize) -> bool {
        self.adapter == adapter && self.model == kind.id() && self.batch_size == batch_size
    }
}

/// The remembered measurements, most recent first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpeedMemory {
    /// [`VERSION`] when written.
    version: u32,
    /// Most recent first, at most [`CAPACITY`].
    speeds: Vec<RememberedSpeed>,
}

impl Default for SpeedMemory {
    fn default() -> Self {
        Self {
            version: VERSION,
            speeds: Vec::new(),
        }
    }
}

impl SpeedMemory {
    /// Reads a stored memory: an error says why it cannot be used (the caller starts afresh).
    pub fn from_json(text: &str) -> Result<Self, String> {
        let memory: Self = serde_json::from_str(text).map_err(|e| format!("unreadable ({e})"))?;
        if memory.version != VERSION {
            return Err(format!(
                "written by layout version {}, this site reads {VERSION}",
                memory.version
            ));
        }
        Ok(memory)
    }

    /// The memory as stored.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("plain numbers and strings serialise")
    }

    /// The measurements, most recent first.
    pub fn speeds(&self) -> &[RememberedSpeed] {
        &self.speeds
    }

    /// The trusted measurement of `kind` at `batch_size` on `adapter` at time `now_ms`, if any:
    /// not older than [`MAX_AGE_DAYS`], nor dated in the future (a clock set back).
    pub fn find(&self, adapter: &str, kind: ModelKind, batch_size: usize, now_ms: f64) -> Option<&RememberedSpeed> {
        self.speeds.iter().find(|speed| {
            let age_days = (now_ms - speed.measured_at_ms) / MS_PER_DAY;
            speed.is_for(adapter, kind, batch_size) && (0.0..=MAX_AGE_DAYS).contains(&age_days)
        })
    }

    /// Keeps `speed` as the newest measurement, replacing an older one of the same model,
    /// batch size and adapter, and forgetting the oldest beyond [`CAPACITY`]. A duel whose
    /// rates are not positive and finite is not kept.
    pub fn remember(&mut self, speed: RememberedSpeed) {
        let SpeedDuel { cpu, webgpu } = speed.duel;
        if !(cpu.is_finite() && webgpu.is_finite() && cpu > 0.0 && webgpu > 0.0) {
            return;
        }
        self.speeds.retain(|kept| {
            kept.adapter != speed.adapter || kept.model != speed.model || kept.batch_size != speed.batch_size
        });
        self.speeds.insert(0, speed);
        self.speeds.truncate(CAPACITY);
    }
}

/// The date of `ms` (milliseconds since 1970) as "2026-11-26", in UTC: how a remembered
/// measurement is dated for the user. Howard Hinnant's days-to-civil conversion, so the worker
/// needs no browser clock to word it.
pub fn date_text(ms: f64) -> String {
    let days = (ms / MS_PER_DAY).floor() as i64 + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era = (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(date_text(1_764_115_200_000.0), "2025-11-26");
        assert_eq!(date_text(1_764_115_200_000.0 + MS_PER_DAY - 1.0), "2025-11-26");
        assert_eq!(date_text(951_782_400_000.0), "2000-02-29");
        assert_eq!(date_text(0.0), "1970-01-01");
    }

    const DAY: f64 = MS_PER_DAY;

    fn speed(adapter: &str, kind: ModelKind, batch_size: usize, cpu: f64, at: f64) -> RememberedSpeed {
        RememberedSpeed {
            adapter: adapter.into(),
            model: kind.id().into(),
            batch_size,
            duel: SpeedDuel { cpu, webgpu: 2.0 },
            measured_at_ms: at,
        }
    }

    #[test]
    fn a_measurement_is_found_only_for_its_adapter_model_and_batch_size_while_fresh() {
        let mut memory = SpeedMemory::default();
        memory.remember(speed("SwiftShader", ModelKind::AeMlp, 64, 150.0, 10.0 * DAY));
        let now = 12.0 * DAY;
        let found = memory
            .find("SwiftShader", ModelKind::AeMlp, 64, now)
            .expect("remembered");
        assert_eq!(found.duel.cpu, 150.0);
        assert!(memory.find("NVIDIA H100", ModelKind::AeMlp, 64, now).is_none());
        assert!(memory.find("SwiftShader", ModelKind::VaeMlp, 64, now).is_none());
        assert!(memory.find("SwiftShader", ModelKind::AeMlp, 128, now).is_none());
        assert!(
            memory
                .find(
                    "SwiftShader",
                    ModelKind::AeMlp,
                    64,
                    10.0 * DAY + MAX_AGE_DAYS * DAY + 1.0
                )
                .is_none()
        );
        assert!(
            memory.find("SwiftShader", ModelKind::AeMlp, 64, 9.0 * DAY).is_none(),
            "dated in the future"
        );
    }

    #[test]
    fn a_new_measurement_replaces_the_old_one_and_the_oldest_go_beyond_capacity() {
        let mut memory = SpeedMemory::default();
        memory.remember(speed("a", ModelKind::AeMlp, 64, 100.0, 1.0));
        memory.remember(speed("a", ModelKind::AeMlp, 64, 150.0, 2.0));
        assert_eq!(memory.speeds().len(), 1);
        assert_eq!(memory.find("a", ModelKind::AeMlp, 64, 3.0).unwrap().duel.cpu, 150.0);
        for batch in 0..CAPACITY + 5 {
            memory.remember(speed("a", ModelKind::GanMlp, batch + 1, 30.0, 3.0 + batch as f64));
        }
        assert_eq!(memory.speeds().len(), CAPACITY);
        assert!(
            memory.find("a", ModelKind::AeMlp, 64, 100.0).is_none(),
            "the oldest was forgotten"
        );
        assert!(memory.find("a", ModelKind::GanMlp, CAPACITY + 5, 100.0).is_some());
    }

    #[test]
    fn a_rate_that_is_not_a_positive_number_is_not_kept() {
        let mut memory = SpeedMemory::default();
        memory.remember(speed("a", ModelKind::AeMlp, 64, f64::NAN, 1.0));
        memory.remember(speed("a", ModelKind::VaeMlp, 64, 0.0, 1.0));
        assert!(memory.speeds().is_empty());
    }

    #[test]
    fn stored_text_round_trips_and_damage_or_another_version_is_refused_with_a_reason() {
        let mut memory = SpeedMemory::default();
        memory.remember(speed("SwiftShader", ModelKind::Dcgan, 64, 6.2, 5.0));
        assert_eq!(SpeedMemory::from_json(&memory.to_json()).unwrap(), memory);
        assert!(
            SpeedMemory::from_json("{\"version\":1,\"speeds\":[{")
                .unwrap_err()
                .starts_with("unreadable")
        );
        let other = memory.to_json().replace("\"version\":1", "\"version\":7");
        assert!(SpeedMemory::from_json(&other).unwrap_err().contains("version 7"));
    }
}
