import { describe, expect, it } from 'vitest';
import { analyzeArchitecture, findPreset, formatSummary, PRESETS } from '../../src-shared/index.ts';

const seed = findPreset('keras-mlp')!.architecture;

describe('analyzeArchitecture', () => {
  it('infers the seed model exactly as Keras printed it', () => {
    const a = analyzeArchitecture(seed);
    expect(a.ok).toBe(true);
    expect(a.layers.map((l) => [l.name, l.outputShape, l.params])).toEqual([
      ['dense_1', [512], 401_920],
      ['dense_2', [10], 5_130],
    ]);
    expect(a.totalParams).toBe(407_050);
    expect(a.trainableParams).toBe(407_050);
    expect(a.nonTrainableParams).toBe(0);
  });

  it('prints the seed summary table', () => {
    const text = formatSummary(analyzeArchitecture(seed));
    const lines = text.split('\n');
    expect(lines).toContain('dense_1 (Dense)              (None, 512)               401920    ');
    expect(lines).toContain('dense_2 (Dense)              (None, 10)                5130      ');
    expect(lines).toContain('Total params: 407,050');
    expect(lines).toContain('Trainable params: 407,050');
    expect(lines).toContain('Non-trainable params: 0');
  });

  it('accepts every preset', () => {
    for (const p of PRESETS) expect(analyzeArchitecture(p.architecture).issues, p.id).toEqual([]);
  });

  it('infers conv, pooling and batch norm shapes and params', () => {
    const a = analyzeArchitecture({
      inputShape: [28, 28, 1],
      layers: [
        { type: 'conv2d', filters: 32, kernelSize: 3, activation: 'relu' },
        { type: 'batchNormalization' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'conv2d', filters: 8, kernelSize: [5, 5], padding: 'same', strides: 2 },
        { type: 'flatten' },
        { type: 'dropout', rate: 0.5 },
        { type: 'dense', units: 10 },
        { type: 'activation', activation: 'softmax' },
      ],
    });
    expect(a.issues).toEqual([]);
    expect(a.layers.map((l) => l.outputShape)).toEqual([[26, 26, 32], [26, 26, 32], [13, 13, 32], [7, 7, 8], [392], [392], [10], [10]]);
    expect(a.layers.map((l) => l.name)).toEqual(['conv2d_1', 'batch_normalization_1', 'max_pooling2d_1', 'conv2d_2', 'flatten_1', 'dropout_1', 'dense_1', 'activation_1']);
    expect(a.layers[0]!.params).toBe(3 * 3 * 1 * 32 + 32);
    expect(a.layers[1]!.params).toBe(128);
    expect(a.nonTrainableParams).toBe(64);
    expect(a.layers[3]!.params).toBe(5 * 5 * 32 * 8 + 8);
  });
});

