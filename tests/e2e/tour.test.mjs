// The guided tour: a first plain visit opens it; the keyboard steps through it and Escape
// closes it for good (until the bar's Tour button), and axe-core finds nothing serious in it;
// each step's link opens a working demo of what the step says, and the tour is still at that
// step on the page the link opened.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launchBrowser, openPage, waitForSteps, axeViolations, serious } from './harness.mjs';


let site;
before(async () => { site = await serveStatic(); });
after(async () => { await site?.close(); });

const tourAt = (page, step) => page.waitForSelector(`[data-testid="tour"][data-step="${step}"]`, { timeout: 120_000 });

/** What each step's demo must show once its link has opened. */
const DEMO_READY = [
  async page => {
    assert.equal(await page.inputValue('[data-testid="model-select"]'), 'ae_mlp');
    await waitForSteps(page, 1, { timeout: 300_000, polling: 200 });
  },
  page => page.waitForSelector('[data-testid="compare-panel"]', { state: 'visible', timeout: 120_000 }),
  page => page.waitForSelector('[data-testid="explore-manifold"][data-state="ready"]', { timeout: 300_000 }),
  async page => {
    await page.waitForSelector('[data-testid="weights-status"][data-state="done"]', { timeout: 300_000 });
    assert.equal(await page.inputValue('[data-testid="model-select"]'), 'dcgan');
  },
  page => page.waitForFunction(() => Number(document.querySelector('[data-testid="lab-progress"]')?.dataset.steps) >= 1,
    null, { timeout: 300_000, polling: 200 }),
  async page => {
    await page.waitForSelector('[data-testid="compare-panel"]', { state: 'visible', timeout: 120_000 });
    assert.equal(await page.inputValue('[data-testid="compare-mask"]'), 'right');
  },
];

test('CPU: the tour opens on a first visit, works from the keyboard, and every step opens its demo', { timeout: 900_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false, tour: true });
  try {
    const { page, errors } = await openPage(browser.context, site.url);
    await tourAt(page, 0);
    // axe-core on the tour: nothing serious or critical.
    assert.deepEqual(serious(await axeViolations(page, '[data-testid="tour"]')), []);
    // The keyboard alone: Next, then Escape.
    await page.focus('[data-testid="tour-next"]');
    await page.keyboard.press('Enter');
    await tourAt(page, 1);
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="tour"]', { state: 'detached' });
    // Closed stays closed on the next visit, and the bar's button reopens it.
    await page.reload();
    await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
    assert.equal(await page.locator('[data-testid="tour"]').count(), 0, 'a closed tour does not come back by itself');
    await page.click('[data-testid="tour-button"]');
    await tourAt(page, 0);

    for (let step = 0; step < DEMO_READY.length; step++) {
      const started = Date.now();
      const from = page.url();
      await Promise.all([page.waitForURL(url => url.href !== from, { waitUntil: 'load', timeout: 120_000 }),
        page.click('[data-testid="tour-open"]')]);
      await tourAt(page, step);
      await DEMO_READY[step](page);
      console.log(`tour step ${step + 1}: ${page.url().split('?')[1]} ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await page.click('[data-testid="tour-next"]');
      if (step + 1 < DEMO_READY.length) await tourAt(page, step + 1);
    }
    await page.waitForSelector('[data-testid="tour"]', { state: 'detached' });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
