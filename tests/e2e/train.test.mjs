// The Train panel, driven as a user drives it, on both browser backends:
// (a) WebGPU through SwiftShader, (b) no WebGPU at all, where the CPU backend takes over,
// (c) both at hand and none asked for, where the app times both, trains on the faster and
// remembers the measurement for later visits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launchBrowser, openPage, canvasStats, numberIn, withBackend, backendBadge, waitForSteps } from './harness.mjs';

let site;
before(async () => { site = await serveStatic(); });
after(async () => { await site?.close(); });

/** Trains `model` until at least `steps` steps are done, then pauses. */
async function trainFor(page, model, steps, timeout) {
  await page.selectOption('[data-testid="model-select"]', model);
  await page.click('[data-testid="train-button"]');
  await waitForSteps(page, steps, { timeout, polling: 250 });
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
    const { page, errors } = await openPage(browser.context, withBackend(site.url, 'webgpu'));
    await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
    await backendBadge(page, /^WebGPU — .+/);
    // While nothing is pressed, the worker compiles the opening model's kernels ahead (a
    // throwaway twin's step) and says so beside the badge.
    const kernels = () => page.evaluate(() => {
      const note = document.querySelector('[data-testid="backend-note"]');
      return { state: note.dataset.kernels ?? null, sentence: document.querySelector('[data-testid="warm-up"]')?.textContent ?? '' };
    });
    await page.waitForFunction(() => ['ready', 'failed'].includes(document.querySelector('[data-testid="backend-note"]').dataset.kernels),
      null, { timeout: 600_000, polling: 100 });
    const warmed = await kernels();
    assert.equal(warmed.state, 'ready', warmed.sentence);
    assert.match(warmed.sentence, /^Its WebGPU kernels were compiled ahead, in \d+\.\d s: the first step does not wait for them\.$/);
    console.log(`webgpu vae_mlp warm-up: "${warmed.sentence}"`);
    const result = await expectLearning(page, { model: 'vae_mlp', steps: 30, timeout: 300_000 });
    console.log(`webgpu vae_mlp: loss ${result.first} -> ${result.recent}`);
    // A fresh model of the same shapes needs no new kernels, and is told so at once.
    await page.click('[data-testid="reset-button"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="backend-note"]').dataset.kernels === 'ready'
      && /compiled already/.test(document.querySelector('[data-testid="warm-up"]')?.textContent), null, { timeout: 120_000 });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

/** The training backend's badge and note, once no measurement is in progress and the note
 * matches `pattern`. */
async function trainingBackend(page, pattern) {
  await page.waitForFunction(source => {
    const note = document.querySelector('[data-testid="backend-note"]');
    return note.dataset.measuring === 'false' && new RegExp(source).test(note.textContent);
  }, pattern.source, { timeout: 240_000, polling: 200 });
  return {
    badge: await page.locator('[data-testid="train-backend"]').textContent(),
    note: await page.locator('[data-testid="backend-note"]').textContent(),
  };
}

