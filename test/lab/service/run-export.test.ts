// The Keras snippet of a graph uses the functional API: keras.Input, each layer applied to its
// inbound tensors in topological order, keras.Model(inputs, outputs); a Sequential spec keeps its list.
import { describe, expect, it } from 'vitest';
import { findPreset, type Architecture, type RunSummary } from '../../../src-shared/index.ts';
import { kerasSnippet } from '../../../src-main/lab/service/run-export.ts';

const runWith = (architecture: Architecture): RunSummary =>
  ({
    id: 7,
    name: 'graph',
    architecture,
    compile: { loss: 'categoricalCrossentropy', metrics: ['accuracy'], optimizer: { name: 'sgd', learningRate: 0.1, momentum: 0, nesterov: false } },
    train: { batchSize: 128, epochs: 1, seed: 1, shuffle: true, validation: { kind: 'testSet' } },
  }) as unknown as RunSummary;

const modelLines = (text: string) => text.split('\n').filter((l) => /^(inputs|model|\w+) = /.test(l) && !l.startsWith('# '));

describe('kerasSnippet', () => {
  it('writes the residual MLP in the functional API, merges taking a list', () => {
    const text = kerasSnippet(runWith(findPreset('residual-mlp')!.architecture));
    expect(modelLines(text)).toEqual([
      'inputs = keras.Input(shape=(784,), name="input_1")',
      'stem = layers.Dense(128, activation="relu", use_bias=True, name="stem")(inputs)',
      'block_a = layers.Dense(128, activation="relu", use_bias=True, name="block_a")(stem)',
      'block_b = layers.Dense(128, activation="linear", use_bias=True, name="block_b")(block_a)',
      'skip = layers.Add(name="skip")([stem, block_b])',
      'skip_relu = layers.Activation("relu", name="skip_relu")(skip)',
      'classes = layers.Dense(10, activation="softmax", use_bias=True, name="classes")(skip_relu)',
      'model = keras.Model(inputs=inputs, outputs=classes, name="model_1")',
    ]);
    expect(text).not.toContain('keras.Sequential');
  });

  it('renames variables that would shadow Python or the snippet, not the layers', () => {
    const text = kerasSnippet(
      runWith({
        inputShape: [28, 28, 1],
        layers: [
          { name: 'model', type: 'conv2d', filters: 2, kernelSize: 3, inbound: ['input'] },
          { name: 'lambda', type: 'conv2d', filters: 2, kernelSize: 3, inbound: ['input'] },
          { type: 'concatenate', inbound: ['model', 'lambda'] },
          { type: 'globalAveragePooling2d' },
          { type: 'dense', units: 10, activation: 'softmax' },
        ],
      }),
    );
    expect(text).toContain('model_ = layers.Conv2D(2, kernel_size=(3, 3), strides=(1, 1), padding="valid", activation="linear", use_bias=True, name="model")(inputs)');
    expect(text).toContain('concatenate_1 = layers.Concatenate(name="concatenate_1")([model_, lambda_])');
    expect(text).toContain('global_average_pooling2d_1 = layers.GlobalAveragePooling2D(name="global_average_pooling2d_1")(concatenate_1)');
  });

  it('keeps a Sequential spec in keras.Sequential', () => {
    const text = kerasSnippet(runWith(findPreset('keras-mlp')!.architecture));
    expect(text).toContain('model = keras.Sequential(name="sequential_1", layers=[');
    expect(text).toContain('    layers.Dense(512, activation="relu", use_bias=True, name="dense_1"),');
  });
});
