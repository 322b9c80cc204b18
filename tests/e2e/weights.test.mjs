// Weights as a user handles them: every shipped model loads with one click and shows its
// samples; bad files (corrupt, truncated, another model, too large) are refused with a message
// naming the problem while the model in use stays as it was; and exporting then importing
// gives back exactly the same outputs, on the CPU and on WebGPU.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { serveStatic, launchBrowser, openPage, canvasStats, numberIn, distDir, withBackend, backendBadge, waitForSteps } from './harness.mjs';

const MODELS = ['ae_mlp', 'ae_conv', 'vae_mlp', 'vae_2d', 'vae_conv', 'rvae', 'gan_mlp', 'dcgan', 'cvae', 'cgan'];

let site;
before(async () => { site = await serveStatic(); });
after(async () => { await site?.close(); });

async function freshPage(browser, backend = 'auto') {
  const opened = await openPage(browser.context, withBackend(site.url, backend));
  await opened.page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
  return opened;
}
const gridImage = page => page.locator('[data-testid="sample-grid"]').evaluate(c => c.toDataURL());
const status = page => page.locator('[data-testid="weights-status"]');
async function waitStatus(page, state, timeout = 120_000) {
  await page.waitForSelector(`[data-testid="weights-status"][data-state="${state}"]`, { timeout });
  return status(page).textContent();
}
// The grid follows the worker's next preview, which on a brand-new machine's SwiftShader can
// take minutes (first kernels compile): generous ceilings, since the wait ends on the change.
const waitGrid = (page, image, timeout = 300_000) => page.waitForFunction(
  expected => document.querySelector('[data-testid="sample-grid"]').toDataURL() === expected,
  image, { timeout, polling: 100 });
async function upload(page, name, buffer) {
  await page.setInputFiles('[data-testid="weights-file"]', { name, mimeType: 'application/octet-stream', buffer });
}

