//! Picks the device: WebGPU when the browser has a working adapter, else burn's CPU backend,
//! saying plainly which and why. `?backend=cpu` in the page's address forces the CPU. Works on
//! the page and in a worker (both have `navigator.gpu` where the browser offers WebGPU).

use burn::tensor::Device;
use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The backend in use, as the badge names it.
#[derive(Debug, Clone, PartialEq)]
pub enum BackendInfo {
    /// Burn's wgpu backend on the browser's WebGPU adapter.
    WebGpu {
        /// What the adapter says it is (vendor, architecture, description).
        adapter: String,
    },
    /// Burn's CPU backend (flex), compiled to WebAssembly.
    Cpu {
        /// Why WebGPU is not in use.
        reason: String,
    },
}

impl BackendInfo {
    /// The badge text: "WebGPU — <adapter>" or "CPU".
    pub fn badge(&self) -> String {
        match self {
            BackendInfo::WebGpu { adapter } => format!("WebGPU — {adapter}"),
            BackendInfo::Cpu { .. } => "CPU".into(),
        }
    }

    /// One sentence on why this backend is in use.
    pub fn explanation(&self) -> String {
        match self {
            BackendInfo::WebGpu { .. } => "Training runs on your GPU through WebGPU.".into(),
            BackendInfo::Cpu { reason } => format!("Training runs on the CPU (WebAssembly): {reason}."),
        }
    }
}

/// The autodiff device to train on, and what it is; `force_cpu` skips WebGPU.
pub async fn choose_backend(force_cpu: bool) -> (Device, BackendInfo) {
    let cpu = |reason: String| (Device::flex().autodiff(), BackendInfo::Cpu { reason });
    if force_cpu {
        return cpu("the address asks for the CPU backend (backend=cpu)".into());
    }
    let adapter = match webgpu_adapter_name().await {
        Ok(name) => name,
        Err(reason) => return cpu(reason),
    };
    match Device::wgpu_options().init_async().await {
        Ok(device) => (device.autodiff(), BackendInfo::WebGpu { adapter }),
        Err(e) => cpu(format!("WebGPU could not start ({e})")),
    }
}

/// Whether the page's address says `backend=cpu` (always false in a worker).
pub fn address_forces_cpu() -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .is_some_and(|query| {
            query
                .trim_start_matches('?')
                .split('&')
                .any(|pair| pair == "backend=cpu")
        })
}

/// Asks the browser for a WebGPU adapter and returns its description, or why there is none.
async fn webgpu_adapter_name() -> Result<String, String> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).map_err(|_| "no navigator")?;
    let gpu = Reflect::get(&navigator, &"gpu".into()).unwrap_or(JsValue::UNDEFINED);
    if gpu.is_undefined() || gpu.is_null() {
        return Err("this browser does not offer WebGPU".into());
    }
    let request = Reflect::get(&gpu, &"requestAdapter".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or("this browser's WebGPU has no requestAdapter")?;
    let promise = request
        .call0(&gpu)
        .map_err(|e| format!("WebGPU adapter request failed ({e:?})"))?;
    let adapter = JsFuture::from(js_sys::Promise::from(promise))
        .await
        .map_err(|e| format!("WebGPU adapter request failed ({e:?})"))?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err("WebGPU is present but offers no adapter".into());
    }
    let info = Reflect::get(&adapter, &"info".into()).unwrap_or(JsValue::UNDEFINED);
    let field = |name: &str| {
        Reflect::get(&info, &name.into())
            .ok()
            .and_then(|v| v.as_string())
            .filter(|s| !s.is_empty())
    };
    let parts: Vec<String> = ["description", "vendor", "architecture"]
        .into_iter()
        .filter_map(field)
        .collect();
    Ok(if parts.is_empty() {
        "unnamed adapter".into()
    } else {
        parts.join(" ")
    })
}
