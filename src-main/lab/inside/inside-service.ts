// The inside views' commands: activations and saliency for one image, weight images and
// histograms, histograms over epochs, the embedding projector. Everything runs in the serving
// process on the prediction backend (the checkpoint scorer's cached models), never in a trainer, and
// the 2-D projections in a worker thread of it; results that depend only on a checkpoint are cached
// per checkpoint.
import { pixelsOf } from '../../../src-shared/dataset-shape.ts';
import { LRUCache } from 'lru-cache';
import type { CheckpointRef, CommandOutput, CommandParsed, RunDetail } from '../../../src-shared/index.ts';
import type { DatasetRegistry } from '../data/dataset-registry.ts';
import type { LabStore } from '../store/lab-store.ts';
import { StoreError } from '../store/store-error.ts';
import type { CheckpointScorer } from '../service/checkpoint-scorer.ts';
import { buildModel } from '../model/build-model.ts';
import type { Tf } from '../model/tf-types.ts';
import { SeededRandom } from '../util/seeded-random.ts';
import { layersBySpec } from '../model/graph/spec-layers.ts';
import { checkClassLabel } from '../service/class-label.ts';
import { assertImageFits, inspectImage, InsideInputError } from './activations.ts';
import { embedImages, penultimateLayer } from './embedding.ts';
import { paramHistogramsOf } from './histogram.ts';
import { projectInWorker } from './projection-runner.ts';
import { weightTilesOf } from './weight-tiles.ts';

/** Weight pages and projections kept (each a few hundred KB at most). */
const CACHED_RESULTS = 48;
/** Initial kernels kept (the seed MLP's first layer is 1.6 MB). */
const CACHED_INITIAL_KERNELS = 4;

export class InsideService {
  private readonly cache = new LRUCache<string, object>({ max: CACHED_RESULTS });
  /** Kernels at initialisation, by run and layer (rebuilding one builds the whole model). */
  private readonly initialKernels = new LRUCache<string, Float32Array>({ max: CACHED_INITIAL_KERNELS });
  /** Projections being computed, so a second request for the same one waits for the first. */
  private readonly inFlight = new Map<string, Promise<CommandOutput<'projectEmbedding'>>>();

  constructor(
    private readonly store: LabStore,
    private readonly datasets: DatasetRegistry,
    private readonly models: Pick<CheckpointScorer, 'loadedModel'>,
    /** The built projection worker (Electron); absent: the TypeScript entry (projection-runner.ts). */
    private readonly projectionWorkerScript?: string,
  ) {}

  private run(runId: number): RunDetail {
    const run = this.store.getRun(runId);
    if (!run) throw new StoreError(`run ${runId} does not exist`, 'not-found');
    return run;
  }

  /** The run, its checkpoint's epoch and the built model, from the checkpoint scorer's cache (a missing
   *  checkpoint is the scorer's RunStateError, with the same words). */
  private loaded(runId: number, ref: CheckpointRef) {
    return this.models.loadedModel(runId, ref);
  }

  async inspectImage({ runId, checkpoint, image, saliency, target }: CommandParsed<'inspectImage'>): Promise<CommandOutput<'inspectImage'>> {
    const run = this.run(runId);
    assertImageFits(run.architecture, image);
    const { epoch, tf, model } = await this.loaded(runId, checkpoint);
    const outputs = model.outputs[0]?.shape.at(-1) ?? 0;
    // The model has one output per class of the run's dataset (checked when the run started).
    checkClassLabel('target', target, runId, outputs);
    const names = layersBySpec(model, run.architecture).map((l) => l.name);
    const result = inspectImage(tf, model, run.architecture, names, image, saliency, target ?? null);
    return { runId, epoch, ...result };
  }

  /**
   * Why the run's weights at initialisation cannot be known, or null when they can: a run without a
   * parent started from buildModel(architecture, its seed) — seeded initializers, the same values
   * on every backend — while a fork or re-run may have started from another run's checkpoint, and
   * which one it was is not on record.
   */
  private changeUnavailable(run: RunDetail): string | null {
    return run.parentRunId === null
      ? null
      : `run ${run.id} was started from run ${run.parentRunId} (a fork or re-run): whether it began from that run's weights is not recorded, so its change since initialisation cannot be shown`;
  }

  /** The layer's kernel at initialisation, rebuilt from the run's seed (a few cached: one per run and layer). */
  private initialKernel(run: RunDetail, layer: number, tf: Tf): Float32Array {
    const cacheKey = `${run.id}:${layer}`;
    const cached = this.initialKernels.get(cacheKey);
    if (cached) return cached;
    const model = buildModel(tf, run.architecture, run.train.seed);
    try {
      const kernel = layersBySpec(model, run.architecture)[layer]?.getWeights()[0];
      if (!kernel) throw new InsideInputError(`layer ${layer} of run ${run.id} has no kernel`);
      const values = (kernel.dataSync() as Float32Array).slice();
      this.initialKernels.set(cacheKey, values);
      return values;
    } finally {
      model.dispose();
    }
  }

