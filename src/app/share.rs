//! The address bar as the demo's state: read a share link on opening and on back/forward,
//! keep the address in step with the panel (replaceState while settings change, pushState when
//! the panel or the model changes), and copy the link.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::link::{DemoLink, ParsedLink};

/// The link the page was opened with (or moved to by back/forward).
pub fn read_link() -> ParsedLink {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    DemoLink::parse(&search)
}

/// The page's address for `link`.
pub fn link_url(link: &DemoLink) -> String {
    let base = web_sys::window()
        .and_then(|w| {
            let location = w.location();
            Some(format!("{}{}", location.origin().ok()?, location.pathname().ok()?))
        })
        .unwrap_or_default();
    format!("{base}?{}", link.to_query())
}

/// Puts `link` in the address bar: a new history entry when `push`, else in place.
pub fn write_link(link: &DemoLink, push: bool) {
    let Some(history) = web_sys::window().and_then(|w| w.history().ok()) else {
        return;
    };
    let url = format!("?{}", link.to_query());
    let _ = if push {
        history.push_state_with_url(&JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
    };
}

/// "Copy link", with the link itself in a read-only field for browsers without clipboard access.
#[component]
pub fn ShareBar(link: Signal<DemoLink>) -> impl IntoView {
    let copied = RwSignal::new(None::<&'static str>);
    let url = move || link.with(link_url);
    let copy = move |_| {
        let text = url();
        let clipboard = web_sys::window().map(|w| w.navigator().clipboard());
        leptos::task::spawn_local(async move {
            let done = match clipboard {
                Some(clipboard) => wasm_bindgen_futures::JsFuture::from(clipboard.write_text(&text))
                    .await
                    .is_ok(),
                None => false,
            };
            copied.set(Some(if done {
                "Copied."
            } else {
                "Copying is blocked here: select the link beside and copy it."
            }));
        });
    };
    view! {
        <div class="share" data-testid="share-bar">
            <button data-testid="copy-link" on:click=copy title="Copy a link that opens this demo as it is now">
                "Copy link"
            </button>
            <input class="share-url" type="text" readonly data-testid="share-url" prop:value=url
                aria-label="Link to this demo"
                on:focus=move |ev| {
                    use wasm_bindgen::JsCast;
                    if let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                        input.select();
                    }
                } />
            {move || copied.get().map(|text| view! { <span class="share-status" data-testid="copy-status">{text}</span> })}
        </div>
    }
}
