// Benchmark of the built site in headless Chromium, beside TensorFlow.js in the same session:
//
// - training steps/s of ae_mlp, vae_mlp, gan_mlp and dcgan (batch 64, Adam) inside the app, on
//   each browser backend, and TF.js's on the same workloads (../shared/bench/tfjs), with ratios;
// - the time from pressing Train to each workload's first step. On WebGPU the worker compiles a
//   fresh session's kernels ahead, while the user reads (a warm-up step of a throwaway twin): the
//   benchmark waits for that, as a reader would, and reports how long it took (`warm_up_ms`,
//   from Reset to the kernels ready) and then the first step; with BENCH_WARM_UP=0 it presses
//   Train at once after Reset, so the first step compiles them (no warm-up runs then);
// - time from navigation to the first pretrained sample on screen (a link that loads the shipped
//   MLP GAN), on the CPU;
// - the wasm modules' sizes, raw and gzipped (level 9): the page's (CPU only, what every visitor
//   loads) and the variant with WebGPU that a training worker loads where the browser has WebGPU;
// - memory after 100 and after 5,000 training steps of ae_mlp on the CPU (on WebGPU after 100 and
//   after as many steps as MEMORY_WEBGPU_SECONDS allow: SwiftShader trains ~2 steps/s): the page's
//   JS heap after a garbage collection and WebAssembly memory, the training worker's WebAssembly
//   memory and its live GPU buffers.
//
//   bash .ci/bench            (builds the release site first)
//   node tests/bench/train-speed.mjs [seconds-per-measurement]
//   BENCH_BACKENDS=cpu node tests/bench/train-speed.mjs     (one backend only)
//   BENCH_TFJS=0 node tests/bench/train-speed.mjs           (without the TF.js peer)
//   BENCH_MEMORY=0 node tests/bench/train-speed.mjs         (without the memory runs)
//   BENCH_MODELS=ae_mlp,dcgan node tests/bench/train-speed.mjs (some workloads only)
//   GENPLAY_DIST=/other/dist node tests/bench/train-speed.mjs   (another build of the site)
//   BENCH_WARM_UP=0 node tests/bench/train-speed.mjs        (Train pressed at once after Reset)
//
// Ours is measured through the UI as a user sees it: press Train, let a warm-up pass, then count
// steps over a fixed wall-clock window. Memory is read from the worker by a copy of the site whose
// worker loader first wraps WebAssembly.instantiate (to find the module's memory) and
// GPUDevice.createBuffer / GPUBuffer.destroy (to count live buffer bytes); the product itself is
// not instrumented. Prints one JSON object.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { distDir, serveStatic, launchBrowser, openPage, withBackend, backendBadge, numberIn, waitForSteps } from '../e2e/harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const seconds = Number(process.argv[2] || 15);
const models = (process.env.BENCH_MODELS || 'ae_mlp,vae_mlp,gan_mlp,dcgan').split(',');
const MEMORY_STEPS = [100, 5000];
const MEMORY_WEBGPU_SECONDS = 240;

/** Counts what the worker holds; prepended to the copy's train-worker.js. */
const WORKER_PROBE = `
self.__bench = { gpuBytes: 0, gpuBuffers: 0, memory: null };
{
  for (const name of ['instantiate', 'instantiateStreaming']) {
    const original = WebAssembly[name];
    WebAssembly[name] = async (...args) => {
      const result = await original(...args);
      self.__bench.memory = (result.instance ?? result).exports.memory;
      return result;
    };
  }
  if (self.GPUDevice) {
    const create = GPUDevice.prototype.createBuffer;
    const sizes = new WeakMap();
    GPUDevice.prototype.createBuffer = function (descriptor) {
      const buffer = create.call(this, descriptor);
      sizes.set(buffer, descriptor.size);
      self.__bench.gpuBytes += descriptor.size; self.__bench.gpuBuffers += 1;
      return buffer;
    };
    const destroy = GPUBuffer.prototype.destroy;
    GPUBuffer.prototype.destroy = function () {
      if (sizes.has(this)) { self.__bench.gpuBytes -= sizes.get(this); self.__bench.gpuBuffers -= 1; sizes.delete(this); }
      return destroy.call(this);
    };
  }
}
`;

