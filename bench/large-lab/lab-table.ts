// node --import tsx bench/large-lab/lab-table.ts --lab DIR [--code ROOT] [--label after] [--repeats 3]
// Prints one row of issue 19's table for a lab: a copy of DIR is served by `layerlab serve` from the code at ROOT
// (this checkout, or main's in a second worktree for "before", its renderer built), and Debian's Chromium drives
// the Runs screen. Same selectors on both versions. Medians of --repeats; the machine is shared, so compare
// rows measured in one sitting.
//   list payload   bytes of what the Runs screen asks for first (main: listRuns {}; now: queryRuns, one page)
//   Runs shown     navigation to #/runs until the first row is on screen
//   keystroke      one character typed in the search box until the count shows the new result; "in page": from the
//                  input event (the text changed) to the first frame after the count changed (no harness round trips)
//   sort, filter   a click on the val_acc column's header until the first row is another run; a status picked
//                  (stopped) until the count shows the new result
//   compare 10     10 rows ticked, Compare clicked, until the comparison is on screen; then until every one of its
//                  charts has drawn (each canvas has painted pixels: code that draws the charts a frame after the
//                  comparison shows is timed to the last curve); and the longest main-thread task (PerformanceObserver
//                  'longtask', ≥ 50 ms) until then: the stutter, if any
//   delete 1,000   with --delete: the bulk delete command of 1,000 runs (oldest first), then the space given back;
//                  code without bulk delete (before issue 19) deletes them one deleteRun request at a time, as its
//                  Runs screen did
import { spawn } from 'node:child_process';
import { closeSync, cpSync, fsyncSync, mkdtempSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values } = parseArgs({ options: { lab: { type: 'string' }, code: { type: 'string', default: process.cwd() }, label: { type: 'string', default: 'after' }, repeats: { type: 'string', default: '3' }, delete: { type: 'boolean', default: false } } });
if (!values.lab) throw new Error('--lab DIR is required');
const code = resolve(values.code);
const repeats = Number(values.repeats);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const home = mkdtempSync(join(tmpdir(), 'layerlab-table-'));
cpSync(values.lab, home, { recursive: true });
// On disk before timing: else the first WAL checkpoint's fsync (inside a measured command) writes the whole copy.
for (const name of readdirSync(home)) {
  const fd = openSync(join(home, name), 'r+');
  fsyncSync(fd);
  closeSync(fd);
}
const server = spawn(process.execPath, [join(code, 'bin/layerlab.js'), 'serve', '--port', '0', '--home', home], { cwd: code, stdio: ['ignore', 'pipe', 'pipe'] });
const url = await new Promise<string>((ok, fail) => {
  let out = '';
  const timer = setTimeout(() => fail(new Error(`serve did not start: ${out}`)), 300_000);
  const onData = (c: Buffer) => {
    out += c.toString();
    const m = /Open: (http:\/\/\S+)/.exec(out);
    if (m?.[1]) {
      clearTimeout(timer);
      ok(m[1]);
    }
  };
  server.stdout.on('data', onData);
  server.stderr.on('data', onData);
});
// Whatever fails below, the server and the copy go.
process.on('exit', () => {
  server.kill('SIGTERM');
  rmSync(home, { recursive: true, force: true });
});
process.on('uncaughtException', (error) => {
  console.error(error);
  process.exit(1);
});
const origin = new URL(url).origin;
const token = new URL(url).searchParams.get('token') ?? '';
const api = async (command: string, body: unknown) => {
  const t0 = performance.now();
  const res = await fetch(`${origin}/api/${command}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${command}: ${res.status} ${text.slice(0, 200)}`);
  return { ms: performance.now() - t0, bytes: Buffer.byteLength(text), json: (JSON.parse(text) as { result: unknown }).result };
};

