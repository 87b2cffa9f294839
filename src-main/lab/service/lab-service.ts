// LabService: the one implementation of the contract's commands. The CLI, the web bridge and
// Electron IPC all call this class; nothing else writes the database.
import { join } from 'node:path';
import {
  analyzeArchitecture,
  assertValidArchitecture,
  type CommandOutput,
  type CommandParsed,
  type RunEvent,
  type Unsubscribe,
} from '../../../src-shared/index.ts';
import { DatasetRegistry } from '../data/dataset-registry.ts';
import type { Dataset } from '../data/dataset.ts';
import { BACKEND_ORDER, BackendError, precheck, probeBackends, realEnvironment } from '../engine/backends.ts';
import { DATABASE_FILE } from '../home.ts';
import { LabStore, StoreError } from '../store/lab-store.ts';
import { forkTrainerLauncher } from '../training/fork-trainer-launcher.ts';
import type { TestPredictions, TrainerLauncher, TrainerToParent, TrainJob } from '../training/trainer-protocol.ts';
import { ActiveRun } from './active-run.ts';
import type { LabServiceLike } from './lab-service-types.ts';
import { Predictor } from './predictor.ts';
import { InsideService } from '../inside/inside-service.ts';
import { exportRun, runsCsv } from './run-export.ts';
import { architectureDiff, configDiff, diffPredictions } from './run-compare.ts';
import { confusionMatrix, perClassMetrics, scorePredictions } from '../training/evaluate.ts';
import { checkTrainConfig, PIXELS } from '../training/prepare-data.ts';
// A static import, so bundles (Electron) inline it instead of resolving a path at run time.
import packageJson from '../../../package.json' with { type: 'json' };

const VERSION = packageJson.version;
type RunSummaryOf = ReturnType<LabStore['getSummaries']>[number];
/** A checkpoint's evaluation and its per-image predictions on the run's test subsample. */
interface CheckpointScores {
  evaluation: CommandOutput<'evaluateCheckpoint'>;
  predictions: TestPredictions;
}
const STOP_GRACE_MS = 10_000;
const ESTIMATE_BATCHES = 5;
const ESTIMATE_TIMEOUT_MS = 60_000;
const CHECKPOINT_EVALUATIONS_KEPT = 64;
const WEIGHTS_SHARD = 'group1-shard1of1.bin';

export interface LabServiceOptions {
  home: string;
  trainerLauncher?: TrainerLauncher;
  /** better-sqlite3 build for Electron's ABI. */
  nativeBinding?: string;
}

/** A test image as the contract carries it: 784 grey bytes, base64. */
function testImagePixels(data: Dataset, index: number): string {
  return Buffer.from(data.testImages.subarray(index * PIXELS, (index + 1) * PIXELS)).toString('base64');
}

export class RunStateError extends Error {
  override name = 'RunStateError';
}

export class LabService implements LabServiceLike {
  private readonly listeners = new Set<(event: RunEvent) => void>();
  private readonly active = new Map<number, ActiveRun>();
  private readonly predictor = new Predictor();
  private readonly inside: InsideService;
  /** Evaluations of epoch checkpoints (they never change), newest last. */
  private readonly checkpointEvaluations = new Map<string, CheckpointScores>();
  private closed = false;

  private constructor(
    readonly home: string,
    private readonly store: LabStore,
    private readonly datasets: DatasetRegistry,
    private readonly launcher: TrainerLauncher,
  ) {
    this.inside = new InsideService(store, datasets, this.predictor);
  }

  static async open(options: LabServiceOptions): Promise<LabService> {
    const store = LabStore.open(join(options.home, DATABASE_FILE), options.nativeBinding ? { nativeBinding: options.nativeBinding } : undefined);
    return new LabService(options.home, store, new DatasetRegistry(options.home), options.trainerLauncher ?? forkTrainerLauncher());
  }

  get databasePath(): string {
    return join(this.home, DATABASE_FILE);
  }

