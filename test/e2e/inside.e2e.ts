// Inside the network in the browser: a digit drawn for two models (the seed MLP and a small CNN)
// with each layer's activations and the saliency; the seed MLP's weights grid after 10 epochs
// (on a 4,000-image subsample, so the test trains in CI time: its raw weights are still mostly
// their random init, the change since initialisation shows the strokes); the epoch scrubber; histograms over
// epochs; the projector, and a misclassified point opened in Draw. Screenshots light and dark.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawStroke, screenshot, startLab, type Lab } from './harness.ts';

let lab: Lab;
const WAIT = { timeout: 60_000 };

beforeAll(async () => {
  lab = await startLab();
  // One after the other: the lab trains one run per 2 cores at once (a second would be refused here).
  for (const args of [
    ['train', '--preset', 'keras-mlp', '--epochs', '10', '--train-examples', '4000', '--test-examples', '500', '--lr', '0.1', '--backend', 'wasm', '--json', '--name', 'seed mlp'],
    ['train', '--preset', 'small-cnn', '--epochs', '1', '--train-examples', '1000', '--test-examples', '300', '--lr', '0.05', '--backend', 'wasm', '--json', '--name', 'small cnn'],
  ]) {
    const r = await lab.cli(args);
    if (r.code !== 0) throw new Error(`train failed: ${r.stderr}`);
  }
}, 400_000);
afterAll(async () => {
  await lab?.close();
});

const settledDraw = (page: Page) => expect.poll(() => page.getByRole('region', { name: 'Models' }).getAttribute('data-busy'), WAIT).toBe('false');
const settledInside = (page: Page) => expect.poll(() => page.locator('[aria-busy]').first().getAttribute('data-busy'), WAIT).toBe('false');
/** The run id of a name, from the Inside run picker (its options arrive from a search of the lab: wait for them). */
async function runIdOf(page: Page, name: string): Promise<string> {
  const idOf = async () => {
    const options = await page.getByTestId('inside-run').locator('option').evaluateAll((els) => els.map((e) => [(e as HTMLOptionElement).value, e.textContent ?? '']));
    return options.find(([, text]) => text?.includes(name))?.[0] ?? null;
  };
  await expect.poll(idOf, WAIT).not.toBeNull();
  return (await idOf()) as string;
}

