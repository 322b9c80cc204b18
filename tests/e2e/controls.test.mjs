// The Train panel's controls, as a user drives them: the hyper-parameter form, the step budget
// and progress, the divergence guard, exports, keyboard shortcuts, main-thread tasks while the
// models train (the worker keeps them off the main thread on both backends), and a phone-width
// layout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { serveStatic, launchBrowser, openPage, numberIn, withBackend, waitForSteps } from './harness.mjs';

let site, cpu;
before(async () => { site = await serveStatic(); cpu = await launchBrowser({ webgpu: false }); });
after(async () => { await cpu?.close(); await site?.close(); });

async function freshPage(browser = cpu, backend = 'auto') {
  const opened = await openPage(browser.context, withBackend(site.url, backend));
  await opened.page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
  return opened;
}
const steps = page => numberIn(page, 'step-count');
const fieldKeys = page => page.locator('[data-testid^="field-"]').evaluateAll(es => es.map(e => e.dataset.testid.slice(6)));
async function setField(page, key, value) {
  await page.fill(`[data-testid="field-${key}"]`, String(value));
  await page.locator(`[data-testid="field-${key}"]`).press('Tab');
}

test('the form shows each model its own settings and refuses bad values by name', async () => {
  const { page, errors } = await freshPage();
  assert.deepEqual(await fieldKeys(page), ['lr', 'batch', 'latent', 'beta', 'seed', 'budget']);
  await page.selectOption('[data-testid="model-select"]', 'dcgan');
  assert.deepEqual(await fieldKeys(page),
    ['lr', 'batch', 'latent', 'dsteps', 'smooth', 'seed', 'budget', 'gan-loss', 'gan-pack', 'gan-dlr', 'gan-sn', 'gan-mbstd']);
  assert.equal(await page.inputValue('[data-testid="field-lr"]'), '2e-4');
  await page.selectOption('[data-testid="model-select"]', 'ae_mlp');
  assert.deepEqual(await fieldKeys(page), ['lr', 'batch', 'latent', 'seed', 'budget']);

  await setField(page, 'latent', 500);
  assert.match(await page.locator('.field-error').textContent(), /latent size must be from 2 to 64/);
  assert.equal(await page.locator('[data-testid="reset-button"]').textContent(), 'Reset', 'a refused value changes nothing');
  await setField(page, 'latent', 8);
  assert.equal(await page.locator('.field-error').count(), 0);
  assert.equal(await page.locator('[data-testid="reset-button"]').textContent(), 'Apply & reset');
  await page.click('[data-testid="reset-button"]');
  assert.equal(await page.locator('[data-testid="reset-button"]').textContent(), 'Reset');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a GAN\'s remedies are settings: chosen in the form, trained with, carried by its link', async () => {
  const { page, errors } = await freshPage();
  await page.selectOption('[data-testid="model-select"]', 'gan_mlp');
  await page.selectOption('[data-testid="field-gan-loss"]', 'wgan');
  assert.equal(await page.locator('[data-testid="field-gan-sn"]').isChecked(), true, 'a Wasserstein critic is always normalised');
  assert.equal(await page.locator('[data-testid="field-gan-sn"]').isDisabled(), true);
  await page.selectOption('[data-testid="field-gan-loss"]', 'hinge');
  assert.equal(await page.locator('[data-testid="field-gan-sn"]').isDisabled(), false);
  await page.locator('[data-testid="field-gan-sn"]').check();
  await page.locator('[data-testid="field-gan-mbstd"]').check();
  await page.selectOption('[data-testid="field-gan-pack"]', '2');
  await page.selectOption('[data-testid="field-gan-dlr"]', '4');
  assert.equal(await page.locator('[data-testid="reset-button"]').textContent(), 'Apply & reset');
  await page.click('[data-testid="reset-button"]');
  await page.click('[data-testid="train-button"]');
  await waitForSteps(page, 3);
  await page.click('[data-testid="train-button"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="train-button"]').textContent === 'Resume',
    null, { timeout: 60_000 });
  const loss = Number(await page.locator('[data-testid="stats"]').getAttribute('data-recent-loss'));
  assert.ok(Number.isFinite(loss), `the remedied GAN trains to a finite loss, got ${loss}`);

  await page.click('[data-testid="copy-link"]');
  await page.waitForSelector('[data-testid="copy-status"]');
  const url = await page.inputValue('[data-testid="share-url"]');
  for (const pair of ['gan_loss=hinge', 'gan_sn=1', 'gan_mbstd=1', 'gan_pack=2', 'gan_dlr=4']) {
    assert.match(url, new RegExp(`[?&]${pair}(&|$)`), `the link carries ${pair}`);
  }
  const other = await openPage(cpu.context, url);
  await other.page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
  assert.equal(await other.page.inputValue('[data-testid="model-select"]'), 'gan_mlp');
  assert.equal(await other.page.inputValue('[data-testid="field-gan-loss"]'), 'hinge');
  assert.equal(await other.page.inputValue('[data-testid="field-gan-pack"]'), '2');
  assert.equal(await other.page.inputValue('[data-testid="field-gan-dlr"]'), '4');
  assert.equal(await other.page.locator('[data-testid="field-gan-sn"]').isChecked(), true);
  assert.equal(await other.page.locator('[data-testid="field-gan-mbstd"]').isChecked(), true);
  assert.equal(await other.page.locator('[data-testid="link-notice"]').count(), 0);
  assert.deepEqual(other.errors, []);
  await other.page.close();

  const refused = await openPage(cpu.context, `${site.url}?v=1&model=ae_mlp&gan_pack=2`);
  await refused.page.waitForSelector('[data-testid="link-notice"]', { timeout: 120_000 });
  assert.match(await refused.page.locator('[data-testid="link-notice"]').textContent(), /PacGAN packing/);
  assert.deepEqual(await fieldKeys(refused.page), ['lr', 'batch', 'latent', 'seed', 'budget']);
  await refused.page.close();
  assert.deepEqual(errors, []);
  await page.close();
});

