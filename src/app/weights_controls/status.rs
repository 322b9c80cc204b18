//! What the weights controls are doing or last did, and its line under them.

use leptos::prelude::*;

use crate::weights::{ManifestEntry, metric};

/// What the weights controls are doing or last did.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Status {
    Idle,
    /// Working; with `(received, expected)` bytes while downloading.
    Busy(String, Option<(usize, usize)>),
    Done(String),
    Failed(String),
}

/// "1.6 MB" or "820 kB".
pub fn size_text(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{} kB", bytes.div_ceil(1000))
    }
}

/// One line on a shipped file: steps, training time, and its headline held-out figure.
pub(super) fn provenance(entry: &ManifestEntry) -> String {
    let headline = [
        (metric::HELD_OUT_ELBO, "held-out ELBO", " nats"),
        (metric::HELD_OUT_RECONSTRUCTION_BCE, "held-out reconstruction", " nats"),
        (metric::SAMPLE_CLASSES_COVERED, "classes covered by samples", " of 10"),
    ]
    .iter()
    .find_map(|(key, label, unit)| entry.metrics.get(*key).map(|v| format!("; {label} {v:.1}{unit}")))
    .unwrap_or_default();
    format!(
        "{} steps, trained natively in {:.0} s{headline}",
        entry.steps, entry.wall_seconds
    )
}

/// The line that says what `status` is, with a download's progress.
#[component]
pub(super) fn StatusLine(status: RwSignal<Status>) -> impl IntoView {
    move || match status.get() {
        Status::Idle => None,
        Status::Busy(text, progress) => Some(
            view! {
                <p class="weights-status" data-testid="weights-status" data-state="busy">
                    {text}
                    {progress.map(|(received, expected)| view! {
                        " "<progress data-testid="weights-progress" max=expected.max(1).to_string()
                            value=received.to_string()></progress>
                        {format!(" {} of {}", size_text(received as u64), size_text(expected as u64))}
                    })}
                </p>
            }
            .into_any(),
        ),
        Status::Done(text) => Some(
            view! {
                <p class="weights-status" data-testid="weights-status" data-state="done">{text}</p>
            }
            .into_any(),
        ),
        Status::Failed(text) => Some(
            view! {
                <p class="weights-status notice error" role="alert" data-testid="weights-status"
                    data-state="failed">{text}</p>
            }
            .into_any(),
        ),
    }
}
