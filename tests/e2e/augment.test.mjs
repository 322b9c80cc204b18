// The Augment panel: the data-augmentation experiment runs in its own worker with a progress
// bar, and ends with a chart and a table of every arm's held-out accuracy over the seeds, the
// digits each arm added, and the note on where the generators were trained. Stop ends a run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launchBrowser, openPage, waitForSteps } from './harness.mjs';

let site;
before(async () => { site = await serveStatic(); });
after(async () => { await site?.close(); });

/** Types `value` into the number input `id` and commits it. */
async function setNumber(page, id, value) {
  await page.fill(`[data-testid="${id}"]`, String(value));
  await page.dispatchEvent(`[data-testid="${id}"]`, 'change');
}

test('CPU: a small experiment reports every arm for every seed', { timeout: 600_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    // K and the seeds come from the link.
    const { page, errors } = await openPage(browser.context, `${site.url}?v=1&panel=augment&aug_k=5&aug_seeds=2`);
    await page.waitForSelector('[data-testid="augment-panel"]', { timeout: 120_000 });
    assert.match(await page.locator('[data-testid="augment-provenance"]').textContent(), /all 9,000 labelled/);
    assert.equal(await page.locator('[data-testid="augment-k"]').inputValue(), '5');
    assert.equal(await page.locator('[data-testid="augment-seeds"]').inputValue(), '2');
    await setNumber(page, 'augment-extra', 20);
    await setNumber(page, 'augment-classifier-steps', 80);
    await setNumber(page, 'augment-generator-steps', 80);
    // The few-label GAN, off by default for its run time, is ticked.
    const fewShotGan = '[data-testid="augment-arms"] input[data-arm="FewShotCgan"]';
    assert.equal(await page.isChecked(fewShotGan), false);
    await page.check(fewShotGan);
    await page.click('[data-testid="augment-run"]');
    // Progress moves while it runs: record what the bar says until the results arrive.
    const seen = new Set();
    const started = Date.now();
    while (!(await page.locator('[data-testid="augment-results"]').count())) {
      const value = await page.locator('[data-testid="augment-progress"]').getAttribute('value').catch(() => null);
      if (value !== null) seen.add(Number(value));
      assert.ok(Date.now() - started < 300_000, 'the experiment finishes');
      await page.waitForTimeout(100);
    }
    const total = 2 * (2 * 80 + 6 * 80);
    const partial = [...seen].filter(v => v > 0 && v < total);
    assert.ok(partial.length >= 3, `the bar moved through several values: ${[...seen].sort((a, b) => a - b)}`);
    console.log(`experiment took ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const rows = await page.locator('[data-testid="augment-table"] tbody tr').evaluateAll(trs => trs.map(tr => ({
      arm: tr.dataset.arm,
      mean: tr.querySelector('[data-testid="augment-mean"]').textContent,
      perSeed: tr.querySelectorAll('td')[2].textContent,
      examples: tr.querySelectorAll('canvas').length,
    })));
    for (const row of rows) console.log(`${row.arm}: ${row.mean} (${row.perSeed})`);
    assert.deepEqual(rows.map(r => r.arm), ['RealOnly', 'Classic', 'FewShotCvae', 'FewShotCgan', 'PretrainedCvae', 'PretrainedCgan']);
    for (const row of rows) {
      const [, mean, sd] = row.mean.match(/^(\d+\.\d)% ± (\d+\.\d)$/) ?? [];
      assert.ok(Number(mean) > 20 && Number(mean) <= 100, `${row.arm}: ${row.mean}, above chance`);
      assert.ok(Number(sd) >= 0);
      assert.equal(row.perSeed.split(', ').length, 2, `${row.arm}: one accuracy per seed`);
      assert.equal(row.examples, row.arm === 'RealOnly' ? 0 : 1);
    }
    // The shipped generators' digits are drawn: ink on the strip.
    const inked = await page.locator('[data-arm="PretrainedCgan"] canvas').evaluate(c =>
      c.getContext('2d').getImageData(0, 0, c.width, c.height).data.filter((v, i) => i % 4 === 0 && v < 128).length);
    assert.ok(inked > 500, `the conditional GAN's digits show ink (${inked} dark pixels)`);
    assert.equal(await page.locator('[data-testid="augment-chart"] rect').count(), 6);
    assert.equal(await page.locator('[data-testid="augment-chart"] circle').count(), 12);
    // The address keeps the choices, and follows a change.
    assert.match(page.url(), /panel=augment.*aug_k=5&aug_seeds=2/);
    await page.selectOption('[data-testid="augment-k"]', '20');
    await page.waitForFunction(() => location.search.includes('aug_k=20'));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('CPU: Stop ends a run and a conditional model trains in the Train panel', { timeout: 300_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const { page, errors } = await openPage(browser.context, `${site.url}?v=1&panel=augment`);
    await page.waitForSelector('[data-testid="augment-panel"]', { timeout: 120_000 });
    await page.click('[data-testid="augment-run"]');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="augment-progress"]')?.value) > 0,
      null, { timeout: 120_000 });
    await page.click('[data-testid="augment-stop"]');
    assert.match(await page.locator('[data-testid="augment-problem"]').textContent(), /Stopped/);
    assert.equal(await page.locator('[data-testid="augment-progress"]').count(), 0);
    assert.equal(await page.locator('[data-testid="augment-run"]').isEnabled(), true);

    await page.click('[data-testid="tab-train"]');
    await page.selectOption('[data-testid="model-select"]', 'cvae');
    await page.click('[data-testid="train-button"]');
    await waitForSteps(page, 40);
    await page.click('[data-testid="train-button"]');
    assert.match(await page.locator('.train .model-summary').textContent(), /ask it for a 7/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
