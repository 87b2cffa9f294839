// The inside views' commands: activations and saliency for one image, weight images and
// histograms, histograms over epochs, the embedding projector. Everything runs in the serving
// process on the prediction backend (the checkpoint scorer's cached models), never in a trainer; results
// that depend only on a checkpoint are cached per checkpoint.
import { LRUCache } from 'lru-cache';
import type { CheckpointRef, CommandOutput, CommandParsed, RunDetail } from '../../../src-shared/index.ts';
import type { DatasetRegistry } from '../data/dataset-registry.ts';
import type { LabStore } from '../store/lab-store.ts';
import { StoreError } from '../store/store-error.ts';
import type { CheckpointScorer } from '../service/checkpoint-scorer.ts';
import { SeededRandom } from '../util/seeded-random.ts';
import { layersBySpec } from '../model/graph/spec-layers.ts';
import { assertImageFits, inspectImage, InsideInputError } from './activations.ts';
import { embedImages, penultimateLayer } from './embedding.ts';
import { paramHistogramsOf } from './histogram.ts';
import { pca2d, umap2d } from './projection.ts';
import { weightTilesOf } from './weight-tiles.ts';

/** Weight pages and projections kept (each a few hundred KB at most). */
const CACHED_RESULTS = 48;

export class InsideService {
  private readonly cache = new LRUCache<string, object>({ max: CACHED_RESULTS });
  /** Projections being computed, so a second request for the same one waits for the first. */
  private readonly inFlight = new Map<string, Promise<CommandOutput<'projectEmbedding'>>>();

  constructor(
    private readonly store: LabStore,
    private readonly datasets: DatasetRegistry,
    private readonly models: Pick<CheckpointScorer, 'loadedModel'>,
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
    if (target !== undefined && target >= outputs) throw new InsideInputError(`class ${target} does not exist (the model has ${outputs} outputs)`);
    const names = layersBySpec(model, run.architecture).map((l) => l.name);
    const result = inspectImage(tf, model, run.architecture, names, image, saliency, target ?? null);
    return { runId, epoch, ...result };
  }

  async inspectWeights({ runId, checkpoint, layer, offset, limit }: CommandParsed<'inspectWeights'>): Promise<CommandOutput<'inspectWeights'>> {
    const { run, epoch, key, model } = await this.loaded(runId, checkpoint);
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
    const cacheKey = `weights:${key}:${chosen.index}:${offset}:${limit}`;
    const cached = this.cache.get(cacheKey) as CommandOutput<'inspectWeights'> | undefined;
    if (cached) return cached;
    const tiles = weightTilesOf(model, run.architecture, chosen.index, offset, limit);
    const result = { runId, epoch, layer: chosen, layers: withWeights, tiles: tiles.tiles, tilesNote: tiles.note, histograms: paramHistogramsOf(model, run.architecture, chosen.index) };
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
    if (pixels !== data.imageShape[0] * data.imageShape[1]) throw new InsideInputError(`run ${runId}'s model does not take ${data.name}'s ${data.imageShape.join('×')} images`);
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
      const xy = method === 'umap' ? await umap2d(embedded.points, seed) : pca2d(embedded.points, seed);
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
  }
}