const lean = await fetch(`${origin}/api/queryRuns`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: '{}' }).then((r) => r.status !== 404);
const payloads: { ms: number; bytes: number }[] = [];
for (let i = 0; i < repeats; i++) payloads.push(lean ? await api('queryRuns', { limit: 100 }) : await api('listRuns', {}));

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-dev-shm-usage'] });
const shown: number[] = [];
const keystroke: number[] = [];
const keystrokeInPage: number[] = [];
const compareInPage: number[] = [];
const sortClick: number[] = [];
const filterClick: number[] = [];
const compare: number[] = [];
const curves: number[] = [];
const longest: number[] = [];
for (let i = 0; i < repeats; i++) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url);
  await page.waitForLoadState('networkidle');
  let t0 = performance.now();
  await page.evaluate(() => (location.hash = '#/runs'));
  await page.locator('[data-testid^="run-row-"]').first().waitFor({ timeout: 120_000 });
  shown.push(performance.now() - t0);
  const count = page.getByTestId('runs-count');
  const before = await count.innerText();
  // From the input event: the DevTools protocol's synthesized key lands its keydown 20+ ms before the text changes (its
  // own dispatch; typed keys change the text in the keydown's task), which no user waits for.
  await page.evaluate(armInPageTimer, { event: 'input', target: '[data-testid="runs-search"]', changed: '[data-testid="runs-count"]' });
  t0 = performance.now();
  await page.getByTestId('runs-search').pressSequentially('k');
  await page.waitForFunction((b) => document.querySelector('[data-testid="runs-count"]')?.textContent?.trim() !== b.trim(), before, { timeout: 60_000, polling: 'raf' });
  keystroke.push(performance.now() - t0);
  keystrokeInPage.push(await page.evaluate(() => (window as unknown as { inPage: Promise<number> }).inPage));
  await page.getByTestId('runs-search').fill('');
  await page.waitForFunction((b) => document.querySelector('[data-testid="runs-count"]')?.textContent?.trim() === b.trim(), before, { timeout: 60_000, polling: 'raf' });
  // Sort: newest first → best val_acc first (the first row changes).
  const firstRow = () => page.evaluate(() => document.querySelector('[data-testid^="run-row-"]')?.getAttribute('data-testid') ?? '');
  const top = await firstRow();
  t0 = performance.now();
  await page.getByRole('button', { name: /^val_acc/ }).click();
  await page.waitForFunction((b) => document.querySelector('[data-testid^="run-row-"]')?.getAttribute('data-testid') !== b, top, { timeout: 60_000, polling: 'raf' });
  sortClick.push(performance.now() - t0);
  await page.getByRole('button', { name: /^#/ }).click();
  await page.waitForFunction((b) => document.querySelector('[data-testid^="run-row-"]')?.getAttribute('data-testid') === b, top, { timeout: 60_000, polling: 'raf' });
  // Filter: only stopped runs, then all again.
  t0 = performance.now();
  await page.getByTestId('runs-status').selectOption('stopped');
  await page.waitForFunction((b) => document.querySelector('[data-testid="runs-count"]')?.textContent?.trim() !== b.trim(), before, { timeout: 60_000, polling: 'raf' });
  filterClick.push(performance.now() - t0);
  await page.getByTestId('runs-status').selectOption('all');
  await page.waitForFunction((b) => document.querySelector('[data-testid="runs-count"]')?.textContent?.trim() === b.trim(), before, { timeout: 60_000, polling: 'raf' });
  const boxes = page.locator('[data-testid^="run-select-"]');
  for (let k = 0; k < 10; k++) await boxes.nth(k).check();
  // Stutter: the longest main-thread task while the comparison arrives and its curves are drawn.
  await page.evaluate(() => {
    const w = window as unknown as { longest: number };
    w.longest = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) w.longest = Math.max(w.longest, entry.duration);
    }).observe({ type: 'longtask' });
  });
  await page.evaluate(armInPageTimer, { event: 'click', target: '[data-testid="compare"]', changed: '[data-testid="comparison"] canvas' });
  t0 = performance.now();
  await page.getByTestId('compare').click();
  await page.getByTestId('comparison').waitFor({ timeout: 60_000 });
  await page.locator('[data-testid="comparison"] canvas').first().waitFor();
  compare.push(performance.now() - t0);
  compareInPage.push(await page.evaluate(() => (window as unknown as { inPage: Promise<number> }).inPage));
  // Every chart drawn: each canvas has a painted pixel (axes at least).
  await page.waitForFunction(
    () => {
      const canvases = [...document.querySelectorAll<HTMLCanvasElement>('[data-testid="comparison"] canvas')];
      return canvases.length > 0 && canvases.every((c) => c.width > 0 && c.height > 0 && c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data.some((v, i) => i % 4 === 3 && v > 0));
    },
    undefined,
    { timeout: 60_000, polling: 'raf' },
  );
  curves.push(performance.now() - t0);
  // Two frames after: what drawing left to do has run.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  longest.push(await page.evaluate(() => (window as unknown as { longest: number }).longest));
  await page.close();
}
await browser.close();

