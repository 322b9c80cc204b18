//! The guided tour's card, docked at the foot of the page and never modal: the demo it talks
//! about stays usable while the visitor reads. Each step's "Open this demo" is the step's share
//! link; where the visitor is in the tour is kept in local storage, so the step is still shown
//! after the link has opened. Escape closes it; the bar's "Tour" button opens it again.

use leptos::prelude::*;

use crate::tour::{TourProgress, tour};
use crate::web::storage::{store_text, stored_text};

/// Where the tour's progress is kept.
const TOUR_KEY: &str = "genplay.tour";

/// The step the tour shows as the page opens, `opened_with_link` saying whether the address
/// holds a share link.
pub fn tour_on_opening(opened_with_link: bool) -> Option<usize> {
    let stored = stored_text(TOUR_KEY).ok().flatten();
    TourProgress::read(stored.as_deref()).shown_on_opening(opened_with_link)
}

/// The tour at the step `open` names (closed when `None`).
#[component]
pub fn TourGuide(open: RwSignal<Option<usize>>) -> impl IntoView {
    let steps = StoredValue::new(tour());
    let count = steps.with_value(Vec::len);
    // Keep the progress: the step shown, or closed once a shown tour is closed.
    Effect::new(move |previous: Option<Option<usize>>| {
        let now = open.get();
        let progress = match (now, previous.flatten()) {
            (Some(step), _) => Some(TourProgress::At(step)),
            (None, Some(_)) => Some(TourProgress::Closed),
            (None, None) => None,
        };
        // Storage may be refused (a privacy setting): the tour then simply does not persist.
        if let Some(progress) = progress {
            let _ = store_text(TOUR_KEY, &progress.stored());
        }
        now
    });
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            open.set(None);
        }
    };
    move || {
        open.get().map(|step| {
            let (title, text, href) = steps.with_value(|s| {
                let shown = &s[step];
                (shown.title, shown.text, format!("?{}", shown.link.to_query()))
            });
            let last = step + 1 == count;
            view! {
                <aside class="tour" role="dialog" aria-modal="false" aria-labelledby="tour-title"
                    data-testid="tour" data-step=step on:keydown=on_keydown>
                    <p class="tour-count">{format!("Tour · step {} of {count}", step + 1)}</p>
                    <h2 id="tour-title">{title}</h2>
                    <p>{text}</p>
                    <div class="tour-actions">
                        <a class="button primary" data-testid="tour-open" href=href>"Open this demo"</a>
                        <button data-testid="tour-back" disabled=step == 0
                            on:click=move |_| open.set(Some(step.saturating_sub(1)))>"Back"</button>
                        <button data-testid="tour-next"
                            on:click=move |_| open.set((!last).then_some(step + 1))>
                            {if last { "Finish" } else { "Next" }}
                        </button>
                        <button class="link" data-testid="tour-close" on:click=move |_| open.set(None)>"Close tour"</button>
                    </div>
                </aside>
            }
        })
    }
}
