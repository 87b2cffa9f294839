import { describe, expect, it } from 'vitest';
import { findPreset, type GpuAdapterReport } from '../../../../src-shared/index.ts';
import { assertBatchFitsAdapter, largestTensor, maxExamplesPerBatch } from '../../../../src-main/lab/engine/webgpu/buffer-limits.ts';

const MIB = 2 ** 20;
const adapter = (storage: number): GpuAdapterReport => ({
  vendor: '',
  architecture: '',
  device: 'test',
  description: '',
  api: 'opengles',
  featureLevel: 'compatibility',
  software: true,
  limits: { maxStorageBufferBindingSize: storage, maxBufferSize: 2 ** 31, maxComputeWorkgroupStorageSize: 32768, maxComputeInvocationsPerWorkgroup: 1024 },
});
const smallCnn = findPreset('small-cnn')!.architecture;

describe('adapter buffer limits', () => {
  it("finds the largest layer output per example (the Small CNN's first convolution)", () => {
    const largest = largestTensor(smallCnn);
    expect(largest.bytesPerExample).toBe(26 * 26 * 16 * 4);
    expect(largest.name).toMatch(/conv2d/);
  });

  it('cuts evaluation batches to half the storage buffer limit', () => {
    // 128 MiB (Mesa's OpenGL ES): 64 MiB / 43,264 bytes per example.
    expect(maxExamplesPerBatch(smallCnn, adapter(128 * MIB).limits)).toBe(Math.floor((64 * MIB) / (26 * 26 * 16 * 4)));
  });

  it('refuses a training batch that cannot fit, naming the largest batch that can', () => {
    expect(() => assertBatchFitsAdapter(smallCnn, 128, adapter(128 * MIB))).not.toThrow();
    expect(() => assertBatchFitsAdapter(smallCnn, 128, adapter(4 * MIB))).toThrow(/a batch of 128 needs 5\.3 MiB for .*conv2d.*'s output.*use a batch size of at most 48/);
  });

  it("refuses weights larger than a binding", () => {
    const wide = { inputShape: [28, 28, 1], layers: [{ type: 'flatten' }, { type: 'dense', units: 4096, activation: 'relu' }, { type: 'dense', units: 10, activation: 'softmax' }] } as typeof smallCnn;
    expect(() => assertBatchFitsAdapter(wide, 1, adapter(8 * MIB))).toThrow(/a layer's weights take 12\.3 MiB, more than this GPU's storage buffer limit of 8\.0 MiB/);
  });
});
