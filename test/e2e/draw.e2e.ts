// Draw in the browser: two runs made with the CLI, a digit drawn with the mouse, the 28×28 the
// models see, and both models' probabilities side by side; undo, clear, and a dropped image.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawStroke, screenshot, startLab, type Lab } from './harness.ts';

let lab: Lab;
const WAIT = { timeout: 30_000 };
const train = (name: string, epochs: string, lr: string) =>
  lab.cli(['train', '--preset', 'keras-mlp', '--epochs', epochs, '--train-examples', '6000', '--test-examples', '500', '--lr', lr, '--backend', 'wasm', '--json', '--name', name]);

beforeAll(async () => {
  lab = await startLab();
  for (const [name, epochs, lr] of [
    ['mlp one epoch', '1', '0.1'],
    ['mlp two epochs', '2', '0.1'],
  ] as const) {
    const r = await train(name, epochs, lr);
    if (r.code !== 0) throw new Error(`train failed: ${r.stderr}`);
  }
});
afterAll(async () => {
  await lab?.close();
});

async function probabilities(page: Page, model: number): Promise<number[]> {
  const values = await page.getByTestId(`model-${model}`).locator('[data-testid^="prob-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-value') ?? ''));
  return values.map(Number);
}

const answer = (page: Page, model: number) => page.getByTestId(`model-${model}-answer`).innerText();

/** Waits until no prediction is scheduled or on its way, so what shows is the last drawing's answer. */
const settled = (page: Page) => expect.poll(() => page.getByRole('region', { name: 'Models' }).getAttribute('data-busy'), WAIT).toBe('false');

