//! The Compare panel's computations on known inputs and on the shipped models: the Fréchet
//! distance, class coverage, masks, interpolation ends, and completion that uses what it sees.

use burn::tensor::{Device, Tensor, TensorData};
use genplay::data::IMAGE_PIXELS;
use genplay::eval::compare::{
    ComparisonInputs, INTERPOLATION_STEPS, MaskKind, classifier_features, comparison_images, frechet_distance,
    hidden_pixel_error, interpolate, read_image, score_model,
};
use genplay::eval::metrics::class_report;
use genplay::train::{ModelKind, read_floats};

mod common;
use common::seeded;

fn read(t: Tensor<2>) -> Vec<f32> {
    pollster::block_on(read_floats(t)).unwrap()
}

/// `rows` pseudo-random rows of `dims` values, roughly uniform in [-1, 1], plus `shift`.
fn cloud(rows: usize, dims: usize, seed: u32, shift: f32) -> Vec<f32> {
    let mut state = seed.wrapping_mul(2_654_435_761).max(1);
    (0..rows * dims)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            (state as f32 / u32::MAX as f32) * 2.0 - 1.0 + shift
        })
        .collect()
}

#[test]
fn frechet_distance_is_zero_for_a_set_with_itself_and_sees_a_shift() {
    let device = Device::flex();
    let dims = 8;
    let a = cloud(500, dims, 1, 0.0);
    let same = pollster::block_on(frechet_distance(&a, &a, dims, &device)).unwrap();
    assert!(same.abs() < 1e-3, "FD(a, a) = {same}");
    // Same spread, every mean moved by 1: FD = |delta mu|^2 = dims.
    let shifted: Vec<f32> = a.iter().map(|v| v + 1.0).collect();
    let moved = pollster::block_on(frechet_distance(&a, &shifted, dims, &device)).unwrap();
    assert!(
        (moved - dims as f64).abs() < 1e-2,
        "FD after a shift of 1 in {dims} dims = {moved}"
    );
    // Same mean, twice the spread: variance 1/3 -> 4/3 per dim, FD = dims * (1/sqrt3 - 2/sqrt3)^2 = dims / 3.
    let wider: Vec<f32> = a.iter().map(|v| v * 2.0).collect();
    let spread = pollster::block_on(frechet_distance(&a, &wider, dims, &device)).unwrap();
    assert!(
        (spread - dims as f64 / 3.0).abs() < 0.15,
        "FD after doubling the spread = {spread}"
    );
}

#[test]
fn a_one_class_set_covers_one_class() {
    let one_hot: Vec<f32> = (0..50)
        .flat_map(|_| (0..10).map(|c| if c == 3 { 1.0 } else { 0.0 }))
        .collect();
    let report = class_report(&one_hot);
    assert_eq!(report.classes_covered, 1);
    assert_eq!(report.histogram[3], 50);
    assert!((report.inception_score - 1.0).abs() < 1e-6);
}

#[test]
fn masks_hide_what_they_say() {
    let hidden = |m: MaskKind| m.visible().iter().filter(|v| **v == 0.0).count();
    for m in [MaskKind::Top, MaskKind::Bottom, MaskKind::Left, MaskKind::Right] {
        assert_eq!(hidden(m), IMAGE_PIXELS / 2, "{m:?}");
    }
    assert_eq!(hidden(MaskKind::Centre), 144);
    assert_eq!(MaskKind::Top.visible()[0], 0.0);
    assert_eq!(MaskKind::Top.visible()[IMAGE_PIXELS - 1], 1.0);
    // Errors count hidden pixels only.
    let visible = MaskKind::Top.visible();
    let originals = vec![0.5; IMAGE_PIXELS];
    let completed: Vec<f32> = visible.iter().map(|v| if *v == 0.0 { 0.7 } else { 0.0 }).collect();
    assert!((hidden_pixel_error(&completed, &originals, &visible) - 0.04).abs() < 1e-6);
}

#[test]
fn interpolations_start_and_end_at_the_reconstructions() {
    let _turn = seeded::turn();
    let session = common::pretrained_session(ModelKind::AeMlp);
    let data = common::mnist();
    let device = seeded::device();
    let digits: Tensor<2> = genplay::train::batches::upload(&data.held_out, &device).slice(0..2);
    let path = read(interpolate(
        session.as_ref(),
        digits.clone().slice(0..1),
        digits.clone().slice(1..2),
        INTERPOLATION_STEPS,
        1,
    ));
    let ends = read(session.reconstruct(digits).unwrap());
    assert_eq!(path.len(), INTERPOLATION_STEPS * IMAGE_PIXELS);
    let close = |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-4);
    assert!(close(&path[..IMAGE_PIXELS], &ends[..IMAGE_PIXELS]));
    assert!(close(
        &path[(INTERPOLATION_STEPS - 1) * IMAGE_PIXELS..],
        &ends[IMAGE_PIXELS..]
    ));
}

