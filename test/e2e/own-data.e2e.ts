// Own data in the browser, all from the UI: a generated colour-folder dataset imported from the Data
// screen's form (its class counts and samples then shown there); Train's dataset set to it, which fits
// Design's Small CNN preset to its 12×12×3 images and three classes; the CNN trained on it from Train
// and its run id read from the URL; then its class names in Evaluate (confusion matrix, per-class
// table), on Draw's bars for one of the dataset's images opened there, and on the Data screen's
// one-class-by-confidence view. Screenshots light (and dark for Data, Evaluate and Draw).
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeImage } from '../lab/data/importers/image-fixtures.ts';
import { screenshot, startLab, type Lab } from './harness.ts';

const WAIT = { timeout: 30_000 };
const COLOURS: Record<string, [number, number, number]> = { red: [230, 20, 20], green: [20, 200, 40], blue: [30, 40, 220] };
let lab: Lab;
let runId = 0;
let folder = '';

beforeAll(async () => {
  lab = await startLab();
  folder = join(lab.home, 'inputs', 'colours');
  for (const [name, colour] of Object.entries(COLOURS)) {
    for (let i = 0; i < 12; i++) {
      const pixels = new Uint8Array(16 * 16 * 3).fill(10);
      for (let y = (i * 3) % 8; y < ((i * 3) % 8) + 8; y++) for (let x = i % 8; x < (i % 8) + 8; x++) pixels.set(colour, (y * 16 + x) * 3);
      await writeImage(join(folder, name, `${i}.png`), pixels, 16, 16, 3);
    }
  }
}, 120_000);
afterAll(async () => {
  await lab?.close();
});

async function gotoScreen(page: Page, title: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: title }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor(WAIT);
}

let training: Promise<void> | undefined;
/** Trains Design's Small CNN on the imported dataset from the Train screen (once, shared by the tests after the import). */
function train(): Promise<void> {
  training ??= trainFromTheUi();
  return training;
}

