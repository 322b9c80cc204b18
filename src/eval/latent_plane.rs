//! A plane through a latent space, to draw it on a screen: an origin and two orthonormal
//! directions, each scaled by the spread of the encoded digits along it. For a 2-D latent the
//! plane is the whole space; for a larger one it is a slice, through two chosen axes or the
//! two principal directions of the encoded held-out digits, other coordinates fixed at their mean.

use burn::linalg::svd;
use burn::tensor::{Device, Tensor, TensorData};

use super::compare::mean_and_covariance;
use crate::train::readback::{ReadbackError, read_floats};

/// A plane `origin + s * scale_a * a + t * scale_b * b` in a `dims`-dimensional latent space.
#[derive(Debug, Clone, PartialEq)]
pub struct LatentPlane {
    /// The point at `(s, t) = (0, 0)`.
    pub origin: Vec<f32>,
    /// First direction (unit length).
    pub a: Vec<f32>,
    /// Second direction (unit length, orthogonal to `a`).
    pub b: Vec<f32>,
    /// Length of one unit of `s` along `a`.
    pub scale_a: f32,
    /// Length of one unit of `t` along `b`.
    pub scale_b: f32,
}

/// Mean and standard deviation of each of `dims` coordinates over the rows of `codes`.
fn mean_and_spread(codes: &[f32], dims: usize) -> (Vec<f32>, Vec<f32>) {
    let n = (codes.len() / dims).max(1) as f32;
    let mut mean = vec![0.0f32; dims];
    for row in codes.chunks_exact(dims) {
        mean.iter_mut().zip(row).for_each(|(m, v)| *m += v / n);
    }
    let mut spread = vec![0.0f32; dims];
    for row in codes.chunks_exact(dims) {
        spread
            .iter_mut()
            .zip(row.iter().zip(&mean))
            .for_each(|(s, (v, m))| *s += (v - m).powi(2) / n);
    }
    (mean, spread.into_iter().map(|v| v.sqrt().max(1e-6)).collect())
}

fn unit(dims: usize, axis: usize) -> Vec<f32> {
    (0..dims).map(|i| if i == axis { 1.0 } else { 0.0 }).collect()
}

fn dot(x: &[f32], y: &[f32]) -> f32 {
    x.iter().zip(y).map(|(a, b)| a * b).sum()
}

impl LatentPlane {
    /// The whole of a 2-D latent space, in prior units (the prior is N(0, I)).
    pub fn whole_2d() -> Self {
        Self {
            origin: vec![0.0, 0.0],
            a: unit(2, 0),
            b: unit(2, 1),
            scale_a: 1.0,
            scale_b: 1.0,
        }
    }

    /// The plane through axes `i` and `j` of the `codes` (rows of `dims` values), through
    /// their mean, one unit being one standard deviation along each axis.
    pub fn axes(codes: &[f32], dims: usize, i: usize, j: usize) -> Self {
        let (mean, spread) = mean_and_spread(codes, dims);
        Self {
            origin: mean,
            a: unit(dims, i),
            b: unit(dims, j),
            scale_a: spread[i],
            scale_b: spread[j],
        }
    }

    /// The plane of the two principal directions of `codes` (rows of `dims` values), through
    /// their mean, one unit being one standard deviation along each direction. The SVD of the
    /// covariance runs on `device` (a CPU device: values are already read back).
    pub async fn principal(codes: &[f32], dims: usize, device: &Device) -> Result<Self, ReadbackError> {
        let (mean, _) = mean_and_spread(codes, dims);
        let n = codes.len() / dims;
        let x = Tensor::<2>::from_data(TensorData::new(codes.to_vec(), [n, dims]), device);
        let (_, covariance) = mean_and_covariance(x);
        let (u, s, _) = svd::<2, 1>(covariance, 30);
        let u = read_floats(u).await?;
        let s = read_floats(s).await?;
        let column = |k: usize| (0..dims).map(|row| u[row * dims + k]).collect::<Vec<f32>>();
        Ok(Self {
            origin: mean,
            a: column(0),
            b: column(1),
            scale_a: s[0].max(1e-12).sqrt(),
            scale_b: s[1].max(1e-12).sqrt(),
        })
    }

