//! Sample-quality figures computed from a classifier's class probabilities: the class
//! histogram, how many classes are covered (which exposes mode collapse), the mean confidence,
//! and an Inception-Score-like figure. Plain arithmetic on values already read back.

use serde::{Deserialize, Serialize};

use crate::model::classifier::CLASSES;

/// A sample's predicted class counts as covered only if at least this share of samples has it.
pub const COVERAGE_MIN_SHARE: f64 = 0.02;

/// What the classifier says about a batch of samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassReport {
    /// How many samples fall in each class (the arg-max of their probabilities).
    pub histogram: [usize; CLASSES],
    /// Classes holding at least [`COVERAGE_MIN_SHARE`] of the samples.
    pub classes_covered: usize,
    /// Mean over samples of the top class probability.
    pub mean_confidence: f64,
    /// exp(E[KL(p(y|x) || p(y))]): 1 for one class or uninformative predictions, up to 10.
    pub inception_score: f64,
}

/// Mean and sample standard deviation of `values` (over seeds, in the native tables).
pub fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    (mean, var.sqrt())
}

/// The report for `probabilities`, `count * 10` values, one row of class probabilities per sample.
pub fn class_report(probabilities: &[f32]) -> ClassReport {
    let rows: Vec<&[f32]> = probabilities.chunks_exact(CLASSES).collect();
    let count = rows.len().max(1) as f64;
    let mut histogram = [0usize; CLASSES];
    let mut marginal = [0f64; CLASSES];
    let mut confidence = 0.0;
    for row in &rows {
        let (best, &top) = row
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .unwrap_or((0, &0.0));
        histogram[best] += 1;
        confidence += f64::from(top);
        row.iter()
            .zip(&mut marginal)
            .for_each(|(&p, m)| *m += f64::from(p) / count);
    }
    let mean_kl = rows
        .iter()
        .map(|row| {
            row.iter()
                .zip(&marginal)
                .filter(|(p, _)| **p > 0.0)
                .map(|(&p, &m)| f64::from(p) * (f64::from(p).ln() - m.max(1e-12).ln()))
                .sum::<f64>()
        })
        .sum::<f64>()
        / count;
    let classes_covered = histogram
        .iter()
        .filter(|&&n| n as f64 >= COVERAGE_MIN_SHARE * count)
        .count();
    ClassReport {
        histogram,
        classes_covered,
        mean_confidence: confidence / count,
        inception_score: mean_kl.exp(),
    }
}

/// Share of samples whose arg-max class in `probabilities` (`count * 10` values) is the class
/// they were asked for in `labels`: how well a conditional model writes the digit requested.
pub fn class_accuracy(probabilities: &[f32], labels: &[u8]) -> f64 {
    let correct = probabilities
        .chunks_exact(CLASSES)
        .zip(labels)
        .filter(|(row, label)| arg_max(row) == usize::from(**label))
        .count();
    correct as f64 / labels.len().max(1) as f64
}

/// Index of the largest value of `row` (the first of equals).
pub fn arg_max(row: &[f32]) -> usize {
    row.iter()
        .enumerate()
        .fold(
            (0, f32::NEG_INFINITY),
            |best, (i, &v)| if v > best.1 { (i, v) } else { best },
        )
        .0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_hot(class: usize) -> Vec<f32> {
        (0..CLASSES).map(|c| if c == class { 1.0 } else { 0.0 }).collect()
    }

    #[test]
    fn a_single_class_set_covers_one_class_with_score_one() {
        let probabilities: Vec<f32> = (0..50).flat_map(|_| one_hot(3)).collect();
        let report = class_report(&probabilities);
        assert_eq!(report.classes_covered, 1);
        assert_eq!(report.histogram[3], 50);
        assert!((report.inception_score - 1.0).abs() < 1e-9);
        assert!((report.mean_confidence - 1.0).abs() < 1e-9);
    }

    #[test]
    fn confident_even_classes_score_ten() {
        let probabilities: Vec<f32> = (0..100).flat_map(|i| one_hot(i % CLASSES)).collect();
        let report = class_report(&probabilities);
        assert_eq!(report.classes_covered, 10);
        assert!((report.inception_score - 10.0).abs() < 1e-6, "{report:?}");
    }

    #[test]
    fn class_accuracy_counts_the_requested_classes() {
        let probabilities: Vec<f32> = [1, 2, 3, 3].iter().flat_map(|&c| one_hot(c)).collect();
        assert_eq!(class_accuracy(&probabilities, &[1, 2, 3, 4]), 0.75);
        assert_eq!(arg_max(&[0.1, 0.7, 0.2]), 1);
    }

    #[test]
    fn uniform_predictions_score_one_with_low_confidence() {
        let probabilities = vec![0.1f32; 20 * CLASSES];
        let report = class_report(&probabilities);
        assert!((report.inception_score - 1.0).abs() < 1e-6);
        assert!((report.mean_confidence - 0.1).abs() < 1e-6);
    }
}
