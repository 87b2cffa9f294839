// npm run bench [-- --workload seed-mlp|deep-mlp|small-cnn|keras-cnn|all --repeats 3 --steps N --engines a,b --quick
//                  --accuracy-guard --predict --baseline <git ref> --torch-threads 2]
// Runs every engine, interleaved, `repeats` times, each run in a fresh child process; prints a table per workload and
// writes bench/results/latest.json. Timings are wall-clock on a shared machine: compare ratios within one run.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareBaseline, type Baseline } from './baseline.ts';
import { ENGINES } from './engines/index.ts';
import type { BenchWorkload, EngineResult } from './engines/types.ts';
import { isWorkloadName, WORKLOAD_NAMES, WORKLOADS, type WorkloadName } from './workloads.ts';
import { forwardMultiplyAdds } from './multiply-adds.ts';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name: string, dflt: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const optString = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = args.includes('--quick');
const repeats = opt('repeats', quick ? 1 : 3);
const cpuSteps = opt('cpu-steps', quick ? 20 : 100);
const stockSteps = opt('stock-steps', quick ? 40 : 0); // 0 = the full epoch
const leanSteps = opt('steps', opt('lean-steps', 0));
const torchThreads = opt('torch-threads', 2);
const accuracyGuard = args.includes('--accuracy-guard');
const predictOnly = args.includes('--predict');
// `--accuracy-guard` alone runs only the guard; otherwise the seed MLP is the default workload. `--predict` runs only
// the predict timings (of the two CNNs unless --workload names others).
const workloadArg = optString('workload') ?? (predictOnly ? 'small-cnn,keras-cnn' : accuracyGuard ? '' : 'seed-mlp');
const workloads: WorkloadName[] = workloadArg === 'all' ? [...WORKLOAD_NAMES] : workloadArg.split(',').filter(isWorkloadName);
if (workloads.length === 0 && !(accuracyGuard && workloadArg === '')) throw new Error(`--workload: one of ${WORKLOAD_NAMES.join(', ')} or all (got ${workloadArg})`);
const enginesArg = optString('engines');
const wanted = enginesArg != null ? enginesArg.split(',') : Object.keys(ENGINES);
const baselineRef = optString('baseline');
const baseline: Baseline | null = baselineRef == null ? null : prepareBaseline(baselineRef, here);
/** The baseline engine: layerlab-wasm as the baseline commit's src-main runs it (this bench's code). */
const BASELINE = 'layerlab-wasm@baseline';

/** The guard's seeds: one seed's accuracy after 3 epochs varies by ~0.3 points, so the guard judges their median. */
const GUARD_SEEDS = [1, 2, 3];

const base = { batchSize: 128, maxSteps: null, seed: 1, epochs: 1, validateEachEpoch: false, torchThreads };
const stepsFor: Record<string, number> = { 'tfjs-wasm-stock-fit': stockSteps, 'layerlab-cpu': cpuSteps, 'layerlab-wasm': leanSteps, 'layerlab-wasm-1t': leanSteps, [BASELINE]: leanSteps, pytorch: leanSteps };
/** Engines that are not a training-speed row of the main table (they get their own table). */
const SERVING = 'layerlab-serving';

function runChild(name: string, workload: BenchWorkload): EngineResult | string {
  const engine = name === BASELINE ? 'layerlab-wasm' : name;
  const benchDir = name === BASELINE && baseline != null ? baseline.benchDir : here;
  const child = spawnSync(process.execPath, ['--import', 'tsx', join(benchDir, 'engine-child.ts'), engine, JSON.stringify(workload)], {
    encoding: 'utf8',
    maxBuffer: 16 << 20,
    cwd: dirname(benchDir),
  });
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (child.status !== 0 || line == null) return (child.stderr || child.stdout).trim().split('\n').slice(-5).join(' | ');
  const r = JSON.parse(line.slice('RESULT '.length)) as EngineResult;
  if (name === BASELINE) r.engine = BASELINE;
  return r;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
};

