// The GPU check: trains each workload on Layerlab's webgpu and wasm tiers (each in its own process, as the trainer
// runs) and on PyTorch, then prints a table and writes JSON. Packed with its Node and data by pack.ts; run there by
// run.sh. Here: `node --import tsx bench/gpu-check/check.ts all --examples 256 --epochs 1` (software WebGPU needs
// LAYERLAB_WEBGPU_ALLOW_SOFTWARE=1).
//   all  [--examples N] [--wasm-examples N] [--test-examples N] [--epochs N] [--workloads a,b] [--backends webgpu,wasm]
//        [--python PYTHON] [--torch-script PATH] [--out FILE] [--child-timeout SECONDS]
//   run  --workload ID --backend webgpu|wasm --examples N --test-examples N --epochs N   (one row, as JSON, on stdout)
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { BackendName, RunEvent } from '../../src-shared/index.ts';
import { loadMnist, mnistDataDir } from '../../src-main/lab/data/mnist.ts';
import { loadBackend, realEnvironment, type LoadedBackend } from '../../src-main/lab/engine/backends.ts';
import { installFastWasmKernels } from '../../src-main/lab/engine/wasm-kernels/index.ts';
import { defaultWasmThreads } from '../../src-main/lab/engine/wasm-threads/threaded-wasm-backend.ts';
import { maxExamplesPerBatch } from '../../src-main/lab/engine/webgpu/buffer-limits.ts';
import { describeAdapter } from '../../src-main/lab/engine/webgpu/software-adapter.ts';
import { releaseWebGpu, webGpuDeviceLost } from '../../src-main/lab/engine/webgpu/webgpu-backend.ts';
import { createDeviceTrainStep } from '../../src-main/lab/training/device-train-step.ts';
import { prepareData } from '../../src-main/lab/training/prepare-data.ts';
import { runTraining, type TrainingOptions } from '../../src-main/lab/training/run-training.ts';
import type { TrainJob } from '../../src-main/lab/training/trainer-protocol.ts';
import { FULL_EPOCH, formatTable, steadyEpochSeconds, targetVerdicts, type CheckResult } from './results.ts';
import { findWorkload, WORKLOADS, type Workload } from './workloads.ts';

const RESULT_PREFIX = 'GPU-CHECK-RESULT ';
const here = dirname(fileURLToPath(import.meta.url));

function job(w: Workload, backend: BackendName, examples: number, testExamples: number, epochs: number): TrainJob {
  return {
    runId: 1,
    architecture: w.architecture,
    compile: w.compile,
    train: { batchSize: w.batchSize, epochs, validation: { kind: 'testSet' }, trainExamples: examples, testExamples, shuffle: true, seed: 42 },
    dataset: 'mnist',
    home: here,
    backend,
    initialWeights: null,
  };
}

function options(loaded: LoadedBackend, w: Workload): TrainingOptions {
  const { report } = loaded;
  if (report.chosen !== 'webgpu' || !report.adapter) return { backend: report.chosen, progressIntervalMs: 60_000 };
  return {
    backend: 'webgpu',
    progressIntervalMs: 60_000,
    createStep: createDeviceTrainStep,
    evaluationBatchSize: Math.max(1, Math.min(1000, maxExamplesPerBatch(w.architecture, report.adapter.limits))),
    backendFault: webGpuDeviceLost,
  };
}

/** One workload on one backend in this process: the loop the trainer runs, timed from its own epoch events. */
async function runOne(workloadId: string, backend: BackendName, examples: number, testExamples: number, epochs: number): Promise<CheckResult> {
  const w = findWorkload(workloadId);
  const base = { workload: w.id, engine: `layerlab-${backend}`, examples, epochs };
  const blank = { secondsPerEpoch: null, firstEpochSeconds: null, secondsPer60k: null, valAcc: null };
  let loaded: LoadedBackend;
  try {
    loaded = await loadBackend(backend, realEnvironment, { wasmThreads: defaultWasmThreads() });
  } catch (error) {
    return { ...base, ...blank, device: '', error: error instanceof Error ? error.message : String(error) };
  }
  const { tf, report } = loaded;
  if (report.chosen === 'wasm') installFastWasmKernels(tf);
  const device = report.adapter ? describeAdapter(report.adapter) : (report.detail ?? report.chosen);
  const j = job(w, backend, examples, testExamples, epochs);
  const epochEvents: Extract<RunEvent, { type: 'epoch' }>[] = [];
  const control = { stopRequested: () => false, paused: () => false, waitUntilResumed: async () => {}, takeLearningRate: () => null };
  try {
    await runTraining(tf, j, prepareData(loadMnist(), j.train), control, {
      event: (e) => {
        if (e.type === 'epoch') epochEvents.push(e);
      },
      checkpoint: () => {},
      evaluation: () => {},
    }, options(loaded, w));
  } catch (error) {
    return { ...base, ...blank, device, error: error instanceof Error ? error.message : String(error) };
  } finally {
    if (backend === 'webgpu') releaseWebGpu(tf);
  }
  const { steady, first } = steadyEpochSeconds(epochEvents.map((e) => e.seconds));
  return {
    ...base,
    secondsPerEpoch: steady,
    firstEpochSeconds: first,
    secondsPer60k: steady == null ? null : (steady * FULL_EPOCH) / examples,
    valAcc: epochEvents.at(-1)?.val_acc ?? null,
    device,
    error: null,
  };
}

