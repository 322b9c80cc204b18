// The model card beside the Train panel's model menu: every model shows its objective as MathML
// and its architecture as a diagram read from the module; the diagram follows the settings; a
// formula's term lights its loss curve up and the chart's legend lights the term; axe-core
// finds nothing serious in an open card; each Compare column folds its model's objective; an
// encoder's latent scatter is drawn at the step training paused on.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { serveStatic, launchBrowser, openPage, withBackend, waitForSteps, axeViolations, serious } from './harness.mjs';

const MODELS = ['ae_mlp', 'ae_conv', 'vae_mlp', 'vae_2d', 'vae_conv', 'rvae', 'gan_mlp', 'dcgan', 'cvae', 'cgan'];

let site;
before(async () => { site = await serveStatic(); });
after(async () => { await site?.close(); });

/** What the open card shows: formulas, tied terms, layers, networks and the parameter count. */
const cardContents = page => page.evaluate(() => {
  const card = document.querySelector('[data-testid="model-card"]');
  const svg = card.querySelector('[data-testid="architecture"]');
  return {
    model: card.dataset.model,
    formulas: card.querySelectorAll('[data-testid="objective"] math').length,
    terms: [...new Set([...card.querySelectorAll('[data-curve]')].map(t => t.dataset.curve))],
    layers: svg.querySelectorAll('[data-layer]').length,
    networks: svg.querySelectorAll('.network-title').length,
    parameters: Number(svg.dataset.parameters),
    watchFor: card.querySelector('[data-testid="watch-for"]').textContent.length,
    // Each layer's row as the diagram writes it, by the layer's path.
    rows: Object.fromEntries([...svg.querySelectorAll('[data-layer]')].map(g => [g.dataset.layer, g.textContent])),
    // MathML renders as MathML (not as plain inline text): its elements have a box of their own.
    mathHeight: card.querySelector('math').getBoundingClientRect().height,
  };
});

