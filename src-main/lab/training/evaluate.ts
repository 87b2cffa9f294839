// Batched inference and the numbers a user reads after training: loss, accuracy, the
// confusion matrix, per-class precision/recall/F1. Loss matches Keras: categorical
// crossentropy on probabilities clipped to [1e-7, 1 - 1e-7].
import { NUM_CLASSES, type ClassMetrics, type Evaluation } from '../../../src-shared/index.ts';
import type { LayersModel, Tensor, Tf } from '../model/tf-types.ts';
import type { ExampleSet } from './prepare-data.ts';

export { NUM_CLASSES };
const EPSILON = 1e-7;

const pixelsOfInput = (inputShape: readonly number[]): number => inputShape.reduce((a, b) => a * b, 1);

/** Classes a classifier outputs: the last dimension of its output. */
export function modelClassCount(model: LayersModel): number {
  const shape = model.outputs[0]?.shape ?? [];
  const classes = shape[shape.length - 1];
  if (typeof classes !== 'number') throw new Error('the model has no class output');
  return classes;
}

/**
 * One forward pass over n images. `batchSize: n` on purpose: model.predict's default cuts every batch into slices of
 * 32 (a Slice and the whole network's kernels per 32 images) — for a CNN on wasm that was over half of predicting the
 * 10k test images.
 */
function predictBatch(tf: Tf, model: LayersModel, images: Float32Array, start: number, n: number, inputShape: readonly number[]): Tensor {
  return tf.tidy(() => {
    const pixels = pixelsOfInput(inputShape);
    const x = tf.tensor(images.subarray(start * pixels, (start + n) * pixels), [n, ...inputShape]);
    return model.predict(x, { batchSize: n }) as Tensor;
  });
}

/**
 * Class probabilities for n images (n × classes). Each batch is built from a view of the typed
 * array, so no whole-tensor Slice is paid per batch.
 */
export function predictProbabilities(tf: Tf, model: LayersModel, images: Float32Array, count: number, inputShape: readonly number[], batchSize = 1000): Float32Array {
  const classes = modelClassCount(model);
  const out = new Float32Array(count * classes);
  for (let start = 0; start < count; start += batchSize) {
    const probs = predictBatch(tf, model, images, start, Math.min(batchSize, count - start), inputShape);
    out.set(probs.dataSync() as Float32Array, start * classes);
    probs.dispose();
  }
  return out;
}

/** predictProbabilities for every backend, asynchronous ones (webgpu) included: each batch is read with an await. */
export async function predictProbabilitiesAsync(tf: Tf, model: LayersModel, images: Float32Array, count: number, inputShape: readonly number[], batchSize = 1000): Promise<Float32Array> {
  const classes = modelClassCount(model);
  const out = new Float32Array(count * classes);
  for (let start = 0; start < count; start += batchSize) {
    const probs = predictBatch(tf, model, images, start, Math.min(batchSize, count - start), inputShape);
    try {
      out.set((await probs.data()) as Float32Array, start * classes);
    } finally {
      probs.dispose();
    }
  }
  return out;
}

export interface ScoredPredictions {
  loss: number;
  accuracy: number;
  predicted: Uint8Array;
  confidence: Float32Array;
}

/** Scores n × classes probabilities against n labels (the class count follows from the two lengths). */
export function scorePredictions(probabilities: Float32Array, labels: Uint8Array): ScoredPredictions {
  const count = labels.length;
  const classes = count ? probabilities.length / count : NUM_CLASSES;
  const predicted = new Uint8Array(count);
  const confidence = new Float32Array(count);
  let lossSum = 0;
  let correct = 0;
  for (let i = 0; i < count; i++) {
    const row = i * classes;
    let best = 0;
    let bestP = -1;
    for (let c = 0; c < classes; c++) {
      const p = probabilities[row + c] as number;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    const label = labels[i] as number;
    const pTrue = Math.min(Math.max(probabilities[row + label] as number, EPSILON), 1 - EPSILON);
    lossSum -= Math.log(pTrue);
    predicted[i] = best;
    confidence[i] = bestP;
    if (best === label) correct++;
  }
  return { loss: count ? lossSum / count : 0, accuracy: count ? correct / count : 0, predicted, confidence };
}

export function confusionMatrix(labels: Uint8Array, predicted: Uint8Array, classCount: number = NUM_CLASSES): number[][] {
  const m = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const row = m[labels[i] as number];
    if (row) row[predicted[i] as number] = (row[predicted[i] as number] ?? 0) + 1;
  }
  return m;
}

export function perClassMetrics(matrix: number[][]): ClassMetrics[] {
  return matrix.map((row, label) => {
    const tp = row[label] ?? 0;
    const support = row.reduce((a, b) => a + b, 0);
    const predictedAs = matrix.reduce((s, r) => s + (r[label] ?? 0), 0);
    const precision = predictedAs ? tp / predictedAs : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
}

export interface FullEvaluation {
  evaluation: Evaluation;
  scored: ScoredPredictions;
}

/** `batchSize`: examples per forward pass (smaller on a GPU whose buffers cannot hold 1000 of the largest layer). */
export async function evaluateModel(tf: Tf, model: LayersModel, set: ExampleSet, inputShape: readonly number[], batchSize = 1000): Promise<FullEvaluation> {
  const probabilities = await predictProbabilitiesAsync(tf, model, set.images, set.count, inputShape, batchSize);
  const scored = scorePredictions(probabilities, set.labels);
  const matrix = confusionMatrix(set.labels, scored.predicted, modelClassCount(model));
  return {
    scored,
    evaluation: { loss: scored.loss, accuracy: scored.accuracy, confusionMatrix: matrix, perClass: perClassMetrics(matrix), examples: set.count },
  };
}
