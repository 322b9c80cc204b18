// The Train panel, driven as a user drives it, on both browser backends:
// (a) WebGPU through SwiftShader, (b) no WebGPU at all, where the CPU backend takes over.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launchBrowser, openPage, canvasStats, numberIn } from './harness.mjs';

let site;
before(async () => { site = await serveStatic(); });
after(async () => { await site?.close(); });

/** Trains `model` until at least `steps` steps are done, then pauses. */
async function trainFor(page, model, steps, timeout) {
  await page.selectOption('[data-testid="model-select"]', model);
  await page.click('[data-testid="train-button"]');
  await page.waitForFunction(
    n => Number(document.querySelector('[data-testid="step-count"]').textContent) >= n,
    steps, { timeout, polling: 250 });
  await page.click('[data-testid="train-button"]');
  // The loop stops after its current slice; the count then holds still.
  await page.waitForFunction(() => {
    const text = document.querySelector('[data-testid="train-button"]').textContent;
    return text === 'Resume';
  }, null, { timeout: 60_000 });
}

async function expectLearning(page, { model, steps, timeout }) {
  const untrained = await canvasStats(page, 'sample-grid');
  await trainFor(page, model, steps, timeout);
  const stats = page.locator('[data-testid="stats"]');
  const first = Number(await stats.getAttribute('data-first-loss'));
  const recent = Number(await stats.getAttribute('data-recent-loss'));
  assert.ok(Number.isFinite(first) && Number.isFinite(recent), `losses ${first} ${recent}`);
  assert.ok(recent < 0.8 * first, `the loss should fall: first ${first}, recent ${recent}`);
  assert.ok(await numberIn(page, 'steps-per-second') > 0, 'steps/s is shown');
  // The grid holds an 8x8 grid of 28x28 images with real contrast, not a blank canvas.
  await page.waitForTimeout(300);
  const grid = await canvasStats(page, 'sample-grid');
  assert.equal(grid.width, 224);
  assert.ok(grid.std > 20, `the grid looks blank: ${JSON.stringify(grid)}`);
  assert.ok(grid.mean > 120, `the grid should be mostly paper with dark strokes: ${JSON.stringify(grid)}`);
  return { first, recent, untrained, grid };
}

test('WebGPU (SwiftShader): badge names the adapter and the VAE learns', { timeout: 420_000 }, async () => {
  const browser = await launchBrowser({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser.context, site.url);
    const badge = page.locator('[data-testid="backend-badge"]');
    await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
    assert.match(await badge.textContent(), /^WebGPU — .+/);
    const result = await expectLearning(page, { model: 'vae_mlp', steps: 30, timeout: 300_000 });
    console.log(`webgpu vae_mlp: loss ${result.first} -> ${result.recent}`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('CPU fallback: without WebGPU the page says CPU and both models learn', { timeout: 300_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const { page, errors } = await openPage(browser.context, site.url);
    await page.waitForSelector('[data-testid="train-panel"]', { timeout: 60_000 });
    assert.equal(await page.locator('[data-testid="backend-badge"]').textContent(), 'CPU');
    assert.match(await page.locator('[data-testid="backend-note"]').textContent(), /Training runs on the CPU.*(offers no adapter|does not offer WebGPU)/);
    const vae = await expectLearning(page, { model: 'vae_mlp', steps: 150, timeout: 120_000 });
    console.log(`cpu vae_mlp: loss ${vae.first} -> ${vae.recent}`);
    await page.click('[data-testid="reset-button"]');
    assert.equal(await numberIn(page, 'step-count'), 0);
    const ae = await expectLearning(page, { model: 'ae_mlp', steps: 150, timeout: 120_000 });
    console.log(`cpu ae_mlp: loss ${ae.first} -> ${ae.recent}`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('Step runs exactly one step while paused, Reset starts over', { timeout: 120_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const { page, errors } = await openPage(browser.context, site.url);
    await page.waitForSelector('[data-testid="train-panel"]', { timeout: 60_000 });
    for (let expected = 1; expected <= 3; expected++) {
      await page.click('[data-testid="step-button"]');
      await page.waitForFunction(n => Number(document.querySelector('[data-testid="step-count"]').textContent) === n,
        expected, { timeout: 20_000 });
    }
    await page.click('[data-testid="reset-button"]');
    assert.equal(await numberIn(page, 'step-count'), 0);
    assert.equal(await page.locator('[data-testid="train-button"]').textContent(), 'Train');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
