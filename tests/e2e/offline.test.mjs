// The offline copy (www/sw.js): after one visit, a page opened with the site's server gone
// starts, trains, compares and loads the pretrained weights it fetched before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { serveStatic, launchBrowser, openPage, waitForSteps, numberIn, distDir, withBackend } from './harness.mjs';

const weightsStatus = (page, state, timeout = 300_000) =>
  page.waitForSelector(`[data-testid="weights-status"][data-state="${state}"]`, { timeout });
// Waits for `count` rows of numbers; on a timeout, says what the panel showed instead.
async function metricsDone(page, count, timeout) {
  try {
    await page.waitForFunction(
      n => [...document.querySelectorAll('[data-testid^="metrics-"][data-model]')].filter(r => r.dataset.finite !== undefined).length >= n,
      count, { timeout, polling: 500 });
  } catch (error) {
    const shown = await page.evaluate(() => ({
      progress: document.querySelector('[data-testid="compare-progress"]')?.textContent ?? null,
      alerts: [...document.querySelectorAll('[data-testid="compare-panel"] [role="alert"]')].map(a => a.textContent),
      rows: [...document.querySelectorAll('[data-testid^="metrics-"][data-model]')]
        .map(r => `${r.dataset.model}: ${r.dataset.finite ?? r.textContent.trim().slice(0, 80)}`),
    })).catch(e => `unreadable (${e.message})`);
    throw new Error(`${error.message}\nThe Compare panel showed ${JSON.stringify(shown, null, 1)}`);
  }
}

test('CPU: after one visit the site starts, trains, compares and loads fetched weights with its server gone', { timeout: 1_200_000 }, async () => {
  const site = await serveStatic();
  const browser = await launchBrowser({ webgpu: false });
  try {
    const list = JSON.parse(await readFile(path.join(distDir, 'precache.json'), 'utf8'));
    const manifest = JSON.parse(await readFile(path.join(distDir, 'weights/manifest.json'), 'utf8'));
    const { page, errors } = await openPage(browser.context, withBackend(site.url, 'cpu'));
    await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
    // The first visit installs the service worker, which keeps this build's files.
    const kept = await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      const build = new URL(registration.active.scriptURL).searchParams.get('build');
      const cache = await caches.open(`genplay-${build}`);
      return { build, files: (await cache.keys()).map(r => new URL(r.url).pathname.slice(1)) };
    });
    assert.equal(kept.build, list.build, 'the worker is registered under this build');
    // Every file of the build but the WebGPU module, which a browser without WebGPU never loads.
    for (const file of list.files.filter(f => !f.startsWith('genplay-webgpu'))) {
      assert.ok(kept.files.includes(file), `${file} is kept for offline use`);
    }
    assert.ok(list.files.includes('genplay-webgpu_bg.wasm'), 'the list names the WebGPU module');
    assert.ok(!kept.files.includes('genplay-webgpu_bg.wasm'), 'without WebGPU its module is not kept');
    assert.ok(list.files.some(f => /_bg-.*\.wasm$|_bg\.wasm$/.test(f)), 'the page\'s module is in the list');
    assert.ok(kept.files.includes('weights/classifier.bpk'), 'the coverage watch\'s classifier is kept');
    // The Compare panel fetches every shipped model once, which keeps them too (once the
    // service worker controls the page, a moment after it first starts).
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 120_000 });
    await page.click('[data-testid="tab-compare"]');
    const models = manifest.files.filter(f => f.model !== 'classifier').map(f => `weights/${f.file}`);
    const compared = models.length;
    await metricsDone(page, compared, 900_000);
    await page.waitForFunction(files => caches.keys().then(async names => {
      const cache = await caches.open(names.find(name => name.startsWith('genplay-')));
      const paths = (await cache.keys()).map(r => new URL(r.url).pathname);
      return files.every(file => paths.some(p => p.endsWith(`/${file}`)));
    }), models, { timeout: 120_000, polling: 500 });
    await page.close();

    // The server goes away; a new tab opens the same address.
    await site.close();
    const offline = await openPage(browser.context, withBackend(site.url, 'cpu'));
    await offline.page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
    await offline.page.selectOption('[data-testid="model-select"]', 'vae_mlp');
    await offline.page.click('[data-testid="train-button"]');
    await waitForSteps(offline.page, 5, { timeout: 300_000 });
    await offline.page.click('[data-testid="train-button"]');
    await offline.page.waitForFunction(() => document.querySelector('[data-testid="train-button"]').textContent === 'Resume',
      null, { timeout: 120_000 });
    const trained = await numberIn(offline.page, 'step-count');
    // A shipped model fetched on the first visit loads from the offline copy.
    await offline.page.click('[data-testid="load-pretrained"]');
    await weightsStatus(offline.page, 'done');
    const entry = manifest.files.find(f => f.model === 'vae_mlp');
    assert.match(await offline.page.locator('[data-testid="weights-status"]').textContent(), new RegExp(`${entry.steps} steps`));
    // And the Compare panel computes again from it.
    await offline.page.click('[data-testid="tab-compare"]');
    await metricsDone(offline.page, compared, 900_000);
    console.log(`offline: ${kept.files.length} files kept for build ${kept.build}; trained ${trained} steps, compared ${compared} models`);
    assert.deepEqual(errors, []);
    assert.deepEqual(offline.errors, []);
  } finally {
    await browser.close();
    await site.close();
  }
});
