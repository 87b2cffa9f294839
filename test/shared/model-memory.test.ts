// The model-size limits: the hard parameter cap (in every analysis) and the training memory
// budget (weights, gradients, optimizer state, one batch of activations).
import { describe, expect, it } from 'vitest';
import {
  analyzeArchitecture,
  checkTrainingMemory,
  estimateTrainingMemory,
  MAX_PARAMS,
  OptimizerSchema,
  trainingMemoryBudget,
  type Architecture,
} from '../../src-shared/index.ts';

const mlp = (...units: number[]): Architecture => ({
  inputShape: [784],
  layers: [...units.map((u) => ({ type: 'dense' as const, units: u, activation: 'relu' as const })), { type: 'dense', units: 10, activation: 'softmax' }],
});
const sgd = OptimizerSchema.parse({ name: 'sgd' });
const adam = OptimizerSchema.parse({ name: 'adam' });

describe('the parameter cap', () => {
  it('refuses 784 → Dense 65536 → Dense 65536 → Dense 10 (4.35 G parameters) on the layer that crosses 1 G', () => {
    const analysis = analyzeArchitecture(mlp(65_536, 65_536));
    expect(analysis.ok).toBe(false);
    expect(analysis.totalParams).toBe(4_347_133_962);
    expect(analysis.issues).toEqual([
      {
        layer: 2,
        field: 'units',
        message: 'layer 2 (dense): the model would have 4,347,133,962 parameters, more than the limit of 1,000,000,000; use fewer units or filters',
      },
    ]);
  });

  it('lets a model just under the cap through the analysis', () => {
    const analysis = analyzeArchitecture(mlp(65_536, 14_000));
    expect(analysis.totalParams).toBeLessThanOrEqual(MAX_PARAMS);
    expect(analysis.ok).toBe(true);
  });
});

describe('training memory', () => {
  it('counts the seed MLP: weights, gradients, no SGD state, a batch of 128 activations', () => {
    const architecture = mlp(512);
    architecture.layers.splice(1, 0, { type: 'dropout', rate: 0.2 });
    const analysis = analyzeArchitecture(architecture);
    const memory = estimateTrainingMemory(architecture, analysis, { batchSize: 128, optimizer: sgd });
    expect(memory).toEqual({
      weightBytes: 1_628_200,
      gradientBytes: 1_628_200,
      optimizerBytes: 0,
      activationBytes: 2 * 128 * (784 + 512 + 512 + 10) * 4,
      totalBytes: 2 * 1_628_200 + 2 * 128 * 1818 * 4,
    });
    expect(estimateTrainingMemory(architecture, analysis, { batchSize: 128, optimizer: adam }).optimizerBytes).toBe(2 * 1_628_200);
  });

  it('refuses a plan over the budget with its size, its parts and the limit, on the biggest layer', () => {
    const architecture = mlp(20_000, 20_000);
    const analysis = analyzeArchitecture(architecture);
    expect(analysis.ok).toBe(true);
    const issue = checkTrainingMemory(architecture, analysis, { batchSize: 128, optimizer: adam }, trainingMemoryBudget(8 * 2 ** 30));
    expect(issue).toMatchObject({ layer: 2, field: 'units' });
    expect(issue?.message).toBe(
      'layer 2 (dense): training this model needs about 6.24 GB (weights 1.55 GB, gradients 1.55 GB, optimizer state 3.10 GB, activations of a batch of 128 39.8 MB), more than the limit of 4.00 GB (half of this machine\'s memory); use fewer units or a smaller batch',
    );
    expect(checkTrainingMemory(architecture, analysis, { batchSize: 128, optimizer: sgd }, trainingMemoryBudget(8 * 2 ** 30))).toBeNull();
  });

  it('counts a huge batch of convolution activations against the budget too', () => {
    const architecture: Architecture = {
      inputShape: [28, 28, 1],
      layers: [{ type: 'conv2d', filters: 512, kernelSize: 3, padding: 'same', activation: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }],
    };
    const analysis = analyzeArchitecture(architecture);
    const issue = checkTrainingMemory(architecture, analysis, { batchSize: 65_536, optimizer: sgd }, trainingMemoryBudget(16 * 2 ** 30));
    expect(issue?.message).toMatch(/activations of a batch of 65536 [\d.]+ GB/);
  });
});
