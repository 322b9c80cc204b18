//! Saving what a panel shows: the sample grid as PNG, the loss history as CSV.

use wasm_bindgen::JsCast;
use web_sys::{HtmlAnchorElement, HtmlCanvasElement};

/// Offers `href` (a data URL) to the user as a file named `file_name`.
fn download(href: &str, file_name: &str) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(anchor) = document
        .create_element("a")
        .ok()
        .and_then(|a| a.dyn_into::<HtmlAnchorElement>().ok())
    else {
        return;
    };
    anchor.set_href(href);
    anchor.set_download(file_name);
    anchor.click();
}

/// Downloads the canvas as a PNG file.
pub fn download_png(canvas: &HtmlCanvasElement, file_name: &str) {
    if let Ok(url) = canvas.to_data_url() {
        download(&url, file_name);
    }
}

/// Downloads `csv` as a CSV file.
pub fn download_csv(csv: &str, file_name: &str) {
    let encoded = js_sys::encode_uri_component(csv);
    download(&format!("data:text/csv;charset=utf-8,{encoded}"), file_name);
}