describe('draw a digit in the browser', () => {
  it('draws with the mouse and sees probabilities from two runs side by side', async () => {
    const page = await lab.newPage();
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Draw' }).click();
    await page.getByRole('heading', { level: 1, name: 'Draw' }).waitFor();
    await page.getByTestId('model-2').waitFor(WAIT);
    // Newest first: the two runs side by side, each with its own weights.
    expect(await page.getByTestId('model-1').getByRole('combobox', { name: 'Run' }).inputValue()).toBe('2');
    expect(await page.getByTestId('model-2').getByRole('combobox', { name: 'Run' }).inputValue()).toBe('1');
    expect(await page.getByTestId('draw-hint').innerText()).toMatch(/Nothing is predicted for an empty pad/);
    expect(await answer(page, 1)).toMatch(/Waiting for a digit/);
    await screenshot(page, 'draw-empty');

    // A 7: the top bar, then the diagonal.
    await drawStroke(page, [
      [0.25, 0.2],
      [0.75, 0.2],
      [0.45, 0.85],
    ]);
    await settled(page);
    for (const model of [1, 2]) await expect.poll(() => answer(page, model), WAIT).toMatch(/Says\s*\d\s*\d+\.\d%\s*·\s*\d+ ms/);
    for (const model of [1, 2]) {
      const p = await probabilities(page, model);
      expect(p).toHaveLength(10);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
      const top = p.indexOf(Math.max(...p));
      expect(await page.getByTestId(`model-${model}`).getByTestId(`prob-${top}`).getAttribute('class')).toContain('top');
    }
    expect(await page.getByTestId('draw-hint').count()).toBe(0);
    expect(Number(await page.getByTestId('mnist-preview').getAttribute('data-ink'))).toBeGreaterThan(10);
    expect(await page.getByTestId('preview-facts').innerText()).toMatch(/centre \(1[345]\.\d, 1[345]\.\d\)/);
    // The seed's MLP answers quickly (the round trip shown on each card).
    const ms = Number(/(\d+) ms/.exec(await answer(page, 2))?.[1]);
    expect(ms).toBeLessThan(1000);
    await screenshot(page, 'draw-seven');

    // Undo with Ctrl+Z: empty again, the hint is back and nothing is predicted.
    await page.keyboard.press('Control+z');
    await page.getByTestId('draw-hint').waitFor();
    expect(await answer(page, 1)).toMatch(/Waiting for a digit/);

    // A 1 and a 0 in two strokes each time; the answers follow the drawing.
    await drawStroke(page, [
      [0.5, 0.15],
      [0.5, 0.85],
    ]);
    await settled(page);
    await expect.poll(() => answer(page, 1), WAIT).toMatch(/Says/);
    await screenshot(page, 'draw-one');
    await page.getByTestId('draw-clear').click();
    await page.getByTestId('draw-hint').waitFor();
    const ring: [number, number][] = Array.from({ length: 25 }, (_, i) => {
      const t = (i / 24) * Math.PI * 2;
      return [0.5 + 0.22 * Math.sin(t), 0.5 - 0.32 * Math.cos(t)];
    });
    await drawStroke(page, ring);
    await expect.poll(() => answer(page, 1), WAIT).toMatch(/Says/);
    await expect.poll(() => answer(page, 2), WAIT).toMatch(/Says/);

    // A third model: the 2-epoch run's best checkpoint next to its final weights.
    await page.getByTestId('add-model').click();
    await page.getByTestId('model-3').waitFor();
    await page.getByTestId('model-3-run').selectOption('2');
    const weights = await page.getByTestId('model-3-checkpoint').locator('option').allInnerTexts();
    expect(weights[0]).toMatch(/Final weights \(epoch 2\)/);
    expect(weights.some((w) => /Best by val_loss/.test(w))).toBe(true);
    await page.getByTestId('model-3-checkpoint').selectOption({ index: weights.findIndex((w) => /^Epoch 1/.test(w)) });
    await settled(page);
    await expect.poll(() => answer(page, 3), WAIT).toMatch(/Says/);
    await screenshot(page, 'draw-three-models');
    await page.close();
  });

  it('takes a dropped image through the same preprocessing', async () => {
    const page = await lab.newPage();
    await page.goto(`${lab.url}#/draw`);
    await page.getByTestId('model-2').waitFor(WAIT);
    // A photo-like PNG: a dark 4 on a light grey page, off-centre.
    await page.evaluate(async () => {
      const c = document.createElement('canvas');
      c.width = 240;
      c.height = 160;
      const ctx = c.getContext('2d')!;
      ctx.fillStyle = '#e8e4dc';
      ctx.fillRect(0, 0, 240, 160);
      ctx.strokeStyle = '#222';
      ctx.lineWidth = 9;
      ctx.lineCap = 'round';
      ctx.beginPath();
      ctx.moveTo(40, 20);
      ctx.lineTo(30, 80);
      ctx.lineTo(90, 80);
      ctx.moveTo(75, 30);
      ctx.lineTo(75, 140);
      ctx.stroke();
      const blob = await new Promise<Blob>((resolve) => c.toBlob((b) => resolve(b!), 'image/png'));
      const data = new DataTransfer();
      data.items.add(new File([blob], 'four.png', { type: 'image/png' }));
      document.querySelector('[data-testid="draw-pad"]')!.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    });
    await settled(page);
    for (const model of [1, 2]) await expect.poll(() => answer(page, model), WAIT).toMatch(/Says/);
    expect(await page.getByTestId('preview-facts').innerText()).toMatch(/centre \(1[345]\.\d, 1[345]\.\d\)/);
    expect(await page.getByRole('group', { name: 'Drawing pad' }).innerText()).not.toMatch(/Draw a digit 0–9 here/);
    await screenshot(page, 'draw-dropped-image');
    await page.close();
  });

  it('reads well in dark mode', async () => {
    const context = await lab.browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'dark' });
    const page = await context.newPage();
    await page.goto(`${lab.url}#/draw`);
    await page.getByTestId('model-2').waitFor(WAIT);
    await drawStroke(page, [
      [0.3, 0.25],
      [0.55, 0.15],
      [0.65, 0.35],
      [0.3, 0.8],
      [0.7, 0.8],
    ]);
    await settled(page);
    await expect.poll(() => answer(page, 2), WAIT).toMatch(/Says/);
    await screenshot(page, 'draw-dark');
    await context.close();
  });
});
