//! The Train panel's figures: progress against the budget, step, epoch, speed, time left and
//! loss, and the notice (with a way out after divergence).

use leptos::prelude::*;

use super::super::driver::TrainState;

/// Steps averaged for the "first" and "recent" loss figures.
const LOSS_WINDOW: usize = 5;

/// "1 min 20 s" or "45 s".
fn duration_text(seconds: f64) -> String {
    let seconds = seconds.round() as u64;
    if seconds >= 60 {
        format!("{} min {} s", seconds / 60, seconds % 60)
    } else {
        format!("{seconds} s")
    }
}

/// Progress and the figures of the run.
#[component]
pub(super) fn TrainStats(state: TrainState) -> impl IntoView {
    let steps = move || state.history.with(|h| h.len());
    let budget = move || state.applied.get().step_budget;
    let loss_summary = move |window_at_end: bool| {
        state.history.with(|h| {
            let mean = if window_at_end {
                h.mean_of_last(0, LOSS_WINDOW)
            } else {
                h.mean_of_first(0, LOSS_WINDOW)
            };
            mean.map(|m| format!("{m:.3}")).unwrap_or_default()
        })
    };
    let time_left = move || {
        let left = budget().saturating_sub(steps());
        match state.steps_per_second.get() {
            Some(rate) if rate > 0.0 && state.running.get() => duration_text(left as f64 / rate),
            _ => "–".into(),
        }
    };
    view! {
        <div class="progress-row">
            <progress data-testid="progress" max=move || budget().to_string() value=move || steps().to_string()></progress>
            <span class="progress-text">{move || format!("{} / {} steps", steps(), budget())}</span>
        </div>
        <dl class="stats" data-testid="stats"
            data-first-loss=move || loss_summary(false) data-recent-loss=move || loss_summary(true)>
            <div><dt>"step"</dt><dd data-testid="step-count">{steps}</dd></div>
            <div><dt>"epoch"</dt><dd data-testid="epoch">{move || format!("{:.2}", state.epochs.get())}</dd></div>
            <div><dt>"steps/s"</dt><dd data-testid="steps-per-second">
                {move || state.steps_per_second.get().map(|r| format!("{r:.1}")).unwrap_or_else(|| "–".into())}
            </dd></div>
            <div><dt>"time left"</dt><dd data-testid="time-left">{time_left}</dd></div>
            <div><dt>"loss"</dt><dd data-testid="current-loss">{move || loss_summary(true)}</dd></div>
        </dl>
    }
}

/// What the worker said (divergence, budget, a restart), with the ways on after divergence.
#[component]
pub(super) fn TrainNotice(
    state: TrainState,
    restart: impl Fn() + Copy + Send + Sync + 'static,
    lower_learning_rate: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    move || {
        state.notice.get().map(|n| {
            view! {
                <div class="notice warning" role="alert" data-testid="notice">
                    <p>{n}</p>
                    {move || state.diverged.get().then(|| view! {
                        <div class="notice-actions">
                            <button data-testid="diverged-reset" on:click=move |_| restart()>"Start again"</button>
                            <button data-testid="diverged-lower-lr" on:click=move |_| lower_learning_rate()>
                                "Start again with learning rate ÷ 10"
                            </button>
                        </div>
                    })}
                </div>
            }
        })
    }
}
