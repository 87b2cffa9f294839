// A lab of 10,000 runs (30 epochs each, generated at the previous schema and migrated on open) in the browser:
// the Runs screen opens on one page, searches in the lab, compares 10 runs; Draw finds an old run with weights by
// name although the newest runs have none.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateLab } from '../../bench/large-lab/generate-lab.ts';
import { screenshot, startLab, type Lab } from './harness.ts';

const RUNS = 10_000;
let lab: Lab;
/** An old run with weights (light labs give weights to every 25th run only): id 26. */
const OLD_RUN = 26;
let oldName = '';

beforeAll(async () => {
  lab = await startLab({
    prepare: (home) => {
      generateLab({ runs: RUNS, out: home, light: true });
      const db = new Database(join(home, 'layerlab.sqlite'), { readonly: true });
      oldName = (db.prepare('SELECT name FROM runs WHERE id = ?').get(OLD_RUN) as { name: string }).name;
      db.close();
    },
  });
}, 240_000);
afterAll(async () => {
  await lab?.close();
});

describe('a lab of 10,000 runs in the browser', () => {
  it('opens Runs on one page, searches in the lab, selects 10 and compares them', async () => {
    const page = await lab.newPage();
    await page.goto(`${lab.url}#/runs`);
    await page.getByTestId(`run-row-${RUNS}`).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('runs-count').innerText()).toContain('10,000 of 10,000');
    expect(await page.getByTestId('runs-range').innerText()).toBe('1–100 of 10,000');
    // A page of 100, of which only the rows in view (and a few either side) are in the DOM.
    expect(await page.getByTestId('runs-table').getAttribute('aria-rowcount')).toBe('101');
    const rendered = await page.locator('[data-testid^="run-row-"]').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(40);
    await screenshot(page, 'large-lab-runs');
    // Scrolled to its end, the table shows the page's last run (10,000 − 99) in the row the scroll bar says.
    await page.getByTestId('runs-scroll').evaluate((box) => box.scrollTo({ top: box.scrollHeight }));
    await page.getByTestId(`run-row-${RUNS - 99}`).waitFor();
    expect(await page.getByTestId(`run-row-${RUNS - 99}`).getAttribute('aria-rowindex')).toBe('101');
    expect(await page.getByTestId(`run-row-${RUNS}`).count()).toBe(0);
    expect(await page.getByTestId(`run-row-${RUNS - 99}`).isVisible()).toBe(true);

    await page.getByTestId('runs-search').fill('keep');
    await page.waitForFunction(() => !document.querySelector('[data-testid="runs-count"]')?.textContent?.startsWith('10,000'));
    const found = await page.getByTestId('runs-count').innerText();
    expect(Number(found.split(' of ')[0]!.replace(/,/g, ''))).toBeGreaterThan(0);
    await page.getByTestId('runs-next').click();
    await page.getByTestId('runs-range').filter({ hasText: /^101–/ }).waitFor();

    await page.getByTestId('runs-search').fill('');
    // Another query starts from the top of the table.
    await page.getByTestId(`run-row-${RUNS}`).waitFor();
    const boxes = page.locator('[data-testid^="run-select-"]');
    for (let k = 0; k < 10; k++) await boxes.nth(k).check();
    await page.getByTestId('compare').click();
    await page.getByTestId('comparison').waitFor();
    expect(await page.locator('#compare-title').innerText()).toBe('Comparing 10 runs');
    // Its three charts are created one per frame after it shows: each canvas gets drawn.
    await page.waitForFunction(() => {
      const canvases = [...document.querySelectorAll<HTMLCanvasElement>('[data-testid="comparison"] canvas')];
      return canvases.length === 3 && canvases.every((c) => c.width > 0 && c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data.some((v, i) => i % 4 === 3 && v > 0));
    });
    await screenshot(page, 'large-lab-compare');
    await page.close();
  });

  it('picks an old run with weights by name in Draw although the newest runs have none', async () => {
    const page = await lab.newPage();
    await page.goto(`${lab.url}#/draw`);
    await page.getByTestId('model-1').waitFor({ timeout: 60_000 });
    // The newest run with weights is run 9976 (every 25th has weights); the picker reaches run 26 by its name.
    await page.getByTestId('model-1-run-search').fill(oldName);
    await page.getByTestId('model-1-run').locator(`option[value="${OLD_RUN}"]`).waitFor({ state: 'attached' });
    await page.getByTestId('model-1-run').selectOption(String(OLD_RUN));
    await page.waitForFunction((id) => document.querySelector('[data-testid="model-1"]')?.getAttribute('data-run') === String(id), OLD_RUN);
    expect(await page.getByTestId('model-1-checkpoint').inputValue()).toBe('final');
    expect(await page.getByTestId('draw-no-models').count()).toBe(0);
    await screenshot(page, 'large-lab-draw-picker');
    await page.close();
  });
});
