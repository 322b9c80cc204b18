//! When the Train panel's preview (the grid, and for a model with an encoder the latent scatter)
//! is next shown while training runs. A preview costs a forward pass and a read back, which on a
//! slow GPU (SwiftShader: hundreds of milliseconds) is a share of training time worth guarding:
//! so a preview is due every [`PREVIEW_INTERVAL_MS`] of training, or less often where the last
//! one cost so much that it would take more than [`MOST_PREVIEW_SHARE`] of the time.

/// Training time between two previews where they are cheap, in milliseconds.
pub const PREVIEW_INTERVAL_MS: f64 = 700.0;
/// The largest share of wall time previews may take while training runs.
pub const MOST_PREVIEW_SHARE: f64 = 0.1;

/// The pace of previews in one run.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewPace {
    /// When the last preview was finished (or the run began), in milliseconds.
    last_finished_ms: f64,
    /// What the last preview took, in milliseconds.
    last_cost_ms: f64,
}

impl PreviewPace {
    /// A pace for a run beginning at `now_ms`, whose first preview is due an interval later.
    pub fn starting_at(now_ms: f64) -> Self {
        Self {
            last_finished_ms: now_ms,
            last_cost_ms: 0.0,
        }
    }

    /// Training time to leave between the last preview and the next.
    pub fn gap_ms(&self) -> f64 {
        let keeps_share = self.last_cost_ms * (1.0 - MOST_PREVIEW_SHARE) / MOST_PREVIEW_SHARE;
        PREVIEW_INTERVAL_MS.max(keeps_share)
    }

    /// Whether a preview is due at `now_ms`.
    pub fn due(&self, now_ms: f64) -> bool {
        now_ms - self.last_finished_ms > self.gap_ms()
    }

    /// Records a preview that began at `started_ms` and was finished at `finished_ms`.
    pub fn shown(&mut self, started_ms: f64, finished_ms: f64) {
        self.last_finished_ms = finished_ms;
        self.last_cost_ms = (finished_ms - started_ms).max(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn cheap_previews_come_every_interval() {
        let mut pace = PreviewPace::starting_at(1_000.0);
        assert!(!pace.due(1_000.0 + PREVIEW_INTERVAL_MS));
        assert!(pace.due(1_001.0 + PREVIEW_INTERVAL_MS));
        pace.shown(1_800.0, 1_805.0);
        assert!(!pace.due(1_805.0 + PREVIEW_INTERVAL_MS));
        assert!(pace.due(1_806.0 + PREVIEW_INTERVAL_MS));
    }

    #[test]
    fn a_costly_preview_is_shown_less_often() {
        let mut pace = PreviewPace::starting_at(0.0);
        // A preview of 300 ms (SwiftShader reading a grid and 200 codes back) leaves 2.7 s.
        pace.shown(800.0, 1_100.0);
        assert!((pace.gap_ms() - 2_700.0).abs() < 1e-9);
        assert!(!pace.due(1_100.0 + 2_699.0));
        assert!(pace.due(1_100.0 + 2_701.0));
        // And when previews get cheap again, the interval comes back.
        pace.shown(3_900.0, 3_910.0);
        assert_eq!(pace.gap_ms(), PREVIEW_INTERVAL_MS);
    }

    proptest! {
        /// Whatever previews cost, shown as soon as they are due they take their share of the
        /// time at most: each leaves (1 - share) / share times its cost of training after it,
        /// so over a run previews beyond the first cost at most share x the time since the
        /// first, plus (1 - share) x how much the last cost more than the first.
        #[test]
        fn previews_never_take_more_than_their_share(
            costs in proptest::collection::vec(0.0f64..2_000.0, 2..40),
            step_ms in 1.0f64..500.0,
        ) {
            let mut now = 0.0;
            let mut pace = PreviewPace::starting_at(now);
            let mut since_first = None;
            for &cost in &costs {
                while !pace.due(now) {
                    now += step_ms;
                }
                let started = now;
                now += cost;
                pace.shown(started, now);
                since_first.get_or_insert(now);
            }
            let elapsed = now - since_first.unwrap();
            let previewing: f64 = costs[1..].iter().sum();
            let (first, last) = (costs[0], costs[costs.len() - 1]);
            let bound = MOST_PREVIEW_SHARE * elapsed + (1.0 - MOST_PREVIEW_SHARE) * (last - first);
            prop_assert!(previewing <= bound + 1e-6, "{previewing} > {bound}");
        }
    }
}
