// Share links: a demo configured in the UI, its link opened in a fresh page, comes back the same;
// one link trains identically twice; a garbage link shows a notice and a working page; back and
// forward restore states; embed mode shows only what the author chose.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { serveStatic, launchBrowser, numberIn, waitForSteps } from './harness.mjs';

let site, cpu;
before(async () => { site = await serveStatic(); cpu = await launchBrowser({ webgpu: false }); });
after(async () => { await cpu?.close(); await site?.close(); });

async function open(url) {
  const page = await cpu.context.newPage();
  const errors = [];
  page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', e => errors.push(String(e)));
  page.on('dialog', d => { errors.push(`dialog: ${d.message()}`); d.dismiss(); });
  await page.goto(url);
  await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
  return { page, errors };
}
const gridImage = page => page.locator('[data-testid="sample-grid"]').evaluate(c => c.toDataURL());
const waitGridDrawn = page => page.waitForFunction(() => {
  const c = document.querySelector('[data-testid="sample-grid"]');
  return c.width === 224 && c.getContext('2d').getImageData(0, 0, c.width, c.height).data.some(v => v < 250);
}, null, { timeout: 60_000 });
async function setField(page, key, value) {
  await page.fill(`[data-testid="field-${key}"]`, String(value));
  await page.locator(`[data-testid="field-${key}"]`).press('Tab');
}

test('a demo configured in the UI opens the same from its link', async () => {
  const { page, errors } = await open(site.url);
  await page.selectOption('[data-testid="model-select"]', 'ae_mlp');
  await setField(page, 'latent', 8);
  await setField(page, 'seed', 5);
  await setField(page, 'lr', '3e-4');
  await page.click('[data-testid="reset-button"]');
  await waitGridDrawn(page);
  await page.waitForTimeout(300);
  const image = await gridImage(page);
  await page.click('[data-testid="copy-link"]');
  await page.waitForSelector('[data-testid="copy-status"]');
  const url = await page.inputValue('[data-testid="share-url"]');
  assert.match(url, /[?&]v=1&model=ae_mlp&lr=3e-4&batch=64&latent=8&seed=5&budget=3000$/);
  assert.equal(page.url(), url, 'the address bar holds the same link');

  const other = await open(url);
  assert.equal(await other.page.inputValue('[data-testid="model-select"]'), 'ae_mlp');
  assert.equal(await other.page.inputValue('[data-testid="field-latent"]'), '8');
  assert.equal(await other.page.inputValue('[data-testid="field-seed"]'), '5');
  assert.equal(await other.page.inputValue('[data-testid="field-lr"]'), '3e-4');
  await waitGridDrawn(other.page);
  await other.page.waitForFunction(expected => document.querySelector('[data-testid="sample-grid"]').toDataURL() === expected,
    image, { timeout: 60_000 });
  assert.equal(await other.page.locator('[data-testid="link-notice"]').count(), 0);
  assert.deepEqual(errors, []);
  assert.deepEqual(other.errors, []);
  await page.close();
  await other.page.close();
});

test('one link trains identically twice on the CPU: the same losses for the first 50 steps', async () => {
  const url = `${site.url}?v=1&model=vae_mlp&seed=3&budget=50&autorun=1`;
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const { page, errors } = await open(url);
    await page.waitForSelector('[data-testid="notice"]', { timeout: 120_000 });
    assert.equal(await numberIn(page, 'step-count'), 50);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
    runs.push((await readFile(await csv.path(), 'utf8')).trim().split('\n'));
    assert.deepEqual(errors, []);
    await page.close();
  }
  assert.equal(runs[0].length, 51);
  assert.deepEqual(runs[1], runs[0]);
  console.log(`identical losses: step 1 ${runs[0][1]}, step 50 ${runs[0][50]}`);
});

test('a garbage link shows what was ignored and a working page, with no injected markup', async () => {
  const junk = encodeURIComponent('<img src=x onerror=alert(1)>');
  const url = `${site.url}?v=9&model=%3Cscript%3Ealert(1)%3C/script%3E&lr=banana&latent=999&zzz=${junk}&hide=tabs&pad=${'x'.repeat(6000)}`;
  const { page, errors } = await open(url);
  const notice = await page.locator('[data-testid="link-notice"]').textContent();
  for (const expected of ['format version "9"', 'unknown model', 'learning rate must be a number',
    'latent size must be from 2 to 64', 'unknown setting "zzz"', 'longer than 4096 characters']) {
    assert.ok(notice.includes(expected), `${expected} missing from: ${notice}`);
  }
  assert.equal(await page.locator('img[src="x"]').count(), 0);
  assert.ok(!(await page.content()).includes('<script>alert(1)'));
  assert.equal(await page.inputValue('[data-testid="model-select"]'), 'vae_mlp');
  assert.equal(await page.inputValue('[data-testid="field-latent"]'), '16');
  assert.match(page.url(), /\?v=1&model=vae_mlp&/, 'the address bar now holds a clean link');
  await page.click('[data-testid="step-button"]');
  await waitForSteps(page, 1, { timeout: 30_000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test('back and forward restore the panel and the model', async () => {
  const { page, errors } = await open(site.url);
  await page.selectOption('[data-testid="model-select"]', 'dcgan');
  await page.waitForURL(/model=dcgan/);
  await page.click('[data-testid="tab-compare"]');
  await page.waitForURL(/panel=compare/);
  await page.goBack();
  await page.waitForURL(u => !String(u).includes('panel=compare'));
  assert.equal(await page.locator('[data-testid="compare-panel"]').isVisible(), false);
  await page.goBack();
  await page.waitForURL(/model=vae_mlp/);
  assert.equal(await page.inputValue('[data-testid="model-select"]'), 'vae_mlp');
  await page.goForward();
  await page.waitForURL(/model=dcgan/);
  assert.equal(await page.inputValue('[data-testid="model-select"]'), 'dcgan');
  assert.deepEqual(errors, []);
  await page.close();
});

test('embed mode shows only the panel and the controls the author kept', async () => {
  const { page, errors } = await open(`${site.url}?v=1&model=gan_mlp&embed=1&hide=tabs,settings,weights`);
  assert.equal(await page.locator('header.top').isVisible(), false);
  assert.equal(await page.locator('[data-testid="tab-compare"]').isVisible(), false);
  assert.equal(await page.locator('[data-testid="settings-form"]').isVisible(), false);
  assert.equal(await page.locator('[data-testid="load-pretrained"]').isVisible(), false);
  assert.equal(await page.locator('[data-testid="train-button"]').isVisible(), true);
  assert.equal(await page.inputValue('[data-testid="model-select"]'), 'gan_mlp');
  assert.deepEqual(errors, []);
  await page.close();
});

test('a link can open pretrained weights', { timeout: 120_000 }, async () => {
  const { page, errors } = await open(`${site.url}?v=1&model=vae_conv&weights=pretrained`);
  await page.waitForSelector('[data-testid="weights-status"][data-state="done"]', { timeout: 60_000 });
  assert.match(page.url(), /weights=pretrained/);
  assert.deepEqual(errors, []);
  await page.close();
});
