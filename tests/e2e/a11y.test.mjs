// Accessibility, panel by panel: axe-core (npm `axe-core`, evaluated in the page) finds no
// serious or critical violation of WCAG 2.1 A/AA in any panel, and the keyboard alone reaches
// every control a panel shows, canvases a user works on included.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launchBrowser, openPage, withBackend, axeViolations } from './harness.mjs';

const PANELS = ['train', 'compare', 'draw', 'explore', 'augment', 'modes'];
/** When a panel has shown what it computes on opening (the Compare panel: every model's scores). */
const READY = {
  compare: () => document.querySelectorAll('[data-testid^="metrics-"][data-model]').length >= 10
    && [...document.querySelectorAll('[data-testid^="metrics-"][data-model]')].every(r => r.dataset.finite !== undefined),
};

let site;
before(async () => { site = await serveStatic(); });
after(async () => { await site?.close(); });

/**
 * The controls shown in `panel` (and the page's bar) that a user can operate, each marked with
 * a number (`data-a11y`) and named by its test id, label or text.
 */
const shownControls = (page, panel) => page.evaluate(panel => {
  const scope = [document.querySelector('.bar'), document.querySelector(`[data-testid="${panel}-panel"]`)];
  const name = el => el.dataset.testid || el.getAttribute('aria-label') || el.textContent.trim() || el.outerHTML.slice(0, 80);
  return scope.flatMap(root => [...root.querySelectorAll('button, input, select, textarea, a[href], [tabindex]')])
    // checkVisibility() also leaves out what a closed <details> holds (laid out, but skipped).
    .filter(el => !el.disabled && el.tabIndex >= 0 && el.getClientRects().length > 0 && el.checkVisibility({ visibilityProperty: true }))
    .map((el, i) => { el.dataset.a11y = String(i); return { id: String(i), name: name(el) }; });
}, panel);

/** The `data-a11y` marks Tab visits in one round of the page, until focus comes round again. */
async function tabOrder(page) {
  const seen = new Set();
  for (let i = 0; i < 300; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement;
      // Between the page's last control and its first, focus leaves the page for a moment.
      if (!el || el === document.body) return '';
      if (el.dataset.a11yVisited) return 'again';
      el.dataset.a11yVisited = '1';
      return el.dataset.a11y ?? '';
    });
    if (focused === 'again') break;
    if (focused) seen.add(focused);
  }
  await page.evaluate(() => document.querySelectorAll('[data-a11y-visited]').forEach(el => delete el.dataset.a11yVisited));
  return seen;
}

test('CPU: no serious or critical axe-core violation in any panel, and Tab reaches every control', { timeout: 900_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const { page, errors } = await openPage(browser.context, withBackend(site.url, 'cpu'));
    await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
    const counts = {};
    const serious = [];
    for (const panel of PANELS) {
      await page.click(`[data-testid="tab-${panel}"]`);
      await page.waitForSelector(`[data-testid="${panel}-panel"]`, { state: 'visible', timeout: 120_000 });
      // What the panel fetches and computes on opening is shown.
      if (READY[panel]) await page.waitForFunction(READY[panel], null, { timeout: 900_000, polling: 500 });
      const found = await axeViolations(page);
      counts[panel] = Object.fromEntries(['critical', 'serious', 'moderate', 'minor'].map(impact =>
        [impact, found.filter(v => v.impact === impact).length]));
      serious.push(...found.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({ panel, ...v })));
      const controls = await shownControls(page, panel);
      const reached = await tabOrder(page);
      const missed = controls.filter(c => !reached.has(c.id)).map(c => c.name);
      assert.deepEqual(missed, [], `${panel}: Tab never reaches these controls`);
    }
    console.log(`axe-core violations per panel: ${JSON.stringify(counts)}`);
    assert.deepEqual(serious, [], 'serious or critical violations');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
