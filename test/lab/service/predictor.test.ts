// The service's predictor: probabilities from stored weights and a backend started once — ahead of
// the first drawing when the shell warms it up.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../../src-shared/index.ts';
import { loadBackend, type LoadedBackend } from '../../../src-main/lab/engine/backends.ts';
import { buildModel } from '../../../src-main/lab/model/build-model.ts';
import type { Tf } from '../../../src-main/lab/model/tf-types.ts';
import { encodeWeights } from '../../../src-main/lab/model/weights-codec.ts';
import { Predictor } from '../../../src-main/lab/service/predictor.ts';

const arch = PRESETS[0]!.architecture;

describe('Predictor', () => {
  it('warm() starts the backend once; predictions then use it and give probabilities', async () => {
    let loads = 0;
    const predictor = new Predictor(() => {
      loads++;
      return loadBackend('cpu');
    });
    predictor.warm();
    predictor.warm();
    expect(loads).toBe(1);
    const weights = encodeWeights(buildModel(tf as unknown as Tf, arch, 3));
    const model = await predictor.build(arch, weights);
    const [row] = await predictor.predict(model, arch, [new Array<number>(784).fill(0.5)]);
    model.dispose();
    expect(loads).toBe(1);
    expect(row).toHaveLength(10);
    expect((row ?? []).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('a backend that fails to load fails the predictions with its reason, not the warm-up', async () => {
    const predictor = new Predictor(() => Promise.reject(new Error('no wasm here')) as Promise<LoadedBackend>);
    predictor.warm(); // no unhandled rejection
    await expect(predictor.build(arch, new Uint8Array())).rejects.toThrow(/no wasm here/);
  });
});