test('CPU: every pretrained model loads with one click and shows its digits', { timeout: 600_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const { page, errors } = await freshPage(browser);
    const manifest = JSON.parse(await readFile(path.join(distDir, 'weights/manifest.json'), 'utf8'));
    for (const model of MODELS) {
      await page.selectOption('[data-testid="model-select"]', model);
      const untrained = await gridImage(page);
      await page.click('[data-testid="load-pretrained"]');
      const text = await waitStatus(page, 'done');
      const entry = manifest.files.find(f => f.model === model);
      assert.match(text, new RegExp(`${entry.steps} steps`), `${model}: ${text}`);
      // The worker sends the loaded weights' preview after its answer: wait for digits (an
      // untrained model's grid is a flat grey, std under 5), up to a minute.
      let grid = await canvasStats(page, 'sample-grid');
      for (let tries = 0; grid.std <= 20 && tries < 600; tries++) {
        await page.waitForTimeout(100);
        grid = await canvasStats(page, 'sample-grid');
      }
      assert.notEqual(await gridImage(page), untrained, `${model}: the grid changed`);
      assert.ok(grid.std > 20, `${model}: the grid shows no digits ${JSON.stringify(grid)}`);
      assert.equal(await numberIn(page, 'step-count'), 0, `${model}: the loss history starts afresh`);
      console.log(`CPU ${model}: pretrained loaded: ${text}`);
    }
    // The loaded model trains on.
    await page.click('[data-testid="train-button"]');
    await waitForSteps(page, 3);
    await page.click('[data-testid="train-button"]');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('CPU: bad weights files are refused by name and the model in use stays as it was', { timeout: 300_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const { page, errors } = await freshPage(browser);
    await page.selectOption('[data-testid="model-select"]', 'vae_mlp');
    await page.click('[data-testid="load-pretrained"]');
    await waitStatus(page, 'done');
    await page.waitForTimeout(500);
    const loaded = await gridImage(page);
    const own = await readFile(path.join(distDir, 'weights/vae_mlp.bpk'));
    const other = await readFile(path.join(distDir, 'weights/ae_mlp.bpk'));
    const damaged = Buffer.from(own);
    damaged.write('JUNK', 0);
    // The shipped 16-bit file with its header claiming 32-bit floats (three bytes changed).
    const lying = Buffer.from(own);
    const claim = lying.indexOf('"precision":"f16"');
    assert.ok(claim > 0, 'the shipped file names its precision');
    lying.write('"precision":"f32"', claim);
    const cases = [
      ['corrupt.bpk', damaged, /not a burn weights file|damaged/],
      ['truncated.bpk', own.subarray(0, own.length >> 1), /damaged or truncated/],
      ['random.bpk', Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251)), /not a burn weights file/],
      ['other-model.bpk', other, /holds weights for Autoencoder \(MLP\), but the model in use is VAE \(MLP\)/],
      ['huge.bpk', Buffer.alloc(33 * 1024 * 1024), /more than the 33\.6 MB a weights file may have/],
      ['evil.bpk', lying, /says its weights are stored as 32-bit floats, but tensor .* is F16/],
    ];
    for (const [name, buffer, expected] of cases) {
      await upload(page, name, buffer);
      const text = await waitStatus(page, 'failed');
      assert.match(text, expected, `${name}: ${text}`);
      assert.match(text, new RegExp(`${name.replace('.', '\\.')} was not loaded: .* The model in use is unchanged\\.`));
      assert.equal(await gridImage(page), loaded, `${name}: the model changed`);
      console.log(`refused ${name}: ${text}`);
    }
    // The app keeps working: the same model trains on.
    await page.click('[data-testid="train-button"]');
    await waitForSteps(page, 5);
    await page.click('[data-testid="train-button"]');
    const recent = Number(await page.locator('[data-testid="stats"]').getAttribute('data-recent-loss'));
    assert.ok(Number.isFinite(recent) && recent < 200, `pretrained VAE trains on at loss ${recent}`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('CPU: a pretrained file that does not fit the manifest leaves the trained model and the form as they were', { timeout: 300_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false, serviceWorkers: 'block' });
  try {
    // The manifest says the VAE has a latent of 8; its file holds 16.
    await browser.context.route(/weights\/manifest\.json$/, async route => {
      const manifest = JSON.parse(await readFile(path.join(distDir, 'weights/manifest.json'), 'utf8'));
      manifest.files.find(f => f.model === 'vae_mlp').settings.latent = 8;
      await route.fulfill({ contentType: 'application/json', body: JSON.stringify(manifest) });
    });
    const { page, errors } = await freshPage(browser);
    await page.selectOption('[data-testid="model-select"]', 'vae_mlp');
    await page.click('[data-testid="train-button"]');
    await waitForSteps(page, 5);
    await page.click('[data-testid="train-button"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="train-button"]').textContent.trim() === 'Resume',
      null, { timeout: 120_000 });
    const trainedSteps = await numberIn(page, 'step-count');
    const latent = await page.inputValue('[data-testid="field-latent"]');
    await page.click('[data-testid="load-pretrained"]');
    const text = await waitStatus(page, 'failed');
    assert.match(text, /latent: file 16, in use 8/, text);
    assert.match(text, /The model in use is unchanged\./, text);
    assert.equal(await numberIn(page, 'step-count'), trainedSteps, 'the trained steps are kept');
    assert.equal(await page.inputValue('[data-testid="field-latent"]'), latent, 'the form is unchanged');
    // It trains on from where it was.
    await page.click('[data-testid="train-button"]');
    await waitForSteps(page, trainedSteps + 3);
    await page.click('[data-testid="train-button"]');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

for (const webgpu of [false, true]) {
  const backend = webgpu ? 'WebGPU' : 'CPU';
  test(`${backend}: exporting then importing gives identical outputs`, { timeout: 600_000 }, async () => {
    const browser = await launchBrowser({ webgpu });
    try {
      const { page, errors } = await freshPage(browser, webgpu ? 'webgpu' : 'auto');
      await backendBadge(page, new RegExp(`^${backend}`));
      // WebGPU here is SwiftShader (a CPU emulating a GPU): one model keeps the test short there.
      for (const model of webgpu ? ['ae_mlp'] : ['ae_mlp', 'dcgan']) {
        await page.selectOption('[data-testid="model-select"]', model);
        for (let i = 1; i <= 2; i++) {
          await page.click('[data-testid="step-button"]');
          await waitForSteps(page, i, { timeout: 300_000 });
        }
        // The grid of step 2 (a preview follows each step's losses, later on a slow machine).
        await page.waitForSelector('[data-testid="sample-grid"][data-step="2"]', { timeout: 300_000 });
        const trained = await gridImage(page);
        const [download] = await Promise.all([
          page.waitForEvent('download', { timeout: 120_000 }),
          page.click('[data-testid="export-weights"]'),
        ]);
        assert.match(download.suggestedFilename(), new RegExp(`^genplay-${model}-step2\\.bpk$`));
        const exported = await readFile(await download.path());
        assert.match(await waitStatus(page, 'done'), /Exported/);
        // Change the weights, then bring the exported ones back.
        await page.click('[data-testid="step-button"]');
        await waitForSteps(page, 3, { timeout: 300_000 });
        await page.waitForSelector('[data-testid="sample-grid"][data-step="3"]', { timeout: 300_000 });
        assert.notEqual(await gridImage(page), trained, 'a step changes the grid');
        await upload(page, download.suggestedFilename(), exported);
        assert.match(await waitStatus(page, 'done'), /Loaded genplay-/);
        await waitGrid(page, trained);
        console.log(`${backend} ${model}: exported ${exported.length} bytes, re-imported, identical grid`);
      }
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
}
