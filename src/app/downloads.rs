//! Saving what a panel shows: the sample grid as PNG, the loss history as CSV.

use web_sys::HtmlCanvasElement;

use super::web_files::offer_download;

/// Downloads the canvas as a PNG file.
pub fn download_png(canvas: &HtmlCanvasElement, file_name: &str) {
    if let Ok(url) = canvas.to_data_url() {
        let _ = offer_download(&url, file_name);
    }
}

/// Downloads `csv` as a CSV file.
pub fn download_csv(csv: &str, file_name: &str) {
    let encoded = js_sys::encode_uri_component(csv);
    let _ = offer_download(&format!("data:text/csv;charset=utf-8,{encoded}"), file_name);
}
