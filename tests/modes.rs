//! The mode-collapse lab's presets do what they say: at their seed, "Watch it collapse" leaves
//! most of the ring's modes empty and "Fixed" covers more of them, trained exactly as the Modes
//! panel trains them (3,000 steps, the panel's 1,000 scored samples).

use burn::tensor::Device;
use genplay::lab::run::LabRun;
use genplay::lab::{LabPreset, ModeScore};

/// The panel's step budget.
const STEPS: usize = 3_000;

fn modes_after_training(preset: LabPreset) -> ModeScore {
    let mut run = LabRun::new(preset.settings(), &Device::flex().autodiff());
    for _ in 0..STEPS / 500 {
        assert_eq!(pollster::block_on(run.advance(500)).unwrap(), None, "a finite loss");
    }
    let picture = pollster::block_on(run.picture()).unwrap();
    picture.modes.expect("the ring has modes")
}

#[test]
fn the_fixed_preset_covers_more_ring_modes_than_the_collapse_preset() {
    let collapsed = modes_after_training(LabPreset::WatchItCollapse);
    let fixed = modes_after_training(LabPreset::Fixed);
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
