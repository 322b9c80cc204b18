// Where a training step's time goes in the browser: trains one model in the built app on the CPU
// (or, with PROFILE_BACKEND=webgpu, on WebGPU) in headless Chromium, samples the training worker
// with the DevTools CPU profiler, and prints the functions that held the most samples (self
// time), with the steps/s seen while sampling.
//
// Function names come from the module's name section, which the release profile strips. Build a
// copy of the site with names, in a target folder of its own (changing the profile rebuilds every
// crate: about 13 minutes here the first time), without the WebGPU module it does not need:
//
//   CARGO_TARGET_DIR=$HOME/.cache/genplay-profile CARGO_PROFILE_RELEASE_STRIP=false \
//     GENPLAY_WEBGPU_MODULE=0 trunk build --release --dist /tmp/genplay-named
//   GENPLAY_DIST=/tmp/genplay-named node tests/bench/profile-training.mjs [model] [seconds] [rows]
//
// model: ae_mlp (default), vae_mlp, gan_mlp, dcgan or any other model id; seconds: how long to
// sample (8); rows: how many functions to print (30). Writes the raw profile to
// $TMPDIR/genplay-<model>.cpuprofile, which Chromium's DevTools can open.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serveStatic, launchBrowser, openPage, withBackend, numberIn, waitForSteps } from '../e2e/harness.mjs';

const model = process.argv[2] || 'ae_mlp';
const seconds = Number(process.argv[3] || 8);
const rows = Number(process.argv[4] || 30);
// PROFILE_BACKEND=webgpu trains on WebGPU (SwiftShader here) instead.
const backend = process.env.PROFILE_BACKEND || 'cpu';
const WARM_UP_STEPS = backend === 'webgpu' ? 4 : 100;

const stepCount = page => numberIn(page, 'step-count');

/**
 * A DevTools session with the page's training worker, through the page's own session (the worker
 * is a child target): `send(method, params)` resolves to the worker's reply.
 */
async function workerSession(context, page) {
  const cdp = await context.newCDPSession(page);
  let sessionId = null;
  let nextId = 1;
  const waiting = new Map();
  cdp.on('Target.attachedToTarget', event => { if (event.targetInfo.type === 'worker') sessionId = event.sessionId; });
  cdp.on('Target.receivedMessageFromTarget', event => {
    const reply = JSON.parse(event.message);
    waiting.get(reply.id)?.(reply);
    waiting.delete(reply.id);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  for (let tries = 0; tries < 100 && !sessionId; tries += 1) await page.waitForTimeout(100);
  if (!sessionId) throw new Error('the training worker never attached');
  return (method, params = {}) => new Promise((resolve, reject) => {
    const id = nextId++;
    waiting.set(id, reply => (reply.error ? reject(new Error(`${method}: ${reply.error.message}`)) : resolve(reply.result)));
    cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) }).catch(reject);
  });
}

/** Self time per function name, as [name, share of samples] pairs, largest first. */
function selfTimes(profile) {
  const nodes = new Map(profile.nodes.map(node => [node.id, node]));
  const byName = new Map();
  for (const id of profile.samples) {
    const frame = nodes.get(id).callFrame;
    const name = frame.functionName || `(${frame.url || 'native'}:${frame.lineNumber})`;
    byName.set(name, (byName.get(name) || 0) + 1);
  }
  const total = profile.samples.length;
  return [...byName].map(([name, count]) => [name, count / total]).sort((a, b) => b[1] - a[1]);
}

const server = await serveStatic();
const { context, close } = await launchBrowser({ webgpu: backend === 'webgpu' });
try {
  const { page } = await openPage(context, withBackend(server.url, backend));
  await page.waitForSelector('[data-testid="model-select"]');
  await page.selectOption('[data-testid="model-select"]', model);
  await page.click('[data-testid="reset-button"]');
  await page.click('[data-testid="train-button"]');
  await waitForSteps(page, WARM_UP_STEPS, { timeout: 300_000 });
  const send = await workerSession(context, page);
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: 200 });
  const [s0, t0] = [await stepCount(page), Date.now()];
  await send('Profiler.start');
  await page.waitForTimeout(seconds * 1000);
  const { profile } = await send('Profiler.stop');
  const [s1, t1] = [await stepCount(page), Date.now()];
  const file = path.join(tmpdir(), `genplay-${model}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  console.log(`${model} on ${backend}: ${((s1 - s0) * 1000 / (t1 - t0)).toFixed(1)} steps/s while sampling; ${profile.samples.length} samples; profile in ${file}`);
  console.log('self time  function');
  for (const [name, share] of selfTimes(profile).slice(0, rows)) {
    console.log(`${(100 * share).toFixed(1).padStart(8)}%  ${name.replace(/::h[0-9a-f]{16}$/, '')}`);
  }
} finally {
  await close();
  await server.close();
}
