//! A GAN in slow motion, as GAN Lab's step mode shows one: the discriminator's update, then the
//! generator's, one press each, with what each did to the discriminator's verdicts on the
//! batch it trained on. The sample grid refreshes once the generator's half completes a step.

use leptos::prelude::*;

use super::driver::TrainState;
use crate::train::Player;

/// The slow-motion control and its report, for the GAN training in `state`.
#[component]
pub fn SlowMotion(state: TrainState) -> impl IntoView {
    let next = move || match state.slow_motion.with(|h| h.as_ref().map(|h| h.player)) {
        Some(Player::Discriminator) => Player::Generator,
        _ => Player::Discriminator,
    };
    let label = move || match next() {
        Player::Discriminator => "Discriminator's half",
        Player::Generator => "Generator's half",
    };
    let next_id = move || match next() {
        Player::Discriminator => "discriminator",
        Player::Generator => "generator",
    };
    view! {
        <div class="slow-motion" data-testid="slow-motion" data-next=next_id>
            <button data-testid="half-step" on:click=move |_| state.half_step()
                disabled=move || state.running.get() || state.stepping.get() || state.diverged.get()
                title="Slow motion: run the next half of a step, the discriminator's update or the generator's">
                {label}
            </button>
            <span class="hint">" Slow motion: one player's update at a time."</span>
            {move || state.slow_motion.get().map(|half| view! {
                <p class="half-report" role="status" data-testid="half-report" data-steps=half.steps
                    data-player=match half.player { Player::Discriminator => "discriminator", Player::Generator => "generator" }>
                    {half.sentence()}
                </p>
            })}
        </div>
    }
}
