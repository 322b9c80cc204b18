// Faults a user's browser can suffer, and what the user is left with:
// - a training worker that dies mid-run (closed from inside, as a crash or an out-of-memory kill
//   would end it) is noticed by the page's heartbeat, replaced, restored from the page's latest
//   snapshot of its weights and step count, and trains on; nothing waits for the dead worker;
// - a GPU device lost mid-run on WebGPU (destroyed from inside the worker, as a GPU process
//   crash or a driver reset loses it) moves training to a new worker on the CPU, from the
//   snapshot, in one sentence;
// - an error thrown inside the worker mid-run (an API that throws) is reported by the worker's
//   error event, and the worker is replaced the same way;
// - a panic inside the worker on WebGPU (a GPU validation error, which wgpu turns into a panic)
//   is reported by its panic hook, and the worker is replaced on the CPU, from the snapshot;
// - R held down resets once; Load pretrained followed at once by Reset leaves the fresh model,
//   never labelled as the pretrained one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { serveStatic, launchBrowser, openPage, withBackend, waitForSteps, numberIn, backendBadge } from './harness.mjs';

let site;
before(async () => { site = await serveStatic(); });
after(async () => { await site?.close(); });

const noticeText = page => page.evaluate(() => document.querySelector('[data-testid="notice"]')?.textContent ?? '');
const trainingWorker = page => page.workers().find(w => w.url().includes('train-worker'));

/** Opens the site on the CPU, starts ae_mlp training and waits for `steps` steps. */
async function trainingOnCpu(browser, steps) {
  const opened = await openPage(browser.context, withBackend(site.url, 'cpu'));
  await opened.page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
  await opened.page.selectOption('[data-testid="model-select"]', 'ae_mlp');
  await opened.page.click('[data-testid="train-button"]');
  await waitForSteps(opened.page, steps, { timeout: 600_000 });
  return opened;
}

/**
 * Waits for the page's sentence on a replaced worker (matching `pattern`, which ends with the
 * step it goes on from), checks that step is one the page had reached (`before`), and returns
 * the sentence and that step.
 */
async function recovered(page, pattern, before, timeout = 300_000) {
  await page.waitForFunction(source => new RegExp(source)
    .test(document.querySelector('[data-testid="notice"]')?.textContent ?? ''), pattern.source, { timeout, polling: 250 });
  const notice = await noticeText(page);
  const from = Number(notice.match(/from step (\d+)/)[1]);
  assert.ok(from > 0 && from <= before, `${notice} (the fault came at step ${before})`);
  return { notice, from };
}

/** Exports the weights and returns the step count the file's header holds, and its name. */
async function exportedSteps(page) {
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 120_000 }),
    page.click('[data-testid="export-weights"]'),
  ]);
  const header = (await readFile(await download.path())).toString('latin1');
  return { steps: Number(header.match(/\\?"steps\\?":(\d+)/)?.[1]), name: download.suggestedFilename() };
}

