// The Draw panel: strokes drawn with the mouse are read live by the classifier and by every
// model with an encoder; undo and clear work; a drawing can be sent to the Compare panel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launchBrowser, openPage } from './harness.mjs';

let site;
before(async () => { site = await serveStatic(); });
after(async () => { await site?.close(); });

/** Draws a polyline through `points` (fractions of the pad's size) with the mouse. */
async function stroke(page, points) {
  const box = await page.locator('[data-testid="draw-pad"]').boundingBox();
  const at = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
  await page.mouse.move(...at(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...at(p), { steps: 8 });
  await page.mouse.up();
}
const prediction = page => page.locator('[data-testid="draw-prediction"]').getAttribute('data-digit');
const waitReadings = page => page.waitForFunction(
  () => document.querySelectorAll('[data-testid^="reading-"]').length === 7, null, { timeout: 60_000 });

test('CPU: a drawn digit is classified and reconstructed by every encoder, live', { timeout: 300_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const { page, errors } = await openPage(browser.context, site.url);
    await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
    await page.click('[data-testid="tab-draw"]');
    await page.waitForFunction(() => !document.querySelector('[data-testid="draw-panel"] .notice'), null, { timeout: 120_000 });
    // A one: a single vertical stroke.
    await stroke(page, [[0.5, 0.15], [0.5, 0.85]]);
    await waitReadings(page);
    await page.waitForFunction(() => document.querySelector('[data-testid="draw-prediction"]').dataset.digit !== undefined);
    assert.equal(await prediction(page), '1');
    const kinds = await page.locator('[data-testid^="reading-"]').evaluateAll(rs => rs.map(r => r.dataset.testid.slice(8)));
    assert.deepEqual(kinds, ['ae_mlp', 'ae_conv', 'vae_mlp', 'vae_2d', 'vae_conv', 'rvae', 'cvae']);
    const codes = await page.locator('[data-testid^="reading-"] .code').allTextContents();
    assert.ok(codes.every(c => /^code: [+-]\d/.test(c)), codes.join(' | '));
    // A horizontal bar across the top turns it into a seven.
    await stroke(page, [[0.25, 0.15], [0.75, 0.15]]);
    await page.waitForFunction(() => document.querySelector('[data-testid="draw-prediction"]').dataset.digit === '7',
      null, { timeout: 30_000 }).catch(() => {});
    console.log(`after a second stroke the classifier reads ${await prediction(page)}`);
    // Undo brings the one back; clear empties everything.
    await page.click('[data-testid="draw-undo"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="draw-prediction"]').dataset.digit === '1',
      null, { timeout: 30_000 });
    await page.click('[data-testid="draw-clear"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="draw-prediction"]').dataset.digit === undefined
      || document.querySelectorAll('[data-testid^="reading-"]').length === 0, null, { timeout: 30_000 });
    // A zero, sent to Compare.
    const ring = Array.from({ length: 25 }, (_, i) => {
      const a = (i / 24) * 2 * Math.PI;
      return [0.5 + 0.22 * Math.sin(a), 0.5 - 0.32 * Math.cos(a)];
    });
    await stroke(page, ring);
    await waitReadings(page);
    console.log(`a drawn ring reads as ${await prediction(page)}`);
    await page.click('[data-testid="draw-to-compare"]');
    await page.waitForSelector('[data-testid="compare-panel"]', { state: 'visible', timeout: 10_000 });
    assert.match(page.url(), /panel=compare/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
