// The training worker's loader. The page's first message names the wasm-bindgen glue to load
// and, for the page's own module (CPU only), sends it compiled, so it is not compiled twice. For
// the variant with WebGPU the glue fetches its own module; if that fails, the worker runs the
// page's module (`fallback`) and tells the Rust side why. Everything after that is for the Rust
// side (src/worker/browser.rs), which takes over `onmessage` and first handles the messages that arrived
// while the module was loading.
const pending = [];
let loading = false;

// Every GPU device the module opens is watched: when the browser loses one (its GPU process
// crashed, the driver reset, the device was destroyed), the page hears it and moves training to a
// new worker on the CPU, from its latest snapshot (src/app/driver.rs). wgpu, under burn, reads
// a lost device's failures only as failed calls, one at a time, with no word to the page.
if (self.GPUAdapter) {
  const requestDevice = GPUAdapter.prototype.requestDevice;
  GPUAdapter.prototype.requestDevice = async function (...args) {
    const device = await requestDevice.apply(this, args);
    device.lost.then(({ reason, message }) => {
      self.postMessage({ GpuLost: { message: [reason, message].filter(Boolean).join(': ') || 'no reason given' } });
    });
    return device;
  };
}

async function load({ glue, module }) {
  const loaded = await import(glue);
  await loaded.default(module ? { module_or_path: module } : {});
  return loaded;
}

// Why the WebGPU module did not load, in words: a site served without it (as `bash .ci/serve`
// does while it still builds it) answers 404.
async function whyNotLoaded(glue, error) {
  const found = await fetch(glue, { method: 'HEAD' }).then(r => r.status, () => undefined);
  if (found === 404) {
    return 'this site is served without its WebGPU module yet (bash .ci/serve builds it after the page\'s: reload once it is there)';
  }
  return `the WebGPU module did not load (${error})`;
}

self.onmessage = async ({ data }) => {
  // The page's heartbeat: answered here while the module loads (compiling the WebGPU variant can
  // take seconds on a slow machine), by the Rust side once it has taken over.
  if (data && data.Ping) {
    self.postMessage({ Pong: { ping: data.Ping.ping } });
    return;
  }
  if (loading) {
    pending.push(data);
    return;
  }
  loading = true;
  try {
    let glue;
    let problem;
    try {
      glue = await load(data);
    } catch (error) {
      if (!data.fallback) throw error;
      problem = await whyNotLoaded(data.glue, error);
      glue = await load(data.fallback);
    }
    glue.run_training_worker(pending, problem);
  } catch (error) {
    self.postMessage({ Failed: { message: `the training worker could not load: ${error}` } });
  }
};
