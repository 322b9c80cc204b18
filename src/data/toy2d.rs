//! Two-dimensional datasets, the standard testbeds for mode collapse: a ring of 8 Gaussians and
//! a 5x5 grid of Gaussians as PacGAN's experiments define them (Lin et al., 2018, code in
//! `fjxmlzn/PacGAN`: ring means `(cos 2πk/8, sin 2πk/8)`, standard deviation 0.01; grid means
//! `(i, j)` for `i, j` in `{-4, -2, 0, 2, 4}`, standard deviation 0.05), plus two moons and a
//! spiral, which have no discrete modes.

use rand::{Rng, SeedableRng, rngs::StdRng};

use super::standard_normal;

/// A distribution over the plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Toy2d {
    /// Eight Gaussians on the unit circle.
    Ring,
    /// Twenty-five Gaussians on a 5x5 grid of spacing 2.
    Grid,
    /// Two interleaved half circles.
    Moons,
    /// One arm of a spiral.
    Spiral,
}

/// The modes of a mixture of equal isotropic Gaussians: their centres and common standard
/// deviation.
#[derive(Debug, Clone, PartialEq)]
pub struct Modes {
    /// Each mode's mean.
    pub centres: Vec<[f32; 2]>,
    /// The standard deviation of every mode, in each coordinate.
    pub std: f32,
}

impl Toy2d {
    /// Every distribution, in the order a menu lists them.
    pub const ALL: [Toy2d; 4] = [Self::Ring, Self::Grid, Self::Moons, Self::Spiral];

    /// Stable identifier, as used in links and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Self::Ring => "ring",
            Self::Grid => "grid",
            Self::Moons => "moons",
            Self::Spiral => "spiral",
        }
    }

    /// The distribution named `id`.
    pub fn from_id(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.id() == id)
    }

    /// What a menu calls it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Ring => "Ring of 8 Gaussians",
            Self::Grid => "5x5 grid of Gaussians",
            Self::Moons => "Two moons",
            Self::Spiral => "Spiral",
        }
    }

    /// Its modes, for the mixtures of Gaussians; `None` for the moons and the spiral.
    pub fn modes(self) -> Option<Modes> {
        match self {
            Self::Ring => Some(Modes {
                centres: (0..8)
                    .map(|k| {
                        let angle = std::f32::consts::TAU * k as f32 / 8.0;
                        [angle.cos(), angle.sin()]
                    })
                    .collect(),
                std: 0.01,
            }),
            Self::Grid => Some(Modes {
                centres: (0..25)
                    .map(|k| [(k / 5) as f32 * 2.0 - 4.0, (k % 5) as f32 * 2.0 - 4.0])
                    .collect(),
                std: 0.05,
            }),
            Self::Moons | Self::Spiral => None,
        }
    }

    /// The square `[-r, r]²` that holds nearly all of its points, for drawing.
    pub fn extent(self) -> f32 {
        match self {
            Self::Ring => 1.5,
            Self::Grid => 5.5,
            Self::Moons => 2.5,
            Self::Spiral => 1.5,
        }
    }

    /// `count` points `[count * 2]` (x, y, x, y, …), drawn from `seed`.
    pub fn sample(self, count: usize, seed: u64) -> Vec<f32> {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut points = Vec::with_capacity(count * 2);
        for _ in 0..count {
            let [x, y] = self.point(&mut rng);
            points.extend([x, y]);
        }
        points
    }

    fn point(self, rng: &mut StdRng) -> [f32; 2] {
        match self {
            Self::Ring | Self::Grid => {
                let modes = self.modes().expect("a mixture has modes");
                let [cx, cy] = modes.centres[rng.random_range(0..modes.centres.len())];
                [
                    cx + modes.std * standard_normal(rng),
                    cy + modes.std * standard_normal(rng),
                ]
            }
            Self::Moons => {
                // scikit-learn's make_moons, centred, with noise 0.05 and scaled by 1.5.
                let t = std::f32::consts::PI * rng.random::<f32>();
                let (x, y) = if rng.random::<bool>() {
                    (t.cos(), t.sin())
                } else {
                    (1.0 - t.cos(), 0.5 - t.sin())
                };
                [
                    1.5 * (x - 0.5 + 0.05 * standard_normal(rng)),
                    1.5 * (y - 0.25 + 0.05 * standard_normal(rng)),
                ]
            }
            Self::Spiral => {
                // An Archimedean spiral of two turns, radius up to 1, noise 0.02.
                let s = rng.random::<f32>().sqrt();
                let angle = 4.0 * std::f32::consts::PI * s;
                [
                    s * angle.cos() + 0.02 * standard_normal(rng),
                    s * angle.sin() + 0.02 * standard_normal(rng),
                ]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixtures_have_the_papers_modes_and_their_samples_sit_on_them() {
        let ring = Toy2d::Ring.modes().unwrap();
        assert_eq!((ring.centres.len(), ring.std), (8, 0.01));
        let grid = Toy2d::Grid.modes().unwrap();
        assert_eq!((grid.centres.len(), grid.std), (25, 0.05));
        assert!(grid.centres.contains(&[-4.0, 4.0]) && grid.centres.contains(&[0.0, 0.0]));
        for data in [Toy2d::Ring, Toy2d::Grid] {
            let modes = data.modes().unwrap();
            let points = data.sample(2_000, 3);
            let mut hits = vec![0usize; modes.centres.len()];
            for p in points.chunks_exact(2) {
                let (nearest, distance) = modes
                    .centres
                    .iter()
                    .map(|c| (p[0] - c[0]).hypot(p[1] - c[1]))
                    .enumerate()
                    .fold((0, f32::MAX), |best, (i, d)| if d < best.1 { (i, d) } else { best });
                assert!(distance < 5.0 * modes.std, "{p:?} is far from every mode");
                hits[nearest] += 1;
            }
            assert!(hits.iter().all(|&h| h > 0), "every mode is drawn: {hits:?}");
        }
    }

    #[test]
    fn samples_are_seeded_and_inside_the_drawn_square() {
        for data in Toy2d::ALL {
            assert_eq!(data.sample(500, 9), data.sample(500, 9));
            assert_ne!(data.sample(500, 9), data.sample(500, 10));
            assert!(data.sample(500, 9).iter().all(|v| v.abs() < data.extent()), "{data:?}");
            assert_eq!(Toy2d::from_id(data.id()), Some(data));
        }
    }
}