test('Both backends at hand: the app times a model on each, trains on the faster, remembers it, and the menu overrides',
  { timeout: 600_000 }, async () => {
    const browser = await launchBrowser({ webgpu: true });
    try {
      const { page, errors } = await openPage(browser.context, site.url);
      await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
      assert.equal(await page.inputValue('[data-testid="backend-select"]'), 'auto');
      await page.selectOption('[data-testid="model-select"]', 'ae_mlp');
      // Nothing is timed before the model first trains: the page is usable at once.
      await trainingBackend(page, /when the Autoencoder \(MLP\) first trains, a few steps are timed on each/);
      await trainFor(page, 'ae_mlp', 5, 240_000);
      const chosen = await trainingBackend(page, /Measured here for the Autoencoder \(MLP\)/);
      const rates = chosen.note.match(/: ([\d.]+) steps\/s on the CPU, ([\d.]+) steps\/s on WebGPU/);
      assert.ok(rates, `the note gives both measured rates: ${chosen.note}`);
      const [cpu, webgpu] = [Number(rates[1]), Number(rates[2])];
      assert.ok(cpu > 0 && webgpu > 0, `${cpu} ${webgpu}`);
      assert.match(chosen.badge, webgpu > cpu ? /^WebGPU — / : /^CPU$/, `${chosen.badge}: ${chosen.note}`);
      console.log(`measured ae_mlp: CPU ${cpu} steps/s, WebGPU ${webgpu} steps/s -> ${chosen.badge}`);
      assert.equal(await page.locator('[data-testid="backend-badge"]').textContent(), chosen.badge);
      // A later visit remembers the measurement: the model trains on the faster backend at once.
      const later = await openPage(browser.context, site.url);
      await later.page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
      await later.page.selectOption('[data-testid="model-select"]', 'ae_mlp');
      const remembered = await trainingBackend(later.page,
        /Measured in this browser on \d{4}-\d\d-\d\d for the Autoencoder \(MLP\)/);
      assert.equal(remembered.badge, chosen.badge);
      await trainFor(later.page, 'ae_mlp', 3, 240_000);
      assert.match(await later.page.locator('[data-testid="backend-note"]').textContent(),
        /Measured in this browser on/, 'the remembered model is not timed again');
      // "Time again" forgets it: the next training times both backends afresh.
      await later.page.click('[data-testid="time-again"]');
      await trainingBackend(later.page, /Measured speeds forgotten/);
      await trainFor(later.page, 'ae_mlp', 6, 240_000);
      await trainingBackend(later.page, /Measured here for the Autoencoder \(MLP\)/);
      assert.deepEqual(later.errors, []);
      await later.page.close();
      // The user's choice wins; it starts the model again, on the backend asked for.
      await page.selectOption('[data-testid="backend-select"]', 'webgpu');
      assert.equal(await numberIn(page, 'step-count'), 0);
      assert.match((await trainingBackend(page, /as you asked/)).badge, /^WebGPU — /);
      await trainFor(page, 'ae_mlp', 2, 120_000);
      await page.selectOption('[data-testid="backend-select"]', 'cpu');
      const cpuChosen = await trainingBackend(page, /you asked for the CPU backend/);
      assert.equal(cpuChosen.badge, 'CPU');
      await trainFor(page, 'ae_mlp', 5, 120_000);
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });

test('A WebGPU module that fails to load leaves training on the CPU, with the reason', { timeout: 300_000 }, async () => {
  const browser = await launchBrowser({ webgpu: true, serviceWorkers: 'block' });
  try {
    // The worker imports the module variant with WebGPU: here the server never delivers it.
    await browser.context.route(/genplay-webgpu/, route => route.abort());
    const { page, errors } = await openPage(browser.context, site.url);
    await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
    assert.equal(await backendBadge(page, /^CPU$/), 'CPU');
    assert.match(await page.locator('[data-testid="backend-note"]').textContent(),
      /Training runs on the CPU.*the WebGPU module did not load/);
    const ae = await expectLearning(page, { model: 'ae_mlp', steps: 100, timeout: 120_000 });
    console.log(`without the WebGPU module, ae_mlp on the CPU: loss ${ae.first} -> ${ae.recent}`);
    // The failed fetch is the browser's own console error; nothing else went wrong.
    assert.deepEqual(errors.filter(e => !/Failed to (load|fetch)|ERR_FAILED/.test(e)), []);
    // A site served without the module (as `bash .ci/serve` serves it while it builds it)
    // answers 404, and the page says so.
    await browser.context.unroute(/genplay-webgpu/);
    await browser.context.route(/genplay-webgpu/, route => route.fulfill({ status: 404, body: 'not found' }));
    const later = await openPage(browser.context, site.url);
    await later.page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
    assert.equal(await backendBadge(later.page, /^CPU$/), 'CPU');
    assert.match(await later.page.locator('[data-testid="backend-note"]').textContent(),
      /Training runs on the CPU.*served without its WebGPU module yet/);
    assert.deepEqual(later.errors.filter(e => !/Failed to (load|fetch)|status of 404|ERR_FAILED/.test(e)), []);
  } finally {
    await browser.close();
  }
});

test('CPU fallback: without WebGPU the page says CPU and both models learn', { timeout: 300_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const { page, errors } = await openPage(browser.context, site.url);
    await page.waitForSelector('[data-testid="train-panel"]', { timeout: 60_000 });
    assert.equal(await backendBadge(page, /^CPU$/), 'CPU');
    assert.match(await page.locator('[data-testid="backend-note"]').textContent(), /Training runs on the CPU.*(offers no adapter|does not offer WebGPU)/);
    // The training worker says which backend it trains on once it started.
    await page.waitForFunction(() => document.querySelector('[data-testid="train-backend"]').textContent === 'CPU',
      null, { timeout: 60_000 });
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
