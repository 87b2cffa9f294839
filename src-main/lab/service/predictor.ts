// Predictions for draw-to-predict and the API, in the service's own process. It uses wasm
// so it never competes with a trainer for the native/GPU
// backend, and a small cache of built models keyed by run and checkpoint.
import type { Architecture } from '../../../src-shared/index.ts';
import { loadBackend, type LoadedBackend } from '../engine/backends.ts';
import { buildModel } from '../model/build-model.ts';
import type { LayersModel } from '../model/tf-types.ts';
import { loadWeightsInto } from '../model/weights-codec.ts';
import { predictProbabilities, NUM_CLASSES } from '../training/evaluate.ts';

const CACHE_SIZE = 8;

export interface SavedArtifacts {
  modelTopology: object;
  weightSpecs: { name: string; shape: number[]; dtype: string }[];
  weightData: Uint8Array;
}

export class Predictor {
  private backend: Promise<LoadedBackend> | null = null;
  private readonly models = new Map<string, LayersModel>();

  /** `loadWasm` is a test seam: how the backend is loaded (once). */
  constructor(private readonly loadWasm: () => Promise<LoadedBackend> = () => loadBackend('wasm')) {}

  /** Starts the backend in the background, so the first drawing is answered as fast as the next ones (a failure
   *  surfaces on the first prediction, with its reason). */
  warm(): void {
    this.load().catch(() => {});
  }

  private load(): Promise<LoadedBackend> {
    this.backend ??= this.loadWasm();
    return this.backend;
  }

  /** The built model of these weights on the prediction backend (cached; the inside views use it too). */
  async model(key: string, architecture: Architecture, weights: () => Uint8Array): Promise<{ tf: LoadedBackend['tf']; model: LayersModel }> {
    const { tf } = await this.load();
    let model = this.models.get(key);
    if (model) {
      this.models.delete(key);
    } else {
      model = buildModel(tf, architecture, 0);
      loadWeightsInto(tf, model, weights());
    }
    this.models.set(key, model);
    this.evict();
    return { tf, model };
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
    const { tf, model } = await this.model(key, architecture, weights);
    return predictProbabilities(tf, model, images, count, architecture.inputShape, 256);
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
  }
}