test('CPU: every model has a card with a formula and a diagram; terms and curves light each other up', { timeout: 600_000 }, async () => {
  const browser = await launchBrowser({ webgpu: false });
  try {
    const { page, errors } = await openPage(browser.context, withBackend(site.url, 'cpu'));
    await page.waitForSelector('[data-testid="train-panel"]', { timeout: 120_000 });
    await page.click('[data-testid="model-card"] summary');
    const seen = {};
    for (const model of MODELS) {
      await page.selectOption('[data-testid="model-select"]', model);
      await page.waitForFunction(m => document.querySelector('[data-testid="model-card"]').dataset.model === m, model);
      const card = await cardContents(page);
      seen[model] = card;
      assert.ok(card.formulas >= 2 && card.mathHeight > 10, `${model}: ${JSON.stringify(card)}`);
      assert.ok(card.layers >= 3 && card.parameters > 10_000 && card.watchFor > 100, `${model}: ${JSON.stringify(card)}`);
      const adversarial = ['gan_mlp', 'dcgan', 'cgan'].includes(model);
      assert.equal(card.networks, adversarial ? 2 : 1, `${model}: generator and discriminator side by side`);
      const expected = adversarial ? ['d_loss', 'g_loss', 'D(x)', 'D(G(z))'] : model.startsWith('ae') ? ['recon'] : ['loss', 'recon', 'kl'];
      assert.deepEqual([...card.terms].sort(), [...expected].sort(), `${model}: every plotted term is in the formula`);
    }
    console.log(Object.entries(seen).map(([m, c]) => `${m}: ${c.formulas} formulas, ${c.layers} layers, ${c.parameters} parameters`).join('\n'));
    assert.ok(seen.dcgan.parameters !== seen.gan_mlp.parameters, 'the diagrams are the models\' own');
    // Convolutions show the feature maps they take in and put out: 28x28 halves to 14x14, then 7x7.
    assert.match(seen.vae_conv.rows['encoder.downsample_1'], /1×28×28 → 32×14×14/, JSON.stringify(seen.vae_conv.rows));
    assert.match(seen.vae_conv.rows['encoder.downsample_2'], /32×14×14 → 64×7×7/);
    assert.match(seen.dcgan.rows.upsample_2, /32×14×14 → 1×28×28/, JSON.stringify(seen.dcgan.rows));

    // The diagram follows the settings: a smaller latent, fewer parameters, before any reset.
    await page.selectOption('[data-testid="model-select"]', 'vae_mlp');
    await page.waitForFunction(() => document.querySelector('[data-testid="model-card"]').dataset.model === 'vae_mlp');
    const before16 = (await cardContents(page)).parameters;
    await page.fill('[data-testid="field-latent"]', '4');
    await page.press('[data-testid="field-latent"]', 'Enter');
    await page.locator('[data-testid="field-latent"]').blur();
    await page.waitForFunction(p => Number(document.querySelector('[data-testid="architecture"]').dataset.parameters) !== p, before16);
    const after4 = (await cardContents(page)).parameters;
    // mu, log_var and the decoder's first layer lose 12 of their 16 latent rows or columns: 3 x 12 x 256, and 24 biases.
    assert.equal(before16 - after4, 3 * 12 * 256 + 24, `${before16} -> ${after4}`);
    await page.click('[data-testid="reset-button"]');

    // Train a few steps, so the chart has curves; then hover a term and the legend.
    await page.click('[data-testid="train-button"]');
    await waitForSteps(page, 3, { timeout: 300_000, polling: 200 });
    await page.click('[data-testid="train-button"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="train-button"]').textContent === 'Resume', null, { timeout: 120_000 });
    // The latent scatter: where the encoder puts held-out digits, drawn at the step training paused on.
    await page.waitForFunction(() => {
      const scatter = document.querySelector('[data-testid="code-scatter"]');
      return scatter && Number(scatter.dataset.step) === Number(document.querySelector('[data-testid="step-count"]').textContent);
    }, null, { timeout: 120_000 });
    const scatter = await page.evaluate(() => {
      const canvas = document.querySelector('[data-testid="code-scatter"]');
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      let coloured = 0;
      for (let i = 0; i < data.length; i += 4) if (data[i] + data[i + 1] + data[i + 2] < 600) coloured++;
      return { coloured, extent: Number(canvas.dataset.extent) };
    });
    assert.ok(scatter.coloured > 300 && scatter.extent > 0, `the scatter shows its digits: ${JSON.stringify(scatter)}`);
    await page.hover('[data-testid="objective"] [data-curve="kl"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="loss-chart"]').dataset.highlight === 'kl');
    assert.ok(await page.locator('[data-testid="objective"] [data-curve="kl"].lit').count() > 0, 'the hovered term is lit');
    // The chart's legend lists loss, recon, kl top right (rows 16 canvas pixels apart from y = 18).
    const chart = page.locator('[data-testid="loss-chart"]');
    await chart.scrollIntoViewIfNeeded();
    const box = await chart.boundingBox();
    const scale = box.width / 640;
    await page.mouse.move(box.x + 560 * scale, box.y + (18 + 16 - 3) * scale);
    await page.waitForFunction(() => document.querySelector('[data-testid="loss-chart"]').dataset.highlight === 'recon');
    assert.ok(await page.locator('[data-testid="objective"] [data-curve="recon"].lit').count() > 0, 'the legend lights its term');
    assert.equal(await page.locator('[data-testid="objective"] [data-curve="kl"].lit').count(), 0);
    await page.mouse.move(box.x - 20, box.y - 20);
    await page.waitForFunction(() => document.querySelector('[data-testid="loss-chart"]').dataset.highlight === '');

    // A keyboard user reaches the terms with Tab from the card's summary and lights them the same way.
    await page.focus('[data-testid="model-card"] summary');
    let reached = '';
    for (let i = 0; i < 5 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.dataset?.curve ?? '');
    }
    assert.equal(reached, 'loss', 'Tab goes from the summary to the first term');
    await page.waitForFunction(() => document.querySelector('[data-testid="loss-chart"]').dataset.highlight === 'loss');

    // axe-core on the page with the card open.
    assert.deepEqual(serious(await axeViolations(page, '[data-testid="model-card"]')), []);

    // Each Compare column carries its model's objective, folded.
    await page.click('[data-testid="tab-compare"]');
    const fold = '[data-testid="column-vae_mlp"] [data-testid="objective-fold"]';
    await page.waitForSelector(fold, { timeout: 300_000 });
    await page.click(`${fold} summary`);
    assert.ok(await page.locator(`${fold} math`).count() >= 2, 'the folded objective opens on its formulas');
    assert.ok(await page.locator(`${fold} [data-curve="kl"]`).count() > 0);
    await page.waitForSelector('[data-testid="column-dcgan"] [data-testid="objective-fold"]', { timeout: 300_000 });
    assert.ok(await page.locator('[data-testid="column-dcgan"] [data-testid="objective-fold"] [data-curve="g_loss"]').count() > 0,
      'a GAN column names its generator loss');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});
