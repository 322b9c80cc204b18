//! What a training run has reported so far: every step's loss terms, smoothed curves for
//! charts, and a steps-per-second meter. Plain data, so the UI and the tests share it.

use std::collections::VecDeque;

/// The 0-based index of the first step, in a flat slice of `terms` values per step, with a
/// term that is NaN or infinite: where training diverged.
pub fn first_non_finite_step(values: &[f32], terms: usize) -> Option<usize> {
    values
        .chunks_exact(terms.max(1))
        .position(|step| step.iter().any(|v| !v.is_finite()))
}

/// Loss terms of every step so far, one series per term.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LossHistory {
    /// Names of the terms, in the order of [`series`](Self::series).
    pub names: Vec<String>,
    /// `series[t][s]` is term `t` at step `s + 1`.
    pub series: Vec<Vec<f32>>,
}

impl LossHistory {
    /// An empty history for terms named `names`.
    pub fn new(names: &[impl AsRef<str>]) -> Self {
        Self {
            names: names.iter().map(|n| n.as_ref().to_string()).collect(),
            series: vec![Vec::new(); names.len()],
        }
    }

    /// Number of steps recorded.
    pub fn len(&self) -> usize {
        self.series.first().map_or(0, Vec::len)
    }

    /// A copy of the first `steps` steps (all of them if there are fewer).
    pub fn truncated(&self, steps: usize) -> Self {
        Self {
            names: self.names.clone(),
            series: self.series.iter().map(|s| s[..steps.min(s.len())].to_vec()).collect(),
        }
    }

    /// Whether no step is recorded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends steps from a flat slice of `steps * terms` values, step-major. Returns the
    /// 1-based number of the first step with a non-finite term, if any (it is still recorded).
    pub fn extend_flat(&mut self, values: &[f32]) -> Option<usize> {
        let terms = self.names.len().max(1);
        let first_bad = first_non_finite_step(values, terms).map(|index| self.len() + index + 1);
        for step in values.chunks_exact(terms) {
            for (series, &value) in self.series.iter_mut().zip(step) {
                series.push(value);
            }
        }
        first_bad
    }

    /// The history as CSV: a `step` column, then one column per term.
    pub fn to_csv(&self) -> String {
        let mut csv = std::iter::once("step")
            .chain(self.names.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(",");
        csv.push('\n');
        for step in 0..self.len() {
            csv.push_str(&(step + 1).to_string());
            for series in &self.series {
                csv.push(',');
                csv.push_str(&series[step].to_string());
            }
            csv.push('\n');
        }
        csv
    }

    /// Mean of term `term` over the first `count` steps (or fewer, when fewer are recorded).
    pub fn mean_of_first(&self, term: usize, count: usize) -> Option<f32> {
        let s = self.series.get(term)?;
        let head = &s[..count.min(s.len())];
        (!head.is_empty()).then(|| head.iter().sum::<f32>() / head.len() as f32)
    }

    /// Mean of term `term` over the last `count` steps.
    pub fn mean_of_last(&self, term: usize, count: usize) -> Option<f32> {
        let s = self.series.get(term)?;
        let tail = &s[s.len() - count.min(s.len())..];
        (!tail.is_empty()).then(|| tail.iter().sum::<f32>() / tail.len() as f32)
    }
}

/// Exponential moving average of `values` with weight `smoothing` in `[0, 1)` on the past,
/// debiased at the start as TensorBoard does, so the first points are not pulled to zero.
pub fn smoothed(values: &[f32], smoothing: f32) -> Vec<f32> {
    let smoothing = smoothing.clamp(0.0, 0.999);
    let mut average = 0.0f64;
    let mut weight = 0.0f64;
    values
        .iter()
        .map(|&v| {
            average = average * f64::from(smoothing) + (1.0 - f64::from(smoothing)) * f64::from(v);
            weight = weight * f64::from(smoothing) + (1.0 - f64::from(smoothing));
            (average / weight) as f32
        })
        .collect()
}

/// Steps per second over a sliding window of recent (time, steps) readings.
#[derive(Debug, Clone, Default)]
pub struct RateMeter {
    readings: VecDeque<(f64, usize)>,
}

impl RateMeter {
    /// How far back, in milliseconds, the meter looks.
    pub const WINDOW_MS: f64 = 3_000.0;

    /// Records that `steps` steps were done at `now_ms`.
    pub fn record(&mut self, now_ms: f64, steps: usize) {
        self.readings.push_back((now_ms, steps));
        while self.readings.len() > 2 && now_ms - self.readings[0].0 > Self::WINDOW_MS {
            self.readings.pop_front();
        }
    }

    /// Forgets every reading (after a pause, so idle time does not count).
    pub fn clear(&mut self) {
        self.readings.clear();
    }

    /// Steps per second over the window, once two readings exist.
    pub fn rate(&self) -> Option<f64> {
        let (&(t0, s0), &(t1, s1)) = (self.readings.front()?, self.readings.back()?);
        (t1 > t0).then(|| (s1 - s0) as f64 * 1_000.0 / (t1 - t0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_truncated_history_keeps_its_first_steps() {
        let mut history = LossHistory::new(&["loss", "kl"]);
        history.extend_flat(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let first = history.truncated(2);
        assert_eq!(first.len(), 2);
        assert_eq!(first.series, vec![vec![1.0, 3.0], vec![2.0, 4.0]]);
        assert_eq!(history.truncated(10), history);
    }

    #[test]
    fn extends_step_major_values_and_flags_the_first_non_finite_step() {
        let mut history = LossHistory::new(&["loss", "kl"]);
        assert_eq!(history.extend_flat(&[3.0, 1.0, 2.0, 0.5]), None);
        assert_eq!(history.series, vec![vec![3.0, 2.0], vec![1.0, 0.5]]);
        assert_eq!(history.extend_flat(&[1.0, f32::NAN, f32::INFINITY, 0.1]), Some(3));
        assert_eq!(history.len(), 4);
        assert_eq!(history.mean_of_first(0, 2), Some(2.5));
        assert_eq!(history.mean_of_last(1, 1), Some(0.1));
    }

    #[test]
    fn exports_csv_with_a_header_and_one_row_per_step() {
        let mut history = LossHistory::new(&["d_loss", "D(x)"]);
        history.extend_flat(&[1.5, 0.25, 1.0, 0.5]);
        assert_eq!(history.to_csv(), "step,d_loss,D(x)\n1,1.5,0.25\n2,1,0.5\n");
    }

    #[test]
    fn smoothing_is_debiased_and_follows_a_constant() {
        assert_eq!(smoothed(&[4.0, 4.0, 4.0], 0.9), vec![4.0, 4.0, 4.0]);
        let s = smoothed(&[0.0, 10.0], 0.5);
        assert!((s[1] - 20.0 / 3.0).abs() < 1e-5, "{s:?}");
        assert_eq!(smoothed(&[1.0, 2.0], 0.0), vec![1.0, 2.0]);
    }

    #[test]
    fn rate_meter_measures_over_its_window() {
        let mut meter = RateMeter::default();
        assert_eq!(meter.rate(), None);
        meter.record(0.0, 0);
        meter.record(500.0, 10);
        assert_eq!(meter.rate(), Some(20.0));
        meter.record(10_000.0, 110);
        meter.record(11_000.0, 120);
        assert_eq!(meter.rate(), Some(10.0));
    }
}
