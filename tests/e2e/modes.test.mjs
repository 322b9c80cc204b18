// The Modes panel, the mode-collapse lab: a link restores its settings, training moves the
// step count and redraws the plane (heat map, points, arrows), a finished run adds a row to
// the table, a remedy changes the numbers, and the VAE shows its latent space; each model trains
// on both backends (the lab's worker loads the WebGPU module for WebGPU). Waits follow the step
// counter, never a fixed time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launchBrowser, openPage } from './harness.mjs';

let site;
before(async () => { site = await serveStatic(); });
after(async () => { await site?.close(); });

const steps = page => page.locator('[data-testid="lab-progress"]').getAttribute('data-steps').then(Number);

/** Waits until the lab's step count reaches `n` (a finished run stops at the budget). */
async function waitForLabSteps(page, n, timeout = 900_000) {
  await page.waitForFunction(n => Number(document.querySelector('[data-testid="lab-progress"]').dataset.steps) >= n,
    n, { timeout, polling: 200 });
}

/** A fingerprint of the plane's pixels. */
const planePixels = page => page.locator('[data-testid="lab-plane"]').evaluate(canvas => {
  const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  let hash = 0, coloured = 0;
  for (let i = 0; i < data.length; i += 4) {
    hash = (hash * 31 + data[i] + 7 * data[i + 1] + 13 * data[i + 2]) >>> 0;
    if (data[i] !== data[i + 1] || data[i + 1] !== data[i + 2]) coloured += 1;
  }
  return { hash, coloured };
});

const tableRows = page => page.locator('[data-testid="lab-table"] tbody tr').evaluateAll(rows =>
  rows.map(row => [...row.querySelectorAll('td')].map(td => td.textContent)));

