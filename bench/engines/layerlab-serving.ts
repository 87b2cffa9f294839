// The app's view of a training run: this process plays the serving process (IPC/web), forks the trainer the way
// the app does (forkTrainerLauncher + the trainer protocol), and measures its own event-loop lag while the run
// trains, the rate of progress messages it receives, the trainer's peak RSS (VmHWM from /proc), and how fast it
// answers a drawing (one-image predictions through the service's Predictor) meanwhile.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { RunEvent } from '../../src-shared/index.ts';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../src-main/lab/model/build-model.ts';
import type { Tf } from '../../src-main/lab/model/tf-types.ts';
import { encodeWeights } from '../../src-main/lab/model/weights-codec.ts';
import { Predictor } from '../../src-main/lab/service/predictor.ts';
import { forkTrainerLauncher } from '../../src-main/lab/training/fork-trainer-launcher.ts';
import type { TrainerToParent } from '../../src-main/lab/training/trainer-protocol.ts';
import { benchJob } from '../bench-job.ts';
import { peakRssMb } from './tfjs-common.ts';
import type { BenchWorkload, Engine, EngineResult } from './types.ts';

/** Our child processes (the trainer is the only one), from /proc (Linux). */
function childPids(): number[] {
  try {
    return readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function peakRssOfMb(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m?.[1] == null ? null : Number(m[1]) / 1024;
  } catch {
    return null;
  }
}

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN);
}

export const engine: Engine = {
  name: 'layerlab-serving',
  describe: 'a forked Layerlab trainer (wasm, the seed job with validation on the test set), seen from the serving process',
  unavailable: async (workload) =>
    workload !== 'seed-mlp' ? 'benched on the seed MLP only' : process.platform === 'linux' ? null : 'reads the trainer RSS from /proc (Linux only)',
  async run(w: BenchWorkload): Promise<EngineResult> {
    const home = mkdtempSync(join(tmpdir(), 'layerlab-bench-'));
    // The app's default for this preset: validation on the test set, so each epoch includes a 10k evaluation.
    const job = benchJob({ workload: 'seed-mlp', backend: 'wasm', batchSize: w.batchSize, seed: w.seed, home, validation: { kind: 'testSet' } });
    // Draw's path, warmed as the app shells warm it: seed-model weights (their values do not matter for timing).
    await tf.setBackend('cpu');
    const weights = encodeWeights(buildModel(tf as unknown as Tf, job.architecture, 1));
    const predictor = new Predictor();
    const image = [Array.from({ length: 784 }, (_, i) => ((i * 37) % 100) / 100)];
    const model = await predictor.build(job.architecture, weights);
    await predictor.predict(model, job.architecture, image);
    const drawMs: number[] = [];
    let drawing: NodeJS.Timeout | undefined;
    const draw = async () => {
      const t0 = performance.now();
      await predictor.predict(model, job.architecture, image);
      drawMs.push(performance.now() - t0);
    };
    const channel = forkTrainerLauncher().launch();
    const lag = monitorEventLoopDelay({ resolution: 10 });
    let progress = 0;
    let trainingStarted = 0;
    let trainingEnded = 0;
    let trainerPid: number | null = null;
    let trainerPeak = 0;
    const sample = () => {
      trainerPid ??= childPids()[0] ?? null;
      if (trainerPid != null) trainerPeak = Math.max(trainerPeak, peakRssOfMb(trainerPid) ?? 0);
    };
    const poll = setInterval(sample, 250);
    let epoch: Extract<RunEvent, { type: 'epoch' }> | null = null;
    let backendNote = '';
    try {
      await new Promise<void>((resolve, reject) => {
        channel.onExit((code, signal) => reject(new Error(`trainer exited (${code ?? signal}) before finishing: ${channel.diagnostics?.() ?? ''}`)));
        channel.onMessage((m: TrainerToParent) => {
          if (m.type === 'ready') channel.send({ type: 'start', job });
          else if (m.type === 'backend') backendNote = `trainer backend: ${m.report.chosen}${m.report.detail ? ` (${m.report.detail})` : ''}`;
          else if (m.type === 'fatal') reject(new Error(m.message));
          else if (m.type === 'event') {
            const e = m.event;
            if (e.type === 'started') {
              trainingStarted = performance.now();
              lag.enable();
              drawing = setInterval(() => void draw(), 100);
            } else if (e.type === 'progress') progress++;
            else if (e.type === 'epoch') {
              trainingEnded = performance.now();
              lag.disable();
              clearInterval(drawing);
              epoch = e;
            } else if (e.type === 'finished') {
              sample(); // the trainer is still alive: its high-water mark is final
              resolve();
            }
          }
        });
      });
    } finally {
      clearInterval(poll);
      clearInterval(drawing);
      lag.disable();
      channel.kill();
      model.dispose();
      rmSync(home, { recursive: true, force: true });
    }
    const e = epoch as Extract<RunEvent, { type: 'epoch' }> | null;
    if (e == null) throw new Error('no epoch event');
    const trainingSeconds = (trainingEnded - trainingStarted) / 1000;
    const ms = (ns: number) => ns / 1e6;
    return {
      engine: 'layerlab-serving',
      epochSeconds: e.seconds,
      steps: Math.ceil(60_000 / w.batchSize),
      stepsPerEpoch: Math.ceil(60_000 / w.batchSize),
      extrapolated: false,
      valAcc: e.val_acc,
      trainLoss: e.loss,
      predict10kSeconds: NaN,
      predictBatchSize: 0,
      singlePredictMs: NaN,
      peakRssMb: trainerPeak,
      notes: [backendNote, 'epoch time includes validation on the 10k test set (the app default)', `serving process peak RSS ${Math.round(peakRssMb())} MB`],
      serving: {
        lagP50Ms: ms(lag.percentile(50)),
        lagP99Ms: ms(lag.percentile(99)),
        lagMaxMs: ms(lag.max),
        progressPerSecond: progress / trainingSeconds,
        progressMessages: progress,
        trainerPeakRssMb: trainerPeak,
        drawPredictP50Ms: percentile(drawMs, 50),
        drawPredictP99Ms: percentile(drawMs, 99),
        drawPredictions: drawMs.length,
      },
    };
  },
};