const report: Record<string, unknown> = {};
console.log(`Machine: ${cpus().length}× ${cpus()[0]?.model ?? '?'}, node ${process.version}, load at start ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
if (baseline != null) console.log(`Baseline: ${BASELINE} = this bench on ${baseline.describe}`);
if (predictOnly) report['predict'] = runPredictTimings();
else {
  for (const workloadName of workloads) report[workloadName] = await benchWorkload(workloadName);
  if (workloads.length > 1) report['perMultiplyAdd'] = printPerMultiplyAdd(report);
}
if (accuracyGuard) report['accuracyGuard'] = runAccuracyGuard();
baseline?.cleanup();

mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(
  join(here, 'results', 'latest.json'),
  JSON.stringify({ when: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavgAtEnd: loadavg() }, settings: { ...base, repeats, cpuSteps, stockSteps, leanSteps, baseline: baselineRef ?? null }, ...report }, null, 2),
);
console.log(`\nwrote ${join('bench', 'results', 'latest.json')}`);

/**
 * Epoch time per forward multiply-add of each workload, against the seed MLP's in the same run (the issue's "no layer
 * type or optimizer more than 2× slower per multiply-add than the seed MLP"), with the path each took.
 */
function printPerMultiplyAdd(results: Record<string, unknown>): { workload: string; engine: string; path: string; macsPerSample: number; nsPerMac: number; timesSeed: number | null }[] {
  type Summary = { rows?: { engine: string; epochMedian: number; path: string }[] };
  const out: { workload: string; engine: string; path: string; macsPerSample: number; nsPerMac: number; timesSeed: number | null }[] = [];
  for (const engine of ['layerlab-wasm', 'pytorch']) {
    const perMac = (w: WorkloadName): { ns: number; path: string; macs: number } | null => {
      const row = (results[w] as Summary | undefined)?.rows?.find((r) => r.engine === engine);
      if (row == null) return null;
      const macs = forwardMultiplyAdds(WORKLOADS[w].architecture);
      return { ns: (row.epochMedian * 1e9) / (60000 * macs), path: row.path, macs };
    };
    const seed = perMac('seed-mlp');
    for (const w of workloads) {
      const m = perMac(w);
      if (m != null) out.push({ workload: w, engine, path: m.path, macsPerSample: m.macs, nsPerMac: m.ns, timesSeed: seed == null ? null : m.ns / seed.ns });
    }
  }
  if (out.length === 0) return out;
  console.log('\nPer forward multiply-add (epoch time ÷ 60,000 samples ÷ the network\'s forward multiply-adds per sample):');
  console.log('| workload | engine | forward MACs/sample | ns per MAC | × seed MLP per MAC | path |');
  console.log('|---|---|---|---|---|---|');
  for (const r of out) console.log(`| ${r.workload} | ${r.engine} | ${r.macsPerSample.toLocaleString('en-US')} | ${r.nsPerMac.toFixed(3)} | ${r.timesSeed == null ? '–' : r.timesSeed.toFixed(2)} | ${r.path} |`);
  return out;
}

interface PredictResult {
  workload: WorkloadName;
  threads: number;
  stock: boolean;
  predict10kSeconds: number;
  oneDigitMs: number;
  load: number;
}

/**
 * `--predict`: bench/predict-speed.ts in a child per configuration and code (this checkout, and the baseline's src-main
 * with --baseline), interleaved `repeats` times: the trainer's configuration (threaded wasm, fast kernels: validation
 * and the final evaluation) and the serving process's (single-threaded stock wasm: Draw, checkpoint scoring).
 */
function runPredictTimings(): PredictResult[] {
  const configs = [
    { process: 'trainer (validation, evaluation)', flags: ['--threads', '2'] },
    { process: 'serving (Draw, checkpoint scoring)', flags: ['--threads', '1', '--stock'] },
  ];
  const codes = [{ code: 'this checkout', dir: here }, ...(baseline != null ? [{ code: 'baseline', dir: baseline.benchDir }] : [])];
  const results: (PredictResult & { process: string; code: string })[] = [];
  for (let rep = 1; rep <= repeats; rep++) {
    for (const config of configs) {
      for (const { code, dir } of rep % 2 === 0 ? [...codes].reverse() : codes) {
        const child = spawnSync(process.execPath, ['--import', 'tsx', join(dir, 'predict-speed.ts'), '--workload', workloads.join(','), '--repeats', '5', ...config.flags], { encoding: 'utf8', cwd: dirname(dir), maxBuffer: 16 << 20 });
        const lines = child.stdout.split('\n').filter((l) => l.startsWith('RESULT '));
        if (child.status !== 0 || lines.length === 0) throw new Error(`predict-speed (${code}, ${config.process}) failed: ${(child.stderr || child.stdout).trim().split('\n').slice(-5).join(' | ')}`);
        for (const l of lines) results.push({ ...(JSON.parse(l.slice('RESULT '.length)) as PredictResult), process: config.process, code });
        process.stdout.write('.');
      }
    }
  }
  console.log(`\nPredict speed on wasm, medians of ${repeats} child run(s) × 5 (targets: 10k test images ≤ 1.5 s, one drawn digit ≤ 10 ms); load now ${loadavg().map((l) => l.toFixed(2)).join(' ')}.`);
  console.log('| workload | process | code | predict 10k s | one drawn digit ms | load during |');
  console.log('|---|---|---|---|---|---|');
  for (const w of workloads) {
    for (const config of configs) {
      for (const { code } of codes) {
        const rs = results.filter((r) => r.workload === w && r.process === config.process && r.code === code);
        const loads = rs.map((r) => r.load);
        console.log(`| ${w} | ${config.process} | ${code} | ${median(rs.map((r) => r.predict10kSeconds)).toFixed(3)} | ${median(rs.map((r) => r.oneDigitMs)).toFixed(2)} | ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} |`);
      }
    }
  }
  return results;
}

/**
 * Keras' mnist_convnet with Adam, 3 full epochs on layerlab-wasm, scored on the 10k test set after each, once per
 * seed in GUARD_SEEDS; passes when the median of the final accuracies reaches the target.
 */
function runAccuracyGuard(): { seeds: { seed: number; valAccByEpoch: number[] }[]; median: number; passed: boolean } | { failed: string } {
  const target = 0.985;
  console.log(`\nAccuracy guard: ${WORKLOADS['keras-cnn'].title}, 3 full epochs on layerlab-wasm, test accuracy after each, seeds ${GUARD_SEEDS.join(', ')} (target: median ≥ ${target} after 3) …`);
  const seeds: { seed: number; valAccByEpoch: number[] }[] = [];
  for (const seed of GUARD_SEEDS) {
    const r = runChild('layerlab-wasm', { ...base, workload: 'keras-cnn', epochs: 3, validateEachEpoch: true, seed });
    if (typeof r === 'string') {
      console.log(`  seed ${seed} failed: ${r}`);
      return { failed: r };
    }
    const accs = r.valAccByEpoch ?? [];
    if (accs.length !== 3) return { failed: `seed ${seed}: ${accs.length} epochs scored, not 3` };
    seeds.push({ seed, valAccByEpoch: accs });
    console.log(`  seed ${seed}: test accuracy by epoch ${accs.map((a) => a.toFixed(4)).join(', ')} (first epoch ${r.epochSeconds.toFixed(1)} s incl. validation; path: ${r.path ?? '?'})`);
  }
  const finals = seeds.map((s) => s.valAccByEpoch[2] ?? NaN).sort((a, b) => a - b);
  const median = finals[Math.floor(finals.length / 2)] ?? NaN;
  const passed = median >= target;
  console.log(`  median after 3 epochs ${median.toFixed(4)} → ${passed ? 'PASS' : 'FAIL'}`);
  return { seeds, median, passed };
}

async function benchWorkload(workloadName: WorkloadName): Promise<unknown> {
  const spec = WORKLOADS[workloadName];
  const available: string[] = [];
  const skipped: Record<string, string> = {};
  for (const name of [...wanted, ...(baseline != null ? [BASELINE] : [])]) {
    if (name === BASELINE) {
      available.push(name);
      continue;
    }
    const load = ENGINES[name];
    if (load == null) {
      skipped[name] = 'unknown engine';
      continue;
    }
    const why = await (await load()).unavailable(workloadName);
    if (why == null) available.push(name);
    else skipped[name] = why;
  }
  console.log(`\n=== ${workloadName}: ${spec.title} ===`);
  for (const [name, why] of Object.entries(skipped)) console.log(`skipping ${name}: ${why}`);

  const runs: Record<string, EngineResult[]> = {};
  const failures: Record<string, string[]> = {};
  for (let rep = 1; rep <= repeats; rep++) {
    for (const name of available) {
      const steps = stepsFor[name] ?? 0;
      const workload: BenchWorkload = { ...base, workload: workloadName, maxSteps: steps > 0 ? steps : null, seed: base.seed + rep };
      process.stdout.write(`[${rep}/${repeats}] ${name} … `);
      const r = runChild(name, workload);
      if (typeof r === 'string') {
        (failures[name] ??= []).push(r);
        console.log(`failed: ${r}`);
        continue;
      }
      (runs[name] ??= []).push(r);
      const lag = r.serving == null ? '' : `, serving lag p99 ${r.serving.lagP99Ms.toFixed(1)} ms, ${r.serving.progressPerSecond.toFixed(1)} progress msg/s`;
      console.log(`${r.epochSeconds.toFixed(2)} s/epoch${r.extrapolated ? ` (extrapolated from ${r.steps} steps)` : ''}${lag}`);
    }
  }

  interface Row {
    engine: string;
    runs: number;
    epochMedian: number;
    epochMin: number;
    epochMax: number;
    samplesPerSecond: number;
    speedupVsStockTfjs: number | null;
    speedupVsBaseline: number | null;
    timesPyTorch: number | null;
    peakRssMb: number;
    predict10kSeconds: number;
    predictBatchSize: number;
    singlePredictMs: number;
    valAcc: number | null;
    extrapolated: boolean;
    path: string;
    notes: string[];
  }

  const rows: Row[] = [];
  for (const [name, rs] of Object.entries(runs)) {
    if (name === SERVING) continue;
    const e = rs.map((r) => r.epochSeconds);
    const accs = rs.map((r) => r.valAcc).filter((a): a is number => a != null);
    rows.push({
      engine: name,
      runs: rs.length,
      epochMedian: median(e),
      epochMin: Math.min(...e),
      epochMax: Math.max(...e),
      samplesPerSecond: 60000 / median(e),
      speedupVsStockTfjs: null,
      speedupVsBaseline: null,
      timesPyTorch: null,
      peakRssMb: Math.max(...rs.map((r) => r.peakRssMb)),
      predict10kSeconds: median(rs.map((r) => r.predict10kSeconds)),
      predictBatchSize: rs[0]?.predictBatchSize ?? 0,
      singlePredictMs: median(rs.map((r) => r.singlePredictMs)),
      valAcc: accs.length > 0 ? median(accs) : null,
      extrapolated: rs.some((r) => r.extrapolated),
      path: rs[0]?.path ?? (name === 'tfjs-wasm-stock-fit' ? 'model.fit, stock kernels' : '–'),
      notes: [...new Set(rs.flatMap((r) => r.notes))],
    });
  }
  const stock = rows.find((r) => r.engine === 'tfjs-wasm-stock-fit');
  const torch = rows.find((r) => r.engine === 'pytorch');
  const before = rows.find((r) => r.engine === BASELINE);
  for (const r of rows) {
    r.speedupVsStockTfjs = stock == null ? null : stock.epochMedian / r.epochMedian;
    r.speedupVsBaseline = before == null ? null : before.epochMedian / r.epochMedian;
    r.timesPyTorch = torch == null ? null : r.epochMedian / torch.epochMedian;
  }

  const cols: [string, (r: Row) => string][] = [
    ['engine', (r) => r.engine + (r.extrapolated ? '*' : '')],
    ['s/epoch median', (r) => r.epochMedian.toFixed(2)],
    ['min–max', (r) => `${r.epochMin.toFixed(2)}–${r.epochMax.toFixed(2)}`],
    ['samples/s', (r) => Math.round(r.samplesPerSecond).toString()],
    ['× faster than stock tfjs', (r) => (r.speedupVsStockTfjs == null ? '–' : r.speedupVsStockTfjs.toFixed(1))],
    ['× faster than baseline', (r) => (r.speedupVsBaseline == null ? '–' : r.speedupVsBaseline.toFixed(2))],
    ['× PyTorch time', (r) => (r.timesPyTorch == null ? '–' : r.timesPyTorch.toFixed(2))],
    ['peak RSS MB', (r) => Math.round(r.peakRssMb).toString()],
    ['predict 10k s (batch)', (r) => `${r.predict10kSeconds.toFixed(3)} (${r.predictBatchSize})`],
    ['1-image ms', (r) => r.singlePredictMs.toFixed(3)],
    ['val_acc ep1', (r) => (r.valAcc == null ? 'n/a' : r.valAcc.toFixed(4))],
    ['path', (r) => r.path],
  ];
  const cells = [cols.map(([h]) => h), ...rows.map((r) => cols.map(([, f]) => f(r)))];
  const widths = cols.map((_, i) => Math.max(...cells.map((c) => (c[i] ?? '').length)));
  console.log(`\n${spec.title}, batch 128, 60,000 MNIST images; ${repeats} interleaved repeat(s); load now ${loadavg().map((l) => l.toFixed(2)).join(' ')}.`);
  for (const [i, c] of cells.entries()) {
    console.log('| ' + c.map((v, j) => v.padEnd(widths[j] ?? 0)).join(' | ') + ' |');
    if (i === 0) console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
  }
  if (rows.some((r) => r.extrapolated)) console.log('* partial epoch timed, s/epoch extrapolated to 469 steps; val_acc needs a full epoch.');
  for (const r of rows) for (const n of r.notes) console.log(`  ${r.engine}: ${n}`);

  // The serving process's view of a run: event-loop lag, progress message rate, trainer memory.
  interface ServingRow {
    runs: number;
    epochMedian: number;
    lagP50Ms: number;
    lagP99Ms: number;
    lagP99WorstMs: number;
    lagMaxMs: number;
    progressPerSecond: number;
    trainerPeakRssMb: number;
    drawPredictP50Ms: number;
    drawPredictP99Ms: number;
    valAcc: number | null;
  }
  let serving: ServingRow | null = null;
  const servingRuns = (runs[SERVING] ?? []).filter((r) => r.serving != null);
  if (servingRuns.length > 0) {
    const f = servingRuns.map((r) => r.serving!);
    const accs = servingRuns.map((r) => r.valAcc).filter((a): a is number => a != null);
    serving = {
      runs: servingRuns.length,
      epochMedian: median(servingRuns.map((r) => r.epochSeconds)),
      lagP50Ms: median(f.map((x) => x.lagP50Ms)),
      lagP99Ms: median(f.map((x) => x.lagP99Ms)),
      lagP99WorstMs: Math.max(...f.map((x) => x.lagP99Ms)),
      lagMaxMs: Math.max(...f.map((x) => x.lagMaxMs)),
      progressPerSecond: median(f.map((x) => x.progressPerSecond)),
      trainerPeakRssMb: Math.max(...f.map((x) => x.trainerPeakRssMb)),
      drawPredictP50Ms: median(f.map((x) => x.drawPredictP50Ms)),
      drawPredictP99Ms: Math.max(...f.map((x) => x.drawPredictP99Ms)),
      valAcc: accs.length > 0 ? median(accs) : null,
    };
    console.log(`\nServing process while a forked trainer (wasm, as the app starts it) trains one epoch with validation:`);
    console.log('| runs | epoch s (incl. val) | lag p50 ms | lag p99 ms (worst) | lag max ms | progress msg/s | trainer peak RSS MB | draw predict p50 / p99 ms | val_acc |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    const s = serving;
    console.log(
      `| ${s.runs} | ${s.epochMedian.toFixed(2)} | ${s.lagP50Ms.toFixed(1)} | ${s.lagP99Ms.toFixed(1)} (${s.lagP99WorstMs.toFixed(1)}) | ${s.lagMaxMs.toFixed(1)} | ${s.progressPerSecond.toFixed(1)} | ${Math.round(s.trainerPeakRssMb)} | ${s.drawPredictP50Ms.toFixed(1)} / ${s.drawPredictP99Ms.toFixed(1)} | ${s.valAcc == null ? 'n/a' : s.valAcc.toFixed(4)} |`,
    );
    for (const n of new Set(servingRuns.flatMap((r) => r.notes))) console.log(`  ${SERVING}: ${n}`);
  }

  return { rows, serving, runs, skipped, failures };
}
