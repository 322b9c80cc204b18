// Shared pieces of the end-to-end tests and benchmarks: a static server for the built site
// and headless Chromium (Debian's /usr/bin/chromium, never a downloaded browser) with or
// without WebGPU.
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The built site (trunk build --release), or $GENPLAY_DIST. */
export const distDir = process.env.GENPLAY_DIST || path.resolve(here, '../../dist');

const MIME = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.json': 'application/json', '.gz': 'application/gzip', '.png': 'image/png',
  '.txt': 'text/plain', '': 'application/octet-stream',
};

/**
 * Serves `root` on 127.0.0.1 on a free port, under `prefix` (a sub-path such as a project page's
 * `/genplay/`; anything outside it is a 404); resolves to { url, close, requests }, `requests`
 * being every path asked for.
 */
export async function serveStatic(root = distDir, { prefix = '/' } = {}) {
  await stat(path.join(root, 'index.html')).catch(() => {
    throw new Error(`${root}/index.html is missing: build the site first (trunk build --release)`);
  });
  const requests = [];
  const server = createServer(async (req, res) => {
    const fullPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    requests.push(fullPath);
    if (!fullPath.startsWith(prefix)) { res.writeHead(404).end('not found'); return; }
    const urlPath = `/${fullPath.slice(prefix.length)}`;
    const file = path.join(root, path.normalize(urlPath === '/' ? '/index.html' : urlPath));
    if (!file.startsWith(root)) { res.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': MIME[path.extname(file)] ?? MIME[''], 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  // Closing also ends the kept-alive connections, so a closed site is gone for the browser too.
  const close = () => new Promise(resolve => { server.close(resolve); server.closeAllConnections(); });
  return { url: `http://127.0.0.1:${server.address().port}${prefix}`, close, requests };
}

/** Flags that give headless Chromium WebGPU through SwiftShader (a CPU Vulkan). */
export const WEBGPU_FLAGS = [
  '--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader',
  '--use-webgpu-adapter=swiftshader', '--enable-unsafe-swiftshader',
];
const BASE_FLAGS = [
  '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--disable-quic',
];

/**
 * Starts headless Chromium with a fresh profile; `webgpu` chooses whether WebGPU is on.
 * `serviceWorkers: 'block'` keeps the site's offline copy (www/sw.js) out, for a test that
 * routes the server's answers (a service worker would answer from its cache instead).
 * The guided tour opens by itself on a first plain visit; tests of everything else visit as
 * someone who has closed it (`tour: true` visits as a newcomer, for the tour's own test).
 * Resolves to { context, close }.
 */
export async function launchBrowser({ webgpu, serviceWorkers = 'allow', tour = false }) {
  const profile = mkdtempSync(path.join(tmpdir(), 'genplay-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // CHROMIUM_EXTRA_FLAGS: more flags, space-separated, for a benchmark's experiments.
    args: [...BASE_FLAGS, ...(webgpu ? WEBGPU_FLAGS : []), ...(process.env.CHROMIUM_EXTRA_FLAGS?.split(' ').filter(Boolean) ?? [])],
    viewport: { width: 1200, height: 900 },
    serviceWorkers,
  });
  if (!tour) {
    await context.addInitScript(() => {
      try {
        if (localStorage.getItem('genplay.tour') === null) localStorage.setItem('genplay.tour', 'closed');
      } catch { /* storage refused: the tour then opens, as it would for such a visitor */ }
    });
  }
  return {
    context,
    close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); },
  };
}

/**
 * `url` with `backend=` set: the WebGPU tests ask for WebGPU, since left to choose, the app
 * measures both backends and, on SwiftShader, picks the much faster CPU.
 */
export function withBackend(url, backend) {
  const address = new URL(url);
  address.searchParams.set('backend', backend);
  return address.href;
}

/**
 * The training backend's badge in the page header, once the training worker has named a backend
 * matching `pattern` (it says "starting…" until then).
 */
export async function backendBadge(page, pattern, timeout = 120_000) {
  await page.waitForFunction(source => new RegExp(source).test(document.querySelector('[data-testid="backend-badge"]').textContent),
    pattern.source, { timeout, polling: 100 });
  return page.locator('[data-testid="backend-badge"]').textContent();
}

/**
 * Opens `url` in a new page and collects its console errors, uncaught exceptions and violations
 * of its Content-Security-Policy (so every test that expects no errors also expects none).
 */
export async function openPage(context, url) {
  const page = await context.newPage();
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', event => {
    console.error(`Content-Security-Policy violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline code'}`);
  }));
  const errors = [];
  page.on('console', message => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', error => errors.push(String(error)));
  await page.goto(url);
  return { page, errors };
}

/** Mean and standard deviation of the grey levels of a canvas, read in the page. */
export async function canvasStats(page, testId) {
  return page.locator(`[data-testid="${testId}"]`).evaluate(canvas => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let sum = 0, squares = 0;
    const n = data.length / 4;
    for (let i = 0; i < data.length; i += 4) { sum += data[i]; squares += data[i] * data[i]; }
    const mean = sum / n;
    return { mean, std: Math.sqrt(Math.max(0, squares / n - mean * mean)), width: canvas.width };
  });
}

/** Waits until the Train panel's step count reaches at least `n`. */
export async function waitForSteps(page, n, { timeout = 120_000, polling = 100 } = {}) {
  await page.waitForFunction(
    n => Number(document.querySelector('[data-testid="step-count"]').textContent) >= n, n, { timeout, polling });
}

/** The number shown in an element, or NaN. */
export async function numberIn(page, testId) {
  return Number(await page.locator(`[data-testid="${testId}"]`).textContent());
}

const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * axe-core's violations of the WCAG 2.1 A and AA rules in the page as it is now, within the
 * element `selector` names (the whole document when none does), each with its impact.
 */
export async function axeViolations(page, selector = null) {
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy allows.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  return page.evaluate(async selector => {
    const scope = selector ? document.querySelector(selector) : document;
    const result = await window.axe.run(scope, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5) }));
  }, selector);
}

/** The serious and critical ones among `violations`. */
export const serious = violations => violations.filter(v => v.impact === 'serious' || v.impact === 'critical');
