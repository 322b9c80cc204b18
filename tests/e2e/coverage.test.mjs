// Mode collapse made visible, and training that keeps going in a background tab.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launchBrowser, openPage, numberIn } from './harness.mjs';

let site, cpu;
before(async () => { site = await serveStatic(); cpu = await launchBrowser({ webgpu: false }); });
after(async () => { await cpu?.close(); await site?.close(); });

async function freshPage(init) {
  const page = await cpu.context.newPage();
  if (init) await page.addInitScript(init);
  const errors = [];
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', e => errors.push(String(e)));
  await page.goto(site.url);
  await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
  return { page, errors };
}
const coverage = async page => {
  const summary = page.locator('[data-testid="coverage-summary"]');
  return { covered: Number(await summary.getAttribute('data-covered')), checks: Number(await summary.getAttribute('data-checks')) };
};
const waitChecks = (page, n, timeout = 180_000) => page.waitForFunction(
  n => Number(document.querySelector('[data-testid="coverage-summary"]')?.dataset.checks) >= n, n, { timeout, polling: 200 });

test('a GAN in training is judged every 200 steps: classes covered, charted over steps', { timeout: 300_000 }, async () => {
  const { page, errors } = await freshPage();
  await page.selectOption('[data-testid="model-select"]', 'gan_mlp');
  await waitChecks(page, 1);
  const untrained = await coverage(page);
  assert.ok(untrained.covered >= 0 && untrained.covered <= 10, JSON.stringify(untrained));
  await page.click('[data-testid="train-button"]');
  await waitChecks(page, 2);
  await page.click('[data-testid="train-button"]');
  const trained = await coverage(page);
  assert.ok(Number.isInteger(trained.covered) && trained.covered <= 10, JSON.stringify(trained));
  assert.ok(await numberIn(page, 'step-count') >= 200);
  assert.match(await page.locator('[data-testid="coverage-summary"]').textContent(), /of 10 digit classes covered/);
  console.log(`gan_mlp coverage: step 0 ${untrained.covered} classes, after 200 steps ${trained.covered}`);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the pretrained DCGAN covers at least 8 of the 10 digit classes', { timeout: 300_000 }, async () => {
  const { page, errors } = await freshPage();
  await page.selectOption('[data-testid="model-select"]', 'dcgan');
  await page.click('[data-testid="load-pretrained"]');
  await page.waitForSelector('[data-testid="weights-status"][data-state="done"]', { timeout: 120_000 });
  await waitChecks(page, 1);
  const { covered } = await coverage(page);
  console.log(`pretrained dcgan: ${covered} classes covered`);
  assert.ok(covered >= 8, `${covered} classes`);
  assert.deepEqual(errors, []);
  await page.close();
});

// Headless Chromium cannot put a tab in the background (tried: focus emulation off, another tab
// brought to front, a minimised window; document.visibilityState stays "visible"). So the page
// is given what a background tab gets: requestAnimationFrame never fires, timers wait at least a
// second, and visibilityState says "hidden". Training must keep its pace under those rules.
const BACKGROUND_TAB = () => {
  window.__background = false;
  const raf = window.requestAnimationFrame.bind(window);
  const timeout = window.setTimeout.bind(window);
  window.requestAnimationFrame = callback => (window.__background ? 0 : raf(callback));
  window.setTimeout = (callback, ms, ...rest) => timeout(callback, window.__background ? Math.max(ms ?? 0, 1000) : ms, ...rest);
  Object.defineProperty(document, 'visibilityState', { get: () => (window.__background ? 'hidden' : 'visible') });
  Object.defineProperty(document, 'hidden', { get: () => window.__background });
};

test('training keeps its pace with background-tab throttling (no frames, timers at 1 s)', { timeout: 300_000 }, async () => {
  const { page, errors } = await freshPage(BACKGROUND_TAB);
  await page.selectOption('[data-testid="model-select"]', 'ae_mlp');
  const stepsIn = async seconds => {
    const start = await numberIn(page, 'step-count');
    await page.waitForTimeout(seconds * 1000);
    return (await numberIn(page, 'step-count')) - start;
  };
  await page.click('[data-testid="train-button"]');
  await page.waitForTimeout(1000);
  const foreground = await stepsIn(3);
  await page.evaluate(() => { window.__background = true; document.dispatchEvent(new Event('visibilitychange')); });
  const background = await stepsIn(3);
  await page.evaluate(() => { window.__background = false; document.dispatchEvent(new Event('visibilitychange')); });
  await page.click('[data-testid="train-button"]');
  console.log(`ae_mlp steps in 3 s: foreground ${foreground}, background rules ${background}`);
  assert.ok(foreground > 30, `${foreground} steps in the foreground`);
  assert.ok(background >= foreground * 0.5, `background ${background} vs foreground ${foreground}`);
  assert.deepEqual(errors, []);
  await page.close();
});
