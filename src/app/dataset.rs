//! Fetches the shipped MNIST files from the site and decodes them.

use gloo_net::http::Request;

use crate::data::MnistSplit;
use crate::data::mnist::{IMAGES_FILE, LABELS_FILE};

/// Downloads `data/<file>` from the site.
async fn fetch_bytes(file: &str) -> Result<Vec<u8>, String> {
    let url = format!("data/{file}");
    let response = Request::get(&url)
        .send()
        .await
        .map_err(|e| format!("could not download {url}: {e}"))?;
    if !response.ok() {
        return Err(format!("could not download {url}: HTTP {}", response.status()));
    }
    response
        .binary()
        .await
        .map_err(|e| format!("could not read {url}: {e}"))
}

/// The shipped digits, split into training and held-out parts.
pub async fn fetch_mnist() -> Result<MnistSplit, String> {
    let images = fetch_bytes(IMAGES_FILE).await?;
    let labels = fetch_bytes(LABELS_FILE).await?;
    MnistSplit::from_idx(&images, &labels).map_err(|e| format!("the MNIST files are damaged: {e}"))
}
