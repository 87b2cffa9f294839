// The training loop. It runs inside the trainer process (or in-process in tests): a lean loop
// instead of model.fit, so batches come from typed-array views, stop/pause are honoured between
// batches, and per-batch work is one step plus one scalar read.
import type { BackendName, EpochMetrics, Evaluation, FinalStatus, ParamHistogram, RunEvent } from '../../../src-shared/index.ts';
import type { CheckpointKind } from '../../../src-shared/runs.ts';
import { paramHistogramsOf } from '../inside/histogram.ts';
import { buildModel, dropoutLayers, reseedDropout } from '../model/build-model.ts';
import type { LayersModel, Tensor, Tensor2D, Tf } from '../model/tf-types.ts';
import { encodeWeightsAsync, loadWeightsInto } from '../model/weights-codec.ts';
import { planEpochCheckpoints } from './checkpoint-policy.ts';
import { describeEarlyStop, earlyStoppingVerdict } from './callbacks/early-stopping.ts';
import { scheduledLearningRate } from './callbacks/lr-schedule.ts';
import { SeededRandom } from '../util/seeded-random.ts';
import { evaluateModel, modelClassCount } from './evaluate.ts';
import { isDeviceStepResult, readDeviceStepResult, type DeviceTrainStep } from './device-train-step.ts';
import { createOptimizer, setLearningRate } from './optimizers.ts';
import type { ImageShape } from '../../../src-shared/dataset-shape.ts';
import { augmentationActive } from '../../../src-shared/training-config.ts';
import { Augmenter } from './augment.ts';
import { gatherBatch, type BatchBuffers } from './gather-batch.ts';
import type { PreparedData } from './prepare-data.ts';
import { createTrainStep, type TrainStep } from './train-step.ts';
import type { TestPredictions, TrainJob } from './trainer-protocol.ts';

/** Requests from outside, read between batches. */
export interface TrainingControl {
  stopRequested(): boolean;
  paused(): boolean;
  /** Resolves when resumed or stopped. */
  waitUntilResumed(): Promise<void>;
  /** A learning rate set while paused, taken once. */
  takeLearningRate(): number | null;
}

export interface TrainingSink {
  event(event: RunEvent): void;
  checkpoint(kind: CheckpointKind, epoch: number, valLoss: number | null, weights: Uint8Array): void;
  evaluation(evaluation: Evaluation, predictions: TestPredictions): void;
  /** Why the run ended before its last epoch though it completed (early stopping): the finished event's reason. */
  endedEarly?(reason: string): void;
  /** Binned weight histograms at each epoch's end (the inside views); absent: not recorded. */
  weightHistograms?(epoch: number, params: ParamHistogram[]): void;
}

export interface TrainingOptions {
  /** The backend tf runs on, reported in the started event. */
  backend: BackendName;
  /** Shown with the backend in the started event (see BackendReport.detail). */
  backendDetail?: string | undefined;
  /** Minimum time between progress events: a fast backend must not flood IPC. */
  progressIntervalMs?: number;
  /** Per-epoch checkpoints of the run fit in this many bytes (see checkpoint-policy.ts). */
  epochCheckpointBudgetBytes?: number;
  /** Swap in a faster step (issue "fast training"), or the device step of an asynchronous backend (webgpu); defaults to
   *  the plain tfjs step. */
  createStep?: (model: LayersModel, optimizer: ReturnType<typeof createOptimizer>) => TrainStep | DeviceTrainStep;
  /** Examples per forward pass when evaluating (a GPU's buffer limit may need fewer than the default 1000). */
  evaluationBatchSize?: number;
  /** Why the backend stopped working (a lost GPU device), checked after each batch; null while it works. */
  backendFault?: () => string | null;
  /** Let queued messages (stop, pause) in between batches. */
  yieldToEventLoop?: () => Promise<void>;
}

/** The image shape augmentation works on: the data's, or an image model input's. */
function augmentedShape(data: PreparedData, inputShape: readonly number[]): ImageShape {
  if (data.imageShape) return data.imageShape;
  if (inputShape.length === 3) return [...inputShape] as ImageShape;
  throw new Error('augmentation needs the images\' height, width and channels, and this data does not carry them');
}

