// The training worker's loader. The page's first message names its wasm-bindgen glue and sends
// its compiled WebAssembly module (so it is not compiled twice); everything after that is for
// the Rust side (src/worker.rs), which takes over `onmessage` and first handles the messages
// that arrived while the module was loading.
const pending = [];
let loading = false;

self.onmessage = async ({ data }) => {
  if (loading) {
    pending.push(data);
    return;
  }
  loading = true;
  try {
    const glue = await import(data.glue);
    await glue.default({ module_or_path: data.module });
    glue.run_training_worker(pending);
  } catch (error) {
    self.postMessage({ Failed: { message: `the training worker could not load: ${error}` } });
  }
};
