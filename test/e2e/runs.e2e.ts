// Runs in the browser: two runs made with the CLI, listed, compared (only differing settings),
// exported as one CSV, and one run's details with the epoch scrubber.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, startLab, type Lab } from './harness.ts';

let lab: Lab;
const train = (name: string, lr: string) =>
  lab.cli(['train', '--preset', 'keras-mlp', '--epochs', '2', '--train-examples', '2000', '--test-examples', '400', '--lr', lr, '--backend', 'wasm', '--json', '--name', name]);

beforeAll(async () => {
  lab = await startLab();
  for (const [name, lr] of [
    ['lr 0.1', '0.1'],
    ['lr 0.02', '0.02'],
  ] as const) {
    const r = await train(name, lr);
    if (r.code !== 0) throw new Error(`train failed: ${r.stderr}`);
  }
});
afterAll(async () => {
  await lab?.close();
});

describe('runs in the browser', () => {
  it('lists the runs, compares two with only the differing settings, exports them as one CSV', async () => {
    const page = await lab.newPage();
    await page.goto(`${lab.url}#/runs`);
    await page.getByTestId('runs-table').waitFor();
    await page.getByText('lr 0.02').waitFor();
    expect(await page.getByTestId('runs-count').innerText()).toContain('2 of 2');
    await screenshot(page, 'runs-list');

    await page.getByTestId('runs-select-all').check();
    await page.getByTestId('compare').click();
    const diff = page.getByTestId('config-diff');
    await diff.waitFor();
    const rows = await diff.locator('tbody th').allInnerTexts();
    expect(rows).toContain('learning rate');
    expect(rows).not.toContain('batch size');
    expect(rows).not.toContain('seed');
    expect(await page.getByTestId('layers-same').isVisible()).toBe(true);
    await page.getByTestId('cm-diff').waitFor();
    await page.getByTestId('comparison').scrollIntoViewIfNeeded();
    await screenshot(page, 'runs-compare');

    // A changed cell of B − A lists the images that moved.
    const cell = page.locator('[data-testid^="cm-diff-"]').filter({ hasText: /^[+-]\d+$/ }).first();
    if ((await cell.count()) > 0) {
      await cell.click();
      await page.getByTestId('changes-summary').waitFor();
      await page.getByTestId('cm-diff').scrollIntoViewIfNeeded();
      await screenshot(page, 'runs-compare-changes');
    }

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-selected').click()]);
    const csv = readFileSync((await download.path()) as string, 'utf8');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toMatch(/^run_id,run_name,status,/);
    expect(lines).toHaveLength(1 + 4);
    expect(csv).toContain('lr 0.1');
    expect(csv).toContain('lr 0.02');
    await page.close();
  });

  it('opens one run: rename, and the epoch scrubber evaluates epoch 1', async () => {
    const page = await lab.newPage();
    await page.goto(`${lab.url}#/runs`);
    await page.getByTestId('run-open-1').click();
    await page.getByTestId('run-details').waitFor();
    await page.getByTestId('run-name').fill('baseline');
    await page.getByTestId('run-tags').fill('mlp, sgd');
    await page.getByTestId('run-save').click();
    await page.getByTestId('run-row-1').getByText('baseline').waitFor();
    const scrubber = page.getByTestId('scrubber');
    await scrubber.focus();
    await page.keyboard.press('End');
    await page.getByText(/Epoch 2: test accuracy/).waitFor();
    await page.keyboard.press('Home');
    await page.getByText(/Epoch 1: test accuracy/).waitFor();
    await page.getByTestId('cm-scrub').waitFor();
    await screenshot(page, 'runs-details');
    await page.close();
  });
});
