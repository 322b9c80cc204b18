// Benchmark of the Modes lab in headless Chromium: training steps/s of its 2-D models (batch
// 128, Adam) on the ring, in the lab's own worker, on each browser backend, measured through the
// UI as a user sees it: open a lab link that trains, let a warm-up pass (WebGPU compiles its
// kernels in the first steps), then count steps over a wall-clock window that ends at a slice
// boundary, or when the run reaches its budget. No peer: TF.js's benchmark has no 2-D models.
//
//   node tests/bench/lab-speed.mjs [seconds-per-measurement]
//   BENCH_BACKENDS=cpu node tests/bench/lab-speed.mjs       (one backend only)
//   GENPLAY_DIST=/other/dist node tests/bench/lab-speed.mjs (another build of the site)
//
// Prints one JSON object.
import { serveStatic, launchBrowser, openPage } from '../e2e/harness.mjs';

const seconds = Number(process.argv[2] || 10);
const backends = (process.env.BENCH_BACKENDS || 'cpu,webgpu').split(',');
const models = ['gan', 'vae'];
/** Steps trained before the window opens, per backend. */
const WARM_UP = { cpu: 200, webgpu: 3 };

const labSteps = page => page.locator('[data-testid="lab-progress"]').getAttribute('data-steps').then(Number);
const running = page => page.locator('[data-testid="lab-progress"]').getAttribute('data-running').then(r => r === 'true');

/** Waits until the step count passes `after` (the next slice), or the run stops; when it did. */
async function nextSlice(page, after, timeout) {
  await page.waitForFunction(s => {
    const progress = document.querySelector('[data-testid="lab-progress"]');
    return Number(progress.dataset.steps) > s || progress.dataset.running === 'false';
  }, after, { timeout, polling: 10 });
  return [await labSteps(page), Date.now()];
}

async function measure(browser, site, backend, model) {
  const { page, errors } = await openPage(browser.context,
    `${site.url}?v=1&panel=modes&lab_model=${model}&lab_backend=${backend}&autorun=1`);
  try {
    await page.waitForFunction(n => Number(document.querySelector('[data-testid="lab-progress"]')?.dataset.steps) >= n,
      WARM_UP[backend], { timeout: 900_000, polling: 10 });
    const [s0, t0] = [await labSteps(page), Date.now()];
    let [s1, t1] = [s0, t0];
    while (t1 - t0 < seconds * 1000 && await running(page)) {
      [s1, t1] = await nextSlice(page, s1, 600_000);
    }
    if (errors.length) throw new Error(errors.join('\n'));
    return { steps_per_second: Math.round((s1 - s0) * 100_000 / (t1 - t0)) / 100, steps_timed: s1 - s0, seconds: (t1 - t0) / 1000 };
  } finally {
    await page.close();
  }
}

const site = await serveStatic();
const results = {};
try {
  for (const backend of backends) {
    const browser = await launchBrowser({ webgpu: backend === 'webgpu' });
    try {
      for (const model of models) {
        results[`${backend} ${model}`] = await measure(browser, site, backend, model);
        console.error(`${backend} ${model}: ${JSON.stringify(results[`${backend} ${model}`])}`);
      }
    } finally {
      await browser.close();
    }
  }
} finally {
  await site.close();
}
console.log(JSON.stringify({ lab_steps_per_second: results }, null, 2));
