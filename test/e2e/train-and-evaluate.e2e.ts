// The seed tutorial in the app, against a real `layerlab serve`: build the MLP, catch an invalid
// edit before it becomes a run, time a few batches, train on a subsample while the progress bar,
// curves and history table fill, pause and change the learning rate, stop a longer run, and open
// its evaluation. Every wait is on text or roles, never a sleep.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot, startLab, type Lab } from './harness.ts';

let lab: Lab;
beforeAll(async () => {
  lab = await startLab();
});
afterAll(async () => {
  await lab?.close();
});

const NUMBER = /^-?\d+(\.\d+)?$/;
/** Polls wait this long unless told otherwise (vitest's default second is too short on busy cores). */
const WAIT = { timeout: 30_000 };

/** Fit settings for a quick subsample run (the seed's full 60,000 would take minutes here). */
async function setFit(page: Page, fit: { epochs: number; train: number; test: number; lr: number }) {
  await page.getByTestId('epochs').fill(String(fit.epochs));
  await page.getByTestId('train-examples').fill(String(fit.train));
  await page.getByTestId('test-examples').fill(String(fit.test));
  await page.getByTestId('optimizer-learningRate').fill(String(fit.lr));
  await expect.poll(() => page.getByTestId('start-run').isEnabled(), WAIT).toBe(true);
}

async function historyRows(page: Page): Promise<string[][]> {
  const rows = page.getByTestId('history-table').locator('tbody tr');
  const out: string[][] = [];
  for (const row of await rows.all()) {
    const cells = await row.locator('td').allInnerTexts();
    if (cells.length === 6) out.push(cells.map((c) => c.trim()));
  }
  return out;
}

async function phase(page: Page): Promise<string> {
  return (await page.getByTestId('run-phase').innerText()).trim();
}

async function gotoScreen(page: Page, title: string) {
  await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: title }).click();
  await page.getByRole('heading', { level: 1, name: title }).waitFor();
}

