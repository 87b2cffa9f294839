// Runs stored weights in the service's own process, for draw-to-predict, checkpoint scoring and
// export. It uses wasm so it never competes with a trainer for the native/GPU backend. It keeps
// no models: the checkpoint scorer caches them, keyed by checkpoint.
import type { Architecture } from '../../../src-shared/index.ts';
import { loadBackend, type LoadedBackend } from '../engine/backends.ts';
import { buildModel } from '../model/build-model.ts';
import type { LayersModel } from '../model/tf-types.ts';
import { loadWeightsInto } from '../model/weights-codec.ts';
import { predictProbabilities, NUM_CLASSES } from '../training/evaluate.ts';
import { PIXELS } from '../training/prepare-data.ts';

const PREDICT_BATCH = 256;

export interface SavedArtifacts {
  modelTopology: object;
  weightSpecs: { name: string; shape: number[]; dtype: string }[];
  weightData: Uint8Array;
}

export class Predictor {
  private backend: Promise<LoadedBackend> | null = null;

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

  /** A model of this architecture holding these weights; the caller disposes it. */
  async build(architecture: Architecture, weights: Uint8Array): Promise<LayersModel> {
    const { tf } = await this.load();
    const model = buildModel(tf, architecture, 0);
    loadWeightsInto(tf, model, weights);
    return model;
  }

  /** Probabilities (one row of 10 per image of 784 floats). */
  async predict(model: LayersModel, inputShape: Architecture['inputShape'], images: number[][]): Promise<number[][]> {
    const flat = new Float32Array(images.length * PIXELS);
    images.forEach((img, i) => flat.set(img, i * PIXELS));
    const probs = await this.predictFlat(model, inputShape, flat, images.length);
    return images.map((_, i) => Array.from(probs.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES)));
  }

  /** Probabilities for count images of 784 floats each, flat (count × 10). */
  async predictFlat(model: LayersModel, inputShape: Architecture['inputShape'], images: Float32Array, count: number): Promise<Float32Array> {
    const { tf } = await this.load();
    return predictProbabilities(tf, model, images, count, inputShape, PREDICT_BATCH);
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
}