const dense = (extra: object) => ({ type: 'dense', units: 10, activation: 'softmax', ...extra });
const BAD: [string, unknown, string][] = [
  ['not an object', 42, 'architecture must be an object'],
  ['null', null, 'architecture must be an object'],
  ['no layers', { inputShape: [784] }, 'layers must be a list'],
  ['empty layers', { inputShape: [784], layers: [] }, 'at least one layer'],
  ['wrong input shape', { inputShape: [32, 32, 3], layers: [dense({})] }, 'inputShape must be [784] or [28, 28, 1]'],
  ['unknown top field', { inputShape: [784], layers: [dense({})], optimizer: 'sgd' }, 'unknown architecture field "optimizer"'],
  ['negative units', { inputShape: [784], layers: [{ type: 'dense', units: 512 }, { type: 'dense', units: -3 }] }, 'layer 2 (dense): units must be a positive integer (at most 65536), got -3'],
  ['fractional units', { inputShape: [784], layers: [dense({ units: 2.5 })] }, 'layer 1 (dense): units must be a positive integer'],
  ['string units', { inputShape: [784], layers: [dense({ units: '512' })] }, 'got "512"'],
  ['unknown activation', { inputShape: [784], layers: [dense({ activation: 'gelu2' })] }, 'layer 1 (dense): activation must be one of'],
  ['unknown layer type', { inputShape: [784], layers: [{ type: 'lstm' }] }, 'layer 1: type must be one of'],
  ['layer not an object', { inputShape: [784], layers: ['dense'] }, 'layer 1: type must be one of'],
  ['dropout rate 1', { inputShape: [784], layers: [{ type: 'dropout', rate: 1 }, dense({})] }, 'layer 1 (dropout): rate must be a number in [0, 1)'],
  ['dropout without rate', { inputShape: [784], layers: [{ type: 'dropout' }, dense({})] }, 'rate must be a number'],
  ['unknown layer field', { inputShape: [784], layers: [dense({ unit: 5 })] }, 'layer 1 (dense): unknown field "unit"'],
  ['dense on an image', { inputShape: [28, 28, 1], layers: [dense({})] }, 'layer 1 (dense): dense needs a flat input but gets (None, 28, 28, 1); add a flatten layer'],
  ['conv on flat input', { inputShape: [784], layers: [{ type: 'conv2d', filters: 8, kernelSize: 3 }, { type: 'flatten' }, dense({})] }, 'layer 1 (conv2d): conv2d needs an image input'],
  ['kernel too big', { inputShape: [28, 28, 1], layers: [{ type: 'conv2d', filters: 8, kernelSize: 3 }, { type: 'maxPooling2d', poolSize: 2 }, { type: 'maxPooling2d', poolSize: 2 }, { type: 'maxPooling2d', poolSize: 2 }, { type: 'conv2d', filters: 4, kernelSize: 5 }, { type: 'flatten' }, dense({})] }, 'layer 5 (conv2d): kernel 5×5 does not fit the 3×3 input'],
  ['bad padding', { inputShape: [28, 28, 1], layers: [{ type: 'conv2d', filters: 8, kernelSize: 3, padding: 'full' }] }, 'padding must be "valid" or "same"'],
  ['bad kernel pair', { inputShape: [28, 28, 1], layers: [{ type: 'conv2d', filters: 8, kernelSize: [3] }] }, 'kernelSize must be a positive integer or a pair'],
  ['zero filters', { inputShape: [28, 28, 1], layers: [{ type: 'conv2d', filters: 0, kernelSize: 3 }] }, 'layer 1 (conv2d): filters must be a positive integer'],
  ['wrong output size', { inputShape: [784], layers: [{ type: 'dense', units: 5, activation: 'softmax' }] }, 'the last layer must output 10 classes'],
  ['no softmax at the end', { inputShape: [784], layers: [{ type: 'dense', units: 10, activation: 'relu' }] }, 'layer 1 (dense): the last layer needs activation softmax'],
  ['useBias not boolean', { inputShape: [784], layers: [dense({ useBias: 'yes' })] }, 'useBias must be true or false'],
  ['bad batchnorm epsilon', { inputShape: [784], layers: [{ type: 'batchNormalization', epsilon: 0 }, dense({})] }, 'layer 1 (batchNormalization): epsilon must be a number in (0, 1), got 0'],
  ['too many layers', { inputShape: [784], layers: Array.from({ length: 65 }, () => ({ type: 'dropout', rate: 0.1 })) }, 'at most 64 layers'],
];

describe('analyzeArchitecture rejects', () => {
  it.each(BAD)('%s', (_name, spec, message) => {
    const a = analyzeArchitecture(spec);
    expect(a.ok).toBe(false);
    expect(a.issues.map((i) => i.message).join('\n')).toContain(message);
  });

  it('names the layer and field of each problem', () => {
    const a = analyzeArchitecture({ inputShape: [784], layers: [{ type: 'dense', units: 512 }, { type: 'dense', units: -3 }] });
    expect(a.issues[0]).toMatchObject({ layer: 2, field: 'units' });
  });
});

describe('analyzeArchitecture against a dataset shape', () => {
  const rgb = { imageShape: [32, 32, 3] as [number, number, number], classCount: 4 };
  const cnn = (input: number[], units: number) => ({
    inputShape: input,
    layers: [
      { type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' },
      { type: 'flatten' },
      { type: 'dense', units, activation: 'softmax' },
    ],
  });

  it('takes the dataset\'s image or its flat vector in, and one output per class', () => {
    expect(analyzeArchitecture(cnn([32, 32, 3], 4), rgb).ok).toBe(true);
    expect(analyzeArchitecture({ inputShape: [3072], layers: [{ type: 'dense', units: 4, activation: 'softmax' }] }, rgb).ok).toBe(true);
    expect(analyzeArchitecture(cnn([28, 28, 1], 4), rgb).issues.map((i) => i.message)).toEqual([
      "inputShape must be [3072] or [32, 32, 3] (the dataset's 32×32×3 images), got [28,28,1]",
    ]);
    expect(analyzeArchitecture(cnn([32, 32, 3], 10), rgb).issues.map((i) => i.message)).toEqual([
      'the last layer must output 4 classes (None, 4), got (None, 10); end with dense units 4',
    ]);
  });

  it('with no dataset (null) accepts any dataset shape and 2 to 100 classes, and MNIST stays the default', () => {
    expect(analyzeArchitecture(cnn([32, 32, 3], 4), null).ok).toBe(true);
    expect(analyzeArchitecture(cnn([32, 32, 2], 4), null).issues[0]?.message).toMatch(/inputShape must be a flat vector/);
    expect(analyzeArchitecture(cnn([32, 32, 3], 1), null).issues[0]?.message).toMatch(/must output 2 to 100 classes/);
    expect(analyzeArchitecture(cnn([32, 32, 3], 4)).issues[0]?.message).toMatch(/inputShape must be \[784\] or \[28, 28, 1\] \(MNIST images\)/);
  });
});
