// Layerlab's real training path: the backend loader, installFastWasmKernels (wasm), prepareData + runTraining (the
// loop the trainer process runs), and evaluate.ts's batched predict. Timed from the loop's own epoch event.
import { tmpdir } from 'node:os';
import type { RunEvent } from '../../src-shared/index.ts';
import { loadMnist } from '../../src-main/lab/data/mnist.ts';
import { loadBackend, realEnvironment } from '../../src-main/lab/engine/backends.ts';
import { installFastWasmKernels } from '../../src-main/lab/engine/wasm-kernels/index.ts';
import { defaultWasmThreads } from '../../src-main/lab/engine/wasm-threads/threaded-wasm-backend.ts';
import type { LayersModel, Tensor } from '../../src-main/lab/model/tf-types.ts';
import { predictProbabilities } from '../../src-main/lab/training/evaluate.ts';
import { prepareData } from '../../src-main/lab/training/prepare-data.ts';
import { runTraining, type TrainingControl } from '../../src-main/lab/training/run-training.ts';
import * as trainStep from '../../src-main/lab/training/train-step.ts';
import { benchJob } from '../bench-job.ts';
import { WORKLOADS } from '../workloads.ts';
import { peakRssMb, singlePredictMs } from './tfjs-common.ts';
import type { BenchWorkload, Engine, EngineResult } from './types.ts';

const noControl: TrainingControl = {
  stopRequested: () => false,
  paused: () => false,
  waitUntilResumed: () => Promise.resolve(),
  takeLearningRate: () => null,
};

/** `threads` undefined = the trainer process's default (defaultWasmThreads). */
export function layerlabEngine(backend: 'wasm' | 'cpu', threads?: number): Engine {
  const name = `layerlab-${backend}${threads == null ? '' : `-${threads}t`}`;
  return {
    name,
    describe: `Layerlab runTraining on tfjs ${backend}`,
    unavailable: async () => null,
    async run(w: BenchWorkload): Promise<EngineResult> {
      const notes: string[] = [];
      const { tf, report } = await loadBackend(backend, realEnvironment, { wasmThreads: threads ?? defaultWasmThreads() });
      if (report.chosen === 'wasm') {
        installFastWasmKernels(tf);
        notes.push(`wasm: ${report.detail ?? '?'}`);
      }
      const stepsPerEpoch = Math.ceil(60_000 / w.batchSize);
      const steps = Math.min(stepsPerEpoch, w.maxSteps ?? stepsPerEpoch);
      const partial = steps < stepsPerEpoch;
      // A partial epoch trains on the first steps×batch images of the subsample (same per-step cost).
      const job = benchJob({
        workload: w.workload,
        backend,
        batchSize: w.batchSize,
        seed: w.seed,
        epochs: partial ? 1 : w.epochs,
        home: tmpdir(),
        ...(w.validateEachEpoch && !partial ? { validation: { kind: 'testSet' } as const } : {}),
        ...(partial ? { trainExamples: steps * w.batchSize } : {}),
      });
      const inputShape = WORKLOADS[w.workload].architecture.inputShape;
      const pixels = inputShape.reduce((a, b) => a * b, 1);
      const data = prepareData(loadMnist(), job.train);
      const test = data.test;

      const events: RunEvent[] = [];
      let model: LayersModel | null = null;
      let path = '';
      let valAcc: number | null = null;
      let predictSeconds = NaN;
      let oneMs = NaN;
      const tensorsBefore = tf.memory().numTensors;
      const status = await runTraining(
        tf,
        job,
        data,
        noControl,
        {
          event: (e) => events.push(e),
          checkpoint: () => {},
          // Called while the trained model is still alive: time inference on it here.
          evaluation: (evaluation) => {
            valAcc = evaluation.accuracy;
            if (model == null) return;
            const m = model;
            const p0 = performance.now();
            predictProbabilities(tf, m, test.images, test.count, inputShape, 1000);
            predictSeconds = (performance.now() - p0) / 1000;
            oneMs = singlePredictMs((i) =>
              tf.tidy(() => {
                (m.predict(tf.tensor(test.images.subarray(i * pixels, (i + 1) * pixels), [1, ...inputShape])) as Tensor).dataSync();
              }),
            );
          },
        },
        {
          backend: report.chosen,
          createStep: (m, optimizer) => {
            model = m;
            // Read through the namespace: a --baseline commit may predate trainStepPath.
            const pathOf = (trainStep as Partial<typeof trainStep>).trainStepPath;
            path = (pathOf?.(m) ?? '?') + (report.chosen === 'wasm' ? ' + fast wasm kernels' : '');
            return trainStep.createTrainStep(m, optimizer);
          },
        },
      );
      if (status !== 'completed') throw new Error(`training ended ${status}`);
      const leaked = tf.memory().numTensors - tensorsBefore;
      notes.push(leaked === 0 ? 'no tensor leak over the run' : `LEAK: ${leaked} tensors left after the run`);
      const epochs = events.filter((e): e is Extract<RunEvent, { type: 'epoch' }> => e.type === 'epoch');
      const epoch = epochs[0];
      if (epoch == null) throw new Error('no epoch event');
      const valAccByEpoch = epochs.map((e) => e.val_acc).filter((a): a is number => a != null);
      const progress = events.filter((e) => e.type === 'progress').length;
      notes.push(`${progress} progress events in the epoch`);
      if (partial) notes.push(`${steps} of ${stepsPerEpoch} steps timed, epoch extrapolated`);
      if (epochs.length > 1) notes.push(`seconds by epoch: ${epochs.map((e) => e.seconds.toFixed(2)).join(', ')} (the first is the one timed)`);
      return {
        engine: name,
        epochSeconds: (epoch.seconds * stepsPerEpoch) / steps,
        steps,
        stepsPerEpoch,
        extrapolated: partial,
        valAcc: partial ? null : valAcc,
        ...(valAccByEpoch.length > 0 ? { valAccByEpoch } : {}),
        path,
        trainLoss: epoch.loss,
        predict10kSeconds: predictSeconds,
        predictBatchSize: 1000,
        singlePredictMs: oneMs,
        peakRssMb: peakRssMb(),
        notes,
      };
    },
  };
}