const defaultYield = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runTraining(tf: Tf, job: TrainJob, data: PreparedData, control: TrainingControl, sink: TrainingSink, options: TrainingOptions): Promise<FinalStatus> {
  const { runId, train } = job;
  const progressInterval = options.progressIntervalMs ?? 200;
  const yieldNow = options.yieldToEventLoop ?? defaultYield;
  const inputShape = job.architecture.inputShape;
  const PIXELS = inputShape.reduce((a, b) => a * b, 1);
  const model = buildModel(tf, job.architecture, train.seed);
  const classCount = modelClassCount(model);
  if (job.initialWeights) loadWeightsInto(tf, model, job.initialWeights);
  const optimizer = createOptimizer(tf, job.compile.optimizer);
  const step = (options.createStep ?? createTrainStep)(model, optimizer);
  const dropouts = dropoutLayers(model);
  // The data's own generator is used up by the subsampling; the loop gets its own stream.
  const rng = new SeededRandom((train.seed ^ 0x5bd1e995) >>> 0);

  const n = data.train.count;
  const batchSize = Math.min(train.batchSize, n);
  const batchesPerEpoch = Math.ceil(n / batchSize);
  const keptEpochs = new Set(planEpochCheckpoints(train.epochs, model.countParams(), options.epochCheckpointBudgetBytes).kept);
  sink.event({ type: 'started', runId, backend: options.backend, ...(options.backendDetail ? { backendDetail: options.backendDetail } : {}), epochs: train.epochs, batchesPerEpoch, trainExamples: n, validationExamples: data.validation?.count ?? 0 });

  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const batch: BatchBuffers = { x: new Float32Array(batchSize * PIXELS), labels: new Int32Array(batchSize) };
  const augmenter = augmentationActive(train.augmentation) ? new Augmenter(train.augmentation, augmentedShape(data, inputShape), train.seed) : null;

  const evaluationBatch = options.evaluationBatchSize ?? 1000;
  // A lost device turns every later read into a vague failure (or garbage): name the cause instead.
  const fault = options.backendFault ?? (() => null);
  const assertBackendWorks = (epoch: number, batch: number) => {
    const reason = fault();
    if (reason !== null) throw new Error(`the GPU device was lost during epoch ${epoch}, batch ${batch} (${reason}); the finished epochs are kept`);
  };
  const faulted = (error: unknown): never => {
    const reason = fault();
    if (reason !== null) throw new Error(`the GPU device was lost (${reason}); the finished epochs are kept`);
    throw error;
  };

  let status: FinalStatus = 'completed';
  let bestValLoss = Infinity;
  let lastEpoch = 0;
  // The callbacks' only state is the history: each is a pure function of it (see callbacks/).
  const history: EpochMetrics[] = [];
  const scheduleContext = { initialLearningRate: job.compile.optimizer.learningRate, epochs: train.epochs };
  // The schedule's rate of the epoch before: the schedule sets the optimizer only when its own rate changes, so a
  // rate set by hand while paused holds until the schedule's next change.
  let lastScheduledRate = scheduleContext.initialLearningRate;
  // restoreBestWeights: copies of the best epoch's weights, replaced at each new best.
  let bestWeights: Tensor[] | null = null;
  let bestWeightsEpoch: number | null = null;
  /** The epoch the weights at the end are from, when early stopping restored an earlier one (else the last epoch). */
  let finalWeightsEpoch: number | null = null;
  const releaseBestWeights = () => {
    bestWeights?.forEach((w) => w.dispose());
    bestWeights = null;
  };

  try {
    epochs: for (let epoch = 1; epoch <= train.epochs; epoch++) {
      if (train.lrSchedule) {
        const rate = scheduledLearningRate(train.lrSchedule, scheduleContext, epoch, history);
        if (rate !== lastScheduledRate) {
          setLearningRate(optimizer, rate);
          // Logged as a learning-rate change, so the rate each epoch used is read back from the run's typed log.
          sink.event({ type: 'learningRate', runId, epoch, batch: 0, learningRate: rate });
          lastScheduledRate = rate;
        }
      }
      const started = performance.now();
      if (train.shuffle) rng.shuffle(order);
      let lossSum = 0;
      let correctSum = 0;
      let seen = 0;
      let pending: number[] = [];
      let pendingFirst = 1;
      let lastProgress = performance.now();

      for (let b = 0; b < batchesPerEpoch; b++) {
        if (control.stopRequested()) {
          status = 'stopped';
          break epochs;
        }
        if (control.paused()) {
          sink.event({ type: 'paused', runId, epoch, batch: b });
          await control.waitUntilResumed();
          if (control.stopRequested()) {
            status = 'stopped';
            break epochs;
          }
          const lr = control.takeLearningRate();
          if (lr !== null) {
            setLearningRate(optimizer, lr);
            sink.event({ type: 'learningRate', runId, epoch, batch: b, learningRate: lr });
          }
          sink.event({ type: 'resumed', runId, epoch, batch: b });
          lastProgress = performance.now();
        }

        const start = b * batchSize;
        const size = Math.min(batchSize, n - start);
        gatherBatch(data.train, order, start, size, PIXELS, augmenter, batch);
        if (dropouts.length > 0) reseedDropout(dropouts, rng);
        const stepped = tf.tidy(() => {
          const x = tf.tensor(batch.x.subarray(0, size * PIXELS), [size, ...inputShape]);
          const labels = tf.tensor1d(batch.labels.subarray(0, size), 'int32');
          return step(x as Tensor2D, tf.oneHot(labels, classCount) as Tensor2D);
        });
        // A device step's numbers arrive with the one read-back per batch; a synchronous step has them already.
        const { loss: lossValue, correct: correctValue } = isDeviceStepResult(stepped) ? await readDeviceStepResult(stepped).catch(faulted) : stepped;
        assertBackendWorks(epoch, b);
        if (!Number.isFinite(lossValue)) {
          throw new Error(`the loss became ${lossValue} at epoch ${epoch}, batch ${b + 1}; try a smaller learning rate`);
        }
        lossSum += lossValue * size;
        correctSum += correctValue;
        seen += size;
        pending.push(lossValue);

        const now = performance.now();
        if (now - lastProgress >= progressInterval || b === batchesPerEpoch - 1) {
          sink.event({ type: 'progress', runId, epoch, batch: b + 1, batchesPerEpoch, firstBatch: pendingFirst, losses: pending, acc: correctSum / seen });
          pending = [];
          pendingFirst = b + 2;
          lastProgress = now;
          await yieldNow();
        }
      }

      let valLoss: number | null = null;
      let valAcc: number | null = null;
      if (data.validation) {
        const { scored } = await evaluateModel(tf, model, data.validation, inputShape, evaluationBatch).catch(faulted);
        assertBackendWorks(epoch, batchesPerEpoch);
        valLoss = scored.loss;
        valAcc = scored.accuracy;
      }
      const metrics: EpochMetrics = { epoch, loss: lossSum / seen, acc: correctSum / seen, val_loss: valLoss, val_acc: valAcc, seconds: (performance.now() - started) / 1000 };
      sink.event({ type: 'epoch', runId, ...metrics });
      lastEpoch = epoch;
      history.push(metrics);
      // Binned on this side: a few hundred numbers per layer cross to the parent, not the weights.
      sink.weightHistograms?.(epoch, paramHistogramsOf(model, job.architecture));

      const monitored = valLoss ?? metrics.loss;
      if (monitored < bestValLoss) {
        bestValLoss = monitored;
        sink.checkpoint('best', epoch, valLoss, await encodeWeightsAsync(model));
      }
      if (keptEpochs.has(epoch)) sink.checkpoint('epoch', epoch, valLoss, await encodeWeightsAsync(model, 'float16'));

      if (train.earlyStopping) {
        const verdict = earlyStoppingVerdict(train.earlyStopping, history);
        if (train.earlyStopping.restoreBestWeights && verdict.bestEpoch === epoch) {
          releaseBestWeights();
          bestWeights = tf.tidy(() => model.getWeights().map((w) => w.clone()));
          bestWeightsEpoch = epoch;
        }
        // As Keras, also on the last epoch: its weights then are the best epoch's, not the last's.
        if (verdict.stopAfter !== null) {
          let restored: number | null = null;
          if (bestWeights && bestWeightsEpoch !== epoch) {
            model.setWeights(bestWeights);
            restored = bestWeightsEpoch;
            finalWeightsEpoch = bestWeightsEpoch;
          }
          sink.endedEarly?.(describeEarlyStop(train.earlyStopping, { ...verdict, stopAfter: verdict.stopAfter }, restored));
          break epochs;
        }
      }
      await yieldNow();
    }

    if (lastEpoch > 0 || status === 'completed') {
      // The final checkpoint is labelled with the epoch its weights are from: the restored one after early stopping.
      sink.checkpoint('final', finalWeightsEpoch ?? lastEpoch, null, await encodeWeightsAsync(model));
      const { evaluation, scored } = await evaluateModel(tf, model, data.test, inputShape, evaluationBatch);
      sink.evaluation(evaluation, { testIndices: data.test.sourceIndices, predicted: scored.predicted, confidence: scored.confidence });
    }
    return status;
  } finally {
    releaseBestWeights();
    optimizer.dispose();
    model.dispose();
  }
}

