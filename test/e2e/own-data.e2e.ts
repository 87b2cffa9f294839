// Own data in the browser: a generated colour-folder dataset imported from the Data screen's form (its
// class counts and samples then shown there), a small CNN trained on it with the CLI against the served
// lab, then its class names in Evaluate (confusion matrix, per-class table). Screenshots light and dark.
// Draw in the browser is not covered here (Draw's non-digit path is a renderer test).
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
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

/** Trains the CNN with the CLI on the dataset the UI imported (once). */
async function train(): Promise<void> {
  if (runId) return;
  const arch = join(lab.home, 'inputs', 'cnn.json');
  writeFileSync(arch, JSON.stringify({ inputShape: [12, 12, 3], layers: [{ type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 3, activation: 'softmax' }] }));
  const trained = await lab.cli(['train', '--arch', arch, '--dataset', 'colours', '--epochs', '8', '--batch-size', '9', '--optimizer', 'adam', '--lr', '0.02', '--backend', 'cpu', '--json']);
  expect(trained.code, trained.stderr).toBe(0);
  runId = (JSON.parse(trained.stdout.trim().split('\n').at(-1)!) as { runId: number }).runId;
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
