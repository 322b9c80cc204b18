// Starts the page's module: imports Trunk's wasm-bindgen glue and instantiates the WebAssembly,
// both named (with Trunk's file hashes) in this script element's data attributes (Trunk.toml,
// `pattern_script`). An external script, so the page's Content-Security-Policy allows no inline
// script at all. Fires the `TrunkApplicationStarted` event, as Trunk's own start-up script does.
const boot = document.getElementById('genplay-boot');
const glue = await import(boot.dataset.glue);
const wasm = await glue.default({ module_or_path: boot.dataset.wasm });
dispatchEvent(new CustomEvent('TrunkApplicationStarted', { detail: { wasm } }));
