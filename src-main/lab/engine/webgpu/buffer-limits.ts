// Keeps every tensor of a model under the adapter's storage-buffer limit. A WebGPU binding larger than
// maxStorageBufferBindingSize does not fail loudly on every driver (on Mesa's OpenGL ES the loss just came back
// null), so the sizes are checked before training and evaluation batches are cut to fit.
import { analyzeArchitecture } from '../../../../src-shared/analyze-architecture.ts';
import type { Architecture, GpuAdapterReport } from '../../../../src-shared/index.ts';

/**
 * Kernels hold intermediates bigger than any layer's output (a convolution's filter gradient works on patches of its
 * input), so only half of the limit is given to the largest layer output.
 */
export const BINDING_HEADROOM = 2;

const FLOAT_BYTES = 4;

export interface LargestTensor {
  /** The layer whose output (per example) is the biggest, or 'input'. */
  name: string;
  bytesPerExample: number;
  /** The largest weight tensor of one layer, in bytes (it does not grow with the batch). */
  weightBytes: number;
}

export function largestTensor(architecture: Architecture): LargestTensor {
  const { layers } = analyzeArchitecture(architecture, null);
  let largest: LargestTensor = { name: 'input', bytesPerExample: architecture.inputShape.reduce((a, b) => a * b, 1) * FLOAT_BYTES, weightBytes: 0 };
  for (const layer of layers) {
    const bytes = layer.outputShape.reduce((a, b) => a * b, 1) * FLOAT_BYTES;
    if (bytes > largest.bytesPerExample) largest = { ...largest, name: layer.name, bytesPerExample: bytes };
    largest.weightBytes = Math.max(largest.weightBytes, layer.params * FLOAT_BYTES);
  }
  return largest;
}

/** The most examples per batch whose tensors all fit the adapter (at least 1 when the weights fit at all). */
export function maxExamplesPerBatch(architecture: Architecture, limits: GpuAdapterReport['limits']): number {
  const budget = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize) / BINDING_HEADROOM;
  return Math.floor(budget / largestTensor(architecture).bytesPerExample);
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** Throws a clear error when a training batch of this size (or a layer's weights) cannot fit the adapter. */
export function assertBatchFitsAdapter(architecture: Architecture, batchSize: number, adapter: GpuAdapterReport): void {
  const limit = Math.min(adapter.limits.maxStorageBufferBindingSize, adapter.limits.maxBufferSize);
  const largest = largestTensor(architecture);
  if (largest.weightBytes > limit) {
    throw new Error(`a layer's weights take ${mib(largest.weightBytes)}, more than this GPU's storage buffer limit of ${mib(limit)}`);
  }
  const fits = maxExamplesPerBatch(architecture, adapter.limits);
  if (batchSize > fits) {
    throw new Error(
      `a batch of ${batchSize} needs ${mib(largest.bytesPerExample * batchSize)} for ${largest.name}'s output, over half of this GPU's ` +
        `storage buffer limit of ${mib(limit)}: use a batch size of at most ${fits}`,
    );
  }
}