/**
 * Seconds per training step of this job on the current backend, from random data: the first
 * step (kernel setup, wasm warm-up) is run but not counted.
 */
export async function timeTrainingSteps(
  tf: Tf,
  job: TrainJob,
  steps: number,
  createStep: (model: LayersModel, optimizer: ReturnType<typeof createOptimizer>) => TrainStep | DeviceTrainStep = createTrainStep,
): Promise<number> {
  const model = buildModel(tf, job.architecture, job.train.seed);
  const optimizer = createOptimizer(tf, job.compile.optimizer);
  const step = createStep(model, optimizer);
  const classCount = modelClassCount(model);
  const size = Math.min(job.train.batchSize, job.train.trainExamples);
  try {
    let started = 0;
    for (let i = 0; i <= steps; i++) {
      if (i === 1) started = performance.now();
      const stepped = tf.tidy(() => {
        const x = tf.randomUniform([size, ...job.architecture.inputShape]);
        const labels = tf.randomUniform([size], 0, classCount, 'int32');
        return step(x as Tensor2D, tf.oneHot(labels, classCount) as Tensor2D); // reads its loss back: the step's full cost
      });
      if (isDeviceStepResult(stepped)) await readDeviceStepResult(stepped);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return (performance.now() - started) / 1000 / steps;
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