#[test]
fn completion_uses_the_visible_pixels_for_an_encoder_and_a_generator() {
    let _turn = seeded::turn();
    let data = common::mnist();
    let device = seeded::device();
    let count = 16;
    let digits: Tensor<2> = genplay::train::batches::upload(&data.held_out, &device).slice(0..count);
    let originals = read(digits.clone());
    let mask = MaskKind::Bottom;
    let visible_values = mask.visible();
    let visible_rows: Vec<f32> = (0..count).flat_map(|_| visible_values.clone()).collect();
    let visible = Tensor::<2>::from_data(TensorData::new(visible_rows, [count, IMAGE_PIXELS]), &device);
    // Baseline: every hidden pixel set to that digit's mean visible grey.
    let flat: Vec<f32> = originals
        .chunks(IMAGE_PIXELS)
        .flat_map(|image| {
            let seen: Vec<f32> = image
                .iter()
                .zip(&visible_values)
                .filter(|(_, v)| **v == 1.0)
                .map(|(p, _)| *p)
                .collect();
            let mean = seen.iter().sum::<f32>() / seen.len() as f32;
            image
                .iter()
                .zip(&visible_values)
                .map(move |(p, v)| if *v == 1.0 { *p } else { mean })
        })
        .collect();
    let baseline = hidden_pixel_error(&flat, &originals, &visible_values);
    for kind in [ModelKind::VaeConv, ModelKind::Dcgan] {
        let session = common::pretrained_session(kind);
        let completed = read(session.complete(digits.clone(), visible.clone(), 3));
        let error = hidden_pixel_error(&completed, &originals, &visible_values);
        // Without looking at the visible pixels: the model's own random samples.
        let unguided = read(session.samples(count, 3).unwrap());
        let unguided = hidden_pixel_error(&unguided, &originals, &visible_values);
        eprintln!("{kind:?}: hidden-pixel MSE {error:.4}; flat fill {baseline:.4}; random samples {unguided:.4}");
        assert!(
            error < unguided,
            "{kind:?}: completion {error} vs random samples {unguided}"
        );
        if kind == ModelKind::VaeConv {
            // Iterated reconstruction also beats the flat fill (a blurry guess, hard to beat in MSE).
            assert!(error < baseline, "{kind:?}: {error} vs {baseline}");
        }
        // Visible pixels are kept exactly.
        let kept = completed
            .iter()
            .zip(&originals)
            .enumerate()
            .filter(|(i, _)| visible_values[i % IMAGE_PIXELS] == 1.0);
        assert!(kept.clone().all(|(_, (c, o))| (c - o).abs() < 1e-6));
    }
}

#[test]
fn every_row_of_the_comparison_is_drawn_for_a_model_with_an_encoder_and_one_without() {
    let _turn = seeded::turn();
    let data = common::mnist();
    let device = seeded::device();
    let shown = 8;
    let held_out: Tensor<2> = genplay::train::batches::upload(&data.held_out, &device);
    let inputs = held_out.clone().slice(0..shown);
    let input_pixels = read(inputs.clone());
    let on = ComparisonInputs {
        inputs: &inputs,
        input_pixels: &input_pixels,
        held_out: &held_out,
        pair: (2, 5),
        seed: 7,
        mask: MaskKind::Left,
    };
    for kind in [ModelKind::VaeMlp, ModelKind::GanMlp] {
        let session = common::pretrained_session(kind);
        let images = pollster::block_on(comparison_images(session.as_ref(), &on)).unwrap();
        let expected_reconstructions = if !kind.is_adversarial() {
            shown * IMAGE_PIXELS
        } else {
            0
        };
        assert_eq!(images.reconstruction.len(), expected_reconstructions, "{kind:?}");
        assert_eq!(images.samples.len(), shown * IMAGE_PIXELS);
        assert_eq!(images.interpolation.len(), INTERPOLATION_STEPS * IMAGE_PIXELS);
        assert_eq!(images.completion.len(), shown * IMAGE_PIXELS);
        let visible = MaskKind::Left.visible();
        let error = hidden_pixel_error(&images.completion, &input_pixels, &visible);
        assert_eq!(images.completion_error, error);
        assert!(error.is_finite() && error > 0.0);
        // The same inputs and seed draw the same images.
        let again = pollster::block_on(comparison_images(session.as_ref(), &on)).unwrap();
        assert_eq!(again.samples, images.samples, "{kind:?}: samples follow the seed");
        // One digit read as the Draw panel reads a drawing: its code and reconstruction.
        let read = pollster::block_on(read_image(session.as_ref(), &inputs.clone().slice(0..1)));
        match read {
            Some((code, reconstruction)) => {
                assert_eq!(code.len(), session.code_size());
                let differs = reconstruction
                    .iter()
                    .zip(&images.reconstruction[..IMAGE_PIXELS])
                    .any(|(a, b)| (a - b).abs() > 1e-4);
                assert!(!differs, "{kind:?}: one digit reconstructs as it does in a batch");
            }
            None => assert!(kind.is_adversarial(), "{kind:?} has an encoder"),
        }
    }
}

