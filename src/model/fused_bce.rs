//! Binary cross-entropy with logits on the CPU, one pass over the pixels, in a form the compiler
//! vectorises (four lanes with WebAssembly SIMD).
//!
//! Each pixel needs `softplus(x) = max(x, 0) + log(1 + exp(-|x|))` for the loss and
//! `sigmoid(x) - t` for its gradient. With the standard library's `exp` and `ln_1p`, one call
//! each per pixel, the two functions alone were an eighth of a VAE training step in Chromium:
//! in WebAssembly they are scalar routines that compute in `f64`. Here both come from one
//! `e = exp(-|x|)` and one `log(1 + e)`, written as Cephes' single-precision polynomials
//! (Moshier, *Methods and Programs for Mathematical Functions*, 1989) with no branch, so one
//! loop body serves four pixels at once. Their error is within a few units in the last place of
//! `f32` (tested against `f64` below), below what summing 784 pixels in `f32` already loses.

/// `exp(-87.3)` is the smallest normal `f32` result: beyond it `e` is clamped there, which keeps
/// the result normal (subnormal numbers take a slow path on x86, in WebAssembly too) and moves
/// `softplus` and `sigmoid` by less than 2e-38.
const MAX_EXPONENT: f32 = 87.3;
const LOG2_E: f32 = std::f32::consts::LOG2_E;
/// ln 2 split in two so that `n * LN2_HIGH` is exact for the integers `n` used here.
const LN2_HIGH: f32 = 0.693_359_4;
const LN2_LOW: f32 = -2.121_944_4e-4;

