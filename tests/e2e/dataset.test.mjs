// Bringing one's own data, as a user does it: an IDX pair and a set of PNG images are picked,
// previewed, used for training and carried into the Compare panel; broken files are refused
// with the dataset in use unchanged; a link names the dataset it needs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync, gunzipSync } from 'node:zlib';
import { serveStatic, launchBrowser, openPage, canvasStats, numberIn, waitForSteps } from './harness.mjs';

let site, cpu;
before(async () => { site = await serveStatic(); cpu = await launchBrowser({ webgpu: false }); });
after(async () => { await cpu?.close(); await site?.close(); });

async function freshPage(query = '') {
  const opened = await openPage(cpu.context, site.url + query);
  await opened.page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
  return opened;
}

/** An IDX pair of `count` 28x28 images: a vertical bar whose column depends on the label (20 to 23). */
function barsIdx(count) {
  const header = (words) => Buffer.concat(words.map(w => { const b = Buffer.alloc(4); b.writeUInt32BE(w); return b; }));
  const labels = Buffer.from([...Array(count)].map((_, i) => 20 + (i % 4)));
  const pixels = Buffer.alloc(count * 784);
  labels.forEach((label, i) => { for (let y = 4; y < 24; y++) pixels[i * 784 + y * 28 + 6 + 5 * (label - 20)] = 255; });
  return {
    images: gzipSync(Buffer.concat([header([0x803, count, 28, 28]), pixels])),
    labels: gzipSync(Buffer.concat([header([0x801, count]), labels])),
  };
}

test('an IDX pair is previewed, trained on, named in the link and compared', { timeout: 600_000 }, async () => {
  const { page, errors } = await freshPage('?model=ae_mlp');
  assert.match(await page.textContent('[data-testid="dataset-name"]'), /^MNIST: 10000 images \(1000 held out\), 10 classes/);

  // A file that is not data: refused by name, MNIST stays.
  await page.setInputFiles('[data-testid="dataset-files"]', [{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('my digits') }]);
  await page.waitForSelector('[data-testid="dataset-status"][data-state="failed"]');
  assert.match(await page.textContent('[data-testid="dataset-status"]'), /notes\.txt is not an IDX file, nor a PNG or JPEG image.*unchanged/);
  assert.match(await page.textContent('[data-testid="dataset-name"]'), /^MNIST/);

  // A truncated images file with its labels: refused by name, MNIST stays.
  const { images, labels } = barsIdx(120);
  await page.setInputFiles('[data-testid="dataset-files"]', [
    { name: 'cut-images-idx3-ubyte', mimeType: 'application/octet-stream', buffer: gunzipSync(images).subarray(0, 2000) },
    { name: 'bars-labels-idx1-ubyte.gz', mimeType: 'application/gzip', buffer: labels },
  ]);
  await page.waitForFunction(() => /cut-images-idx3-ubyte: images: truncated/.test(document.querySelector('[data-testid="dataset-status"]').textContent));
  assert.match(await page.textContent('[data-testid="dataset-name"]'), /^MNIST/);

  await page.setInputFiles('[data-testid="dataset-files"]', [
    { name: 'bars-images-idx3-ubyte.gz', mimeType: 'application/gzip', buffer: images },
    { name: 'bars-labels-idx1-ubyte.gz', mimeType: 'application/gzip', buffer: labels },
  ]);
  await page.waitForSelector('[data-testid="dataset-preview"]');
  assert.equal(await page.textContent('[data-testid="dataset-summary"]'),
    'bars-images-idx3-ubyte: 120 images (12 held out), 4 classes (20, 21, 22, 23)');
  assert.ok((await canvasStats(page, 'dataset-preview-grid')).mean > 5, 'the preview shows the images');
  assert.match(await page.textContent('[data-testid="dataset-name"]'), /^MNIST/, 'nothing changes before "Use this dataset"');

  await page.click('[data-testid="dataset-use"]');
  assert.match(await page.textContent('[data-testid="dataset-name"]'), /^bars-images-idx3-ubyte: 120 images/);
  assert.match(page.url(), /[?&]data=bars-images-idx3-ubyte(&|$)/);
  await page.click('[data-testid="train-button"]');
  await waitForSteps(page, 40);
  await page.click('[data-testid="train-button"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="train-button"]').textContent === 'Resume');
  const first = Number(await page.getAttribute('[data-testid="stats"]', 'data-first-loss'));
  const recent = Number(await page.getAttribute('[data-testid="stats"]', 'data-recent-loss'));
  console.log(`ae_mlp on bars: loss ${first} -> ${recent} after ${await numberIn(page, 'step-count')} steps`);
  assert.ok(recent < first, `the loss falls on the new data: ${first} -> ${recent}`);

  await page.click('[data-testid="tab-compare"]');
  assert.match(await page.textContent('[data-testid="compare-dataset"]'), /bars-images-idx3-ubyte: 120 images \(12 held out\)/);
  await page.click('[data-testid="compare-add-trained"]');
  const column = page.locator('[data-testid^="column-trained-ae_mlp"]');
  await column.waitFor({ timeout: 300_000 });
  await page.waitForSelector('[data-testid="metrics-not-applicable"]');
  // Measured on the bars: the trained column's figures are finite, the classifier's are n/a.
  const row = page.locator('[data-testid^="metrics-trained-ae_mlp"]');
  await page.waitForSelector('[data-testid^="metrics-trained-ae_mlp"][data-finite="true"]', { timeout: 500_000 });
  const cells = await row.locator('td').allTextContents();
  console.log(`Compare on bars, trained ae_mlp: ${cells.join(' | ')}`);
  assert.ok(Number(cells[0]) > 0 && Number(cells[0]) < 200, `recon BCE on the bars: ${cells[0]}`);
  assert.deepEqual(cells.slice(4, 7), ['n/a', 'n/a', 'n/a']);
  assert.deepEqual(errors, []);
  await page.close();
});

