// Sweeps in the browser: a 2 × 2 grid of tiny runs queued from the UI, watched to the end, one axis of the
// parallel-coordinates plot brushed, the best two opened in Compare, the best promoted to the editor.
// Screenshots light and dark.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, startLab, type Lab } from './harness.ts';

let lab: Lab;
const WAIT = { timeout: 90_000, interval: 500 };

beforeAll(async () => {
  lab = await startLab();
});
afterAll(async () => {
  await lab?.close();
});

describe('sweeps in the browser', () => {
  it('queues a 2 × 2 grid, shows progress, brushes an axis, compares the best two and promotes the best', async () => {
    const page = await lab.newPage();
    await page.goto(`${lab.url}#/train`);
    await page.getByTestId('epochs').fill('2');
    await page.getByTestId('train-examples').fill('300');
    await page.getByTestId('test-examples').fill('100');
    await page.getByTestId('batch-size').fill('100');
    // The plain CPU backend: "Automatic" times the candidates first, too slow on shared cores for tiny runs.
    await page.getByLabel('Backend').selectOption('cpu');
    // Callbacks in Keras' words: the sweep's runs carry them too.
    await page.getByLabel('EarlyStopping', { exact: true }).check();
    await page.getByTestId('early-stopping-patience').fill('2');
    await page.getByTestId('lr-schedule').selectOption('stepDecay');
    await page.getByTestId('lr-schedule-everyEpochs').fill('1');
    await page.getByTestId('callbacks').scrollIntoViewIfNeeded();
    await screenshot(page, 'train-callbacks');

    // Through the navigation: the settings above stay in this page's state.
    await page.getByRole('link', { name: 'Sweeps' }).click();
    await page.getByTestId('sweep-grid').fill('lr=0.1,0.02\nunits@1=16,32');
    await page.getByTestId('start-sweep').click();
    await page.getByTestId('sweep-detail').waitFor();
    await expect.poll(() => page.getByTestId('sweep-progress').innerText(), WAIT).toMatch(/^[1-3]\/4 done/);
    await screenshot(page, 'sweeps-progress');
    await expect.poll(() => page.getByTestId('sweep-status').innerText(), WAIT).toBe('finished');
    expect(await page.getByTestId('sweep-progress').innerText()).toMatch(/^4\/4 done · 0 training · 0 queued/);
    expect(await page.getByTestId('sweep-table').locator('tbody tr').count()).toBe(4);

    // lr's axis is log-scaled with 0.1 at the top: brushing its upper half keeps the two lr=0.1 runs.
    const plot = page.getByTestId('parallel-coordinates');
    await plot.waitFor();
    const axis = plot.getByRole('slider', { name: 'brush lr' });
    const box = (await axis.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.4, { steps: 4 });
    await page.mouse.up();
    await expect.poll(() => plot.locator('figcaption').innerText()).toContain('(2 of 4 runs)');
    const kept = await page.getByTestId('sweep-table').locator('tbody tr:not(.muted) td:nth-child(3)').allInnerTexts();
    expect(kept).toHaveLength(2);
    expect(kept.every((v) => v.startsWith('lr=0.1 '))).toBe(true);
    await screenshot(page, 'sweeps-light');

    const dark = await lab.browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    const darkPage = await dark.newPage();
    await darkPage.goto(`${lab.url}#/sweeps/1`);
    await darkPage.getByTestId('parallel-coordinates').waitFor();
    await screenshot(darkPage, 'sweeps-dark');
    await dark.close();

    await page.getByTestId('sweep-scatter').scrollIntoViewIfNeeded();
    await screenshot(page, 'sweeps-scatter');

    await page.getByTestId('compare-best').click();
    await page.getByTestId('comparison').waitFor();
    expect(await page.getByTestId('comparison').locator('h2').first().innerText()).toBe('Comparing 2 runs');
    // The schedule's rate per epoch, from the runs' learning-rate logs: 0.1 then 0.05 (step decay ×0.5 every epoch).
    await expect.poll(() => page.getByRole('img', { name: /^Learning rate per epoch/ }).getAttribute('aria-label')).toMatch(/0\.05 learning rate at the last epoch/);
    await page.getByRole('img', { name: /^Learning rate per epoch/ }).scrollIntoViewIfNeeded();
    await screenshot(page, 'compare-learning-rate');

    await page.goto(`${lab.url}#/sweeps/1`);
    await page.getByTestId('sweep-table').waitFor();
    const bestValues = await page.getByTestId('sweep-table').locator('tbody tr').first().locator('td.mono').first().innerText();
    const units = /units@1=(\d+)/.exec(bestValues)![1]!;
    await page.getByTestId('promote').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#/design');
    await expect.poll(() => page.locator('body').innerText()).toContain(`(None, ${units})`);
  }, 150_000);
});