test('training stops at the step budget, with progress and time left', async () => {
  const { page, errors } = await freshPage();
  await setField(page, 'budget', 40);
  await page.click('[data-testid="reset-button"]');
  await page.click('[data-testid="train-button"]');
  await page.waitForSelector('[data-testid="notice"]', { timeout: 60_000 });
  assert.match(await page.locator('[data-testid="notice"]').textContent(), /step budget of 40 steps/);
  assert.equal(await steps(page), 40);
  assert.equal(await page.locator('[data-testid="progress"]').getAttribute('value'), '40');
  assert.equal(await page.locator('[data-testid="progress"]').getAttribute('max'), '40');
  await page.click('[data-testid="train-button"]');
  await page.waitForTimeout(500);
  assert.equal(await steps(page), 40, 'no step past the budget');
  assert.deepEqual(errors, []);
  await page.close();
});

test('an absurd learning rate trips the divergence guard, which offers a way back', async () => {
  const { page, errors } = await freshPage();
  await setField(page, 'lr', 10);
  await page.click('[data-testid="reset-button"]');
  await page.click('[data-testid="train-button"]');
  await page.waitForSelector('[data-testid="diverged-lower-lr"]', { timeout: 60_000 });
  assert.match(await page.locator('[data-testid="notice"]').textContent(), /NaN or infinite at step \d+/);
  assert.equal(await page.locator('[data-testid="train-button"]').isDisabled(), true);
  await page.click('[data-testid="diverged-lower-lr"]');
  assert.equal(await page.inputValue('[data-testid="field-lr"]'), '1');
  assert.equal(await steps(page), 0);
  assert.equal(await page.locator('[data-testid="notice"]').count(), 0);
  assert.equal(await page.locator('[data-testid="train-button"]').isDisabled(), false);
  assert.deepEqual(errors, []);
  await page.close();
});

