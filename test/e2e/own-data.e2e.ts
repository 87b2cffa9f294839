// Own data in the browser (the part that exists): a generated colour-folder dataset imported and a
// small CNN trained on it with the CLI against the served lab, then its class names in Evaluate
// (confusion matrix, per-class table). Screenshots light and dark. Import from the UI, the Data
// screen and Draw in the browser are not covered here yet (Draw's non-digit path is a renderer test).
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

beforeAll(async () => {
  lab = await startLab();
  const folder = join(lab.home, 'inputs', 'colours');
  for (const [name, colour] of Object.entries(COLOURS)) {
    for (let i = 0; i < 12; i++) {
      const pixels = new Uint8Array(16 * 16 * 3).fill(10);
      for (let y = (i * 3) % 8; y < ((i * 3) % 8) + 8; y++) for (let x = i % 8; x < (i % 8) + 8; x++) pixels.set(colour, (y * 16 + x) * 3);
      await writeImage(join(folder, name, `${i}.png`), pixels, 16, 16, 3);
    }
  }
  const imported = await lab.cli(['datasets', 'import', 'colours', '--folder', folder, '--size', '12x12', '--channels', '3', '--test-fraction', '0.25']);
  expect(imported.code, imported.stderr).toBe(0);
  const arch = join(lab.home, 'inputs', 'cnn.json');
  writeFileSync(arch, JSON.stringify({ inputShape: [12, 12, 3], layers: [{ type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 3, activation: 'softmax' }] }));
  const trained = await lab.cli(['train', '--arch', arch, '--dataset', 'colours', '--epochs', '8', '--batch-size', '9', '--optimizer', 'adam', '--lr', '0.02', '--backend', 'cpu', '--json']);
  expect(trained.code, trained.stderr).toBe(0);
  runId = (JSON.parse(trained.stdout.trim().split('\n').at(-1)!) as { runId: number }).runId;
}, 120_000);
afterAll(async () => {
  await lab?.close();
});

async function evaluate(page: Page): Promise<void> {
  await page.goto(`${lab.url}#/evaluate/${runId}`);
  await page.getByTestId('class-metrics').waitFor(WAIT);
}

describe('own data in the browser', () => {
  it('names the classes in Evaluate, light and dark', async () => {
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
  });
});
