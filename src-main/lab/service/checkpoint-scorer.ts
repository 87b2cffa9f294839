// Everything that runs a stored checkpoint: predictions, a checkpoint's evaluation on its run's
// test subsample, the misclassified gallery, and the TensorFlow.js export. One cache, keyed by
// checkpoint, holds each built model and (once asked) its scores; evicting an entry disposes
// its model.
import { pixelsOf } from '../../../src-shared/dataset-shape.ts';
import { LRUCache } from 'lru-cache';
import type { CommandOutput, CommandParsed, RunDetail } from '../../../src-shared/index.ts';
import type { DatasetRegistry } from '../data/dataset-registry.ts';
import { testImagePixels, testImageShape } from '../data/test-image-pixels.ts';
import type { LayersModel, Tf } from '../model/tf-types.ts';
import { StoreError, type LabStore } from '../store/lab-store.ts';
import { confusionMatrix, perClassMetrics, scorePredictions } from '../training/evaluate.ts';
import { gatherExamples } from '../training/prepare-data.ts';
import type { TestPredictions } from '../training/trainer-protocol.ts';
import { Predictor } from './predictor.ts';
import { InsideInputError } from '../inside/activations.ts';
import { checkClassLabel } from './class-label.ts';
import { RunStateError } from './run-state-error.ts';

type CheckpointRef = CommandParsed<'predict'>['checkpoint'];
const WEIGHTS_SHARD = 'group1-shard1of1.bin';
/** Built models are the heavy part (weights as tensors): a handful covers comparing a few runs' epochs. */
const CHECKPOINTS_KEPT = 8;

/** A checkpoint's evaluation and its per-image predictions on the run's test subsample. */
interface CheckpointScores {
  evaluation: CommandOutput<'evaluateCheckpoint'>;
  predictions: TestPredictions;
}

interface CachedCheckpoint {
  model: Promise<LayersModel>;
  scores: Promise<CheckpointScores> | null;
}

/** A stored checkpoint of a run: what it is, its weights, and its cache key. */
interface Checkpoint {
  run: RunDetail;
  ref: CheckpointRef;
  epoch: number;
  weights: Uint8Array;
  key: string;
}

export class CheckpointScorer {
  private readonly predictor: Predictor;
  private readonly cache = new LRUCache<string, CachedCheckpoint>({
    max: CHECKPOINTS_KEPT,
    dispose: (entry) => void entry.model.then((model) => model.dispose(), () => {}),
  });

  constructor(
    private readonly store: LabStore,
    private readonly datasets: DatasetRegistry,
    private readonly version: string,
    predictor?: Predictor,
  ) {
    this.predictor = predictor ?? new Predictor();
  }

  /** Gets the prediction backend ready before the first drawing asks. */
  warmUp(): void {
    this.predictor.warm();
  }

  private run(runId: number): RunDetail {
    const run = this.store.getRun(runId);
    if (!run) throw new StoreError(`run ${runId} does not exist`, 'not-found');
    return run;
  }

  private checkpoint(runId: number, ref: CheckpointRef): Checkpoint {
    const run = this.run(runId);
    const stored = this.store.loadCheckpoint(runId, ref);
    if (!stored) {
      const what = ref.kind === 'epoch' ? `checkpoint of epoch ${ref.epoch}` : `${ref.kind} checkpoint`;
      throw new RunStateError(`run ${runId} has no ${what}`);
    }
    return { run, ref, epoch: stored.epoch, weights: stored.weights, key: `${runId}:${ref.kind}:${stored.epoch}` };
  }

  private entry(checkpoint: Checkpoint): CachedCheckpoint {
    const cached = this.cache.get(checkpoint.key);
    if (cached) return cached;
    const entry: CachedCheckpoint = { model: this.predictor.build(checkpoint.run.architecture, checkpoint.weights), scores: null };
    // A model that failed to build is not kept: the next request tries again and says why.
    entry.model.catch(() => {
      if (this.cache.peek(checkpoint.key) === entry) this.cache.delete(checkpoint.key);
    });
    this.cache.set(checkpoint.key, entry);
    return entry;
  }

  /** A checkpoint's model, built once and shared through the cache with the other views of it (lab/inside). */
  async loadedModel(runId: number, ref: CheckpointRef): Promise<{ run: RunDetail; epoch: number; key: string; tf: Tf; model: LayersModel }> {
    const found = this.checkpoint(runId, ref);
    const model = await this.entry(found).model;
    return { run: found.run, epoch: found.epoch, key: found.key, tf: await this.predictor.tf(), model };
  }

  async predict({ runId, checkpoint, images }: CommandParsed<'predict'>): Promise<CommandOutput<'predict'>> {
    const found = this.checkpoint(runId, checkpoint);
    const want = found.run.architecture.inputShape.reduce((a, b) => a * b, 1);
    const wrong = images.findIndex((image) => image.length !== want);
    if (wrong >= 0) {
      throw new InsideInputError(`image ${wrong + 1} has ${images[wrong]?.length} values, but run ${runId}'s model takes ${want} (${found.run.architecture.inputShape.join('×')})`);
    }
    const model = await this.entry(found).model;
    return { probabilities: await this.predictor.predict(model, found.run.architecture, images) };
  }

  /** Runs a checkpoint on the run's own test subsample (the indices its final evaluation used). */
  async evaluateCheckpoint({ runId, checkpoint }: CommandParsed<'evaluateCheckpoint'>): Promise<CommandOutput<'evaluateCheckpoint'>> {
    return (await this.scores(this.checkpoint(runId, checkpoint))).evaluation;
  }

