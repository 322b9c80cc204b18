// Inputs past the limits, as a user could pick them: each is refused with a sentence naming
// the limit, or read only as far as it should be, and the dataset in use and the model stay.
// A 5 GiB file beside a 1-byte one (summed in 64 bits, refused before any read); gzip bombs
// (a header declaring more than the inflate limit; a stream of 1 GiB of zeros behind a small
// header, inflated only as far as the header declares); 2,000 PNGs of 4096x4096 (refused from
// their headers by the pixel budget); and 100 PNGs of 2048x2048, decoded a slice at a time with
// their progress shown, while the page answers, until Cancel stops it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync, deflateSync, crc32 } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serveStatic, launchBrowser, openPage, waitForSteps } from './harness.mjs';

let site, cpu, folder;
before(async () => {
  site = await serveStatic();
  cpu = await launchBrowser({ webgpu: false });
  folder = mkdtempSync(path.join(tmpdir(), 'genplay-limits-'));
});
after(async () => {
  await cpu?.close();
  await site?.close();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

async function freshPage() {
  const opened = await openPage(cpu.context, `${site.url}?model=ae_mlp&backend=cpu`);
  await opened.page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
  return opened;
}
const statusText = page => page.textContent('[data-testid="dataset-status"]');
const refusal = async (page, pattern) => {
  await page.waitForSelector('[data-testid="dataset-status"][data-state="failed"]', { timeout: 300_000 });
  const text = await statusText(page);
  assert.match(text, pattern);
  assert.match(text, /The dataset in use is unchanged\.$/);
  assert.match(await page.textContent('[data-testid="dataset-name"]'), /^MNIST/);
  return text;
};

/** A grey PNG of `width` x `height` whose pixel (x, y) is `shade(x, y)`. */
function png(width, height, shade) {
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = shade(x, y);
  }
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per sample; colour type 0 (grey), no interlace
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const words = values => Buffer.concat(values.map(v => { const b = Buffer.alloc(4); b.writeUInt32BE(v); return b; }));

test('a 5 GiB file beside a 1-byte file is refused before anything is read', { timeout: 300_000 }, async () => {
  const { page, errors } = await freshPage();
  // A sparse file: 5 GiB long, nothing on disk. The browser reads nothing of it unless asked.
  const huge = path.join(folder, 'huge-images-idx3-ubyte');
  writeFileSync(huge, '');
  truncateSync(huge, 5 * 2 ** 30);
  const tiny = path.join(folder, 'tiny-labels-idx1-ubyte');
  writeFileSync(tiny, 'x');
  await page.setInputFiles('[data-testid="dataset-files"]', [huge, tiny]);
  await refusal(page, /^Those files hold 5368\.7 MB, more than the 300\.0 MB read at once\./);
  // The page goes on: a training step.
  await page.click('[data-testid="step-button"]');
  await waitForSteps(page, 1);
  assert.deepEqual(errors, []);
});

test('gzip bombs: refused from their header, or inflated only as far as it declares', { timeout: 300_000 }, async () => {
  const { page, errors } = await freshPage();
  // A header declaring 60,000 images of 4096x4096: a terabyte, refused before inflating more.
  const declared = gzipSync(Buffer.concat([words([0x803, 60_000, 4096, 4096]), Buffer.alloc(1 << 20)]));
  await page.setInputFiles('[data-testid="dataset-files"]', [{ name: 'tera-images-idx3-ubyte.gz', mimeType: 'application/gzip', buffer: declared }]);
  await refusal(page, /its header declares 1006632960016 bytes, more than the 268435456 a gzipped IDX file may inflate to/);
  // 1 GiB of zeros behind a header of 120 images, about a megabyte gzipped: only the 120
  // images' bytes are inflated, and the set is previewed at once.
  const zeros = Buffer.alloc(1 << 30);
  const pixels = Buffer.alloc(120 * 784);
  for (let i = 0; i < 120; i++) for (let y = 4; y < 24; y++) pixels[i * 784 + y * 28 + 10 + (i % 4)] = 255;
  const bomb = gzipSync(Buffer.concat([words([0x803, 120, 28, 28]), pixels, zeros]), { level: 1 });
  assert.ok(bomb.length < 8 << 20, `the bomb is ${bomb.length} bytes gzipped`);
  await page.setInputFiles('[data-testid="dataset-files"]', [{ name: 'bomb-images-idx3-ubyte.gz', mimeType: 'application/gzip', buffer: bomb }]);
  await page.waitForSelector('[data-testid="dataset-preview"]', { timeout: 300_000 });
  assert.equal(await page.textContent('[data-testid="dataset-summary"]'), 'bomb-images-idx3-ubyte: 120 images (12 held out), no labels');
  await page.click('[data-testid="dataset-cancel"]');
  assert.match(await page.textContent('[data-testid="dataset-name"]'), /^MNIST/);
  assert.deepEqual(errors, []);
});

test('2,000 PNGs of 4096x4096 are refused from their headers by the pixel budget', { timeout: 300_000 }, async () => {
  const { page, errors } = await freshPage();
  const page4k = png(4096, 4096, () => 255);
  const files = [...Array(2000)].map((_, i) => ({ name: `${i % 10}_${i}.png`, mimeType: 'image/png', buffer: page4k }));
  await page.setInputFiles('[data-testid="dataset-files"]', files);
  await refusal(page, /the 2000 images hold 33554 megapixels in all, more than the 1073 megapixels decoded at once/);
  await page.click('[data-testid="step-button"]');
  await waitForSteps(page, 1);
  assert.deepEqual(errors, []);
});

test('100 PNGs of 2048x2048 decode a slice at a time, the page answers meanwhile, and Cancel stops them', { timeout: 600_000 }, async () => {
  const { page, errors } = await freshPage();
  // Dark ink (a bar) on white paper, as a scan is: every image is inverted, boxed and resized.
  const scan = png(2048, 2048, (x, y) => (x > 900 && x < 1150 && y > 300 && y < 1750 ? 10 : 250));
  const files = [...Array(100)].map((_, i) => ({ name: `${i % 2}_${i}.png`, mimeType: 'image/png', buffer: scan }));
  await page.setInputFiles('[data-testid="dataset-files"]', files);
  // Progress moves: at least two images decoded, as the status says.
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="dataset-status"]')?.dataset.done) >= 2,
    null, { timeout: 300_000, polling: 100 });
  // Between slices the page answers (a round trip through its event loop).
  const answered = await page.evaluate(() => new Promise(resolve => setTimeout(() => resolve(true), 0)));
  assert.equal(answered, true);
  const progress = await statusText(page);
  assert.match(progress, /^Decoding the images: \d+ of 100…$/);
  await page.click('[data-testid="dataset-stop"]');
  const stopped = await refusal(page, /^Stopped after \d+ of 100 images\./);
  console.log(`decoding: "${progress}", then "${stopped}"`);
  // Nothing more is decoded after Cancel, and the page trains on MNIST.
  await page.waitForTimeout(2000);
  assert.equal(await statusText(page), stopped);
  await page.click('[data-testid="step-button"]');
  await waitForSteps(page, 1);
  assert.deepEqual(errors, []);
});
