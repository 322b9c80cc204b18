// The latent explorer: the 2-D VAE's manifold and the scatter of encoded held-out digits are
// drawn, pointing at two places of the plane decodes two different images, and a 16-D VAE is
// cut through its principal directions or two chosen axes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launchBrowser, openPage } from './harness.mjs';

let site;
before(async () => { site = await serveStatic(); });
after(async () => { await site?.close(); });

test('CPU: pointing at two places of the latent map decodes two different images', { timeout: 300_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const { page, errors } = await openPage(browser.context, `${site.url}?v=1&panel=explore`);
    await page.waitForSelector('[data-testid="explore-manifold"][data-state="ready"]', { timeout: 120_000 });
    await page.waitForSelector('[data-testid="explore-scatter"][data-state="ready"]', { timeout: 120_000 });
    const inked = await page.locator('[data-testid="explore-manifold"]').evaluate(c =>
      c.getContext('2d').getImageData(0, 0, c.width, c.height).data.filter((v, i) => i % 4 === 0 && v < 128).length);
    assert.ok(inked > 5000, `the manifold shows ink (${inked} dark pixels)`);
    const decodedAt = async (canvas, fx, fy) => {
      const box = await page.locator(`[data-testid="${canvas}"]`).boundingBox();
      const before = await page.locator('[data-testid="explore-point"]').textContent();
      await page.mouse.move(box.x + fx * box.width, box.y + fy * box.height);
      await page.waitForFunction(b => document.querySelector('[data-testid="explore-point"]').textContent !== b, before);
      await page.waitForTimeout(200);
      return {
        point: await page.locator('[data-testid="explore-point"]').textContent(),
        image: await page.locator('[data-testid="explore-decoded"]').evaluate(c => c.toDataURL()),
      };
    };
    const a = await decodedAt('explore-scatter', 0.25, 0.3);
    const b = await decodedAt('explore-manifold', 0.75, 0.7);
    console.log(`decoded ${a.point} and ${b.point}`);
    assert.match(a.point, /^z = \(-1\.\d\d, \+1\.\d\d\)$/);
    assert.match(b.point, /^z = \(\+1\.\d\d, -1\.\d\d\)$/);
    assert.notEqual(a.image, b.image);

    // A 16-dimensional VAE: a slice through its top two principal directions, then two axes.
    const manifoldImage = () => page.locator('[data-testid="explore-manifold"]').evaluate(c => c.toDataURL());
    const before = await manifoldImage();
    await page.selectOption('[data-testid="explore-model"]', 'vae_mlp');
    await page.waitForFunction(b => {
      const c = document.querySelector('[data-testid="explore-manifold"]');
      return c.dataset.state === 'ready' && c.toDataURL() !== b;
    }, before, { timeout: 120_000 });
    const principal = await manifoldImage();
    await page.selectOption('[data-testid="explore-slice"]', 'axes');
    await page.selectOption('[data-testid="explore-axis-b"]', '4');
    await page.waitForFunction(b => {
      const c = document.querySelector('[data-testid="explore-manifold"]');
      return c.dataset.state === 'ready' && c.toDataURL() !== b;
    }, principal, { timeout: 120_000 });
    const c = await decodedAt('explore-manifold', 0.5, 0.5);
    assert.match(c.point, /^plane point \(\+?-?0\.\d\d, \+?-?0\.\d\d\)$/);
    assert.match(await page.locator('.explore .hint').textContent(), /16-dimensional latent/);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
