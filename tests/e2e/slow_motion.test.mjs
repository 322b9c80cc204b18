// A GAN in slow motion: the discriminator's half, then the generator's, one press each; the
// first leaves the step count alone and says how the discriminator's verdicts moved, the second
// completes the step, refreshes the grid and says how the fakes fared; Train then goes on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launchBrowser, openPage, withBackend, numberIn, waitForSteps } from './harness.mjs';

let site;
before(async () => { site = await serveStatic(); });
after(async () => { await site?.close(); });

const report = (page, player, steps) => page.waitForSelector(
  `[data-testid="half-report"][data-player="${player}"][data-steps="${steps}"]`, { timeout: 300_000 });

test('CPU: a GAN steps in halves, each one shown, and trains on afterwards', { timeout: 600_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const { page, errors } = await openPage(browser.context, withBackend(`${site.url}?v=1&model=dcgan`, 'cpu'));
    await page.waitForSelector('[data-testid="slow-motion"][data-next="discriminator"]', { timeout: 120_000 });
    await page.click('[data-testid="half-step"]');
    await report(page, 'discriminator', 0);
    assert.equal(await numberIn(page, 'step-count'), 0, 'half a step is not a step');
    assert.match(await page.textContent('[data-testid="half-report"]'), /D\(x\) went \d\.\d{3} → \d\.\d{3} and D\(G\(z\)\)/);
    assert.equal(await page.getAttribute('[data-testid="slow-motion"]', 'data-next'), 'generator');

    await page.click('[data-testid="half-step"]');
    await report(page, 'generator', 1);
    await waitForSteps(page, 1);
    await page.waitForSelector('[data-testid="sample-grid"][data-step="1"]', { timeout: 120_000 });
    assert.match(await page.textContent('[data-testid="half-report"]'), /Step 1 is complete/);
    assert.equal(await page.locator('[data-testid="code-scatter"]').count(), 0, 'a GAN has no encoder to scatter');
    // The keyboard reaches it too: a third half, pressed with Enter.
    await page.focus('[data-testid="half-step"]');
    await page.keyboard.press('Enter');
    await report(page, 'discriminator', 1);

    // Train finishes the step begun in slow motion and goes on; the report makes way.
    await page.click('[data-testid="train-button"]');
    await waitForSteps(page, 4, { timeout: 300_000, polling: 200 });
    await page.click('[data-testid="train-button"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="train-button"]').textContent === 'Resume', null, { timeout: 120_000 });
    assert.equal(await page.locator('[data-testid="half-report"]').count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
