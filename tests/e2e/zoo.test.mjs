// Every model of the zoo trains ten steps in the browser, on each backend, with no console
// error: finite losses, a preview on the grid, and the step counter at ten or more.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launchBrowser, openPage, canvasStats, numberIn, withBackend, backendBadge, waitForSteps } from './harness.mjs';

const MODELS = ['ae_mlp', 'ae_conv', 'vae_mlp', 'vae_2d', 'vae_conv', 'rvae', 'gan_mlp', 'dcgan', 'cvae', 'cgan'];
const STEPS = 10;

let site;
before(async () => { site = await serveStatic(); });
after(async () => { await site?.close(); });

for (const webgpu of [false, true]) {
  const backend = webgpu ? 'WebGPU' : 'CPU';
  test(`${backend}: every model trains ${STEPS} steps`, { timeout: 900_000 }, async () => {
    const browser = await launchBrowser({ webgpu });
    try {
      const { page, errors } = await openPage(browser.context, withBackend(site.url, webgpu ? 'webgpu' : 'auto'));
      await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
      await backendBadge(page, new RegExp(`^${backend}`));
      const options = await page.locator('[data-testid="model-select"] option').evaluateAll(os => os.map(o => o.value));
      assert.deepEqual(options, MODELS);
      for (const model of MODELS) {
        const started = Date.now();
        await page.selectOption('[data-testid="model-select"]', model);
        assert.equal(await numberIn(page, 'step-count'), 0, `${model} starts untrained`);
        await page.click('[data-testid="train-button"]');
        await waitForSteps(page, STEPS, { timeout: 300_000, polling: 200 });
        await page.click('[data-testid="train-button"]');
        await page.waitForFunction(() => document.querySelector('[data-testid="train-button"]').textContent === 'Resume',
          null, { timeout: 120_000 });
        const recent = Number(await page.locator('[data-testid="stats"]').getAttribute('data-recent-loss'));
        assert.ok(Number.isFinite(recent), `${model}: loss ${recent}`);
        assert.equal(await page.locator('[data-testid="notice"]').count(), 0, `${model}: no warning`);
        const grid = await canvasStats(page, 'sample-grid');
        assert.ok(grid.width === 224 && grid.std > 1, `${model}: the grid is blank ${JSON.stringify(grid)}`);
        console.log(`${backend} ${model}: ${STEPS}+ steps in ${((Date.now() - started) / 1000).toFixed(1)} s, loss ${recent}`);
      }
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
}