const stepCount = page => numberIn(page, 'step-count');
const waitSteps = (page, n, timeout = 600_000) => waitForSteps(page, n, { timeout, polling: 50 });
const round = (x, digits = 2) => (x === null || x === undefined ? null : Math.round(x * 10 ** digits) / 10 ** digits);

/** The milliseconds from Reset until the worker says the fresh session's WebGPU kernels are
 * compiled (`data-kernels` on the backend note), or null where it warms none up (the CPU, or a
 * model whose kernels it compiled before). */
async function warmUp(page, resetAt) {
  const state = await page.waitForFunction(() => {
    const note = document.querySelector('[data-testid="backend-note"]');
    const kernels = note?.dataset.kernels;
    return (kernels === 'ready' || kernels === 'failed') ? kernels : null;
  }, null, { timeout: 600_000, polling: 50 }).then(h => h.jsonValue());
  if (state !== 'ready') throw new Error(`the warm-up failed: ${await page.locator('[data-testid="warm-up"]').textContent()}`);
  return Date.now() - resetAt;
}

/** Steps/s of `model` in the app, over `seconds` after a warm-up, the milliseconds from pressing
 * Train to its first step shown and, on WebGPU unless BENCH_WARM_UP=0, the milliseconds from
 * Reset to its kernels compiled ahead (Train is pressed then). Pressed at once, the first step on
 * WebGPU is mostly the compilation of its kernels (for the first model a backend trains; later
 * models reuse some of them). */
async function measure(page, model, warmupSteps, backend) {
  await page.selectOption('[data-testid="model-select"]', model);
  const resetAt = Date.now();
  await page.click('[data-testid="reset-button"]');
  const waitsForWarmUp = backend === 'webgpu' && process.env.BENCH_WARM_UP !== '0';
  const warmUpMs = waitsForWarmUp ? await warmUp(page, resetAt) : null;
  const pressed = Date.now();
  await page.click('[data-testid="train-button"]');
  await waitSteps(page, 1);
  const firstStepMs = Date.now() - pressed;
  await waitSteps(page, warmupSteps);
  const [s0, t0] = [await stepCount(page), Date.now()];
  await page.waitForTimeout(seconds * 1000);
  // Wait for the next reported step so the window ends on a step boundary.
  await waitSteps(page, (await stepCount(page)) + 1);
  const [s1, t1] = [await stepCount(page), Date.now()];
  await page.click('[data-testid="train-button"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="train-button"]').textContent !== 'Pausing…');
  return { rate: round((s1 - s0) * 1000 / (t1 - t0)), firstStepMs, warmUpMs };
}

/** The page's JS heap (after a garbage collection) and WebAssembly memory, and the worker's
 * WebAssembly memory and live GPU buffers, in MB. */
async function memory(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  await cdp.detach();
  const pageWasm = await page.evaluate(() => window.__pageWasm?.memory?.buffer.byteLength ?? null);
  const worker = page.workers()[0];
  const held = worker ? await worker.evaluate(() => ({
    wasm: self.__bench.memory?.buffer.byteLength ?? null, gpu: self.__bench.gpuBytes, buffers: self.__bench.gpuBuffers,
  })) : {};
  const mb = bytes => (bytes === null || bytes === undefined ? null : round(bytes / 1e6, 1));
  return { page_js_heap_mb: mb(usedSize), page_wasm_memory_mb: mb(pageWasm), worker_wasm_memory_mb: mb(held.wasm), gpu_buffers_mb: mb(held.gpu), gpu_buffers: held.buffers ?? null };
}