    /// The code at plane coordinates `(s, t)`.
    pub fn code_at(&self, s: f32, t: f32) -> Vec<f32> {
        (0..self.origin.len())
            .map(|k| self.origin[k] + s * self.scale_a * self.a[k] + t * self.scale_b * self.b[k])
            .collect()
    }

    /// Plane coordinates of `code` (its orthogonal projection onto the plane).
    pub fn project(&self, code: &[f32]) -> (f32, f32) {
        let offset: Vec<f32> = code.iter().zip(&self.origin).map(|(c, o)| c - o).collect();
        (
            dot(&offset, &self.a) / self.scale_a,
            dot(&offset, &self.b) / self.scale_b,
        )
    }
}

/// A square picture of a plane: `side` pixels showing `-extent..extent` on both axes, the
/// first direction left to right and the second bottom to top.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlaneFrame {
    /// Side of the picture, in pixels.
    pub side: f64,
    /// The largest plane coordinate shown.
    pub extent: f64,
}

impl PlaneFrame {
    /// The plane's `(s, t)` at picture position `(x, y)` (clamped to the picture).
    pub fn to_plane(self, x: f64, y: f64) -> (f64, f64) {
        let along = |position: f64| -self.extent + 2.0 * self.extent * (position / self.side).clamp(0.0, 1.0);
        (along(x), -along(y))
    }

    /// The picture position of the plane's `(s, t)`.
    pub fn to_picture(self, s: f64, t: f64) -> (f64, f64) {
        let across = |value: f64| (value + self.extent) / (2.0 * self.extent) * self.side;
        (across(s), across(-t))
    }

    /// The codes of `plane` at the centres of a `cells` x `cells` grid over the picture, row by
    /// row from the top: what a decoder draws as the manifold.
    pub fn grid_codes(self, plane: &LatentPlane, cells: usize) -> Vec<f32> {
        let centre = |k: usize| (k as f64 + 0.5) * self.side / cells as f64;
        (0..cells * cells)
            .flat_map(|i| {
                let (s, t) = self.to_plane(centre(i % cells), centre(i / cells));
                plane.code_at(s as f32, t as f32)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FRAME: PlaneFrame = PlaneFrame {
        side: 420.0,
        extent: 3.0,
    };

    #[test]
    fn the_picture_and_the_plane_map_onto_each_other() {
        assert_eq!(FRAME.to_plane(0.0, 0.0), (-3.0, 3.0), "top left");
        assert_eq!(FRAME.to_plane(420.0, 420.0), (3.0, -3.0), "bottom right");
        assert_eq!(FRAME.to_plane(210.0, 210.0), (0.0, 0.0));
        assert_eq!(FRAME.to_plane(-50.0, 900.0), (-3.0, -3.0), "clamped");
        for (s, t) in [(1.5, -0.5), (-2.9, 2.2)] {
            let (x, y) = FRAME.to_picture(s, t);
            let back = FRAME.to_plane(x, y);
            assert!((back.0 - s).abs() < 1e-12 && (back.1 - t).abs() < 1e-12);
        }
    }

    #[test]
    fn the_grid_runs_left_to_right_then_top_to_bottom() {
        let codes = FRAME.grid_codes(&LatentPlane::whole_2d(), 3);
        assert_eq!(codes.len(), 3 * 3 * 2);
        // Cell centres at -2, 0, 2 on each axis; the first row is the top (t = 2).
        assert_eq!(&codes[..6], &[-2.0, 2.0, 0.0, 2.0, 2.0, 2.0]);
        assert_eq!(&codes[12..], &[-2.0, -2.0, 0.0, -2.0, 2.0, -2.0]);
    }
}