/** The run id comes from the Train screen's URL (#/train/ID). */
async function trainFromTheUi(): Promise<void> {
  const page = await lab.newPage();
  await gotoScreen(page, 'Train');
  // The editor's input and output follow the dataset chosen here.
  await page.getByLabel('Dataset', { exact: true }).selectOption('colours');
  await gotoScreen(page, 'Design');
  await page.getByTestId('preset-small-cnn').click();
  const summary = page.getByTestId('summary-table');
  // 12×12×3 in: conv 3×3 → 10, pool → 5, conv 3×3 → 3, pool → 1; the last layer has one unit per colour.
  await expect.poll(() => summary.innerText(), WAIT).toContain('(None, 10, 10, 16)\t448');
  expect(await summary.innerText()).toContain('(None, 1, 1, 32)');
  expect(await summary.innerText()).toMatch(/\(None, 3\)\s+195\b/);
  await expect.poll(() => page.getByTestId('go-train').isEnabled(), WAIT).toBe(true);
  await gotoScreen(page, 'Train');
  await page.getByTestId('epochs').fill('4');
  await page.getByTestId('batch-size').fill('9');
  await page.getByTestId('train-examples').fill('27');
  await page.getByTestId('test-examples').fill('9');
  await page.getByTestId('optimizer-learningRate').fill('0.01');
  await expect.poll(() => page.getByTestId('start-run').isEnabled(), WAIT).toBe(true);
  await page.getByTestId('start-run').click();
  await expect.poll(async () => (await page.getByTestId('run-phase').innerText()).trim(), { timeout: 60_000 }).toBe('Completed');
  expect(await page.getByTestId('batch-count').innerText()).toMatch(/Epoch 4\/4 · batch 3\/3/);
  runId = Number(/#\/train\/(\d+)/.exec(page.url())?.[1]);
  expect(runId).toBeGreaterThan(0);
  await screenshot(page, 'own-data-train-light');
  await page.close();
}

async function evaluate(page: Page): Promise<void> {
  await page.goto(`${lab.url}#/evaluate/${runId}`);
  await page.getByTestId('class-metrics').waitFor(WAIT);
}

describe('own data in the browser', () => {
  it("imports the folder from the Data screen, then shows its class counts and samples, light and dark", async () => {
    const context = await lab.browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    const page = await context.newPage();
    await page.goto(`${lab.url}#/data`);
    await page.getByTestId('dataset-mnist').waitFor(WAIT);
    await page.getByTestId('import-name').fill('colours');
    await page.getByTestId('import-folder').fill(folder);
    await page.getByTestId('import-size').fill('12x12');
    await page.getByTestId('import-channels').selectOption('3');
    await page.getByTestId('import-test-fraction').fill('0.25');
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-done').waitFor(WAIT);
    await expect.poll(() => page.getByTestId('dataset-overview').getAttribute('data-dataset'), WAIT).toBe('colours');
    const rows = await page.getByTestId('class-counts').locator('tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent?.trim()).join(' ')));
    expect(rows).toEqual(['Class blue green red', 'train 9 9 9', 'test 3 3 3']);
    const samples = page.getByTestId('class-row');
    expect(await samples.evaluateAll((els) => els.map((e) => [(e as HTMLElement).dataset['class'], e.querySelectorAll('canvas').length]))).toEqual([['blue', 3], ['green', 3], ['red', 3]]);
    await page.getByTestId('class-balance').locator('canvas').waitFor(WAIT);
    await screenshot(page, 'own-data-data-light');
    await context.close();

    const dark = await lab.browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    const darkPage = await dark.newPage();
    await darkPage.goto(`${lab.url}#/data`);
    await darkPage.getByTestId('dataset-colours').click();
    await expect.poll(() => darkPage.getByTestId('dataset-overview').getAttribute('data-dataset'), WAIT).toBe('colours');
    await screenshot(darkPage, 'own-data-data-dark');
    await dark.close();
  }, 60_000);

  it('names the classes in Evaluate, light and dark', async () => {
    await train();
    for (const scheme of ['light', 'dark'] as const) {
      const context = await lab.browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
      const page = await context.newPage();
      await evaluate(page);
      // The names arrive with the lab's system info.
      await expect.poll(async () => (await page.getByTestId('class-metrics').locator('tbody th').allInnerTexts()).map((r) => r.trim()), WAIT).toEqual(['blue', 'green', 'red']);
      expect(await page.getByTestId('cm').locator('thead th').allInnerTexts()).toEqual(expect.arrayContaining(['blue', 'green', 'red']));
      await screenshot(page, `own-data-evaluate-${scheme}`);

      await context.close();
    }
  }, 90_000);

  it("names the classes on Draw's bars for one of the dataset's images", async () => {
    await train();
    const context = await lab.browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    const page = await context.newPage();
    try {
      await page.goto(`${lab.url}#/draw/${runId}`);
      const card = page.getByTestId('model-1');
      await card.waitFor({ timeout: 20_000 });
      await expect.poll(() => card.getAttribute('data-run', { timeout: 1000 }), { timeout: 20_000 }).toBe(String(runId));
      await page.getByTestId('draw-file').setInputFiles(join(folder, 'red', '0.png'));
      const bars = card.getByTestId('probability-bars');
      await expect.poll(async () => (await bars.locator('li').evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset['value']))).every((v) => v !== ''), WAIT).toBe(true);
      expect((await bars.locator('.digit').allInnerTexts()).map((t) => t.trim())).toEqual(['blue', 'green', 'red']);
      const values = await bars.locator('li').evaluateAll((lis) => lis.map((li) => Number((li as HTMLElement).dataset['value'])));
      expect(values.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
      // The answer names the most probable class, not its index.
      const top = ['blue', 'green', 'red'][values.indexOf(Math.max(...values))];
      expect(await card.getByTestId('model-1-answer').innerText()).toMatch(new RegExp(`Says\\s*${top}`));
      // "What model 1 sees" is the image at the model's own 12×12×3, in colour: the red square's corner is red.
      const sight = page.locator('[data-testid="fitted-preview"][data-shape="12×12×3"]');
      await expect.poll(() => sight.getAttribute('data-empty'), WAIT).toBe('false');
      const corner = await sight.locator('canvas').evaluate((canvas: HTMLCanvasElement) => [canvas.width, canvas.height, ...canvas.getContext('2d')!.getImageData(2, 2, 1, 1).data.slice(0, 3)]);
      expect(corner.slice(0, 2)).toEqual([12, 12]);
      expect(corner[2]).toBeGreaterThan(150);
      expect(corner[3]).toBeLessThan(80);
    } catch (error) {
      // What Draw showed instead, for whoever reads the failure.
      await screenshot(page, 'own-data-draw-failed');
      console.error(await page.locator('main').innerText({ timeout: 1000 }).catch(() => '(no main)'));
      throw error;
    }
    await screenshot(page, 'own-data-draw-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await screenshot(page, 'own-data-draw-dark');
    await context.close();
  }, 60_000);

  it("shows one class of the trained run by its confidence on the Data screen", async () => {
    await train();
    const context = await lab.browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    const page = await context.newPage();
    await page.goto(`${lab.url}#/data`);
    await page.getByTestId('dataset-colours').click();
    await expect.poll(() => page.getByTestId('dataset-overview').getAttribute('data-dataset'), WAIT).toBe('colours');
    await page.getByTestId('confidence-class').selectOption({ label: 'green' });
    await page.getByTestId('confidence-run').selectOption(String(runId));
    const images = page.getByTestId('confidence-image');
    await expect.poll(() => images.count(), WAIT).toBe(3);
    const percents = (await images.allInnerTexts()).map((t) => Number(/(\d+)%/.exec(t)?.[1]));
    expect(percents).toEqual([...percents].sort((a, b) => b - a));
    await page.getByTestId('class-by-confidence').scrollIntoViewIfNeeded();
    await screenshot(page, 'own-data-confidence-light');
    await context.close();
  }, 60_000);
});
