// node --import tsx bench/large-lab/store-timings.ts --lab DIR
// The lab side of issue 19's table without a browser (less noisy on a shared machine): on a copy of DIR, the
// service commands the Runs screen and the pickers use, old (listRuns, every summary) and new (queryRuns, one
// page; getRunChanges; deleteRuns). Medians of 5, milliseconds. Code from before issue 19 (no queryRuns: run from a
// `--baseline` export by lab-bench.ts) gets the rows it has: listRuns, compare, and 1,000 deleteRun calls.
import { closeSync, cpSync, fsyncSync, mkdtempSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseCommandInput } from '../../src-shared/index.ts';
import { LabService } from '../../src-main/lab/service/lab-service.ts';

const { values } = parseArgs({ options: { lab: { type: 'string' } } });
if (!values.lab) throw new Error('--lab DIR is required');
const home = mkdtempSync(join(tmpdir(), 'layerlab-timings-'));
process.on('exit', () => rmSync(home, { recursive: true, force: true }));
cpSync(values.lab, home, { recursive: true });
// On disk before timing: else the first WAL checkpoint's fsync (inside a measured command) writes the whole copy.
for (const name of readdirSync(home)) {
  const fd = openSync(join(home, name), 'r+');
  fsyncSync(fd);
  closeSync(fd);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
function time(label: string, fn: () => unknown, repeats = 5): void {
  const ms: number[] = [];
  let bytes = 0;
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    bytes = JSON.stringify(fn()).length;
    ms.push(performance.now() - t0);
  }
  console.log(`| ${label} | ${median(ms).toFixed(1)} ms | ${bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${(bytes / 1e3).toFixed(1)} KB`} |`);
}

let t0 = performance.now();
const service = await LabService.open({ home });
console.log(`| open (migrating to this version's schema on first open) | ${(performance.now() - t0).toFixed(0)} ms | |`);
const q = (input: unknown) => parseCommandInput('queryRuns', input);
if (typeof (service as Partial<LabService>).queryRuns === 'function') {
  // Before anything else reads the lab: the first keystroke's search finds SQLite's cache empty (the OS's is warm).
  time('queryRuns: first page, then search "k" (one letter), first after open', () => [service.queryRuns(q({})), service.queryRuns(q({ search: 'k' }))], 1);
}
time('before: listRuns {} (every summary, as the Runs screen asked)', () => service.listRuns({}), 3);
const file = join(home, 'layerlab.sqlite');
if (typeof (service as Partial<LabService>).queryRuns !== 'function') {
  // Code from before issue 19: its Runs screen listed every run and deleted them one request at a time.
  const all = service.listRuns({});
  time('compareRuns: 10 runs', () => service.compareRuns(parseCommandInput('compareRuns', { runIds: all.slice(0, 10).map((r) => r.id) })));
  const ids = all.map((r) => r.id).sort((a, b) => a - b).slice(0, 1000);
  const before = statSync(file).size;
  t0 = performance.now();
  for (const runId of ids) service.deleteRun({ runId });
  console.log(`| deleteRun × ${ids.length} (no bulk delete) | ${(performance.now() - t0).toFixed(0)} ms | file ${(before / 1e6).toFixed(0)} → ${(statSync(file).size / 1e6).toFixed(0)} MB |`);
} else {
  time('queryRuns: first page (100 rows)', () => service.queryRuns(q({})));
  time('queryRuns: search "kee" (a keystroke)', () => service.queryRuns(q({ search: 'kee' })));
  time('queryRuns: search "ab" (2 letters, LIKE on the index)', () => service.queryRuns(q({ search: 'ab' })));
  time('queryRuns: sort by val_acc', () => service.queryRuns(q({ sort: 'valAcc' })));
  time('queryRuns: sort by test acc ascending', () => service.queryRuns(q({ sort: 'testAcc', descending: false })));
  time('queryRuns: status stopped + tag keep', () => service.queryRuns(q({ status: 'stopped', tag: 'keep' })));
  time('queryRuns: picker, runs with weights', () => service.queryRuns(q({ has: 'weights', limit: 50 })));
  time('queryRuns: page 80 (offset 7,900)', () => service.queryRuns(q({ offset: 7900 })));
  const page = service.queryRuns(q({}));
  time('getRunChanges: nothing changed', () => service.getRunChanges({ since: page.version, shown: page.runs.map((r) => r.id) }));
  const ten = page.runs.slice(0, 10).map((r) => r.id);
  time('compareRuns: 10 runs', () => service.compareRuns(parseCommandInput('compareRuns', { runIds: ten })));
  const ids = service.queryRuns(q({ limit: 500, sort: 'id', descending: false })).runs.map((r) => r.id).concat(service.queryRuns(q({ limit: 500, offset: 500, sort: 'id', descending: false })).runs.map((r) => r.id));
  const before = statSync(file).size;
  t0 = performance.now();
  service.deleteRuns({ runIds: ids });
  const deleteMs = performance.now() - t0;
  t0 = performance.now();
  await service.spaceReclaimed();
  console.log(`| deleteRuns: ${ids.length} runs | ${deleteMs.toFixed(0)} ms | space given back in ${(performance.now() - t0).toFixed(0)} ms more; file ${(before / 1e6).toFixed(0)} → ${(statSync(file).size / 1e6).toFixed(0)} MB |`);
}
console.log(`| serving process RSS after all that | ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB | |`);
await service.close();