/// `exp(-a)` for `a >= 0` (NaN stays NaN): Cephes `expf`, `2^n * exp(r)` with `|r| <= ln 2 / 2`.
#[inline(always)]
fn exp_of_negative(a: f32) -> f32 {
    let y = -(if a > MAX_EXPONENT { MAX_EXPONENT } else { a });
    let n = (y * LOG2_E + 0.5).floor();
    let r = y - n * LN2_HIGH - n * LN2_LOW;
    let p = ((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r + 1.666_666_5e-1)
        * r
        + 0.5;
    let exp_r = p * r * r + r + 1.0;
    // 2^n as the bits of an f32: n is in [-126, 0] here, so the exponent field stays normal.
    exp_r * f32::from_bits(((n as i32 + 127) << 23) as u32)
}

/// `ln(u)` for `u` in `[1, 2]`: Cephes `logf`, reduced to `f = u - 1` or `f = u / 2 - 1` so that
/// `|f| <= 0.42`, then `f - f^2 / 2 + f^3 P(f)`.
#[inline(always)]
fn ln_of_one_to_two(u: f32) -> f32 {
    let halve = u > std::f32::consts::SQRT_2;
    let f = if halve { 0.5 * u - 1.0 } else { u - 1.0 };
    let k = if halve { 1.0 } else { 0.0 };
    let z = f * f;
    let p = ((((((((7.037_683_6e-2 * f - 1.151_461e-1) * f + 1.167_699_9e-1) * f - 1.242_014_1e-1) * f
        + 1.424_932_3e-1)
        * f
        - 1.666_805_8e-1)
        * f
        + 2.000_071_4e-1)
        * f
        - 2.499_999_4e-1)
        * f
        + 3.333_333e-1)
        * f
        * z;
    f + (p - 0.5 * z + k * LN2_LOW) + k * LN2_HIGH
}

/// For each pixel of `logits` and `targets` (same length), writes `sigmoid(x) - t`, the loss's
/// derivative, to `slopes`, and returns the image's loss `sum(softplus(x) - t x)` and
/// `sum(x * (sigmoid(x) - t))`.
pub fn bce_with_logits(logits: &[f32], targets: &[f32], slopes: &mut [f32]) -> (f32, f32) {
    const LANES: usize = 8;
    let (mut losses, mut linears) = ([0f32; LANES], [0f32; LANES]);
    let pixel = |x: f32, t: f32| {
        let e = exp_of_negative(x.abs());
        let u = 1.0 + e;
        let inverse = 1.0 / u;
        // log(1 + e), with the rounding of `1 + e` put back: (e - (u - 1)) / u.
        let log_one_plus_e = ln_of_one_to_two(u) + (e - (u - 1.0)) * inverse;
        let positive = x > 0.0;
        let softplus = if positive { x } else { 0.0 } + log_one_plus_e;
        let sigmoid = if positive { inverse } else { e * inverse };
        let slope = sigmoid - t;
        (slope, softplus - t * x, x * slope)
    };
    let chunks = logits.len() / LANES * LANES;
    for ((x, t), s) in logits[..chunks]
        .chunks_exact(LANES)
        .zip(targets[..chunks].chunks_exact(LANES))
        .zip(slopes[..chunks].chunks_exact_mut(LANES))
    {
        for lane in 0..LANES {
            let (slope, loss, linear) = pixel(x[lane], t[lane]);
            s[lane] = slope;
            losses[lane] += loss;
            linears[lane] += linear;
        }
    }
    let (mut loss, mut linear) = (losses.iter().sum::<f32>(), linears.iter().sum::<f32>());
    for ((&x, &t), s) in logits[chunks..]
        .iter()
        .zip(&targets[chunks..])
        .zip(&mut slopes[chunks..])
    {
        let (slope, pixel_loss, pixel_linear) = pixel(x, t);
        *s = slope;
        loss += pixel_loss;
        linear += pixel_linear;
    }
    (loss, linear)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Units in the last place of `f32` between `value` and the exact `reference`.
    fn ulps(value: f32, reference: f64) -> f64 {
        let spacing = f64::from(f32::EPSILON) * reference.abs().max(f64::from(f32::MIN_POSITIVE));
        (f64::from(value) - reference).abs() / spacing
    }

    #[test]
    fn exp_and_ln_are_within_a_few_units_in_the_last_place() {
        let (mut worst_exp, mut worst_ln) = (0f64, 0f64);
        for i in 0..=200_000 {
            let a = 87.0 * i as f32 / 200_000.0;
            worst_exp = worst_exp.max(ulps(exp_of_negative(a), (-f64::from(a)).exp()));
            let u = 1.0 + i as f32 / 200_000.0;
            worst_ln = worst_ln.max(ulps(ln_of_one_to_two(u), f64::from(u).ln()));
        }
        assert!(worst_exp <= 3.0, "exp: {worst_exp} ulps");
        assert!(worst_ln <= 3.0, "ln: {worst_ln} ulps");
        // Beyond the normal range the result is clamped, not subnormal or zero.
        assert!(exp_of_negative(200.0).is_normal() && exp_of_negative(200.0) < 2e-38);
        assert!(exp_of_negative(f32::NAN).is_nan());
    }

    #[test]
    fn loss_and_slopes_match_a_double_precision_reference() {
        // Logits from saturated to tiny, both signs; targets 0, 1 and between; an odd length
        // exercises the tail after the 8-pixel chunks.
        let logits: Vec<f32> = (0..203)
            .map(|i| ((i as f32 * 0.37).sin() * 30.0) / (1.0 + (i % 7) as f32))
            .collect();
        let targets: Vec<f32> = (0..203).map(|i| [0.0, 1.0, 0.25][i % 3]).collect();
        let mut slopes = vec![0.0; logits.len()];
        let (loss, linear) = bce_with_logits(&logits, &targets, &mut slopes);
        let (mut reference_loss, mut reference_linear) = (0f64, 0f64);
        for ((&x, &t), &slope) in logits.iter().zip(&targets).zip(&slopes) {
            let (x, t) = (f64::from(x), f64::from(t));
            let sigmoid = 1.0 / (1.0 + (-x).exp());
            assert!(
                (f64::from(slope) - (sigmoid - t)).abs() < 2e-7,
                "slope at {x}: {slope} vs {}",
                sigmoid - t
            );
            reference_loss += x.max(0.0) + (-x.abs()).exp().ln_1p() - t * x;
            reference_linear += x * (sigmoid - t);
        }
        assert!(
            (f64::from(loss) - reference_loss).abs() < 1e-5 * reference_loss.abs(),
            "{loss} vs {reference_loss}"
        );
        assert!(
            (f64::from(linear) - reference_linear).abs() < 1e-4,
            "{linear} vs {reference_linear}"
        );
    }

    #[test]
    fn a_nan_logit_gives_a_nan_loss() {
        let mut slopes = [0.0; 3];
        let (loss, _) = bce_with_logits(&[0.5, f32::NAN, -2.0], &[1.0, 0.0, 0.0], &mut slopes);
        assert!(loss.is_nan() && slopes[1].is_nan());
    }
}
