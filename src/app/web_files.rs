//! Bytes in and out of the browser: a download with progress, a file the user picked or
//! dropped, and offering bytes as a file to save.

use gloo_net::http::{Request, Response as HttpResponse};
use js_sys::{Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, ReadableStreamDefaultReader, Response, Url};

use crate::web::describe;

/// Downloads `url`, calling `on_progress(received, expected)` as bytes arrive.
pub async fn fetch_with_progress(
    url: &str,
    expected: usize,
    on_progress: impl Fn(usize, usize),
) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| format!("could not download {url}: {}", describe(e)))?
        .dyn_into()
        .map_err(|_| format!("could not download {url}"))?;
    if !response.ok() {
        return Err(format!("could not download {url}: HTTP {}", response.status()));
    }
    let body = response.body().ok_or_else(|| format!("{url} has no body"))?;
    let reader: ReadableStreamDefaultReader = body
        .get_reader()
        .dyn_into()
        .map_err(|_| format!("could not read {url}"))?;
    let mut bytes = Vec::with_capacity(expected);
    on_progress(0, expected);
    loop {
        let chunk = JsFuture::from(reader.read())
            .await
            .map_err(|e| format!("the download of {url} failed: {}", describe(e)))?;
        let done = Reflect::get(&chunk, &"done".into())
            .map(|d| d.is_truthy())
            .unwrap_or(true);
        if done {
            break;
        }
        if let Ok(value) = Reflect::get(&chunk, &"value".into()) {
            bytes.extend(Uint8Array::new(&value).to_vec());
        }
        on_progress(bytes.len(), expected);
    }
    Ok(bytes)
}

/// The contents of a file the user picked or dropped.
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| format!("could not read {}: {}", file.name(), describe(e)))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// Offers `bytes` to the user as a file named `file_name`.
pub fn save_bytes(bytes: &[u8], file_name: &str) -> Result<(), String> {
    let array = Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let options = BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(describe)?;
    let url = Url::create_object_url_with_blob(&blob).map_err(describe)?;
    let offered = offer_download(&url, file_name);
    let _ = Url::revoke_object_url(&url);
    offered
}

/// Offers `href` (a data or object URL) to the user as a file named `file_name`, through a link
/// clicked for them.
pub fn offer_download(href: &str, file_name: &str) -> Result<(), String> {
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let anchor: HtmlAnchorElement = document
        .create_element("a")
        .map_err(describe)?
        .dyn_into()
        .map_err(|_| "could not create a link")?;
    anchor.set_href(href);
    anchor.set_download(file_name);
    anchor.click();
    Ok(())
}

/// Why a GET of one of the site's files failed.
#[derive(Debug)]
pub enum GetFailure {
    /// No answer (offline, refused, blocked), in the browser's words.
    Unreachable(String),
    /// An answer with an error status.
    Status(u16),
}

impl std::fmt::Display for GetFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GetFailure::Unreachable(why) => f.write_str(why),
            GetFailure::Status(status) => write!(f, "HTTP {status}"),
        }
    }
}

/// GETs `url`, an answer with a success status or why there is none.
pub async fn get(url: &str) -> Result<HttpResponse, GetFailure> {
    let response = Request::get(url)
        .send()
        .await
        .map_err(|e| GetFailure::Unreachable(e.to_string()))?;
    match response.ok() {
        true => Ok(response),
        false => Err(GetFailure::Status(response.status())),
    }
}
