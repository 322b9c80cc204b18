// Benchmark: training steps per second of ae_mlp and vae_mlp (batch 64, Adam) inside the
// built app, on each browser backend, beside TensorFlow.js on the same workloads in the same
// headless Chromium, in the same session. Prints one JSON object.
//
//   bash .ci/bench            (builds the release site first)
//   node tests/bench/train-speed.mjs [seconds-per-measurement]
//
// Ours is measured through the UI as a user sees it: press Train, let a warm-up pass, then
// count steps over a fixed wall-clock window. TF.js: ../shared/bench/tfjs (or $TFJS_BENCH_DIR),
// copied to a temporary folder, installed with `npm ci` and run with its own run.mjs.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic, launchBrowser, openPage } from '../e2e/harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const seconds = Number(process.argv[2] || 15);
const models = ['ae_mlp', 'vae_mlp'];

const stepCount = page => page.locator('[data-testid="step-count"]').textContent().then(Number);

/** Steps/s of `model` in the app, over `seconds` after a warm-up. */
async function measure(page, model, warmupSteps) {
  await page.click('[data-testid="reset-button"]');
  await page.selectOption('[data-testid="model-select"]', model);
  await page.click('[data-testid="train-button"]');
  await page.waitForFunction(n => Number(document.querySelector('[data-testid="step-count"]').textContent) >= n,
    warmupSteps, { timeout: 600_000, polling: 50 });
  const [s0, t0] = [await stepCount(page), Date.now()];
  await page.waitForTimeout(seconds * 1000);
  // Wait for the next reported step so the window ends on a step boundary.
  await page.waitForFunction(n => Number(document.querySelector('[data-testid="step-count"]').textContent) > n,
    await stepCount(page), { timeout: 600_000, polling: 20 });
  const [s1, t1] = [await stepCount(page), Date.now()];
  await page.click('[data-testid="train-button"]');
  return Math.round(((s1 - s0) * 1000 / (t1 - t0)) * 100) / 100;
}

async function ours() {
  const site = await serveStatic();
  const results = {};
  try {
    for (const backend of ['webgpu', 'cpu']) {
      const browser = await launchBrowser({ webgpu: backend === 'webgpu' });
      try {
        const { page } = await openPage(browser.context, site.url);
        await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
        const badge = await page.locator('[data-testid="backend-badge"]').textContent();
        results[backend] = { badge };
        for (const model of models) {
          results[backend][model] = await measure(page, model, backend === 'webgpu' ? 3 : 20);
        }
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
const peer = tfjs();
/** TF.js steps/s of `model` on `backend` (its rows: { backend, results: [{ model, steps_per_s }] }). */
const peerRate = (backend, model) => {
  const rate = peer[backend]?.results?.find(r => r.model === model)?.steps_per_s;
  return typeof rate === 'number' ? Math.round(rate * 100) / 100 : null;
};
const table = [];
for (const [ourBackend, peerBackend] of [['cpu', 'wasm'], ['webgpu', 'webgpu']]) {
  for (const model of models) {
    const genplay = mine[ourBackend]?.[model] ?? null;
    const tf = peerRate(peerBackend, model);
    table.push({ model, backend: ourBackend, genplay_steps_per_s: genplay, tfjs_backend: peerBackend,
      tfjs_steps_per_s: tf, ratio: genplay && tf ? Math.round((genplay / tf) * 100) / 100 : null });
  }
}
console.log(JSON.stringify({ seconds_per_measurement: seconds, badges: { webgpu: mine.webgpu?.badge, cpu: mine.cpu?.badge },
  table, tfjs_raw: peer }, null, 2));
