//! The backend speeds the training worker measured, kept in this browser's local storage so a
//! later visit trains each model on the faster backend without timing it again
//! ([`crate::backend::memory`]). Storage that is missing, refused or damaged costs only a
//! new measurement: the reason goes to the console, never in the user's way.

use crate::backend::memory::{RememberedSpeed, STORAGE_KEY, SpeedMemory};
use crate::web::storage::{forget_text, store_text, stored_text};

/// The speeds this browser remembers (none if storage cannot be read).
pub fn remembered_speeds() -> SpeedMemory {
    let stored = stored_text(STORAGE_KEY).and_then(|text| text.map(|t| SpeedMemory::from_json(&t)).transpose());
    match stored {
        Ok(memory) => memory.unwrap_or_default(),
        Err(reason) => {
            warn(&format!("the stored backend speeds are not used: {reason}"));
            SpeedMemory::default()
        }
    }
}

/// Adds `speed` to what this browser remembers (re-read first: another tab may have added some).
pub fn remember_speed(speed: RememberedSpeed) {
    let mut memory = remembered_speeds();
    memory.remember(speed);
    if let Err(reason) = store_text(STORAGE_KEY, &memory.to_json()) {
        warn(&format!("the measured backend speed could not be stored: {reason}"));
    }
}

/// Forgets every stored speed.
pub fn forget_speeds() {
    if let Err(reason) = forget_text(STORAGE_KEY) {
        warn(&format!("the stored backend speeds could not be removed: {reason}"));
    }
}

fn warn(message: &str) {
    web_sys::console::warn_1(&format!("genplay: {message}").into());
}