let deleteCell = 'n/a';
if (values.delete) {
  const file = join(home, 'layerlab.sqlite');
  // 1,000 runs (half the lab when it is smaller), oldest first.
  let ids: number[];
  let labTotal: number;
  if (lean) {
    const first = (await api('queryRuns', { limit: 500, sort: 'id', descending: false })).json as { runs: { id: number }[]; labTotal: number };
    const more = (await api('queryRuns', { limit: 500, offset: 500, sort: 'id', descending: false })).json as { runs: { id: number }[] };
    ids = [...first.runs, ...more.runs].map((r) => r.id);
    labTotal = first.labTotal;
  } else {
    const all = (await api('listRuns', {})).json as { id: number }[];
    ids = all.map((r) => r.id).sort((a, b) => a - b);
    labTotal = all.length;
  }
  ids = ids.slice(0, Math.min(1000, Math.floor(labTotal / 2)));
  const sizeBefore = statSync(file).size;
  const t0 = performance.now();
  if (lean) await api('deleteRuns', { runIds: ids });
  else for (const runId of ids) await api('deleteRun', { runId });
  const deleteMs = performance.now() - t0;
  // The space comes back in short steps after the answer: wait until the file stops shrinking.
  const t1 = performance.now();
  let last = statSync(file).size;
  let shrunkAt = t1;
  for (let stable = 0; stable < 5 && performance.now() - t1 < 180_000; ) {
    await new Promise((r) => setTimeout(r, 200));
    const size = statSync(file).size;
    if (size !== last) shrunkAt = performance.now();
    stable = size === last ? stable + 1 : 0;
    last = size;
  }
  const back = last < sizeBefore ? `, given back ${((shrunkAt - t1) / 1000).toFixed(1)} s later` : '';
  deleteCell = `${ids.length}${lean ? '' : ' one by one'} in ${(deleteMs / 1000).toFixed(2)} s; file ${(sizeBefore / 1e6).toFixed(0)} → ${(last / 1e6).toFixed(0)} MB${back}`;
}
const rss = Number(/VmRSS:\s+(\d+)/.exec(await import('node:fs').then((fs) => fs.readFileSync(`/proc/${server.pid}/status`, 'utf8')))?.[1] ?? NaN) / 1024;
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
rmSync(home, { recursive: true, force: true });

const mb = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(1)} KB`);
const s = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
console.log(
  `| ${values.label} | ${mb(median(payloads.map((p) => p.bytes)))}, ${s(median(payloads.map((p) => p.ms)))} | ${s(median(shown))} | ${s(median(keystroke))} (in page ${s(median(keystrokeInPage))}) | ${s(median(sortClick))} / ${s(median(filterClick))} | ${s(median(compare))} (in page ${s(median(compareInPage))}), curves ${s(median(curves))} (longest task ${Math.round(median(longest))} ms) | ${deleteCell} | ${rss.toFixed(0)} MB |`,
);

/**
 * Runs in the page: from the next `event` on `target` (its timeStamp: when the browser took the input or click) to the
 * start of the first frame after `changed` appears or changes its text — what the user waits for, without the
 * harness's round trips (typing through the DevTools protocol, polling for the change, reading it back: 20–60 ms
 * under load). The result is left in window.inPage as a promise.
 */
function armInPageTimer(o: { event: string; target: string; changed: string }): void {
  // No named inner functions: this source runs in the page, where a loader's name helper does not exist.
  const w = window as unknown as { inPage: Promise<number> };
  const existed = document.querySelector(o.changed) != null;
  const before = document.querySelector(o.changed)?.textContent ?? null;
  w.inPage = new Promise((resolve) => {
    document.querySelector(o.target)?.addEventListener(
      o.event,
      (e) => {
        const t0 = e.timeStamp;
        const observer = new MutationObserver(() => {
          const now = document.querySelector(o.changed);
          if (existed ? (now?.textContent ?? null) === before : now == null) return;
          observer.disconnect();
          requestAnimationFrame(() => resolve(performance.now() - t0));
        });
        observer.observe(document.body, { childList: true, characterData: true, subtree: true });
      },
      { once: true, capture: true },
    );
  });
}
