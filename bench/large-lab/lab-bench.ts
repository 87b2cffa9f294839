// npm run bench:lab -- [--runs 1000,10000] [--baseline REF] [--repeats 3] [--labs DIR] [--epochs 30] [--no-browser]
// Issue 19's table for generated labs of each size: listRuns payload, Runs screen shown, one search keystroke,
// compare 10 runs, delete 1,000 (and the serving process's memory), this checkout against a baseline.
// - Labs are generated once into --labs (default bench/results/labs, git-ignored) and reused.
// - --baseline REF: REF's code is exported (git archive, node_modules linked, its renderer built) and measured in
//   the same run, rows interleaved (REF, this, REF, this…), so the two see the same load. The issue's own numbers
//   (measured when it was filed, on another day's load: not comparable as ratios) head each table for reference.
// - --no-browser: only the lab side (bench/large-lab/store-timings.ts: the service's commands, no Chromium).
// The machine may be shared: the load average is printed with each table; trust ratios within one run.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { prepareBaseline, type Baseline } from '../baseline.ts';
import { generateLab } from './generate-lab.ts';

const here = dirname(fileURLToPath(import.meta.url));
const benchDir = dirname(here);
const root = dirname(benchDir);
const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000,10000' },
    baseline: { type: 'string' },
    repeats: { type: 'string', default: '3' },
    labs: { type: 'string', default: join(benchDir, 'results', 'labs') },
    epochs: { type: 'string', default: '30' },
    'no-browser': { type: 'boolean', default: false },
  },
});
const sizes = values.runs.split(',').map((s) => Number(s.trim()));
for (const n of sizes) if (!Number.isInteger(n) || n < 20 || n > 100_000) throw new Error(`--runs: ${n} is not a lab size from 20 to 100,000 runs`);
const repeats = Number(values.repeats);
if (!Number.isInteger(repeats) || repeats < 1 || repeats > 20) throw new Error(`--repeats: ${values.repeats} is not a count from 1 to 20`);
const epochs = Number(values.epochs);
if (!Number.isInteger(epochs) || epochs < 1 || epochs > 500) throw new Error(`--epochs: ${values.epochs} is not a count from 1 to 500`);
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

/** What the issue measured when it was filed (Chromium over `layerlab serve`, a lab of copied real runs of 30 epochs). */
const ISSUE_BEFORE: Record<number, string> = {
  1000: '| before (issue 19\'s text) | ~1 MB | 2.6 s | 0.45 s | not measured | 0.64 s | not measured | |',
  10000: '| before (issue 19\'s text) | 10 MB, 0.9 s | 3.2 s (10,000 rows in the DOM) | 1.6 s | not measured | 1.95 s | not measured | |',
};

function labOf(runs: number): string {
  const dir = resolve(values.labs, epochs === 30 ? `lab-${runs}` : `lab-${runs}x${epochs}`);
  if (!existsSync(join(dir, 'layerlab.sqlite'))) {
    console.error(`generating a lab of ${runs} runs in ${dir} (once; reused by later runs)…`);
    generateLab({ runs, out: dir, epochs });
  }
  return dir;
}

let baseline: Baseline | null = null;
process.on('exit', () => baseline?.cleanup());
if (values.baseline) {
  baseline = prepareBaseline(values.baseline, benchDir);
  console.error(`baseline: ${baseline.describe}`);
  // `layerlab serve` shows dist/renderer of its own tree.
  if (!values['no-browser']) execFileSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'error'], { cwd: dirname(baseline.benchDir), stdio: 'inherit' });
}

/** Runs one of the bench's scripts in a child process and returns its table rows (lines starting with "|"). */
function rowsOf(script: string, args: string[]): string[] {
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(here, script), ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) return [`| ${script} failed (exit ${child.status}) | | | | | | | |`];
  return child.stdout.split('\n').filter((line) => line.startsWith('|'));
}

for (const runs of sizes) {
  const lab = labOf(runs);
  console.log(`\n## ${runs.toLocaleString('en-US')} runs × ${epochs} epochs (generated), load at start ${load()}\n`);
  if (values['no-browser']) {
    const codes = baseline ? [['before', dirname(baseline.benchDir)] as const, ['after', root] as const] : [['after', root] as const];
    for (const [label, code] of codes) {
      console.log(`### ${label} (${code === root ? 'this checkout' : values.baseline})\n\n| command | median | size |\n|---|---|---|`);
      // store-timings imports the service from its own tree: run the copy that sits in that code's bench/.
      const child = spawnSync(process.execPath, ['--import', 'tsx', join(code, 'bench', 'large-lab', 'store-timings.ts'), '--lab', lab], { cwd: code, encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
      console.log(child.status === 0 ? child.stdout.trim() : `| store-timings failed (exit ${child.status}) | | |`);
      console.log('');
    }
  } else {
    console.log('| code | list payload (first answer) | Runs screen shown | one search keystroke (in page) | sort / filter click | compare 10 runs: shown (in page), curves drawn | delete 1,000 runs | serving RSS |');
    console.log('|---|---|---|---|---|---|---|---|');
    // For reference also with a baseline: the code before issue 19 as measured when it was filed (another day's load).
    if (epochs === 30 && ISSUE_BEFORE[runs]) console.log(ISSUE_BEFORE[runs]);
    // One repeat per child, alternating, so both codes meet the same load; the table shows every repeat.
    for (let i = 0; i < repeats; i++) {
      if (baseline) for (const row of rowsOf('lab-table.ts', ['--lab', lab, '--code', dirname(baseline.benchDir), '--label', `before: ${values.baseline}`, '--repeats', '1', '--delete'])) console.log(row);
      for (const row of rowsOf('lab-table.ts', ['--lab', lab, '--label', 'after: this checkout', '--repeats', '1', '--delete'])) console.log(row);
    }
  }
  console.log(`\nload at end ${load()}`);
}