#[test]
fn scores_are_finite_and_the_vae_is_a_better_sampler_than_the_autoencoder() {
    let _turn = seeded::turn();
    let data = common::mnist();
    let device = seeded::device();
    let judge = common::pretrained_classifier();
    let held_out: Tensor<2> = genplay::train::batches::upload(&data.held_out, &device);
    let held_out_features = pollster::block_on(classifier_features(&judge, &held_out)).unwrap();
    let score = |kind| {
        let session = common::pretrained_session(kind);
        pollster::block_on(score_model(
            session.as_ref(),
            &judge,
            &held_out,
            &held_out_features,
            500,
            9,
            &Device::flex(),
        ))
        .unwrap()
    };
    let (ae, vae) = (score(ModelKind::AeMlp), score(ModelKind::VaeMlp));
    eprintln!("ae_mlp {ae:?}\nvae_mlp {vae:?}");
    for scores in [&ae, &vae] {
        assert!(scores.reconstruction_bce.unwrap().is_finite() && scores.reconstruction_mse.unwrap().is_finite());
        assert!(scores.frechet.is_finite() && scores.frechet >= 0.0);
    }
    assert!(ae.elbo.is_none() && vae.elbo.unwrap() < 0.0);
    // The autoencoder rebuilds digits better, the VAE samples them better.
    assert!(ae.reconstruction_bce < vae.reconstruction_bce);
    assert!(vae.frechet < ae.frechet, "FD: VAE {} vs AE {}", vae.frechet, ae.frechet);
}

#[test]
fn latent_planes_recover_the_spread_of_the_codes() {
    use genplay::eval::latent_plane::LatentPlane;
    // Codes in 4-D that vary only along (1, 1, 0, 0) / sqrt 2 (spread 2) and (0, 0, 1, 0) (spread 0.5).
    let dims = 4;
    let cloud_a = cloud(400, 1, 7, 0.0);
    let cloud_b = cloud(400, 1, 8, 0.0);
    let codes: Vec<f32> = cloud_a
        .iter()
        .zip(&cloud_b)
        .flat_map(|(u, v)| {
            let (u, v) = (u * 2.0 * 3f32.sqrt(), v * 0.5 * 3f32.sqrt());
            [u / 2f32.sqrt() + 1.0, u / 2f32.sqrt(), v, 0.0]
        })
        .collect();
    let plane = pollster::block_on(LatentPlane::principal(&codes, dims, &Device::flex())).unwrap();
    assert!(
        (plane.scale_a - 2.0).abs() < 0.15 && (plane.scale_b - 0.5).abs() < 0.05,
        "{plane:?}"
    );
    // Every code lies on the plane: projecting then mapping back gives it again.
    for code in codes.chunks_exact(dims).take(20) {
        let (s, t) = plane.project(code);
        let back = plane.code_at(s, t);
        assert!(
            code.iter().zip(&back).all(|(x, y)| (x - y).abs() < 1e-3),
            "{code:?} vs {back:?}"
        );
    }
    // Axis planes: one unit is one standard deviation of that axis.
    let axes = LatentPlane::axes(&codes, dims, 2, 0);
    assert_eq!(axes.a, vec![0.0, 0.0, 1.0, 0.0]);
    assert!((axes.scale_a - 0.5).abs() < 0.05);
    let whole = LatentPlane::whole_2d();
    assert_eq!(whole.code_at(1.5, -2.0), vec![1.5, -2.0]);
    assert_eq!(whole.project(&[0.25, 3.0]), (0.25, 3.0));
}
