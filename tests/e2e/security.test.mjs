// The page runs under its Content-Security-Policy: the policy is in force (an inline script is
// refused and reported), and the whole app starts, trains on both backends and loads pretrained
// weights under it without a single violation (every other test also fails on a violation, see
// openPage in the harness).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launchBrowser, openPage, withBackend, backendBadge, waitForSteps } from './harness.mjs';

let site;
before(async () => { site = await serveStatic(); });
after(async () => { await site?.close(); });

for (const webgpu of [false, true]) {
  const backend = webgpu ? 'WebGPU' : 'CPU';
  test(`${backend}: the app runs under its Content-Security-Policy, which refuses inline script`, { timeout: 600_000 }, async () => {
    const browser = await launchBrowser({ webgpu });
    try {
      const { page, errors } = await openPage(browser.context, withBackend(site.url, webgpu ? 'webgpu' : 'cpu'));
      await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
      const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      for (const directive of ["script-src 'self' 'wasm-unsafe-eval'", "object-src 'none'", "base-uri 'none'"]) {
        assert.ok(policy.includes(directive), `the policy has ${directive}: ${policy}`);
      }
      assert.equal(await page.locator('script:not([src])').count(), 0, 'the page has no inline script');
      await backendBadge(page, new RegExp(`^${backend}`));
      await page.click('[data-testid="train-button"]');
      await waitForSteps(page, 2, { timeout: 300_000 });
      await page.click('[data-testid="train-button"]');
      await page.click('[data-testid="load-pretrained"]');
      await page.waitForSelector('[data-testid="weights-status"][data-state="done"]', { timeout: 300_000 });
      assert.deepEqual(errors, [], 'no violation while starting, training and loading');
      // The policy is in force: an injected inline script does not run, and is reported.
      const ran = await page.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = 'window.__inlineRan = true';
        document.head.append(script);
        return window.__inlineRan === true;
      });
      assert.equal(ran, false, 'an inline script is refused');
      // The report is an event: wait for it (a few tries; it comes within milliseconds).
      for (let tries = 0; tries < 100 && !errors.some(e => /violation: script-src/.test(e)); tries++) {
        await page.waitForTimeout(100);
      }
      assert.ok(errors.some(e => /Content-Security-Policy violation: script-src/.test(e)), `reported: ${errors}`);
    } finally {
      await browser.close();
    }
  });
}
