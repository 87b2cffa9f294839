// The webgpu tier end to end on Dawn's software adapter: when it may be used, a real training epoch on an MNIST
// subsample (against wasm on the same seed), and predictions in the serving predictor.
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { CompileConfigSchema, findPreset, TrainConfigSchema, WEBGPU_ALLOW_SOFTWARE_VARIABLE, type RunEvent } from '../../../../src-shared/index.ts';
import { loadBackend, realEnvironment } from '../../../../src-main/lab/engine/backends.ts';
import { findAdapter } from '../../../../src-main/lab/engine/webgpu/dawn-adapter.ts';
import { loadMnist } from '../../../../src-main/lab/data/mnist.ts';
import { buildModel } from '../../../../src-main/lab/model/build-model.ts';
import type { Tf } from '../../../../src-main/lab/model/tf-types.ts';
import { encodeWeights } from '../../../../src-main/lab/model/weights-codec.ts';
import { Predictor } from '../../../../src-main/lab/service/predictor.ts';
import { createDeviceTrainStep } from '../../../../src-main/lab/training/device-train-step.ts';
import { prepareData } from '../../../../src-main/lab/training/prepare-data.ts';
import { runTraining, type TrainingControl, type TrainingOptions } from '../../../../src-main/lab/training/run-training.ts';
import type { TrainJob } from '../../../../src-main/lab/training/trainer-protocol.ts';
import { loadSoftwareWebGpu, releaseSoftwareWebGpu } from './software-webgpu.ts';

const search = await findAdapter(false);
/** This machine has no GPU, only Mesa's rasteriser (CI, the build machines). */
const softwareOnly = search.found === null && search.adapter?.software === true;

const neverStop: TrainingControl = { stopRequested: () => false, paused: () => false, waitUntilResumed: async () => {}, takeLearningRate: () => null };

function seedJob(): TrainJob {
  return {
    runId: 1,
    architecture: findPreset('keras-mlp')!.architecture,
    compile: CompileConfigSchema.parse({ optimizer: { name: 'adam', learningRate: 0.001 } }),
    // A subsample: software WebGPU takes ~0.1 s per seed step here.
    train: TrainConfigSchema.parse({ epochs: 1, batchSize: 128, trainExamples: 2048, testExamples: 1000, seed: 42 }),
    dataset: 'mnist',
    home: '/nonexistent',
    backend: 'auto',
    initialWeights: null,
  };
}

async function oneEpoch(options: TrainingOptions): Promise<Extract<RunEvent, { type: 'epoch' }>> {
  const job = seedJob();
  const events: RunEvent[] = [];
  const status = await runTraining(tf as unknown as Tf, job, prepareData(loadMnist(), job.train), neverStop, { event: (e) => events.push(e), checkpoint: () => {}, evaluation: () => {} }, options);
  expect(status).toBe('completed');
  const epoch = events.find((e): e is Extract<RunEvent, { type: 'epoch' }> => e.type === 'epoch');
  return epoch!;
}

describe.runIf(softwareOnly)('on a machine with only a software adapter', () => {
  it('refuses --backend webgpu without LAYERLAB_WEBGPU_ALLOW_SOFTWARE, naming the variable', async () => {
    await expect(loadBackend('webgpu', realEnvironment)).rejects.toThrow(new RegExp(`the webgpu backend cannot be used: only a software adapter was found \\(llvmpipe.*${WEBGPU_ALLOW_SOFTWARE_VARIABLE}=1`));
  });

  it('"Automatic" does not pick it even when allowed, and says why', async () => {
    process.env[WEBGPU_ALLOW_SOFTWARE_VARIABLE] = '1';
    try {
      const { report } = await loadBackend('auto', realEnvironment);
      expect(report.chosen).not.toBe('webgpu');
      expect(report.probes.find((p) => p.backend === 'webgpu')!.reason).toMatch(/only a software adapter was found/);
      expect(report.adapter).toMatchObject({ software: true, api: 'opengles', featureLevel: 'compatibility' });
      expect(report.adapter!.limits.maxStorageBufferBindingSize).toBeGreaterThan(0);
    } finally {
      delete process.env[WEBGPU_ALLOW_SOFTWARE_VARIABLE];
    }
  });
});

describe.runIf(search.found !== null || search.adapter !== undefined)('training and predicting on webgpu', () => {
  afterAll(releaseSoftwareWebGpu);

  it('reports the adapter it runs on', async () => {
    const { report } = await loadSoftwareWebGpu();
    expect(report.chosen).toBe('webgpu');
    expect(report.adapter).toBeDefined();
    expect(report.detail).toContain(report.adapter!.device);
    expect(report.versions).toHaveProperty('webgpu');
    expect(report.versions).toHaveProperty('@tensorflow/tfjs-backend-webgpu');
  });

  it('trains one epoch of the seed on an MNIST subsample to within 2 points of wasm', async () => {
    await tf.setBackend('wasm');
    const wasm = await oneEpoch({ backend: 'wasm' });
    await tf.setBackend('webgpu');
    const before = tf.memory().numTensors;
    const gpu = await oneEpoch({ backend: 'webgpu', createStep: createDeviceTrainStep, evaluationBatchSize: 500 });
    expect(tf.memory().numTensors).toBe(before);
    expect(gpu.val_acc!).toBeGreaterThan(0.8);
    expect(Math.abs(gpu.val_acc! - wasm.val_acc!)).toBeLessThanOrEqual(0.02);
    expect(gpu.loss).toBeCloseTo(wasm.loss, 2);
  });

  it('serves predictions from the same weights as wasm does', async () => {
    const architecture = findPreset('small-cnn')!.architecture;
    await tf.setBackend('cpu');
    const weights = encodeWeights(buildModel(tf as unknown as Tf, architecture, 3));
    const images = Array.from({ length: 3 }, (_, i) => Array.from({ length: 784 }, (_, p) => ((p * (i + 3)) % 17) / 17));
    const predictOn = async (predictor: Predictor) => {
      const model = await predictor.build(architecture, weights);
      try {
        return await predictor.predict(model, architecture, images);
      } finally {
        model.dispose();
        predictor.dispose();
      }
    };
    const onGpu = await predictOn(new Predictor(loadSoftwareWebGpu));
    const onWasm = await predictOn(new Predictor(() => loadBackend('wasm')));
    onGpu.flat().forEach((p, i) => expect(p).toBeCloseTo(onWasm.flat()[i] ?? NaN, 5));
  });
});