/** A child run's row, or a row naming how it failed. */
function childResult(args: string[], fallback: Omit<CheckResult, 'error'>, timeoutSeconds: number, command = process.execPath): CheckResult {
  // A hung child (a driver stuck in shader compilation, say) must cost one row, not the GPU window.
  const child = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutSeconds * 1000, killSignal: 'SIGKILL' });
  const line = child.stdout?.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (line) return JSON.parse(line.slice(RESULT_PREFIX.length)) as CheckResult;
  if (child.error && (child.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return { ...fallback, error: `no result within ${timeoutSeconds} s (--child-timeout)` };
  const why = child.error?.message ?? (child.stderr || child.stdout || '').trim().split('\n').slice(-3).join(' | ');
  return { ...fallback, error: `exited ${child.status ?? child.signal}: ${why}`.slice(0, 400) };
}

function all(values: Record<string, string | undefined>): void {
  const examples = Number(values.examples ?? FULL_EPOCH);
  const wasmExamples = Math.min(examples, Number(values['wasm-examples'] ?? 12_000));
  const testExamples = Number(values['test-examples'] ?? 10_000);
  const epochs = Number(values.epochs ?? 2);
  const childTimeout = Number(values['child-timeout'] ?? 300);
  const out = values.out ?? 'gpu-check-results.json';
  const workloads = values.workloads ? values.workloads.split(',').map((id) => findWorkload(id)) : [...WORKLOADS];
  const backends = (values.backends ?? 'webgpu,wasm').split(',') as BackendName[];
  const self = fileURLToPath(import.meta.url);
  // Under tsx (here) the child needs the same loader; the packed bundle is plain JavaScript.
  const loader = self.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const results: CheckResult[] = [];
  // Written after every row as well as at the end: a GPU window that closes mid-check still leaves the rows it ran.
  const save = (verdicts: string[]): void =>
    writeFileSync(out, JSON.stringify({ when: new Date().toISOString(), node: process.versions.node, examples, wasmExamples, testExamples, epochs, results, verdicts }, null, 2));
  for (const w of workloads) {
    for (const backend of backends) {
      const n = backend === 'wasm' ? wasmExamples : examples;
      const args = [...loader, self, 'run', '--workload', w.id, '--backend', backend, '--examples', String(n), '--test-examples', String(testExamples), '--epochs', String(epochs)];
      const blank = { workload: w.id, engine: `layerlab-${backend}`, examples: n, epochs, secondsPerEpoch: null, firstEpochSeconds: null, secondsPer60k: null, valAcc: null, device: '' };
      const r = childResult(args, blank, childTimeout);
      results.push(r);
      save([]);
      process.stderr.write(`${r.workload} ${r.engine}: ${r.error ?? `${r.secondsPerEpoch?.toFixed(3)} s/epoch, val_acc ${r.valAcc?.toFixed(4)}`}\n`);
    }
    const python = values.python ?? 'python3';
    const script = values['torch-script'] ?? join(here, 'torch_workloads.py');
    const torchArgs = [script, '--data', mnistDataDir(), '--workload', JSON.stringify(w), '--examples', String(examples), '--test-examples', String(testExamples), '--epochs', String(epochs)];
    const blank = { workload: w.id, engine: 'pytorch-cuda', examples, epochs, secondsPerEpoch: null, firstEpochSeconds: null, secondsPer60k: null, valAcc: null, device: '' };
    const r = childResult(torchArgs, blank, childTimeout, python);
    results.push(r);
    save([]);
    process.stderr.write(`${r.workload} ${r.engine}: ${r.error ?? `${r.secondsPerEpoch?.toFixed(3)} s/epoch`}\n`);
  }
  const table = formatTable(results);
  const verdicts = targetVerdicts(results);
  process.stdout.write(`${table}\n\n${verdicts.join('\n')}\n`);
  save(verdicts);
  process.stdout.write(`\nwrote ${out}\n`);
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: Object.fromEntries(
      ['examples', 'wasm-examples', 'test-examples', 'epochs', 'workloads', 'backends', 'python', 'torch-script', 'out', 'child-timeout', 'workload', 'backend'].map((k) => [k, { type: 'string' as const }]),
    ),
  });
  if (positionals[0] === 'run') {
    const r = await runOne(values.workload ?? '', (values.backend ?? '') as BackendName, Number(values.examples), Number(values['test-examples']), Number(values.epochs));
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(r)}\n`);
    process.exit(0); // dawn.node and the wasm threads would keep the process alive
  } else if (positionals[0] === 'all') {
    all(values);
  } else {
    process.stderr.write('usage: check all [--examples N] [--epochs N] [--workloads a,b] … | check run --workload ID --backend B …\n');
    process.exit(2);
  }
}

await main();
