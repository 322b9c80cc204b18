// The Compare panel with the shipped pretrained weights: every row renders for every model,
// every metric is finite, the DCGAN covers at least 8 digit classes, options recompute, and a
// model trained in the Train panel joins as a column.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launchBrowser, openPage, waitForSteps } from './harness.mjs';

const MODELS = ['ae_mlp', 'ae_conv', 'vae_mlp', 'vae_2d', 'vae_conv', 'rvae', 'gan_mlp', 'dcgan', 'cvae', 'cgan'];
const ROWS = ['reconstruction', 'samples', 'interpolation', 'completion'];

let site;
before(async () => { site = await serveStatic(); });
after(async () => { await site?.close(); });

const metricsDone = (page, count, timeout) => page.waitForFunction(
  n => [...document.querySelectorAll('[data-testid^="metrics-"][data-model]')].filter(r => r.dataset.finite !== undefined).length >= n,
  count, { timeout, polling: 500 });

test('CPU: with pretrained weights every row renders for every model and every metric is finite', { timeout: 900_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const { page, errors } = await openPage(browser.context, site.url);
    await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
    assert.equal(await page.locator('[data-testid="compare-panel"]').isVisible(), false);
    await page.click('[data-testid="tab-compare"]');
    await metricsDone(page, MODELS.length, 600_000);
    const headers = await page.locator('[data-testid^="column-"]').evaluateAll(hs => hs.map(h => h.dataset.testid.slice(7)));
    assert.deepEqual(headers, MODELS);
    for (const row of ROWS) {
      const states = await page.locator(`[data-testid="row-${row}"] [data-testid="cell-${row}"]`)
        .evaluateAll(cells => cells.map(c => c.dataset.state));
      assert.deepEqual(states, MODELS.map(() => 'ready'), `${row}: ${states}`);
    }
    // GAN columns say plainly that a GAN has no encoder.
    const noEncoder = await page.locator('[data-testid="row-reconstruction"] .no-encoder').count();
    assert.equal(noEncoder, MODELS.filter(m => m.includes('gan')).length);
    const errorsShown = await page.locator('[data-testid="completion-error"]').allTextContents();
    assert.equal(errorsShown.length, MODELS.length);
    assert.ok(errorsShown.every(t => /hidden-pixel MSE \d+\.\d+/.test(t)), errorsShown.join(' | '));
    const metrics = await page.locator('[data-testid^="metrics-"][data-model]').evaluateAll(rows => rows.map(r => ({
      model: r.dataset.model, finite: r.dataset.finite, covered: Number(r.dataset.covered),
      cells: [...r.querySelectorAll('td')].map(td => td.textContent),
    })));
    for (const m of metrics) {
      assert.equal(m.finite, 'true', `${m.model}: ${m.cells}`);
      console.log(`${m.model}: ${m.cells.join(' | ')}`);
    }
    const dcgan = metrics.find(m => m.model === 'dcgan');
    assert.ok(dcgan.covered >= 8, `the DCGAN covers ${dcgan.covered} classes`);
    // The ELBO applies to the VAEs only.
    const elbo = metrics.map(m => m.cells[2]);
    assert.deepEqual(elbo.map(v => v !== '–'), MODELS.map(m => m.startsWith('vae') || m === 'rvae' || m === 'cvae'));

    // Another mask recomputes the completion row.
    const before = await page.locator('[data-testid="completion-error"]').first().textContent();
    await page.selectOption('[data-testid="compare-mask"]', 'top');
    await page.waitForFunction(b => document.querySelector('[data-testid="completion-error"]').textContent !== b,
      before, { timeout: 120_000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('CPU: a model trained in the Train panel joins the comparison', { timeout: 900_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const { page, errors } = await openPage(browser.context, site.url);
    await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
    await page.selectOption('[data-testid="model-select"]', 'ae_mlp');
    await page.click('[data-testid="train-button"]');
    await waitForSteps(page, 50);
    await page.click('[data-testid="train-button"]');
    await page.click('[data-testid="tab-compare"]');
    await metricsDone(page, MODELS.length, 600_000);
    await page.click('[data-testid="compare-add-trained"]');
    await page.waitForSelector('[data-testid^="column-trained-ae_mlp-"]', { timeout: 120_000 });
    await metricsDone(page, MODELS.length + 1, 600_000);
    const row = page.locator('[data-testid^="metrics-trained-ae_mlp-"]');
    assert.equal(await row.getAttribute('data-finite'), 'true');
    console.log(`trained ae_mlp: ${(await row.locator('td').allTextContents()).join(' | ')}`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