test('CPU: a training worker killed mid-run is replaced, restored from its snapshot, and trains on', { timeout: 600_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const { page, errors } = await trainingOnCpu(browser, 30);
    const worker = trainingWorker(page);
    assert.ok(worker, 'the training worker is visible to the test');
    // Closed from inside, a moment later: the worker answers nothing more, as if killed.
    await worker.evaluate(() => { setTimeout(() => self.close(), 0); });
    const killedAt = await numberIn(page, 'step-count');
    // The page notices through its heartbeat (at most its 15 s silence limit, plus a tick).
    const { notice } = await recovered(page, /stopped responding; training goes on from step \d+/, killedAt + 1);
    console.log(`killed at step ${killedAt}: "${notice}"`);
    // The run goes on by itself, counting on from the snapshot.
    await waitForSteps(page, killedAt + 10, { timeout: 300_000 });
    await page.click('[data-testid="train-button"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="train-button"]').textContent === 'Resume',
      null, { timeout: 120_000 });
    // The weights row works with the new worker: an export is answered, and the file's own
    // header (written by the worker) holds the step count the page shows.
    const exported = await exportedSteps(page);
    assert.match(exported.name, /^genplay-ae_mlp-step\d+\.bpk$/);
    assert.equal(exported.steps, await numberIn(page, 'step-count'), 'the new worker counts the steps the page shows');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('CPU: an error thrown inside the training worker mid-run is reported, and a new worker trains on', { timeout: 600_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const { page, errors } = await trainingOnCpu(browser, 30);
    // The worker's clock starts to throw, as a browser API can: the exception goes up through
    // the module, out of its task, and the worker reports an uncaught error.
    await trainingWorker(page).evaluate(() => { performance.now = () => { throw new Error('injected fault'); }; });
    const brokeAt = await numberIn(page, 'step-count');
    const { notice } = await recovered(page, /injected fault.*; training goes on from step \d+/, brokeAt + 1, 180_000);
    assert.match(notice, /^The training worker failed/, notice);
    console.log(`broke at step ${brokeAt}: "${notice}"`);
    await waitForSteps(page, brokeAt + 10, { timeout: 300_000 });
    // The uncaught error is the worker's, reported on the page only as the notice.
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

/**
 * Opens the site on WebGPU with the GPU devices the training worker opens kept where the test
 * can reach them (`self.__devices` in the worker), starts ae_mlp training and waits for a few
 * steps, so the page has taken a snapshot (its first comes with the first steps).
 */
async function trainingOnWebGpu(browser) {
  const page = await browser.context.newPage();
  // Set before the worker's module loads, which takes seconds; the loader's own watch over
  // each device stays in place beneath.
  page.on('worker', worker => worker.evaluate(() => {
    self.__devices = [];
    const requestDevice = GPUAdapter.prototype.requestDevice;
    GPUAdapter.prototype.requestDevice = async function (...args) {
      const device = await requestDevice.apply(this, args);
      self.__devices.push(device);
      return device;
    };
  }).catch(() => {}));
  const errors = [];
  page.on('pageerror', error => errors.push(String(error)));
  await page.goto(withBackend(site.url, 'webgpu'));
  await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
  assert.match(await backendBadge(page, /WebGPU/, 600_000), /WebGPU/);
  await page.selectOption('[data-testid="model-select"]', 'ae_mlp');
  await page.click('[data-testid="train-button"]');
  await waitForSteps(page, 6, { timeout: 600_000 });
  return { page, errors };
}

/**
 * After a fault on WebGPU at step `brokeAt`: the page's one sentence (matching `cause`) says
 * training goes on on the CPU from a step it had reached, with Adam's state; the badge says
 * CPU, the steps count on, and the state the snapshot carried loaded.
 */
async function goesOnOnTheCpu(page, cause, brokeAt) {
  const { notice, from } = await recovered(page, /; training goes on on the CPU from step \d+/, brokeAt + 1);
  assert.match(notice, cause, notice);
  // The snapshot taken on WebGPU carried Adam's moments (read back asynchronously).
  assert.match(notice, /, with Adam's state\./, notice);
  assert.match(await backendBadge(page, /CPU/, 120_000), /CPU/);
  await waitForSteps(page, Math.max(brokeAt, from) + 5, { timeout: 300_000 });
  // The CPU session took that state: a state that did not fit would have said so here.
  assert.doesNotMatch(await noticeText(page), /optimiser state did not load/);
  return notice;
}

test('WebGPU: a GPU device lost mid-run moves training to the CPU, from its snapshot', { timeout: 900_000 }, async () => {
  const browser = await launchBrowser({ webgpu: true });
  try {
    const { page, errors } = await trainingOnWebGpu(browser);
    // Destroyed from inside the worker, as a GPU process crash or a driver reset loses it.
    const destroyed = await trainingWorker(page).evaluate(() => { self.__devices.forEach(d => d.destroy()); return self.__devices.length; });
    assert.ok(destroyed > 0, 'the worker opened a GPU device');
    const lostAt = await numberIn(page, 'step-count');
    const notice = await goesOnOnTheCpu(page, /^The GPU stopped responding/, lostAt);
    console.log(`GPU device lost at step ${lostAt}: "${notice}"`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('WebGPU: a panic inside the training worker (a GPU validation error, which wgpu panics on) moves training to the CPU, from its snapshot', { timeout: 900_000 }, async () => {
  const browser = await launchBrowser({ webgpu: true });
  try {
    const { page, errors } = await trainingOnWebGpu(browser);
    // A real validation error on the worker's own device (a buffer with no usage), as a driver
    // or a kernel bug would raise: the device reports it as uncaptured, and cubecl's handler
    // panics inside the module, so the worker's panic hook is what reports it.
    const devices = await trainingWorker(page).evaluate(() => {
      self.__devices.forEach(d => d.createBuffer({ size: 4, usage: 0 }));
      return self.__devices.length;
    });
    assert.ok(devices > 0, 'the worker opened a GPU device');
    const brokeAt = await numberIn(page, 'step-count');
    // The panic's own words, on one line, without the source location it was raised at.
    const notice = await goesOnOnTheCpu(page, /^The training worker broke \(wgpu error: [^\n]+\)/, brokeAt);
    assert.doesNotMatch(notice, /panicked at|\.rs:\d+/, notice);
    console.log(`panicked at step ${brokeAt}: "${notice}"`);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('CPU: Load pretrained and then Reset at once leave a fresh model, never labelled as the pretrained one', { timeout: 300_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const { page, errors } = await openPage(browser.context, withBackend(site.url, 'cpu'));
    await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
    await page.selectOption('[data-testid="model-select"]', 'vae_mlp');
    await page.click('[data-testid="step-button"]');
    await waitForSteps(page, 1);
    // Reset is pressed in the same task in which the load is sent to the worker (the status
    // turns to "Loading the pretrained…" just before), so the worker loads, then resets.
    await page.evaluate(() => {
      const status = () => document.querySelector('[data-testid="weights-status"]')?.textContent ?? '';
      new MutationObserver((_, observer) => {
        if (/^Loading the pretrained/.test(status())) {
          observer.disconnect();
          document.querySelector('[data-testid="reset-button"]').click();
        }
      }).observe(document.querySelector('[data-testid="train-panel"]'), { subtree: true, childList: true, characterData: true });
      document.querySelector('[data-testid="load-pretrained"]').click();
    });
    await page.waitForSelector('[data-testid="weights-status"][data-state="failed"]', { timeout: 120_000 });
    assert.match(await page.textContent('[data-testid="weights-status"]'), /a newer model replaced it before it loaded\. The model in use is unchanged\./);
    assert.doesNotMatch(page.url(), /weights=pretrained/, 'the link does not name the pretrained weights');
    assert.equal(await numberIn(page, 'step-count'), 0);
    // The model in use is the fresh one, and it trains: one step on, its export holds one step.
    await page.click('[data-testid="step-button"]');
    await waitForSteps(page, 1);
    assert.equal((await exportedSteps(page)).steps, 1, 'the worker holds the reset model, one step on');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