test('keyboard: space trains and pauses, S steps, R resets; exports give CSV and PNG', async () => {
  const { page, errors } = await freshPage();
  await page.locator('[data-testid="train-panel"] h2').click();
  await page.keyboard.press('s');
  await waitForSteps(page, 1);
  await page.keyboard.press('s');
  await waitForSteps(page, 2);
  await page.keyboard.press(' ');
  await waitForSteps(page, 30);
  await page.keyboard.press(' ');
  await page.waitForFunction(() => document.querySelector('[data-testid="train-button"]').textContent === 'Resume');
  const done = await steps(page);

  const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
  const lines = (await readFile(await csv.path(), 'utf8')).trim().split('\n');
  assert.equal(lines[0], 'step,loss,recon,kl');
  assert.equal(lines.length, done + 1);
  assert.ok(lines.slice(1).every((l, i) => l.startsWith(`${i + 1},`) && l.split(',').slice(1).every(v => Number.isFinite(Number(v)))));
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-png"]')]);
  const bytes = await readFile(await png.path());
  assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG file');
  assert.match(png.suggestedFilename(), /^genplay-vae_mlp-step\d+\.png$/);

  await page.keyboard.press('r');
  assert.equal(await steps(page), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

/** Trains until `minSteps` steps are done and returns the durations of main-thread tasks over
 * 50 ms meanwhile (from the press of Train, so a backend's first-step set-up counts). */
async function longTasksWhileTraining(page, minSteps) {
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver(list => list.getEntries().forEach(e => window.__longTasks.push(e.duration)))
      .observe({ type: 'longtask' });
  });
  await page.click('[data-testid="train-button"]');
  await waitForSteps(page, minSteps, { timeout: 150_000 });
  await page.click('[data-testid="train-button"]');
  return page.evaluate(() => window.__longTasks);
}

// Training runs in a Web Worker (src/worker/), so the page's main thread only draws what the
// worker reports. Before the worker, measured: one DCGAN step on the CPU was a ~200 ms main-thread
// task, gan_mlp's first ~104 ms, and the first WebGPU step's pipeline creation ~670 ms.
for (const [webgpu, model, minSteps] of [[false, 'ae_mlp', 300], [false, 'dcgan', 15], [true, 'ae_mlp', 6], [true, 'dcgan', 2]]) {
  test(`no main-thread task over 100 ms while ${model} trains on ${webgpu ? 'WebGPU' : 'the CPU'}`, { timeout: 240_000 }, async () => {
    const browser = webgpu ? await launchBrowser({ webgpu: true }) : cpu;
    try {
      const { page, errors } = await freshPage(browser, webgpu ? 'webgpu' : 'auto');
      await page.selectOption('[data-testid="model-select"]', model);
      await page.waitForTimeout(500);
      const started = Date.now();
      const tasks = await longTasksWhileTraining(page, minSteps);
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const trained = await steps(page);
      console.log(`${webgpu ? 'webgpu' : 'cpu'} ${model}: ${trained} steps in ${seconds} s; long tasks (ms): ${tasks.map(Math.round).join(', ') || 'none'}`);
      assert.ok(trained >= minSteps, `${trained} steps`);
      assert.ok(tasks.every(d => d < 100), `tasks over 100 ms: ${tasks}`);
      assert.deepEqual(errors, []);
      await page.close();
    } finally {
      if (webgpu) await browser.close();
    }
  });
}

test('phone width: nothing overflows sideways and the controls stay usable', async () => {
  const { page, errors } = await freshPage();
  await page.setViewportSize({ width: 375, height: 800 });
  await page.waitForTimeout(300);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
  await page.click('[data-testid="step-button"]');
  await waitForSteps(page, 1);
  assert.deepEqual(errors, []);
  await page.close();
});