  onRunEvent(listener: (event: RunEvent) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: RunEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // One broken listener (a dropped socket) must not stop the others or the run.
      }
    }
  }

  /** For the app shells (web bridge, Electron): get prediction ready before the first drawing asks. */
  warmUp(): void {
    this.predictor.warm();
  }

  getSystemInfo(): CommandOutput<'getSystemInfo'> {
    const probes = probeBackends();
    const chosen = probes.find((p) => p.available)?.backend ?? BACKEND_ORDER[BACKEND_ORDER.length - 1] ?? 'cpu';
    return {
      version: VERSION,
      home: this.home,
      databasePath: this.databasePath,
      backend: { chosen, requested: 'auto', probes, versions: { node: process.versions.node, layerlab: VERSION } },
      datasets: this.datasets.list(),
    };
  }

  listDatasets(): CommandOutput<'listDatasets'> {
    return this.datasets.list();
  }

  analyzeArchitecture(input: CommandParsed<'analyzeArchitecture'>): CommandOutput<'analyzeArchitecture'> {
    return analyzeArchitecture(input);
  }

  /** Checks what can be checked before a trainer starts; returns the dataset and analysis. */
  private preflight(input: CommandParsed<'startRun'>) {
    if (this.closed) throw new RunStateError('the lab is shutting down');
    const { analysis } = assertValidArchitecture(input.architecture);
    if (input.backend !== 'auto') {
      // Refuse a backend that cannot load here before a run is recorded (the trainer re-checks).
      const reason = precheck(input.backend, realEnvironment);
      if (reason) throw new BackendError(`the ${input.backend} backend cannot be used: ${reason}`);
    }
    const dataset = this.datasets.load(input.dataset);
    // Every config mistake the trainer would hit is refused here, before a run is recorded.
    const sizes = checkTrainConfig(dataset, input.train);
    return { analysis, dataset, sizes };
  }

  async estimateEpoch(input: CommandParsed<'estimateEpoch'>): Promise<CommandOutput<'estimateEpoch'>> {
    const { analysis, sizes } = this.preflight(input);
    const batchesPerEpoch = Math.ceil(sizes.train / input.train.batchSize);
    const channel = this.launcher.launch();
    const job: TrainJob = { runId: 0, architecture: input.architecture, compile: input.compile, train: input.train, dataset: input.dataset, home: this.home, backend: input.backend, initialWeights: null };
    let timer: NodeJS.Timeout | undefined;
    const reply = await new Promise<Extract<TrainerToParent, { type: 'estimate' }>>((resolve, reject) => {
      timer = setTimeout(() => {
        channel.kill();
        reject(new RunStateError('the estimate took longer than a minute; the model is very slow on this backend'));
      }, ESTIMATE_TIMEOUT_MS);
      channel.onMessage((m) => {
        if (m.type === 'estimate') resolve(m);
        else if (m.type === 'fatal') reject(new RunStateError(`could not time the model: ${m.message}`));
      });
      channel.onExit((code, signal) => reject(new RunStateError(`the estimating process ended early (${signal ?? `code ${code}`})`)));
      channel.send({ type: 'estimate', job, batches: ESTIMATE_BATCHES });
    }).finally(() => {
      clearTimeout(timer);
      channel.kill();
    });
    return {
      backend: reply.report.chosen,
      secondsPerBatch: reply.secondsPerBatch,
      batchesPerEpoch,
      secondsPerEpoch: reply.secondsPerBatch * batchesPerEpoch,
      totalParams: analysis.totalParams,
      weightBytes: analysis.totalParams * 4,
    };
  }

  startRun(input: CommandParsed<'startRun'>): CommandOutput<'startRun'> {
    const { analysis, dataset } = this.preflight(input);
    let initialWeights: Uint8Array | null = null;
    if (input.parentRunId !== undefined) {
      if (!this.store.getRun(input.parentRunId)) throw new StoreError(`run ${input.parentRunId} does not exist`, 'not-found');
      if (input.parentCheckpoint) {
        const stored = this.store.loadCheckpoint(input.parentRunId, input.parentCheckpoint);
        if (!stored) throw new RunStateError(`run ${input.parentRunId} has no such checkpoint to start from`);
        initialWeights = stored.weights;
      }
    } else if (input.parentCheckpoint) {
      throw new RunStateError('parentCheckpoint needs parentRunId');
    }
    const runId = this.store.createRun({
      name: input.name ?? '',
      architecture: input.architecture,
      compile: input.compile,
      train: input.train,
      dataset: { name: dataset.name, hash: dataset.hash },
      totalParams: analysis.totalParams,
      parentRunId: input.parentRunId ?? null,
    });
    const run = new ActiveRun(
      { runId, architecture: input.architecture, compile: input.compile, train: input.train, dataset: dataset.name, home: this.home, backend: input.backend, initialWeights },
      this.launcher.launch(),
      this.store,
      (event) => this.emit(event),
    );
    this.active.set(runId, run);
    void run.whenDone().then(() => this.active.delete(runId));
    return { runId };
  }

  private activeRun(runId: number): ActiveRun {
    const run = this.active.get(runId);
    if (!run) {
      const stored = this.store.getRun(runId);
      throw stored ? new RunStateError(`run ${runId} is not running (it is ${stored.status})`) : new StoreError(`run ${runId} does not exist`, 'not-found');
    }
    return run;
  }

  stopRun({ runId }: CommandParsed<'stopRun'>): CommandOutput<'stopRun'> {
    this.activeRun(runId).stop();
    return { runId, stopping: true };
  }

  pauseRun({ runId }: CommandParsed<'pauseRun'>): CommandOutput<'pauseRun'> {
    this.activeRun(runId).pause();
    return { runId };
  }

  resumeRun({ runId }: CommandParsed<'resumeRun'>): CommandOutput<'resumeRun'> {
    this.activeRun(runId).resume();
    return { runId };
  }

  setLearningRate({ runId, learningRate }: CommandParsed<'setLearningRate'>): CommandOutput<'setLearningRate'> {
    const run = this.activeRun(runId);
    if (!run.paused) throw new RunStateError('pause the run before changing its learning rate');
    run.setLearningRate(learningRate);
    return { runId, learningRate };
  }

  listRuns(query: CommandParsed<'listRuns'>): CommandOutput<'listRuns'> {
    return this.store.listRuns(query);
  }

  getRun({ runId }: CommandParsed<'getRun'>): CommandOutput<'getRun'> {
    const run = this.store.getRun(runId);
    if (!run) throw new StoreError(`run ${runId} does not exist`, 'not-found');
    return run;
  }

  updateRun({ runId, ...changes }: CommandParsed<'updateRun'>): CommandOutput<'updateRun'> {
    return this.store.updateRun(runId, changes);
  }

  deleteRun({ runId }: CommandParsed<'deleteRun'>): CommandOutput<'deleteRun'> {
    if (this.active.has(runId)) throw new RunStateError(`run ${runId} is still running; stop it first`);
    const deleted = this.store.deleteRun(runId);
    if (!deleted) throw new StoreError(`run ${runId} does not exist`, 'not-found');
    this.predictor.forget(`${runId}:`);
    this.inside.forget(runId);
    for (const key of this.checkpointEvaluations.keys()) if (key.startsWith(`${runId}:`)) this.checkpointEvaluations.delete(key);
    return { runId, deleted };
  }

  exportRun({ runId, format }: CommandParsed<'exportRun'>): CommandOutput<'exportRun'> {
    return exportRun(this.getRun({ runId }), format);
  }

  getEvaluation({ runId }: CommandParsed<'getEvaluation'>): CommandOutput<'getEvaluation'> {
    return this.getRun({ runId }).evaluation;
  }

  exportRuns({ runIds }: CommandParsed<'exportRuns'>): CommandOutput<'exportRuns'> {
    const runs = this.store.getSummaries(runIds);
    const histories = this.store.getHistories(runIds);
    return runsCsv(runs.map((r) => ({ ...r, epochs: histories.get(r.id) ?? [] })));
  }

  compareRuns({ runIds }: CommandParsed<'compareRuns'>): CommandOutput<'compareRuns'> {
    const runs = this.store.getSummaries(runIds);
    const histories = this.store.getHistories(runIds);
    const evaluations = this.store.getEvaluations(runIds);
    return {
      runs,
      histories: runIds.map((id) => histories.get(id) ?? []),
      evaluations: runIds.map((id) => evaluations.get(id)?.evaluation ?? null),
      checkpointEpochs: runIds.map((id) => evaluations.get(id)?.checkpointEpochs ?? []),
      config: configDiff(runs),
      layers: architectureDiff(runs),
    };
  }

  comparePredictions({ runA, runB, trueLabel, predictedLabel, limit }: CommandParsed<'comparePredictions'>): CommandOutput<'comparePredictions'> {
    const [a, b] = this.store.getSummaries([runA, runB]) as [RunSummaryOf, RunSummaryOf];
    if (a.dataset.hash !== b.dataset.hash) throw new RunStateError(`runs ${runA} and ${runB} were tested on different datasets`);
    const predictionsA = this.store.getPredictions(runA);
    const predictionsB = this.store.getPredictions(runB);
    if (!predictionsA || !predictionsB) throw new RunStateError(`run ${predictionsA ? runB : runA} has no stored test predictions (it was not evaluated)`);
    const data = this.datasets.load(a.dataset.name);
    const { changes, ...counts } = diffPredictions(predictionsA, predictionsB, data.testLabels, {
      limit,
      ...(trueLabel !== undefined ? { trueLabel } : {}),
      ...(predictedLabel !== undefined ? { predictedLabel } : {}),
    });
    return {
      ...counts,
      images: changes.map((c) => ({ ...c, pixels: testImagePixels(data, c.index) })),
    };
  }

  private checkpointOf(runId: number, checkpoint: CommandParsed<'exportModel'>['checkpoint']) {
    const stored = this.store.loadCheckpoint(runId, checkpoint);
    if (!stored) {
      const what = checkpoint.kind === 'epoch' ? `checkpoint of epoch ${checkpoint.epoch}` : `${checkpoint.kind} checkpoint`;
      throw new RunStateError(`run ${runId} has no ${what}`);
    }
    return stored;
  }

  async exportModel({ runId, checkpoint }: CommandParsed<'exportModel'>): Promise<CommandOutput<'exportModel'>> {
    const run = this.getRun({ runId });
    const stored = this.checkpointOf(runId, checkpoint);
    const saved = await this.predictor.saveArtifacts(`${runId}:${checkpoint.kind}:${stored.epoch}`, run.architecture, () => stored.weights);
    const modelJson = {
      format: 'layers-model',
      generatedBy: `Layerlab ${VERSION} (run ${run.id} "${run.name}", ${checkpoint.kind} checkpoint, epoch ${stored.epoch})`,
      convertedBy: null,
      modelTopology: saved.modelTopology,
      weightsManifest: [{ paths: [WEIGHTS_SHARD], weights: saved.weightSpecs }],
      userDefinedMetadata: { layerlab: { runId: run.id, name: run.name, epoch: stored.epoch, compile: run.compile, train: run.train, testAccuracy: run.testAccuracy } },
    };
    return {
      modelJson: { filename: 'model.json', mimeType: 'application/json', content: JSON.stringify(modelJson) },
      weights: { filename: WEIGHTS_SHARD, mimeType: 'application/octet-stream', base64: Buffer.from(saved.weightData).toString('base64'), bytes: saved.weightData.byteLength },
    };
  }

  /** Runs a checkpoint on the run's own test subsample (the indices its final evaluation used). */
  async evaluateCheckpoint({ runId, checkpoint }: CommandParsed<'evaluateCheckpoint'>): Promise<CommandOutput<'evaluateCheckpoint'>> {
    return (await this.scoreCheckpoint(runId, checkpoint)).evaluation;
  }

  /** A checkpoint's predictions on the run's test subsample, cached per run, kind and epoch. */
  private async scoreCheckpoint(runId: number, checkpoint: CommandParsed<'evaluateCheckpoint'>['checkpoint']): Promise<CheckpointScores> {
    const run = this.getRun({ runId });
    const stored = this.checkpointOf(runId, checkpoint);
    const key = `${runId}:${checkpoint.kind}:${stored.epoch}`;
    const cached = this.checkpointEvaluations.get(key);
    if (cached) return cached;
    const predictions = this.store.getPredictions(runId);
    if (!predictions) throw new RunStateError(`run ${runId} has no test subsample on record (it was not evaluated)`);
    const data = this.datasets.load(run.dataset.name);
    const count = predictions.testIndices.length;
    const images = new Float32Array(count * PIXELS);
    const labels = new Uint8Array(count);
    predictions.testIndices.forEach((index, i) => {
      const src = data.testImages.subarray(index * PIXELS, (index + 1) * PIXELS);
      for (let p = 0; p < PIXELS; p++) images[i * PIXELS + p] = (src[p] ?? 0) / 255;
      labels[i] = data.testLabels[index] ?? 0;
    });
    const probabilities = await this.predictor.predictFlat(key, run.architecture, () => stored.weights, images, count);
    const scored = scorePredictions(probabilities, labels);
    const matrix = confusionMatrix(labels, scored.predicted);
    const evaluation = { runId, epoch: stored.epoch, loss: scored.loss, accuracy: scored.accuracy, confusionMatrix: matrix, perClass: perClassMetrics(matrix), examples: count };
    const result: CheckpointScores = { evaluation, predictions: { testIndices: predictions.testIndices, predicted: scored.predicted, confidence: scored.confidence } };
    this.checkpointEvaluations.set(key, result);
    while (this.checkpointEvaluations.size > CHECKPOINT_EVALUATIONS_KEPT) {
      const oldest = this.checkpointEvaluations.keys().next().value;
      if (oldest === undefined) break;
      this.checkpointEvaluations.delete(oldest);
    }
    return result;
  }

  async predict({ runId, checkpoint, images }: CommandParsed<'predict'>): Promise<CommandOutput<'predict'>> {
    const run = this.getRun({ runId });
    const stored = this.store.loadCheckpoint(runId, checkpoint);
    if (!stored) {
      const what = checkpoint.kind === 'epoch' ? `checkpoint of epoch ${checkpoint.epoch}` : `${checkpoint.kind} checkpoint`;
      throw new RunStateError(`run ${runId} has no ${what}`);
    }
    const key = `${runId}:${checkpoint.kind}:${stored.epoch}`;
    const probabilities = await this.predictor.predict(key, run.architecture, () => stored.weights, images);
    return { probabilities };
  }

  getTestImages({ dataset, indices }: CommandParsed<'getTestImages'>): CommandOutput<'getTestImages'> {
    const data = this.datasets.load(dataset);
    return indices.map((index) => {
      if (index >= data.testCount) throw new RunStateError(`test image ${index} does not exist (${data.name} has ${data.testCount})`);
      return { index, label: data.testLabels[index] ?? 0, pixels: testImagePixels(data, index) };
    });
  }

  /**
   * The run's misclassified test images, most confident first. Without a checkpoint (or with
   * 'final') from the stored final predictions; with another checkpoint from that checkpoint's
   * predictions on the same test subsample (computed once, shared with evaluateCheckpoint).
   */
  getMisclassified(input: CommandParsed<'getMisclassified'> & { checkpoint?: undefined }): CommandOutput<'getMisclassified'>;
  getMisclassified(input: CommandParsed<'getMisclassified'>): CommandOutput<'getMisclassified'> | Promise<CommandOutput<'getMisclassified'>>;
  getMisclassified(input: CommandParsed<'getMisclassified'>): CommandOutput<'getMisclassified'> | Promise<CommandOutput<'getMisclassified'>> {
    const { runId, checkpoint } = input;
    const run = this.getRun({ runId });
    if (checkpoint && checkpoint.kind !== 'final') {
      return this.scoreCheckpoint(runId, checkpoint).then((scores) => this.misclassifiedOf(run.dataset.name, scores.predictions, input));
    }
    const predictions = this.store.getPredictions(runId);
    if (!predictions) return [];
    return this.misclassifiedOf(run.dataset.name, predictions, input);
  }

  private misclassifiedOf(
    dataset: string,
    predictions: TestPredictions,
    { trueLabel, predictedLabel, limit }: CommandParsed<'getMisclassified'>,
  ): CommandOutput<'getMisclassified'> {
    const data = this.datasets.load(dataset);
    const found: CommandOutput<'getMisclassified'> = [];
    for (let i = 0; i < predictions.testIndices.length; i++) {
      const index = predictions.testIndices[i] as number;
      const label = data.testLabels[index] ?? 0;
      const predicted = predictions.predicted[i] ?? 0;
      if (label === predicted) continue;
      if (trueLabel !== undefined && label !== trueLabel) continue;
      if (predictedLabel !== undefined && predicted !== predictedLabel) continue;
      found.push({ index, label, predicted, confidence: predictions.confidence[i] ?? 0, pixels: '' });
    }
    found.sort((a, b) => b.confidence - a.confidence);
    return found.slice(0, limit).map((img) => ({
      ...img,
      pixels: testImagePixels(data, img.index),
    }));
  }

  // The inside views (lab/inside): on the prediction backend, cached per checkpoint.
  inspectImage = (input: CommandParsed<'inspectImage'>) => this.inside.inspectImage(input);
  inspectWeights = (input: CommandParsed<'inspectWeights'>) => this.inside.inspectWeights(input);
  getWeightHistory = (input: CommandParsed<'getWeightHistory'>) => this.inside.getWeightHistory(input);
  projectEmbedding = (input: CommandParsed<'projectEmbedding'>) => this.inside.projectEmbedding(input);

  /** Resolves when the run ends (for the CLI and tests). */
  async waitForRun(runId: number): Promise<void> {
    await this.active.get(runId)?.whenDone();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const runs = [...this.active.values()];
    for (const run of runs) run.stop();
    await Promise.all(
      runs.map((run) =>
        Promise.race([run.whenDone(), new Promise<void>((resolve) => setTimeout(resolve, STOP_GRACE_MS))]).then(() => run.kill()),
      ),
    );
    this.predictor.dispose();
    this.store.close();
  }
}