describe('inside the network', () => {
  it('shows each layer’s activations and the saliency for two models as you draw', async () => {
    const page = await lab.newPage();
    await page.goto(`${lab.url}#/draw`);
    await page.getByTestId('model-2').waitFor(WAIT);
    await page.getByTestId('draw-inside').check();
    await drawStroke(page, [
      [0.25, 0.2],
      [0.75, 0.2],
      [0.45, 0.85],
    ]);
    await settledDraw(page);
    for (const model of [1, 2]) {
      await page.getByTestId(`model-${model}-saliency`).waitFor(WAIT);
      expect(Number(await page.getByTestId(`model-${model}-saliency`).getAttribute('data-target'))).toBeGreaterThanOrEqual(0);
    }
    // The two runs trained at once, so either may be model 1: the CNN shows 7 layers (feature maps), the seed MLP 2 dense strips.
    const layers = (model: number) => page.getByTestId(`model-${model}-activations`).locator('li').evaluateAll((els) => els.map((e) => e.getAttribute('data-layer')));
    const shown = [await layers(1), await layers(2)];
    const cnnCard = shown.findIndex((l) => l.length === 7) + 1;
    const mlpCard = 3 - cnnCard;
    expect(shown[cnnCard - 1]).toEqual(['conv2d_1', 'max_pooling2d_1', 'conv2d_2', 'max_pooling2d_2', 'flatten_1', 'dense_1', 'dense_2']);
    expect(shown[mlpCard - 1]).toEqual(['dense_1', 'dense_2']);
    expect(await page.getByTestId(`model-${cnnCard}-activations`).getByRole('img', { name: /conv2d_1 map 1$/ }).count()).toBe(1);
    expect(await page.getByTestId(`model-${mlpCard}-activations`).getByRole('img', { name: 'dense_1: 512 unit activations' }).count()).toBe(1);
    await screenshot(page, 'inside-draw-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'inside-draw-dark');
    // A second digit updates them (live as you draw).
    const before = await page.getByTestId(`model-${mlpCard}-activations`).locator('.stats').first().innerText();
    await page.getByTestId('draw-clear').click();
    await drawStroke(page, [
      [0.5, 0.15],
      [0.5, 0.85],
    ]);
    await settledDraw(page);
    await expect.poll(() => page.getByTestId(`model-${mlpCard}-activations`).locator('.stats').first().innerText(), WAIT).not.toBe(before);
    await page.close();
  });

  it('shows the seed MLP’s units as images, scrubs epochs and shows the histograms over epochs', async () => {
    const page = await lab.newPage();
    await page.goto(`${lab.url}#/inside`);
    await page.getByTestId('inside-run').waitFor(WAIT);
    const mlp = await runIdOf(page, 'seed mlp');
    await page.getByTestId('inside-run').selectOption(mlp);
    await expect.poll(() => page.getByTestId('inside-weight-grid').getAttribute('data-tiles'), WAIT).toBe('128');
    await settledInside(page);
    expect(await page.getByTestId('inside-epoch-label').innerText()).toBe('final (10)');
    expect(await page.getByTestId('inside-layer').inputValue()).toBe('0');
    // The change since initialisation first, labelled as such, most changed units first.
    expect(await page.getByTestId('inside-weight-view').inputValue()).toBe('change');
    expect(await page.getByTestId('inside-weight-grid').getAttribute('data-shows')).toBe('change');
    expect(await page.getByTestId('inside-weights-legend').innerText()).toMatch(/Change since initialisation.*Most changed/s);
    await page.getByTestId('inside-hist-kernel').waitFor();
    await screenshot(page, 'inside-weights-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'inside-weights-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    // The weights as they are, on request (their random initialisation included).
    await page.getByTestId('inside-weight-view').selectOption('weights');
    await expect.poll(() => page.getByTestId('inside-weight-grid').getAttribute('data-shows'), WAIT).toBe('weights');
    expect(await page.getByTestId('inside-weights-legend').innerText()).toMatch(/random initialisation included/);
    await screenshot(page, 'inside-weights-raw');
    await page.getByTestId('inside-weight-view').selectOption('change');
    await expect.poll(() => page.getByTestId('inside-weight-grid').getAttribute('data-shows'), WAIT).toBe('change');

    // Scrub back to epoch 1: the address, the label and the weights follow.
    await page.getByTestId('inside-epoch').fill('0');
    await expect.poll(() => page.getByTestId('inside-epoch-label').innerText()).toBe('1');
    await expect.poll(() => page.url()).toContain(`#/inside/${mlp}@1`);
    await expect.poll(() => page.getByText('Weights of epoch 1.').count(), WAIT).toBe(1);
    await screenshot(page, 'inside-weights-epoch1');

    await page.getByTestId('inside-tab-histograms').click();
    await expect.poll(() => page.getByTestId('inside-ridge-0/kernel').getAttribute('data-epochs'), WAIT).toBe('10');
    expect(await page.getByTestId('inside-ridges').locator('figure').count()).toBe(4);
    // The scrubber steps over the epochs whose checkpoint was kept (epoch 1, every n-th, the last, within the
    // run's budget): one step before "final" is always the last epoch.
    const lastKept = Number(await page.getByTestId('inside-epoch').getAttribute('max')) - 1;
    await page.getByTestId('inside-epoch').fill(String(lastKept));
    await expect.poll(() => page.getByTestId('inside-epoch-label').innerText()).toBe('10');
    await expect.poll(() => page.url()).toContain(`#/inside/${mlp}@10`);
    await screenshot(page, 'inside-histograms-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'inside-histograms-dark');
    await page.close();
  });

  it('projects the test set for two runs; a misclassified point opens in Draw; Evaluate explains a mistake', async () => {
    const page = await lab.newPage();
    await page.goto(`${lab.url}#/inside`);
    await page.getByTestId('inside-run').waitFor(WAIT);
    const mlp = await runIdOf(page, 'seed mlp');
    const cnn = await runIdOf(page, 'small cnn');
    await page.getByTestId('inside-run').selectOption(mlp);
    await page.getByTestId('inside-tab-projector').click();
    await expect.poll(() => page.getByTestId('inside-projector-1').getAttribute('data-points'), WAIT).toBe('500');
    await page.getByTestId('inside-compare').selectOption(cnn);
    await expect.poll(() => page.getByTestId('inside-projector-2').getAttribute('data-points'), WAIT).toBe('500');
    // Both runs project the same 500 test images.
    const indices = (n: number) => page.getByTestId(`inside-projector-${n}`).locator('circle').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-index'))).sort((a, b) => a - b));
    expect(await indices(1)).toEqual(await indices(2));
    await page.getByTestId('inside-method').selectOption('umap');
    await settledInside(page);
    await expect.poll(() => page.getByTestId('inside-projector-1').getByText(/^UMAP/).count(), WAIT).toBe(1);
    const wrong = page.getByTestId('inside-projector-1').locator('circle[data-misclassified="true"]').first();
    // The mouse itself, at the ring's centre (mistakes are drawn last, on top of the dots).
    await wrong.scrollIntoViewIfNeeded();
    const box = (await wrong.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.getByTestId('inside-projector-1-tip').getByRole('img').waitFor(WAIT);
    await screenshot(page, 'inside-projector-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'inside-projector-dark');
    const index = await wrong.getAttribute('data-index');
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.getByRole('heading', { level: 1, name: 'Draw' }).waitFor();
    expect(page.url()).toContain(`#/draw/${mlp}~${index}`);
    await page.getByTestId('model-1').waitFor(WAIT);
    expect(await page.getByTestId('model-1').getByRole('combobox', { name: 'Run' }).inputValue()).toBe(mlp);
    await expect.poll(() => page.getByTestId('model-1-answer').innerText(), WAIT).toMatch(/Says/);
    expect(Number(await page.getByTestId('mnist-preview').getAttribute('data-ink'))).toBeGreaterThan(10);
    await screenshot(page, 'inside-projector-to-draw');

    // Evaluate: a misclassified image's saliency, for its answer and for the truth.
    await page.goto(`${lab.url}#/evaluate/${mlp}`);
    await page.getByTestId('gallery').locator('button.pick').first().click(WAIT);
    await page.getByTestId('mistake-saliency-predicted').waitFor(WAIT);
    await page.getByTestId('mistake-saliency-true').waitFor(WAIT);
    const targets = [await page.getByTestId('mistake-saliency-predicted').getAttribute('data-target'), await page.getByTestId('mistake-saliency-true').getAttribute('data-target')];
    expect(targets[0]).not.toBe(targets[1]);
    await page.getByTestId('mistake-saliency').scrollIntoViewIfNeeded();
    await screenshot(page, 'inside-evaluate-mistake-dark');
    await page.close();
  });
});
