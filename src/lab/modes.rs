//! How many modes a model's samples capture, as VEEGAN (Srivastava et al., 2017, Table 1) and
//! PacGAN (Lin et al., 2018, Table 1) count them: a sample is *high quality* when it lies within
//! 3 standard deviations of its nearest mode's centre; a mode is *captured* when it is the
//! nearest mode of at least one high-quality sample.

use crate::data::toy2d::Modes;

/// Standard deviations from a centre within which a sample is high quality.
pub const QUALITY_RADIUS: f32 = 3.0;
/// Samples the papers score (and the lab's command scores).
pub const SCORED_SAMPLES: usize = 2_500;

/// The mode metrics of a set of samples.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModeScore {
    /// Modes with at least one high-quality sample.
    pub captured: usize,
    /// Number of modes of the distribution.
    pub modes: usize,
    /// Share of the samples that are high quality, from 0 to 1.
    pub high_quality: f64,
    /// High-quality samples per mode.
    pub per_mode: Vec<usize>,
    /// The median sample's distance to its nearest mode, in standard deviations (infinite when
    /// no sample is finite): how far off the samples are, where none is high quality.
    pub median_distance: f32,
}

/// Scores `points` (`[x, y, x, y, …]`) against `modes`; samples that are not finite count as
/// low quality.
pub fn score(points: &[f32], modes: &Modes) -> ModeScore {
    let mut per_mode = vec![0usize; modes.centres.len()];
    let mut good = 0usize;
    let count = points.len() / 2;
    let mut distances = Vec::with_capacity(count);
    for point in points.chunks_exact(2) {
        let nearest = modes
            .centres
            .iter()
            .map(|c| (point[0] - c[0]).hypot(point[1] - c[1]))
            .enumerate()
            .filter(|(_, d)| d.is_finite())
            .min_by(|a, b| a.1.total_cmp(&b.1));
        distances.push(nearest.map_or(f32::INFINITY, |(_, d)| d / modes.std));
        if let Some((mode, distance)) = nearest
            && distance <= QUALITY_RADIUS * modes.std
        {
            per_mode[mode] += 1;
            good += 1;
        }
    }
    ModeScore {
        captured: per_mode.iter().filter(|&&n| n > 0).count(),
        modes: modes.centres.len(),
        high_quality: if count == 0 { 0.0 } else { good as f64 / count as f64 },
        per_mode,
        median_distance: median(distances),
    }
}

fn median(mut values: Vec<f32>) -> f32 {
    values.sort_by(f32::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f32::INFINITY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::toy2d::Toy2d;

    #[test]
    fn a_planted_set_of_points_is_counted_exactly() {
        let ring = Toy2d::Ring.modes().unwrap();
        let std = ring.std;
        let mut points = Vec::new();
        // Mode 0 (1, 0): three samples inside 3 sd, one just outside.
        points.extend([1.0, 0.0, 1.0 + 2.9 * std, 0.0, 1.0, -2.0 * std, 1.0 + 3.2 * std, 0.0]);
        // Mode 2 (0, 1): one sample on the boundary's inside.
        points.extend([0.0, 1.0 - 2.99 * std]);
        // Between modes, at the origin, and a NaN: low quality.
        points.extend([0.85, 0.35, 0.0, 0.0, f32::NAN, 1.0]);
        let score = score(&points, &ring);
        assert_eq!(score.captured, 2);
        assert_eq!(score.modes, 8);
        assert_eq!(score.per_mode, vec![3, 0, 1, 0, 0, 0, 0, 0]);
        assert!((score.high_quality - 4.0 / 8.0).abs() < 1e-12);
        // Sorted distances in sd: 0, 2, 2.9, 2.99, 3.2, about 38, 100, infinite (the NaN).
        assert!((score.median_distance - 3.2).abs() < 1e-3, "{}", score.median_distance);
    }

    #[test]
    fn the_data_itself_captures_every_mode_with_nearly_all_samples_good() {
        for data in [Toy2d::Ring, Toy2d::Grid] {
            let modes = data.modes().unwrap();
            let score = score(&data.sample(SCORED_SAMPLES, 1), &modes);
            assert_eq!(score.captured, modes.centres.len());
            // Within 3 sd in both coordinates of a 2-D Gaussian: 1 - exp(-4.5) = 98.9%.
            assert!(
                (score.high_quality - 0.989).abs() < 0.01,
                "{data:?}: {}",
                score.high_quality
            );
        }
    }
}
