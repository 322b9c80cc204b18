//! The mode-collapse lab's presets do what they say: at their seed, "Watch it collapse" leaves
//! most of the ring's modes empty and "Fixed" covers more of them, trained exactly as the Modes
//! panel trains them (3,000 steps, the panel's 1,000 scored samples).

use burn::tensor::Device;
use genplay::lab::run::LabRun;
use genplay::lab::{LabPreset, ModeScore};

/// The panel's step budget.
const STEPS: usize = 3_000;

/// Mean distance of `points` (`[x, y, …]`) from their centroid.
fn spread(points: &[f32]) -> f32 {
    let n = (points.len() / 2) as f32;
    let (cx, cy) = points
        .chunks_exact(2)
        .fold((0.0, 0.0), |(x, y), p| (x + p[0] / n, y + p[1] / n));
    points
        .chunks_exact(2)
        .map(|p| (p[0] - cx).hypot(p[1] - cy))
        .sum::<f32>()
        / n
}

fn modes_after_training(preset: LabPreset) -> (ModeScore, f32) {
    let mut run = LabRun::new(preset.settings(), &Device::flex().autodiff());
    for _ in 0..STEPS / 500 {
        assert_eq!(pollster::block_on(run.advance(500)).unwrap(), None, "a finite loss");
    }
    let picture = pollster::block_on(run.picture()).unwrap();
    println!(
        "{preset:?}: spread {} (data {})",
        spread(&picture.generated),
        spread(&picture.real)
    );
    (picture.modes.expect("the ring has modes"), spread(&picture.generated))
}

#[test]
fn the_fixed_preset_covers_more_ring_modes_than_the_collapse_preset() {
    let (collapsed, _) = modes_after_training(LabPreset::WatchItCollapse);
    let (fixed, _) = modes_after_training(LabPreset::Fixed);
    println!("collapsed {collapsed:?}\nfixed {fixed:?}");
    assert!(
        collapsed.captured <= 4,
        "the collapse preset kept {} of 8 modes",
        collapsed.captured
    );
    assert!(
        fixed.captured >= collapsed.captured + 3,
        "fixed {} vs collapsed {} modes",
        fixed.captured,
        collapsed.captured
    );
}