describe('train and evaluate in the browser', () => {
  it('builds the seed MLP, flags an invalid edit inline, and times a few batches', async () => {
    const page = await lab.newPage();
    await page.getByTestId('preset-keras-mlp').click();
    await page.getByText('Total params').first().waitFor();
    expect(await page.getByTestId('total-params').innerText()).toBe('407,050');
    const summary = await page.getByTestId('summary-table').innerText();
    expect(summary).toContain('dense_1 (Dense)');
    expect(summary).toContain('(None, 512)');
    expect(summary).toContain('401,920');
    // The real backend's probes: the badge names the backend in use, the doctor lists every probe.
    await expect.poll(() => page.getByTestId('backend-badge').innerText(), WAIT).toMatch(/Backend: (GPU|TensorFlow CPU|WASM|JS CPU)/);
    await page.getByTestId('backend-badge').click();
    const doctor = page.getByRole('region', { name: 'Backend doctor' });
    await doctor.getByText('in use').waitFor();
    expect(await doctor.getByRole('table', { name: 'Backends probed, fastest first' }).locator('tbody tr').count()).toBe(5);
    // WebGPU's line: the adapter it found (the software one here) or why there is none.
    await expect.poll(() => doctor.getByRole('row', { name: /WebGPU/ }).innerText(), WAIT).toMatch(/adapter|not installed/);
    await screenshot(page, 'e2e-backend-doctor');
    await page.keyboard.press('Escape');
    await doctor.waitFor({ state: 'detached' });
    await screenshot(page, 'e2e-design');

    // An invalid edit: the message sits on the field, the summary follows, Train is disabled with the reason.
    const units = page.getByTestId('layer-1-units');
    await units.fill('-3');
    await expect.poll(() => units.getAttribute('aria-invalid'), WAIT).toBe('true');
    const fieldError = page.getByTestId('layer-1').getByRole('alert').first();
    expect(await fieldError.innerText()).toMatch(/units/i);
    expect(await page.getByTestId('go-train').isDisabled()).toBe(true);
    expect(await page.getByTestId('train-blocker').innerText()).toMatch(/^Can’t train yet: .*units/i);
    await screenshot(page, 'e2e-design-invalid');
    // The Train screen says the same and will not start.
    await gotoScreen(page, 'Train');
    expect(await page.getByTestId('start-run').isDisabled()).toBe(true);
    expect(await page.getByTestId('start-blocker').innerText()).toMatch(/Can’t start: the model — .*units/i);
    await gotoScreen(page, 'Design');
    await page.getByTestId('layer-1-units').fill('512');
    await expect.poll(() => page.getByTestId('go-train').isEnabled(), WAIT).toBe(true);
    expect(await page.getByTestId('total-params').innerText()).toBe('407,050');

    // Pre-flight: seconds per epoch on the lab's backend, from a few timed batches.
    await page.getByTestId('measure-epoch').click();
    await expect.poll(() => page.getByTestId('estimate-time').innerText(), { timeout: 60_000 }).toMatch(/\d+(\.\d+)?s\s+on .+ \(\d+(\.\d+)? ms\/batch\)/);
    expect(await page.getByTestId('estimate-params').innerText()).toBe('407,050');
    await page.getByTestId('estimate-time').scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-design-estimate');
    await page.close();
  });

  it('trains 2 epochs on a subsample: progress bar, curves and the history table fill in', async () => {
    const page = await lab.newPage();
    await gotoScreen(page, 'Train');
    await setFit(page, { epochs: 2, train: 3000, test: 500, lr: 0.1 });
    await page.getByTestId('start-run').click();
    const bar = page.getByRole('progressbar', { name: 'Training progress' });
    await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), WAIT).toBeGreaterThan(0);
    await expect.poll(() => phase(page), { timeout: 60_000 }).toBe('Completed');
    expect(await bar.getAttribute('aria-valuenow')).toBe('100');
    expect(await page.getByTestId('batch-count').innerText()).toMatch(/Epoch 2\/2 · batch 24\/24/);

    const rows = await historyRows(page);
    expect(rows.map((r) => r[0])).toEqual(['1', '2']);
    for (const row of rows) for (const cell of row) expect(cell).toMatch(NUMBER);
    // lr 0.1 learns: accuracy well above chance, loss going down.
    const [first, second] = rows as [string[], string[]];
    expect(Number(second[1])).toBeGreaterThan(0.5);
    expect(Number(second[2])).toBeLessThan(Number(first[2]));
    // Every curve was drawn with the points of the run.
    expect(await page.getByTestId('chart-loss').getAttribute('data-points')).toBe('4');
    expect(await page.getByTestId('chart-accuracy').getAttribute('data-points')).toBe('4');
    expect(Number(await page.getByTestId('chart-batch-loss').getAttribute('data-points'))).toBeGreaterThanOrEqual(24);
    expect(await page.getByTestId('chart-loss').getAttribute('aria-label')).toMatch(/val_loss \d\.\d+/);
    await screenshot(page, 'e2e-train-completed');
    await page.close();
  });

  it('pauses to change the learning rate, stops a longer run, and keeps its finished epochs', async () => {
    const page = await lab.newPage();
    await gotoScreen(page, 'Train');
    await setFit(page, { epochs: 30, train: 12000, test: 500, lr: 0.1 });
    await page.getByTestId('start-run').click();
    await expect.poll(() => phase(page), { timeout: 30_000 }).toBe('Training');
    await expect.poll(() => page.getByTestId('eta').innerText(), { timeout: 30_000 }).toMatch(/ETA \d/);
    await screenshot(page, 'e2e-train-running');

    await page.getByTestId('pause-run').click();
    await expect.poll(() => phase(page), WAIT).toBe('Paused');
    await page.getByTestId('lr-input').fill('0.05');
    await page.getByRole('button', { name: 'Set learning rate' }).click();
    await expect.poll(() => page.getByTestId('lr-pending').innerText(), WAIT).toMatch(/Learning rate 0\.05 applies when you resume \(now 0\.1\)/);
    await screenshot(page, 'e2e-train-paused');
    await page.getByTestId('resume-run').click();
    await expect.poll(() => phase(page), WAIT).toBe('Training');
    // The trainer applies the change on resume and the run logs it.
    await page.getByRole('region', { name: 'Run log' }).getByText(/learning rate set to 0\.05/i).waitFor();

    await expect.poll(async () => (await historyRows(page)).length, { timeout: 60_000 }).toBeGreaterThanOrEqual(1);
    // Mid-run, the epoch curves already hold the first epoch (train and validation).
    await expect.poll(async () => Number(await page.getByTestId('chart-loss').getAttribute('data-points')), WAIT).toBeGreaterThanOrEqual(2);
    await page.getByTestId('stop-run').click();
    await expect.poll(() => phase(page), { timeout: 60_000 }).toBe('Stopped');
    const kept = await historyRows(page);
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.length).toBeLessThan(30);
    for (const row of kept) for (const cell of row) expect(cell).toMatch(NUMBER);
    await screenshot(page, 'e2e-train-stopped');

    // Reloaded, the stored run comes back on the Train screen with its log.
    const runText = await page.getByTestId('run-phase').locator('xpath=..').innerText();
    const runId = /run #(\d+)/.exec(runText)?.[1];
    expect(runId).toBeDefined();
    await page.goto(`${lab.base}/#/train/${runId}`);
    await page.reload();
    await expect.poll(() => phase(page), WAIT).toBe('Stopped');
    expect((await historyRows(page)).length).toBe(kept.length);
    await page.getByRole('region', { name: 'Run log' }).getByText(/learning rate set to 0\.05/i).waitFor();

    // Its evaluation: test accuracy, the confusion matrix, the misclassified gallery.
    await page.getByTestId('open-evaluation').click();
    await page.getByRole('heading', { level: 1, name: 'Evaluate' }).waitFor();
    await expect.poll(() => page.getByTestId('test-accuracy').innerText(), WAIT).toMatch(/^\d+\.\d\d%$/);
    expect(await page.getByTestId('evaluate-run').inputValue()).toBe(runId);
    expect(await page.getByTestId('cm').locator('tbody tr').count()).toBe(10);
    expect(await page.getByTestId('class-metrics').locator('tbody tr').count()).toBe(10);
    const gallery = page.getByTestId('gallery');
    await expect.poll(() => gallery.locator('[role="img"]').count(), WAIT).toBeGreaterThan(0);
    await page.getByRole('region', { name: 'Run log' }).getByText(/learning rate set to 0\.05/i).waitFor();
    await screenshot(page, 'e2e-evaluate');

    // The most frequent confusion, clicked, filters the gallery to exactly those images.
    const cell = await page.getByTestId('cm').evaluate((table) => {
      let best: { id: string; count: number } | null = null;
      for (const b of table.querySelectorAll('button[data-testid^="cm-"]')) {
        const [, t, p] = (b.getAttribute('data-testid') ?? '').split('-');
        const count = Number(/: (\d+) of/.exec(b.getAttribute('aria-label') ?? '')?.[1] ?? 0);
        if (t !== p && count > 0 && (!best || count > best.count)) best = { id: b.getAttribute('data-testid') ?? '', count };
      }
      return best;
    });
    expect(cell).not.toBeNull();
    const [, t, p] = cell!.id.split('-');
    await page.getByTestId(cell!.id).click();
    expect(await page.getByTestId(cell!.id).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('heading', { name: `Misclassified — true ${t} predicted as ${p}` }).waitFor();
    await expect.poll(() => gallery.locator('[role="img"]').count(), WAIT).toBe(Math.min(cell!.count, 60));
    for (const label of await gallery.locator('[role="img"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))) {
      expect(label).toMatch(new RegExp(`: a ${t} predicted as ${p}$`));
    }
    await screenshot(page, 'e2e-evaluate-filtered');
    await page.close();
  });

  it('shows a server error inline and reads well on a large screen', async () => {
    const page = await lab.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.goto(lab.url);
    await page.getByText('Total params').first().waitFor();
    await screenshot(page, 'e2e-large-design');
    await gotoScreen(page, 'Train');
    await page.getByTestId('history-table').waitFor();
    await screenshot(page, 'e2e-large-train');
    // A run that is not in the lab: the server's own words, in place of the evaluation.
    await page.goto(`${lab.base}/#/evaluate/999`);
    await expect.poll(() => page.getByRole('alert').first().innerText(), WAIT).toMatch(/run 999 does not exist/);
    await page.getByTestId('evaluate-run').selectOption({ index: 1 });
    await expect.poll(() => page.getByTestId('test-accuracy').innerText(), WAIT).toMatch(/^\d+\.\d\d%$/);
    await screenshot(page, 'e2e-large-evaluate');
    await page.close();
  });
});
