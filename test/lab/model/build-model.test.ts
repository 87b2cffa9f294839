import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { findPreset } from '../../../src-shared/index.ts';
import { buildModel } from '../../../src-main/lab/model/build-model.ts';
import type { Tf } from '../../../src-main/lab/model/tf-types.ts';
import { decodeWeights, encodeWeights, loadWeightsInto } from '../../../src-main/lab/model/weights-codec.ts';

const t = tf as unknown as Tf;

describe('model building and checkpoints', () => {
  it('builds the seed model with Keras names, counts and seeded weights', async () => {
    await tf.setBackend('cpu');
    const arch = findPreset('keras-mlp')!.architecture;
    const a = buildModel(t, arch, 3);
    const b = buildModel(t, arch, 3);
    const c = buildModel(t, arch, 4);
    expect(a.layers.map((l) => l.name)).toEqual(['dense_1', 'dense_2']);
    expect(a.countParams()).toBe(407_050);
    const wa = a.getWeights()[0]!.dataSync();
    expect(Array.from(wa.slice(0, 5))).toEqual(Array.from(b.getWeights()[0]!.dataSync().slice(0, 5)));
    expect(wa[0]).not.toBe(c.getWeights()[0]!.dataSync()[0]);
    // glorot_uniform limit for 784x512
    const limit = Math.sqrt(6 / (784 + 512));
    expect(Array.from(wa).reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeLessThanOrEqual(limit);
    expect(Array.from(a.getWeights()[1]!.dataSync()).every((v) => v === 0)).toBe(true);
    for (const m of [a, b, c]) m.dispose();
  });

  it('round-trips weights through the checkpoint format', async () => {
    await tf.setBackend('cpu');
    const arch = findPreset('small-cnn')!.architecture;
    const a = buildModel(t, arch, 1);
    const bytes = encodeWeights(a);
    const decoded = decodeWeights(bytes);
    expect(decoded.names).toHaveLength(a.weights.length);
    const b = buildModel(t, arch, 2);
    loadWeightsInto(t, b, bytes.slice());
    a.getWeights().forEach((w, i) => expect(Array.from(b.getWeights()[i]!.dataSync())).toEqual(Array.from(w.dataSync())));
    expect(() => loadWeightsInto(t, buildModel(t, findPreset('keras-mlp')!.architecture, 1), bytes)).toThrow(/checkpoint has/);
    expect(() => decodeWeights(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/not a Layerlab checkpoint/);
    expect(() => decodeWeights(bytes.subarray(0, bytes.length - 8))).toThrow(/truncated/);
  });

  it('writes per-epoch checkpoints in float16: half the bytes, values within half precision', async () => {
    await tf.setBackend('cpu');
    const arch = findPreset('keras-mlp')!.architecture;
    const a = buildModel(t, arch, 5);
    const full = encodeWeights(a);
    const half = encodeWeights(a, 'float16');
    expect(full.byteLength).toBeGreaterThan(1_628_000);
    expect(half.byteLength).toBeLessThan(full.byteLength / 2 + 200);
    const exact = decodeWeights(full).values;
    const approx = decodeWeights(half).values;
    approx.forEach((v, i) => {
      const want = exact[i]!;
      for (let j = 0; j < v.length; j += 97) expect(Math.abs(v[j]! - want[j]!)).toBeLessThanOrEqual(Math.abs(want[j]!) * 2 ** -11 + 2 ** -24);
    });
    const b = buildModel(t, arch, 6);
    loadWeightsInto(t, b, half);
    expect(b.getWeights()[2]!.shape).toEqual([512, 10]);
    for (const m of [a, b]) m.dispose();
  });

  it("reads a checkpoint written by the previous version (LLW1, float32, built byte by byte)", () => {
    const header = new TextEncoder().encode(JSON.stringify({ weights: [{ name: 'dense_1/kernel', shape: [2, 1] }, { name: 'dense_1/bias', shape: [1] }] }));
    const dataStart = Math.ceil((8 + header.length) / 4) * 4;
    const bytes = new Uint8Array(dataStart + 12);
    bytes.set(new TextEncoder().encode('LLW1'));
    new DataView(bytes.buffer).setUint32(4, header.length, true);
    bytes.set(header, 8);
    new Float32Array(bytes.buffer, dataStart, 3).set([0.25, -1.5, 3]);
    // At an odd offset, as a BLOB may sit.
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const decoded = decodeWeights(shifted.subarray(1));
    expect(decoded.names).toEqual(['dense_1/kernel', 'dense_1/bias']);
    expect(decoded.values.map((v) => Array.from(v))).toEqual([[0.25, -1.5], [3]]);
  });
});
