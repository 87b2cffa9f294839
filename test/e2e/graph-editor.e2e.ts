// The node canvas in Chromium, against a real `layerlab serve`: build the residual MLP by dragging
// layers from the palette and connecting ports (no preset), undo/redo, copy/paste, keyboard focus,
// an invalid merge marked on its edge; then train it one epoch on a subsample, open it in Evaluate
// and Draw, compare it with the seed MLP and export it. Screenshots in light and dark; a 40-node
// graph's layout time and pan frame times are printed (ratios only, the cores are shared).
import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drawStroke, screenshot, startLab, type Lab } from './harness.ts';

let lab: Lab;
const WAIT = { timeout: 30_000 };

beforeAll(async () => {
  lab = await startLab();
  // The seed MLP to compare with (run 1), made with the CLI on a subsample.
  const r = await lab.cli(['train', '--preset', 'keras-mlp', '--epochs', '1', '--train-examples', '2000', '--test-examples', '400', '--lr', '0.1', '--backend', 'wasm', '--json', '--name', 'seed mlp']);
  if (r.code !== 0) throw new Error(`train failed: ${r.stderr}`);
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

/** Waits until the canvas has laid out its latest structure and fitted it in view. */
const laidOut = (page: Page) => expect.poll(() => page.getByTestId('graph-canvas').getAttribute('data-layout-pending'), WAIT).toBe('false');

/** Drags from one node's output port to another's input port with the mouse. */
async function connectPorts(page: Page, from: string, to: string): Promise<void> {
  await page.getByTestId('graph-canvas').scrollIntoViewIfNeeded();
  await laidOut(page);
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
  await laidOut(page);
  const count = await page.locator('.svelte-flow__node').count();
  await page.getByTestId(`palette-${type}`).dragTo(page.getByTestId('graph-canvas'), { targetPosition: { x: 30, y: 30 } });
  await expect.poll(() => page.locator('.svelte-flow__node').count(), WAIT).toBe(count + 1);
}

describe('the graph editor', () => {
  it('shows the seed MLP as a chain on the canvas, under the page CSP (ELK in its worker, no violation)', async () => {
    const page = await lab.browser.newPage({ viewport: { width: 1280, height: 800 } });
    const violations: string[] = [];
    await page.exposeFunction('reportViolation', (text: string) => violations.push(text));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        (window as unknown as { reportViolation(t: string): void }).reportViolation(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    await page.goto(lab.url);
    await page.getByTestId('mode-graph').click();
    await node(page, 'dense_2').waitFor();
    await laidOut(page);
    expect(Number(await page.getByTestId('graph-canvas').getAttribute('data-layout-ms'))).toBeGreaterThan(0);
    expect(violations).toEqual([]);
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
    // The summary as a graph: Keras' "Connected to" column, in the table and in Keras' own text.
    const summary = page.getByTestId('summary-table');
    expect(await summary.locator('thead').innerText()).toMatch(/Connected to/);
    expect(await summary.getByRole('row', { name: /^add_1 \(Add\)/ }).innerText()).toMatch(/dense_1, dense_2/);
    await page.getByText('As Keras prints it').click();
    expect(await page.locator('details pre').innerText()).toMatch(/Connected to[\s\S]*add_1 \(Add\)\s+\(None, 64\)\s+0\s+dense_1\[0\]\[0\]\s+dense_2\[0\]\[0\]/);
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

    // Select an edge with a click and delete it; undo brings it back.
    const edge = page.locator('.svelte-flow__edge[aria-label="Edge add_1 to dense_3"]');
    await laidOut(page);
    const line = await still(edge);
    await page.mouse.click(line.x + line.width / 2, line.y + line.height / 2);
    await expect.poll(() => page.locator('.svelte-flow__edge.selected').count(), WAIT).toBe(1);
    await page.keyboard.press('Delete');
    await expect.poll(() => edgeCount(page), WAIT).toBe(4);
    expect(await node(page, 'dense_3').getByRole('alert').innerText()).toMatch(/exactly one input, got 0/);
    await page.keyboard.press('Control+z');
    await expect.poll(() => edgeCount(page), WAIT).toBe(5);

    // The same from the keyboard, in the inspector: disconnect dense_3's input, connect it again, rename and undo.
    await node(page, 'dense_3').click();
    await inspector.getByRole('button', { name: 'Disconnect add_1 from dense_3' }).click();
    await expect.poll(() => edgeCount(page), WAIT).toBe(4);
    await inspector.getByTestId('inspector-source').selectOption('add_1');
    await inspector.getByTestId('inspector-connect').click();
    await expect.poll(() => edgeCount(page), WAIT).toBe(5);
    await inspector.getByTestId('inspector-name').fill('classes');
    await inspector.getByTestId('inspector-name').press('Enter');
    await node(page, 'classes').waitFor();
    await page.locator('.svelte-flow__pane').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    await node(page, 'dense_3').waitFor();

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

    // Train it one epoch on a subsample.
    await page.getByTestId('go-train').click();
    await page.getByRole('heading', { level: 1, name: 'Train' }).waitFor();
    await page.getByTestId('epochs').fill('1');
    await page.getByTestId('train-examples').fill('2000');
    await page.getByTestId('test-examples').fill('400');
    await page.getByTestId('optimizer-learningRate').fill('0.1');
    await expect.poll(() => page.getByTestId('start-run').isEnabled(), WAIT).toBe(true);
    await page.getByTestId('start-run').click();
    await expect.poll(async () => (await page.getByTestId('run-phase').innerText()).trim(), { timeout: 90_000 }).toBe('Completed');

    // Evaluate: the graph's test accuracy and confusion matrix.
    await page.getByTestId('open-evaluation').click();
    await page.getByRole('heading', { level: 1, name: 'Evaluate' }).waitFor();
    await expect.poll(() => page.getByTestId('test-accuracy').innerText(), WAIT).toMatch(/^\d+\.\d\d%$/);
    expect(Number.parseFloat(await page.getByTestId('test-accuracy').innerText())).toBeGreaterThan(50);
    expect(await page.getByTestId('cm').locator('tbody tr').count()).toBe(10);

    // Draw: the residual MLP (run 2, newest) answers a drawn digit.
    await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Draw' }).click();
    await page.getByTestId('model-1').waitFor(WAIT);
    expect(await page.getByTestId('model-1').getByRole('combobox', { name: 'Run' }).inputValue()).toBe('2');
    await drawStroke(page, [
      [0.5, 0.15],
      [0.5, 0.85],
    ]);
    await expect.poll(() => page.getByTestId('model-1-answer').innerText(), WAIT).toMatch(/Says\s*\d/);
    await screenshot(page, 'graph-draw');

    // Compare with the seed MLP: the diff shows the added layers.
    await page.goto(`${lab.url}#/runs`);
    await page.getByTestId('runs-table').waitFor();
    await page.getByTestId('runs-select-all').check();
    await page.getByTestId('compare').click();
    const layers = page.getByTestId('layer-diff');
    await layers.waitFor(WAIT);
    expect(await layers.innerText()).toMatch(/add_1/);
    await layers.scrollIntoViewIfNeeded();
    await screenshot(page, 'graph-compare');

    // Export the TensorFlow.js model: a functional model.json (the core's tests load it back).
    await page.getByTestId('run-open-2').click();
    await page.getByTestId('run-details').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'TensorFlow.js model' }).click()]);
    const bytes = readFileSync((await download.path()) as string).toString('latin1');
    expect(bytes).toContain('model.json');
    expect(bytes).toMatch(/"class_name":\s*"Add"/);
    await page.close();
  });

  it('lays out and pans a 40-node graph', async () => {
    const page = await lab.newPage();
    await page.getByTestId('preset-residual-mlp').click();
    await page.getByTestId('mode-graph').click();
    const canvas = page.getByTestId('graph-canvas');
    await node(page, 'skip').waitFor();
    // The same graph in the stack view: each card names its inputs.
    await page.getByTestId('mode-stack').click();
    expect(await page.getByTestId('layer-4').innerText()).toMatch(/← stem, block_b/);
    await screenshot(page, 'graph-residual-stack');
    await page.getByTestId('mode-graph').click();
    await node(page, 'skip').waitFor();
    // Copy the residual block, then paste it after the last block again and again: a tower of
    // residual blocks, 40 layers or more (plus the input).
    const layerNodes = page.locator('.svelte-flow__node-layer');
    const first = await layerNodes.count();
    const block = ['block_a', 'block_b', 'skip'];
    await node(page, block[0]!).click();
    for (const name of block.slice(1)) await node(page, name).click({ modifiers: ['Control'] });
    await page.keyboard.press('Control+c');
    let last = 'skip';
    for (let i = 1; (await layerNodes.count()) < 40; i++) {
      await laidOut(page);
      // The pasted block comes selected: clear it (Escape), then select only the block's output.
      await page.keyboard.press('Escape');
      await node(page, last).click();
      await page.keyboard.press('Control+v');
      last = `add_${i}`;
      await node(page, last).waitFor();
    }
    expect(await node(page, last).getAttribute('data-layer-name')).toBe(last);
    expect(await layerNodes.count()).toBeGreaterThanOrEqual(40);
    // Layout again and read how long ELK took (in its worker).
    await canvas.getAttribute('data-layout-ms');
    await page.getByTestId('graph-layout').click();
    await expect.poll(() => canvas.getAttribute('data-layout-ms'), WAIT).toMatch(/^\d+(\.\d)?$/);
    const layoutMs = Number(await canvas.getAttribute('data-layout-ms'));
    await still(layerNodes.last());
    await screenshot(page, 'graph-40-nodes');

    // Pan by dragging the empty pane; count frames and the longest gap between two.
    await canvas.scrollIntoViewIfNeeded();
    // A point of the empty pane (not a node, edge or control) to grab.
    const grab = await page.evaluate(() => {
      const pane = document.querySelector('.svelte-flow__pane')!.getBoundingClientRect();
      for (let y = pane.top + 10; y < pane.bottom - 10; y += 15)
        for (let x = pane.left + 60; x < pane.right - 10; x += 15) {
          if (document.elementFromPoint(x, y)?.classList.contains('svelte-flow__pane')) return { x, y };
        }
      return null;
    });
    if (!grab) throw new Error('no empty pane to grab');
    await page.evaluate(() => {
      const w = window as unknown as { frames_: number[]; stop_: boolean };
      w.frames_ = [];
      w.stop_ = false;
      const tick = (t: number) => {
        w.frames_.push(t);
        if (!w.stop_) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const viewport = page.locator('.svelte-flow__viewport');
    const before = await viewport.getAttribute('style');
    await page.mouse.move(grab.x, grab.y);
    await page.mouse.down();
    await page.mouse.move(grab.x + 150, grab.y + 120, { steps: 40 });
    await page.mouse.up();
    const frames = await page.evaluate(() => {
      const w = window as unknown as { frames_: number[]; stop_: boolean };
      w.stop_ = true;
      return w.frames_;
    });
    expect(await viewport.getAttribute('style')).not.toBe(before);
    const gaps = frames.slice(1).map((t, i) => t - frames[i]!);
    const longest = Math.max(...gaps);
    const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)] ?? 0;
    console.log(`40-node graph: ${await layerNodes.count()} layers (from ${first}); ELK layout ${layoutMs} ms; pan ${frames.length} frames, median gap ${median.toFixed(1)} ms, longest ${longest.toFixed(1)} ms`);
    await page.close();
  });
});