test('CPU: a lab link trains the collapsing GAN, a remedy changes the numbers, the VAE shows its codes, the autoencoder trains', { timeout: 1_800_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const { page, errors } = await openPage(browser.context, `${site.url}?v=1&panel=modes&lab_dlr=0.25&autorun=1`);
    await page.waitForSelector('[data-testid="modes-panel"]', { state: 'visible', timeout: 120_000 });
    assert.equal(await page.locator('[data-testid="lab-dlr"]').inputValue(), '0.25', 'the link set the remedy');
    assert.equal(await page.locator('[data-testid="lab-data"]').inputValue(), 'ring');

    // Training moves the counter and redraws the plane: a heat map under coloured points.
    await waitForLabSteps(page, 1);
    const first = await planePixels(page);
    const firstSteps = await steps(page);
    await page.waitForFunction(s => Number(document.querySelector('[data-testid="lab-progress"]').dataset.steps) > s + 50,
      firstSteps, { timeout: 600_000, polling: 200 });
    const later = await planePixels(page);
    assert.notEqual(later.hash, first.hash, 'the plane is redrawn as the model trains');
    assert.ok(later.coloured > 10_000, `heat map and points are drawn (${later.coloured} coloured pixels)`);
    assert.match(await page.locator('[data-testid="lab-modes"]').textContent(), /of 8 modes captured/);

    // The run stops at its budget and adds a row.
    await waitForLabSteps(page, 3000);
    await page.waitForFunction(() => document.querySelector('[data-testid="lab-progress"]').dataset.running === 'false');
    let rows = await tableRows(page);
    assert.equal(rows.length, 1);
    console.log(`collapse preset: ${rows[0].join(' | ')}`);

    // A remedy from the menu: a fresh model, trained to the budget, with other numbers.
    await page.check('[data-testid="lab-mbstd"]');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="lab-progress"]').dataset.steps) === 0);
    assert.match(page.url(), /lab_mbstd=1/, 'the address follows the remedy');
    await page.click('[data-testid="lab-train"]');
    await waitForLabSteps(page, 3000);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="lab-table"] tbody tr').length === 2,
      null, { timeout: 120_000 });
    rows = await tableRows(page);
    console.log(`fixed preset: ${rows[1].join(' | ')}`);
    assert.match(rows[1][2], /minibatch std/);
    assert.notDeepEqual(rows[1].slice(4, 6), rows[0].slice(4, 6), 'the remedy changed modes or quality');

    // The VAE: trained a little, its latent space is drawn beside the plane.
    await page.selectOption('[data-testid="lab-model"]', 'vae');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="lab-progress"]').dataset.steps) === 0);
    assert.equal(await page.locator('[data-testid="lab-codes"]').isVisible(), true);
    await page.click('[data-testid="lab-train"]');
    await waitForLabSteps(page, 20);
    await page.click('[data-testid="lab-train"]');
    const codes = await page.locator('[data-testid="lab-codes"]').evaluate(canvas => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let blue = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i + 2] > data[i] + 40) blue += 1;
      return blue;
    });
    assert.ok(codes > 100, `the encoder's means are drawn (${codes} blue pixels)`);

    // The autoencoder trains there too, a fresh model of its own.
    await page.selectOption('[data-testid="lab-model"]', 'ae');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="lab-progress"]').dataset.steps) === 0);
    await page.click('[data-testid="lab-train"]');
    await waitForLabSteps(page, 20);
    assert.match(await page.locator('[data-testid="lab-progress"]').textContent(), /steps\/s on the CPU/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('WebGPU: the lab trains each model on WebGPU in its own worker, and on the CPU when switched', { timeout: 1_800_000 }, async () => {
  const browser = await launchBrowser({ webgpu: true });
  try {
    const { page, errors } = await openPage(browser.context, `${site.url}?v=1&panel=modes&lab_backend=webgpu&autorun=1`);
    await page.waitForSelector('[data-testid="modes-panel"]', { state: 'visible', timeout: 120_000 });
    assert.equal(await page.locator('[data-testid="lab-backend"]').inputValue(), 'webgpu', 'the link set the backend');

    // SwiftShader is slow, a brand-new machine slower still: the waits follow the counter.
    await waitForLabSteps(page, 1);
    const first = await planePixels(page);
    const firstSteps = await steps(page);
    await page.waitForFunction(s => Number(document.querySelector('[data-testid="lab-progress"]').dataset.steps) > s,
      firstSteps, { timeout: 600_000, polling: 200 });
    const later = await planePixels(page);
    assert.notEqual(later.hash, first.hash, 'the plane is redrawn as the model trains on WebGPU');
    assert.match(await page.locator('[data-testid="lab-progress"]').textContent(), /steps\/s on the WebGPU/);
    const webgpuSpeed = Number(await page.locator('[data-testid="lab-progress"]').getAttribute('data-speed'));
    assert.ok(webgpuSpeed > 0, `a speed is shown (${webgpuSpeed})`);
    assert.match(await page.locator('[data-testid="lab-modes"]').textContent(), /of 8 modes captured/);
    const loaded = await Promise.all(page.workers().map(worker => worker.evaluate(() =>
      performance.getEntriesByType('resource').some(entry => entry.name.includes('genplay-webgpu_bg.wasm')))));
    assert.ok(loaded.includes(true), 'a worker loaded the WebGPU module');

    // The VAE and the autoencoder train on WebGPU too: a fresh model each, its steps counted.
    for (const model of ['vae', 'ae']) {
      await page.selectOption('[data-testid="lab-model"]', model);
      await page.waitForFunction(() => Number(document.querySelector('[data-testid="lab-progress"]').dataset.steps) === 0,
        null, { timeout: 600_000, polling: 100 });
      await waitForLabSteps(page, 2);
      assert.match(await page.locator('[data-testid="lab-progress"]').textContent(), /steps\/s on the WebGPU/, model);
    }

    // Switched while training: a fresh model on the CPU, which goes on training there.
    await page.selectOption('[data-testid="lab-backend"]', 'cpu');
    assert.match(page.url(), /panel=modes/);
    assert.doesNotMatch(page.url(), /lab_backend/, 'the CPU is the default, so the link leaves it out');
    await page.waitForFunction(() => /on the CPU/.test(document.querySelector('[data-testid="lab-progress"]').textContent),
      null, { timeout: 600_000, polling: 200 });
    await waitForLabSteps(page, 200);
    const cpuSpeed = Number(await page.locator('[data-testid="lab-progress"]').getAttribute('data-speed'));
    console.log(`the lab on the ring, steps/s: GAN on WebGPU (SwiftShader) ${webgpuSpeed}, autoencoder on the CPU ${cpuSpeed}`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