  /** A checkpoint's predictions on the run's test subsample, computed once per cached checkpoint. */
  private scores(checkpoint: Checkpoint): Promise<CheckpointScores> {
    const entry = this.entry(checkpoint);
    if (!entry.scores) {
      entry.scores = this.score(checkpoint, entry.model);
      entry.scores.catch(() => (entry.scores = null));
    }
    return entry.scores;
  }

  private async score({ run, epoch }: Checkpoint, built: Promise<LayersModel>): Promise<CheckpointScores> {
    const predictions = this.store.getPredictions(run.id);
    if (!predictions) throw new RunStateError(`run ${run.id} has no test subsample on record (it was not evaluated)`);
    const data = this.datasets.load(run.dataset.name);
    const test = gatherExamples(data.testImages, data.testLabels, predictions.testIndices, pixelsOf(data.imageShape));
    const probabilities = await this.predictor.predictFlat(await built, run.architecture, test.images, test.count);
    const scored = scorePredictions(probabilities, test.labels);
    const matrix = confusionMatrix(test.labels, scored.predicted, data.classNames.length);
    return {
      evaluation: { runId: run.id, epoch, loss: scored.loss, accuracy: scored.accuracy, confusionMatrix: matrix, perClass: perClassMetrics(matrix), examples: test.count },
      predictions: { testIndices: predictions.testIndices, predicted: scored.predicted, confidence: scored.confidence },
    };
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
    if (checkpoint && checkpoint.kind !== 'final') return this.checkpointMisclassified(runId, checkpoint, input);
    const run = this.run(runId);
    this.checkLabels(run, input);
    const predictions = this.store.getPredictions(runId);
    if (!predictions) return [];
    return this.misclassifiedOf(run, predictions, input);
  }

  /** One class's test images (of those the run predicted at its end), by the confidence of the prediction. */
  getClassByConfidence({ runId, label, order, limit }: CommandParsed<'getClassByConfidence'>): CommandOutput<'getClassByConfidence'> {
    const run = this.run(runId);
    const data = this.datasets.load(run.dataset.name);
    checkClassLabel('label', label, runId, data.classNames.length);
    const predictions = this.store.getPredictions(runId);
    if (!predictions) throw new RunStateError(`run ${runId} has no test predictions (it has not finished its evaluation)`);
    const found: CommandOutput<'getClassByConfidence'> = [];
    for (let i = 0; i < predictions.testIndices.length; i++) {
      const index = predictions.testIndices[i] as number;
      if ((data.testLabels[index] ?? 0) !== label) continue;
      found.push({ index, label, predicted: predictions.predicted[i] ?? 0, confidence: predictions.confidence[i] ?? 0, pixels: '' });
    }
    // Ties keep test-set order, so the answer is the same every time.
    found.sort((a, b) => (order === 'most' ? b.confidence - a.confidence : a.confidence - b.confidence) || a.index - b.index);
    return found.slice(0, limit).map((img) => ({ ...img, pixels: testImagePixels(data, img.index), ...testImageShape(data) }));
  }

  /** Async throughout: a missing checkpoint is a rejection, as for evaluateCheckpoint. */
  private async checkpointMisclassified(runId: number, checkpoint: CheckpointRef, input: CommandParsed<'getMisclassified'>): Promise<CommandOutput<'getMisclassified'>> {
    const found = this.checkpoint(runId, checkpoint);
    this.checkLabels(found.run, input);
    const scores = await this.scores(found);
    return this.misclassifiedOf(found.run, scores.predictions, input);
  }

  /** The gallery's class filters name classes of the run's own dataset (before any scoring is done). */
  private checkLabels(run: RunDetail, { trueLabel, predictedLabel }: CommandParsed<'getMisclassified'>): void {
    const classes = this.datasets.load(run.dataset.name).classNames.length;
    checkClassLabel('trueLabel', trueLabel, run.id, classes);
    checkClassLabel('predictedLabel', predictedLabel, run.id, classes);
  }

  private misclassifiedOf(run: RunDetail, predictions: TestPredictions, { trueLabel, predictedLabel, limit }: CommandParsed<'getMisclassified'>): CommandOutput<'getMisclassified'> {
    const data = this.datasets.load(run.dataset.name);
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
    return found.slice(0, limit).map((img) => ({ ...img, pixels: testImagePixels(data, img.index), ...testImageShape(data) }));
  }

  async exportModel({ runId, checkpoint }: CommandParsed<'exportModel'>): Promise<CommandOutput<'exportModel'>> {
    const found = this.checkpoint(runId, checkpoint);
    const { run, epoch } = found;
    const saved = await this.predictor.saveArtifacts(await this.entry(found).model);
    const modelJson = {
      format: 'layers-model',
      generatedBy: `Layerlab ${this.version} (run ${run.id} "${run.name}", ${checkpoint.kind} checkpoint, epoch ${epoch})`,
      convertedBy: null,
      modelTopology: saved.modelTopology,
      weightsManifest: [{ paths: [WEIGHTS_SHARD], weights: saved.weightSpecs }],
      userDefinedMetadata: { layerlab: { runId: run.id, name: run.name, epoch, compile: run.compile, train: run.train, testAccuracy: run.testAccuracy } },
    };
    return {
      modelJson: { filename: 'model.json', mimeType: 'application/json', content: JSON.stringify(modelJson) },
      weights: { filename: WEIGHTS_SHARD, mimeType: 'application/octet-stream', base64: Buffer.from(saved.weightData).toString('base64'), bytes: saved.weightData.byteLength },
    };
  }

  /** Drops a deleted run's checkpoints (their ids are never reused, but their memory is worth having back). */
  forgetRun(runId: number): void {
    for (const key of [...this.cache.keys()]) if (key.startsWith(`${runId}:`)) this.cache.delete(key);
  }

  dispose(): void {
    this.cache.clear();
    this.predictor.dispose();
  }
}
