// The site as a static host serves it: under a sub-path (a GitHub project page), the app starts,
// its training worker runs, pretrained weights load, and nothing is asked for outside the
// sub-path; a shared link unfurls with a title, a description and a 1200x630 picture.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launchBrowser, openPage, waitForSteps, withBackend } from './harness.mjs';

test('CPU: served under a sub-path, the site works and asks for nothing outside it', { timeout: 600_000 }, async () => {
  const prefix = '/user/genplay/';
  const site = await serveStatic(undefined, { prefix });
  const browser = await launchBrowser({ webgpu: false });
  try {
    const { page, errors } = await openPage(browser.context, withBackend(site.url, 'cpu'));
    await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
    await page.click('[data-testid="step-button"]');
    await waitForSteps(page, 1, { timeout: 300_000 });
    await page.selectOption('[data-testid="model-select"]', 'vae_mlp');
    await page.click('[data-testid="load-pretrained"]');
    await page.waitForSelector('[data-testid="weights-status"][data-state="done"]', { timeout: 300_000 });
    const outside = site.requests.filter(p => !p.startsWith(prefix));
    assert.deepEqual(outside, [], 'every request stays under the sub-path');
    for (const needed of ['boot.js', 'train-worker.js', 'data/', 'weights/manifest.json', 'weights/vae_mlp.bpk']) {
      assert.ok(site.requests.some(p => p.startsWith(prefix + needed)), `${needed} was fetched under the sub-path`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await site.close();
  }
});

test('a shared link unfurls with a title, a description and a 1200x630 picture', { timeout: 120_000 }, async () => {
  const site = await serveStatic();
  const browser = await launchBrowser({ webgpu: false });
  try {
    const page = await browser.context.newPage();
    await page.goto(site.url);
    const meta = await page.evaluate(() => Object.fromEntries([...document.querySelectorAll('meta[property], meta[name]')]
      .map(m => [m.getAttribute('property') ?? m.getAttribute('name'), m.content])));
    for (const key of ['og:title', 'og:description', 'og:image', 'og:image:alt', 'twitter:title', 'twitter:description', 'twitter:image']) {
      assert.ok(meta[key]?.trim(), `${key} is set`);
    }
    assert.equal(meta['twitter:card'], 'summary_large_image');
    const image = await page.request.get(new URL(meta['og:image'], site.url).href);
    assert.equal(image.status(), 200);
    assert.equal(image.headers()['content-type'], 'image/png');
    const png = await image.body();
    // A PNG's header chunk (IHDR) holds its width and height.
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [Number(meta['og:image:width']), Number(meta['og:image:height'])]);
    assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20)], [1200, 630]);
  } finally {
    await browser.close();
    await site.close();
  }
});
