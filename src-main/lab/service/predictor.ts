// Predictions for draw-to-predict and the API, in the service's own process, with a small cache of built models keyed
// by run and checkpoint. It runs on a hardware WebGPU adapter when there is one (a GPU serves several processes, so
// it does not take the trainer's), else on single-threaded wasm; never on tfjs-node, which a trainer may hold.
import type { Architecture } from '../../../src-shared/index.ts';
import { loadBackend, precheck, realEnvironment, type BackendEnvironment, type LoadedBackend } from '../engine/backends.ts';
import { maxExamplesPerBatch } from '../engine/webgpu/buffer-limits.ts';
import { releaseWebGpu } from '../engine/webgpu/webgpu-backend.ts';
import { buildModel } from '../model/build-model.ts';
import type { LayersModel } from '../model/tf-types.ts';
import { loadWeightsInto } from '../model/weights-codec.ts';
import { predictProbabilitiesAsync, NUM_CLASSES } from '../training/evaluate.ts';

const CACHE_SIZE = 8;
const PREDICT_BATCH = 256;

/** The serving backend: webgpu on a hardware adapter (a software one is slower than wasm), else wasm. */
export async function loadPredictionBackend(env: BackendEnvironment = realEnvironment): Promise<LoadedBackend> {
  if (precheck('webgpu', env) === null) {
    const search = await env.findGpuAdapter(false);
    if (search.found) return loadBackend('webgpu', { ...env, findGpuAdapter: async () => search });
  }
  return loadBackend('wasm', env);
}

export interface SavedArtifacts {
  modelTopology: object;
  weightSpecs: { name: string; shape: number[]; dtype: string }[];
  weightData: Uint8Array;
}

export class Predictor {
  private backend: Promise<LoadedBackend> | null = null;
  private readonly models = new Map<string, LayersModel>();

  /** `loadServingBackend` is a test seam: how the backend is loaded (once). */
  constructor(private readonly loadServingBackend: () => Promise<LoadedBackend> = () => loadPredictionBackend()) {}

  /** Starts the backend in the background, so the first drawing is answered as fast as the next ones (a failure
   *  surfaces on the first prediction, with its reason). */
  warm(): void {
    this.load().catch(() => {});
  }

  private load(): Promise<LoadedBackend> {
    this.backend ??= this.loadServingBackend();
    return this.backend;
  }

  private async model(key: string, architecture: Architecture, weights: () => Uint8Array): Promise<{ tf: LoadedBackend['tf']; model: LayersModel; batch: number }> {
    const { tf, report } = await this.load();
    // On a GPU, batches small enough for the adapter's storage buffers.
    const batch = report.adapter && report.chosen === 'webgpu' ? Math.max(1, Math.min(PREDICT_BATCH, maxExamplesPerBatch(architecture, report.adapter.limits))) : PREDICT_BATCH;
    let model = this.models.get(key);
    if (model) {
      this.models.delete(key);
    } else {
      model = buildModel(tf, architecture, 0);
      loadWeightsInto(tf, model, weights());
    }
    this.models.set(key, model);
    this.evict();
    return { tf, model, batch };
  }

  /** Probabilities (one row of 10 per image) from the given weights. */
  async predict(key: string, architecture: Architecture, weights: () => Uint8Array, images: number[][]): Promise<number[][]> {
    const flat = new Float32Array(images.length * 784);
    images.forEach((img, i) => flat.set(img, i * 784));
    const probs = await this.predictFlat(key, architecture, weights, flat, images.length);
    return images.map((_, i) => Array.from(probs.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES)));
  }

  /** Probabilities for count images of 784 floats each, flat (count × 10). */
  async predictFlat(key: string, architecture: Architecture, weights: () => Uint8Array, images: Float32Array, count: number): Promise<Float32Array> {
    const { tf, model, batch } = await this.model(key, architecture, weights);
    return predictProbabilitiesAsync(tf, model, images, count, architecture.inputShape, batch);
  }

  /** The model with these weights as tfjs save artifacts (Keras-style topology, weight specs, bytes). */
  async saveArtifacts(key: string, architecture: Architecture, weights: () => Uint8Array): Promise<SavedArtifacts> {
    const { tf, model } = await this.model(key, architecture, weights);
    let saved: SavedArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const data = artifacts.weightData;
        const buffers = data === undefined ? [] : Array.isArray(data) ? data : [data];
        const bytes = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
        let offset = 0;
        for (const b of buffers) {
          bytes.set(new Uint8Array(b), offset);
          offset += b.byteLength;
        }
        saved = { modelTopology: artifacts.modelTopology as object, weightSpecs: artifacts.weightSpecs ?? [], weightData: bytes };
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    if (!saved) throw new Error('the model could not be serialised');
    return saved;
  }

  forget(prefix: string): void {
    for (const [key, model] of this.models) {
      if (key.startsWith(prefix)) {
        model.dispose();
        this.models.delete(key);
      }
    }
  }

  private evict(): void {
    while (this.models.size > CACHE_SIZE) {
      const [oldest, model] = this.models.entries().next().value as [string, LayersModel];
      model.dispose();
      this.models.delete(oldest);
    }
  }

  dispose(): void {
    for (const model of this.models.values()) model.dispose();
    this.models.clear();
    // A GPU device keeps dawn.node (and so the process) alive: hand it back with the predictor.
    void this.backend
      ?.then(({ tf, report }) => {
        if (report.chosen === 'webgpu') releaseWebGpu(tf);
      })
      .catch(() => {});
  }
}