test('PNG images labelled by file-name prefix train, and MNIST comes back', { timeout: 300_000 }, async () => {
  const { page, errors } = await freshPage('?model=ae_mlp');
  // Digits drawn by the browser itself: a "1" (a bar) and a "0" (a ring), 40 of each, 56x56.
  const pngs = await page.evaluate(async () => {
    const files = [];
    for (let i = 0; i < 80; i++) {
      const canvas = new OffscreenCanvas(56, 56);
      const g = canvas.getContext('2d');
      g.fillStyle = 'white'; g.fillRect(0, 0, 56, 56);
      g.strokeStyle = 'black'; g.lineWidth = 5;
      g.beginPath();
      if (i % 2) { g.moveTo(28, 10 + (i % 5)); g.lineTo(28, 46); } else { g.arc(28, 28, 14 + (i % 4), 0, 2 * Math.PI); }
      g.stroke();
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
      files.push({ name: `${i % 2}_${i}.png`, data: btoa(String.fromCharCode(...bytes)) });
    }
    return files;
  });
  await page.setInputFiles('[data-testid="dataset-files"]',
    pngs.map(f => ({ name: f.name, mimeType: 'image/png', buffer: Buffer.from(f.data, 'base64') })));
  await page.waitForSelector('[data-testid="dataset-preview"]', { timeout: 60_000 });
  assert.equal(await page.textContent('[data-testid="dataset-summary"]'), '80 images: 80 images (8 held out), 2 classes (0, 1)');
  assert.match(await page.textContent('[data-testid="dataset-preview"]'), /80 images were not 28x28/);
  await page.click('[data-testid="dataset-use"]');
  await page.click('[data-testid="step-button"]');
  await waitForSteps(page, 1);
  await page.click('[data-testid="train-button"]');
  await waitForSteps(page, 20);
  await page.click('[data-testid="train-button"]');
  assert.ok((await canvasStats(page, 'sample-grid')).mean > 5);

  await page.click('[data-testid="dataset-mnist"]');
  assert.match(await page.textContent('[data-testid="dataset-name"]'), /^MNIST: 10000 images/);
  assert.equal(await numberIn(page, 'step-count'), 0, 'a new dataset starts the model afresh');
  assert.doesNotMatch(page.url(), /data=/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('a link made with a dataset of ones own says which dataset it needs', async () => {
  const { page, errors } = await freshPage('?v=1&model=vae_mlp&data=my%20letters');
  assert.match(await page.textContent('[data-testid="dataset-needed"]'), /made with the dataset “my letters”, which a link cannot carry/);
  assert.match(await page.textContent('[data-testid="dataset-name"]'), /^MNIST/);
  assert.deepEqual(errors, []);
  await page.close();
});
