//! The Train panel's keyboard shortcuts: Space trains or pauses, S steps, R resets.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Listens for the shortcuts while `active` and no field has the keyboard.
pub(super) fn listen_for_shortcuts(
    active: Signal<bool>,
    toggle: impl Fn() + 'static,
    step: impl Fn() + 'static,
    restart: impl Fn() + 'static,
) {
    window_event_listener(leptos::ev::keydown, move |ev| {
        let target_tag = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .map(|e| e.tag_name());
        let typing = matches!(target_tag.as_deref(), Some("INPUT" | "SELECT" | "TEXTAREA"));
        // Space on a focused button presses that button; leave it to the browser.
        let on_button = target_tag.as_deref() == Some("BUTTON");
        if typing || ev.ctrl_key() || ev.meta_key() || ev.alt_key() || !active.get_untracked() {
            return;
        }
        match ev.key().as_str() {
            " " if !on_button => toggle(),
            "s" | "S" => step(),
            // A held-down R repeats: one reset, not dozens each uploading the dataset again.
            "r" | "R" if !ev.repeat() => restart(),
            "r" | "R" => {}
            _ => return,
        }
        ev.prevent_default();
    });
}
