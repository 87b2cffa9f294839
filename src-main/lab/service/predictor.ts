// Runs stored weights in the service's own process, for draw-to-predict, checkpoint scoring and
// export. It runs on a hardware WebGPU adapter when there is one (a GPU serves several processes,
// so it does not take the trainer's), else on single-threaded wasm; never on tfjs-node, which a
// trainer may hold. It keeps no models: the checkpoint scorer caches them, keyed by checkpoint.
import type { Architecture } from '../../../src-shared/index.ts';
import { loadBackend, precheck, realEnvironment, type BackendEnvironment, type LoadedBackend } from '../engine/backends.ts';
import { maxExamplesPerBatch } from '../engine/webgpu/buffer-limits.ts';
import { releaseWebGpu } from '../engine/webgpu/webgpu-backend.ts';
import { buildModel } from '../model/build-model.ts';
import type { LayersModel, Tf } from '../model/tf-types.ts';
import { loadWeightsInto } from '../model/weights-codec.ts';
import { modelClassCount, predictProbabilitiesAsync } from '../training/evaluate.ts';

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

  /** The prediction backend's tfjs (for computations on models this predictor built). */
  async tf(): Promise<Tf> {
    return (await this.load()).tf as unknown as Tf;
  }

  /** A model of this architecture holding these weights; the caller disposes it. */
  async build(architecture: Architecture, weights: Uint8Array): Promise<LayersModel> {
    const { tf } = await this.load();
    const model = buildModel(tf, architecture, 0);
    loadWeightsInto(tf, model, weights);
    return model;
  }

  /** Probabilities (one row of class probabilities per image of the model's input size). */
  async predict(model: LayersModel, architecture: Architecture, images: number[][]): Promise<number[][]> {
    const pixels = architecture.inputShape.reduce((a, b) => a * b, 1);
    const flat = new Float32Array(images.length * pixels);
    images.forEach((img, i) => flat.set(img, i * pixels));
    const probs = await this.predictFlat(model, architecture, flat, images.length);
    const classes = modelClassCount(model);
    return images.map((_, i) => Array.from(probs.subarray(i * classes, (i + 1) * classes)));
  }

  /** Probabilities for count images of the model's input size, flat (count × classes). */
  async predictFlat(model: LayersModel, architecture: Architecture, images: Float32Array, count: number): Promise<Float32Array> {
    const { tf, report } = await this.load();
    // On a GPU, batches small enough for the adapter's storage buffers.
    const batch = report.adapter && report.chosen === 'webgpu' ? Math.max(1, Math.min(PREDICT_BATCH, maxExamplesPerBatch(architecture, report.adapter.limits))) : PREDICT_BATCH;
    return predictProbabilitiesAsync(tf, model, images, count, architecture.inputShape, batch);
  }

  /** The model as tfjs save artifacts (Keras-style topology, weight specs, bytes). */
  async saveArtifacts(model: LayersModel): Promise<SavedArtifacts> {
    const { tf } = await this.load();
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

  /** Hands a GPU device back (it keeps dawn.node, and so the process, alive); models are the scorer's to dispose. */
  dispose(): void {
    void this.backend
      ?.then(({ tf, report }) => {
        if (report.chosen === 'webgpu') releaseWebGpu(tf);
      })
      .catch(() => {});
  }
}
