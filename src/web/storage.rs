//! The page's `localStorage`, for what the site keeps across visits. Storage can be missing or
//! refused (a privacy setting, a full quota): each call says why instead of failing the page.

use super::describe;

/// The page's `localStorage`, or why there is none.
fn local_storage() -> Result<web_sys::Storage, String> {
    web_sys::window()
        .ok_or("there is no window")?
        .local_storage()
        .map_err(describe)?
        .ok_or_else(|| "this browser keeps no local storage".to_string())
}

/// The text stored under `key`, `None` if nothing is.
pub fn stored_text(key: &str) -> Result<Option<String>, String> {
    local_storage()?.get_item(key).map_err(describe)
}

/// Stores `text` under `key`.
pub fn store_text(key: &str, text: &str) -> Result<(), String> {
    local_storage()?.set_item(key, text).map_err(describe)
}

/// Removes what is stored under `key`.
pub fn forget_text(key: &str) -> Result<(), String> {
    local_storage()?.remove_item(key).map_err(describe)
}
