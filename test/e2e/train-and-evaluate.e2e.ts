// The seed tutorial in the app: build the MLP, train on a subsample, watch the curves and the
// history table fill, stop a run, open the evaluation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, startLab, type Lab } from './harness.ts';

let lab: Lab;
beforeAll(async () => {
  lab = await startLab();
});
afterAll(async () => {
  await lab?.close();
});

describe('train and evaluate in the browser', () => {
  it('shows the seed model with its Keras summary', async () => {
    const page = await lab.newPage();
    await page.getByText('Total params').first().waitFor();
    const summary = await page.locator('body').innerText();
    expect(summary).toContain('dense_1 (Dense)');
    expect(summary).toContain('407,050');
    await screenshot(page, 'design');
    await page.close();
  });
});