/** Memory after each of MEMORY_STEPS steps of ae_mlp (or as many as `capSeconds` allow). */
async function memoryOverTraining(page, capSeconds) {
  await page.selectOption('[data-testid="model-select"]', 'ae_mlp');
  await page.fill('[data-testid="field-budget"]', '100000');
  await page.locator('[data-testid="field-budget"]').press('Tab');
  await page.click('[data-testid="reset-button"]');
  const started = Date.now();
  const readings = [];
  for (const target of MEMORY_STEPS) {
    await page.click('[data-testid="train-button"]');
    const left = capSeconds * 1000 - (Date.now() - started);
    await waitSteps(page, target, Math.max(left, 1)).catch(() => {});
    await page.click('[data-testid="train-button"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="train-button"]').textContent !== 'Pausing…');
    readings.push({ steps: await stepCount(page), ...(await memory(page)) });
    if (Date.now() - started > capSeconds * 1000) break;
  }
  return readings;
}

/** Milliseconds from navigation to the first pretrained GAN sample on screen (CPU). */
async function firstPretrainedSample(browser, site) {
  const { page } = await openPage(browser.context, `${site.url}?v=1&model=gan_mlp&weights=pretrained&backend=cpu`);
  await page.waitForFunction(() => {
    const canvas = document.querySelector('[data-testid="sample-grid"]');
    const status = document.querySelector('[data-testid="weights-status"]');
    if (!canvas || status?.dataset.state !== 'done') return false;
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    // Digits: the grid draws ink dark on a light ground (an untrained GAN's grid is a flat grey).
    let light = 0, dark = 0;
    for (let i = 0; i < data.length; i += 4) { light += data[i] > 200 ? 1 : 0; dark += data[i] < 30 ? 1 : 0; }
    if (dark > 500 && light > data.length / 8) { window.__firstSampleMs = performance.now(); return true; }
    return false;
  }, null, { timeout: 120_000, polling: 'raf' });
  const ms = await page.evaluate(() => window.__firstSampleMs);
  await page.close();
  return Math.round(ms);
}

/** A copy of the built site whose worker loader carries WORKER_PROBE. */
function probedSite() {
  const dir = mkdtempSync(path.join(tmpdir(), 'genplay-bench-site-'));
  cpSync(distDir, dir, { recursive: true });
  const loader = path.join(dir, 'train-worker.js');
  writeFileSync(loader, WORKER_PROBE + readFileSync(loader, 'utf8'));
  return dir;
}

/** Sizes of the page's module (CPU only, what every visitor loads) and of the variant with
 * WebGPU (what a training worker loads where the browser has WebGPU). */
function wasmSize() {
  const size = file => {
    const bytes = readFileSync(path.join(distDir, file));
    return { file, raw_mb: round(bytes.length / 1e6), gzip9_mb: round(gzipSync(bytes, { level: 9 }).length / 1e6) };
  };
  const modules = readdirSync(distDir).filter(f => f.endsWith('_bg.wasm'));
  return {
    page: size(modules.find(f => !f.startsWith('genplay-webgpu'))),
    webgpu_worker: size(modules.find(f => f.startsWith('genplay-webgpu'))),
  };
}

