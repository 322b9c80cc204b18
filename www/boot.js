// Starts the page's module: imports Trunk's wasm-bindgen glue and instantiates the WebAssembly,
// both named (with Trunk's file hashes) in this script element's data attributes (Trunk.toml,
// `pattern_script`). An external script, so the page's Content-Security-Policy allows no inline
// script at all. Fires the `TrunkApplicationStarted` event, as Trunk's own start-up script does.
// Then registers the offline copy (www/sw.js) for this build.
const boot = document.getElementById('genplay-boot');
const glue = await import(boot.dataset.glue);
const wasm = await glue.default({ module_or_path: boot.dataset.wasm });
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
keepOfflineCopy();

/**
 * Registers the service worker under this build's id (precache.json, written at build time), so
 * the site opens, trains and loads the weights it fetched before with the network gone. Offline,
 * the worker answers precache.json from its cache and this registers what is already there.
 */
async function keepOfflineCopy() {
  if (!('serviceWorker' in navigator)) return;
  try {
    const response = await fetch('precache.json', { cache: 'no-store' });
    if (!response.ok) throw new Error(`precache.json: HTTP ${response.status}`);
    const { build } = await response.json();
    // The WebGPU module is kept only where it can run: a browser that offers a WebGPU adapter.
    const adapter = await navigator.gpu?.requestAdapter().catch(() => null);
    const webgpu = adapter ? 1 : 0;
    await navigator.serviceWorker.register(`sw.js?build=${encodeURIComponent(build)}&webgpu=${webgpu}`);
  } catch (error) {
    console.warn(`genplay keeps no offline copy this time: ${error}`);
  }
}
