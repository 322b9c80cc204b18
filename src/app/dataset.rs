//! Fetches the shipped MNIST files from the site and decodes them.

use super::web_files::get;

use crate::data::MnistSplit;
use crate::data::mnist::{IMAGES_FILE, LABELS_FILE};

/// The digits' files as served, for the training worker, which decodes its own copy.
#[derive(Debug, Clone)]
pub struct MnistFiles {
    /// The images file (gzipped IDX).
    pub images: Vec<u8>,
    /// The labels file (gzipped IDX).
    pub labels: Vec<u8>,
}

/// Downloads `data/<file>` from the site.
async fn fetch_bytes(file: &str) -> Result<Vec<u8>, String> {
    let url = format!("data/{file}");
    let response = get(&url).await.map_err(|e| format!("could not download {url}: {e}"))?;
    response
        .binary()
        .await
        .map_err(|e| format!("could not read {url}: {e}"))
}

/// The shipped digits, split into training and held-out parts, and the files they came from.
pub async fn fetch_mnist() -> Result<(MnistSplit, MnistFiles), String> {
    let images = fetch_bytes(IMAGES_FILE).await?;
    let labels = fetch_bytes(LABELS_FILE).await?;
    let split = MnistSplit::from_idx(&images, &labels).map_err(|e| format!("the MNIST files are damaged: {e}"))?;
    Ok((split, MnistFiles { images, labels }))
}