async function ours() {
  const site = await serveStatic(probedSite());
  const results = {};
  try {
    for (const backend of (process.env.BENCH_BACKENDS || 'cpu,webgpu').split(',')) {
      const browser = await launchBrowser({ webgpu: backend === 'webgpu' });
      try {
        if (backend === 'cpu') results.first_pretrained_sample_ms = await firstPretrainedSample(browser, site);
        const page = await browser.context.newPage();
        // Trunk announces the page's instance: keep its exports, to read the page's own memory.
        await page.addInitScript(() => addEventListener('TrunkApplicationStarted', e => { window.__pageWasm = e.detail.wasm; }));
        // Each backend is asked for by name: left to choose, the app would pick the faster.
        await page.goto(withBackend(site.url, backend));
        await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
        await page.waitForFunction(() => document.querySelector('[data-testid="backend-note"]').textContent.length > 0);
        const badge = await backendBadge(page, backend === 'webgpu' ? /^WebGPU/ : /^CPU/);
        results[backend] = { badge, steps_per_s: {}, first_step_ms: {}, warm_up_ms: {} };
        // The page's own first session (the default model) is warmed up as it opens: wait for
        // that, so the first workload's warm-up is its own.
        if (backend === 'webgpu' && process.env.BENCH_WARM_UP !== '0') {
          results[backend].warm_up_on_opening_ms = await warmUp(page, Date.now());
        }
        for (const model of models) {
          const { rate, firstStepMs, warmUpMs } = await measure(page, model, backend === 'webgpu' ? 3 : 20, backend);
          results[backend].steps_per_s[model] = rate;
          results[backend].first_step_ms[model] = firstStepMs;
          results[backend].warm_up_ms[model] = warmUpMs;
        }
        if (process.env.BENCH_MEMORY !== '0') {
          results[backend].memory = await memoryOverTraining(page, backend === 'webgpu' ? MEMORY_WEBGPU_SECONDS : 600);
        }
        console.error(JSON.stringify({ [backend]: results[backend] }));
        await page.close();
      } finally {
        await browser.close();
      }
    }
  } finally {
    await site.close();
  }
  return results;
}

function tfjs() {
  const source = process.env.TFJS_BENCH_DIR || path.resolve(repo, '../shared/bench/tfjs');
  if (!existsSync(path.join(source, 'run.mjs'))) return { error: `no TF.js peer benchmark at ${source}` };
  const dir = mkdtempSync(path.join(tmpdir(), 'tfjs-bench-'));
  cpSync(source, dir, { recursive: true });
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'ignore' });
  const out = execFileSync('node', ['run.mjs', 'wasm,webgpu', '50', models.join(',')], { cwd: dir, encoding: 'utf8' });
  const byBackend = {};
  for (const line of out.split('\n').filter(l => l.startsWith('{'))) {
    const row = JSON.parse(line);
    byBackend[row.backend] = row;
  }
  return byBackend;
}

const mine = await ours();
const peer = process.env.BENCH_TFJS === '0' ? {} : tfjs();
/** TF.js steps/s of `model` on `backend` (its rows: { backend, results: [{ model, steps_per_s }] }). */
const peerRate = (backend, model) => {
  const rate = peer[backend]?.results?.find(r => r.model === model)?.steps_per_s;
  return typeof rate === 'number' ? round(rate) : null;
};
const table = [];
for (const [ourBackend, peerBackend] of [['cpu', 'wasm'], ['webgpu', 'webgpu']]) {
  for (const model of models) {
    const genplay = mine[ourBackend]?.steps_per_s?.[model] ?? null;
    const tf = peerRate(peerBackend, model);
    table.push({ model, backend: ourBackend, genplay_steps_per_s: genplay, tfjs_backend: peerBackend,
      tfjs_steps_per_s: tf, ratio: genplay && tf ? round(genplay / tf) : null });
  }
}
console.log(JSON.stringify({
  seconds_per_measurement: seconds,
  badges: { webgpu: mine.webgpu?.badge, cpu: mine.cpu?.badge },
  table,
  first_pretrained_sample_ms: mine.first_pretrained_sample_ms,
  first_step_ms: { webgpu: mine.webgpu?.first_step_ms, cpu: mine.cpu?.first_step_ms },
  warm_up_ms: { webgpu: mine.webgpu?.warm_up_ms, on_opening: mine.webgpu?.warm_up_on_opening_ms },
  wasm: wasmSize(),
  memory: { cpu: mine.cpu?.memory, webgpu: mine.webgpu?.memory },
  tfjs_raw: peer,
}, null, 2));