  async inspectWeights({ runId, checkpoint, layer, show, offset, limit }: CommandParsed<'inspectWeights'>): Promise<CommandOutput<'inspectWeights'>> {
    const { run, epoch, key, tf, model } = await this.loaded(runId, checkpoint);
    const withWeights = layersBySpec(model, run.architecture)
      .map((l, index) => ({ index, name: l.name, className: l.getClassName(), params: l.countParams() }))
      .filter((l) => l.params > 0);
    const chosen =
      layer === undefined
        ? withWeights.find((l) => ['dense', 'conv2d'].includes(run.architecture.layers[l.index]?.type ?? ''))
        : withWeights.find((l) => l.index === layer);
    if (!chosen) {
      throw new InsideInputError(layer === undefined ? `run ${runId}'s model has no dense or conv layer` : `layer ${layer} of run ${runId} has no weights (layers with weights: ${withWeights.map((l) => l.index).join(', ')})`);
    }
    const cacheKey = `weights:${key}:${chosen.index}:${show}:${offset}:${limit}`;
    const cached = this.cache.get(cacheKey) as CommandOutput<'inspectWeights'> | undefined;
    if (cached) return cached;
    const changeUnavailable = this.changeUnavailable(run);
    const histograms = paramHistogramsOf(model, run.architecture, chosen.index);
    if (show === 'change' && changeUnavailable) {
      // Not the weights in its place: the note says why, and the caller can ask for the weights.
      return { runId, epoch, layer: chosen, layers: withWeights, tiles: null, tilesNote: `${changeUnavailable}.`, changeUnavailable, histograms };
    }
    const initial = show === 'change' ? this.initialKernel(run, chosen.index, tf) : null;
    const tiles = weightTilesOf(model, run.architecture, chosen.index, offset, limit, initial);
    const result = { runId, epoch, layer: chosen, layers: withWeights, tiles: tiles.tiles, tilesNote: tiles.note, changeUnavailable, histograms };
    this.cache.set(cacheKey, result);
    return result;
  }

  getWeightHistory({ runId, layer }: CommandParsed<'getWeightHistory'>): CommandOutput<'getWeightHistory'> {
    this.run(runId);
    const epochs = this.store.getWeightHistograms(runId);
    return { runId, epochs: layer === undefined ? epochs : epochs.map((e) => ({ epoch: e.epoch, params: e.params.filter((p) => p.layer === layer) })) };
  }

  async projectEmbedding(input: CommandParsed<'projectEmbedding'>): Promise<CommandOutput<'projectEmbedding'>> {
    const { runId, checkpoint, method, sample, seed } = input;
    const { run, epoch, key, tf, model } = await this.loaded(runId, checkpoint);
    const cacheKey = `projection:${key}:${method}:${sample}:${seed}`;
    const cached = this.cache.get(cacheKey) as CommandOutput<'projectEmbedding'> | undefined;
    if (cached) return cached;
    const running = this.inFlight.get(cacheKey);
    if (running) return running;
    const layer = penultimateLayer(run.architecture);
    const data = this.datasets.load(run.dataset.name);
    const pixels = run.architecture.inputShape.reduce((a, b) => a * b, 1);
    if (pixels !== pixelsOf(data.imageShape)) throw new InsideInputError(`run ${runId}'s model does not take ${data.name}'s ${data.imageShape.join('×')} images`);
    const count = Math.min(sample, data.testCount);
    // Drawn from the whole test set by the seed alone, so two runs on one dataset show the same images.
    const indices = Array.from(new SeededRandom(seed).choice(data.testCount, count)).sort((a, b) => a - b);
    const images = new Float32Array(count * pixels);
    indices.forEach((index, i) => {
      const src = data.testImages.subarray(index * pixels, (index + 1) * pixels);
      for (let p = 0; p < pixels; p++) images[i * pixels + p] = (src[p] ?? 0) / 255;
    });
    const work = (async () => {
      const embedded = await embedImages(tf, model, run.architecture, layer, images, count);
      // In a worker thread: umap-js blocks for seconds at 2,000 points, and Draw shares this event loop.
      const xy = await projectInWorker(method, embedded.points, seed, this.projectionWorkerScript);
      const result: CommandOutput<'projectEmbedding'> = {
        runId,
        epoch,
        method,
        seed,
        layer: { index: layer, name: layersBySpec(model, run.architecture)[layer]?.name ?? '', units: embedded.points.dims },
        points: indices.map((index, i) => ({ index, label: data.testLabels[index] ?? 0, predicted: embedded.predicted[i] ?? 0, x: xy[i]?.[0] ?? 0, y: xy[i]?.[1] ?? 0 })),
      };
      this.cache.set(cacheKey, result);
      return result;
    })().finally(() => this.inFlight.delete(cacheKey));
    this.inFlight.set(cacheKey, work);
    return work;
  }

  /** Drops a deleted run's cached results. */
  forget(runId: number): void {
    for (const key of this.cache.keys()) if (key.split(':')[1] === String(runId)) this.cache.delete(key);
    for (const key of this.initialKernels.keys()) if (key.split(':')[0] === String(runId)) this.initialKernels.delete(key);
  }
}
