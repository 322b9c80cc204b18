//! Opens the devices: burn's CPU backend always, the browser's WebGPU where it has a working
//! adapter and this module was built with it (feature `webgpu`: the training worker's variant),
//! saying plainly which is in use and why. `backend=cpu` or `backend=webgpu` in the page's
//! address asks for one.

use burn::tensor::Device;
use js_sys::Reflect;
use wasm_bindgen::JsValue;

pub use crate::backend::choice::BackendInfo;

/// The browser's WebGPU device (autodiff enabled) and its adapter's name, or why there is none.
pub async fn open_webgpu() -> Result<(Device, String), String> {
    let Some(gpu) = navigator_gpu() else {
        return Err("this browser does not offer WebGPU".into());
    };
    open_offered_webgpu(gpu).await
}

/// Opens the WebGPU device of `gpu` (the browser's `navigator.gpu`).
#[cfg(feature = "webgpu")]
async fn open_offered_webgpu(gpu: JsValue) -> Result<(Device, String), String> {
    let adapter = webgpu_adapter_name(gpu).await?;
    // Experiments of the README's benchmark section, off in the shipped build, which must come
    // before the device opens: another matmul fusion (GENPLAY_MATMUL_FUSION=none removes burn's,
    // and with the feature `webgpu-unit-matmul` it names one of `backend::unit_matmul`), and
    // the feature `webgpu-autotune`, which tunes kernels as coarsely as cubecl allows.
    #[cfg(feature = "webgpu-unit-matmul")]
    crate::backend::unit_matmul::configure(option_env!("GENPLAY_MATMUL_FUSION").unwrap_or("simple"))?;
    #[cfg(not(feature = "webgpu-unit-matmul"))]
    if option_env!("GENPLAY_MATMUL_FUSION") == Some("none") {
        let _ = burn_cubecl::fusion::remove("Matmul");
    }
    #[cfg(feature = "webgpu-autotune")]
    {
        use burn_cubecl::cubecl::config::autotune::AutotuneLevel;
        use burn_cubecl::cubecl::config::{CubeClRuntimeConfig, RuntimeConfig};
        let mut config = CubeClRuntimeConfig::default();
        config.autotune.level = AutotuneLevel::Minimal;
        config.autotune.bench.min_samples = 1;
        config.autotune.bench.max_samples = 1;
        CubeClRuntimeConfig::try_set(config);
    }
    match Device::wgpu_options().init_async().await {
        Ok(device) => Ok((device.autodiff(), adapter)),
        Err(e) => Err(format!("WebGPU could not start ({e})")),
    }
}

/// Without the feature `webgpu` there is no WebGPU backend in this module (the page's).
#[cfg(not(feature = "webgpu"))]
async fn open_offered_webgpu(_gpu: JsValue) -> Result<(Device, String), String> {
    Err("this part of the playground was built without WebGPU".into())
}

/// Whether the browser offers WebGPU at all (`navigator.gpu`), on the page or in a worker.
pub fn browser_offers_webgpu() -> bool {
    navigator_gpu().is_some()
}

/// The browser's `navigator.gpu`, if it has one.
fn navigator_gpu() -> Option<JsValue> {
    Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|navigator| Reflect::get(&navigator, &"gpu".into()))
        .ok()
        .filter(|gpu| !gpu.is_undefined() && !gpu.is_null())
}

/// Asks the browser for a WebGPU adapter and returns its description, or why there is none.
#[cfg(feature = "webgpu")]
async fn webgpu_adapter_name(gpu: JsValue) -> Result<String, String> {
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;

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
