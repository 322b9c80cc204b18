// Faults a user's browser can suffer, and what the user is left with: a training worker that dies
// mid-run (closed from inside, as a crash or an out-of-memory kill would end it) is noticed by the
// page's heartbeat, replaced, restored from the page's latest snapshot of its weights and step
// count, and trains on; nothing waits for the dead worker's answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { serveStatic, launchBrowser, openPage, withBackend, waitForSteps, numberIn } from './harness.mjs';

let site;
before(async () => { site = await serveStatic(); });
after(async () => { await site?.close(); });

const noticeText = page => page.evaluate(() => document.querySelector('[data-testid="notice"]')?.textContent ?? '');

test('CPU: a training worker killed mid-run is replaced, restored from its snapshot, and trains on', { timeout: 600_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const { page, errors } = await openPage(browser.context, withBackend(site.url, 'cpu'));
    await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
    await page.selectOption('[data-testid="model-select"]', 'ae_mlp');
    await page.click('[data-testid="train-button"]');
    await waitForSteps(page, 30, { timeout: 300_000 });
    const worker = page.workers().find(w => w.url().includes('train-worker'));
    assert.ok(worker, 'the training worker is visible to the test');
    // Closed from inside, a moment later: the worker answers nothing more, as if killed.
    await worker.evaluate(() => { setTimeout(() => self.close(), 0); });
    const killedAt = await numberIn(page, 'step-count');
    // The page notices through its heartbeat (at most its 15 s silence limit, plus a tick).
    await page.waitForFunction(() => /stopped responding: a new one goes on from step \d+/
      .test(document.querySelector('[data-testid="notice"]')?.textContent ?? ''), null, { timeout: 180_000, polling: 250 });
    const notice = await noticeText(page);
    const resumedFrom = Number(notice.match(/from step (\d+)/)[1]);
    assert.ok(resumedFrom > 0 && resumedFrom <= killedAt, `${notice} (killed at step ${killedAt})`);
    console.log(`killed at step ${killedAt}: "${notice}"`);
    // The run goes on by itself, counting on from the snapshot.
    await waitForSteps(page, killedAt + 10, { timeout: 300_000 });
    await page.click('[data-testid="train-button"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="train-button"]').textContent === 'Resume',
      null, { timeout: 120_000 });
    // The weights row works with the new worker: an export is answered.
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 120_000 }),
      page.click('[data-testid="export-weights"]'),
    ]);
    assert.match(download.suggestedFilename(), /^genplay-ae_mlp-step\d+\.bpk$/);
    // The file's own header (written by the worker) holds the step count the page shows.
    const header = (await readFile(await download.path())).toString('latin1');
    const inFile = Number(header.match(/\\?"steps\\?":(\d+)/)?.[1]);
    assert.equal(inFile, await numberIn(page, 'step-count'), 'the new worker counts the steps the page shows');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('CPU: R held down resets the model once, not once per key repeat', { timeout: 300_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const context = browser.context;
    // Counts the commands the page sends its training worker, by kind.
    await context.addInitScript(() => {
      window.__sent = {};
      const post = Worker.prototype.postMessage;
      Worker.prototype.postMessage = function (message) {
        for (const kind of Object.keys(message ?? {})) window.__sent[kind] = (window.__sent[kind] ?? 0) + 1;
        return post.call(this, message);
      };
    });
    const { page, errors } = await openPage(context, withBackend(site.url, 'cpu'));
    await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
    await page.click('[data-testid="step-button"]');
    await waitForSteps(page, 1);
    const resetsBefore = await page.evaluate(() => window.__sent.Reset ?? 0);
    // A held key: one keydown, then repeats (Playwright marks a second down of a held key as a repeat).
    await page.locator('body').focus();
    for (let i = 0; i < 30; i++) await page.keyboard.down('r');
    await page.keyboard.up('r');
    await page.waitForFunction(() => document.querySelector('[data-testid="step-count"]').textContent === '0',
      null, { timeout: 60_000 });
    assert.equal(await page.evaluate(() => window.__sent.Reset) - resetsBefore, 1, 'one reset');
    // The model trains on after it.
    await page.click('[data-testid="step-button"]');
    await waitForSteps(page, 1);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
