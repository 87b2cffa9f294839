// The functional summary is Keras 2's print_summary (keras/utils/layer_utils.py, standalone
// Keras 2.x as in the seed tutorial): 98 wide, columns at int(98 × .33/.55/.67), an InputLayer row
// and "Connected to" entries name[node][tensor], one per line for merges. The expected texts
// below are written out by hand from that format, as Keras prints the same models.
import { describe, expect, it } from 'vitest';
import { analyzeArchitecture, findPreset, formatSummary } from '../../src-shared/index.ts';

/** Keras pads every row to the line length; the literals below leave the trailing spaces out. */
const rows = (width: number, lines: string[]) => lines.map((l) => (/^[_=]+$/.test(l) || l.startsWith('Total') || l.startsWith('Trainable') || l.startsWith('Non-trainable') ? l : l.padEnd(width))).join('\n');

describe('formatSummary for functional models', () => {
  it('prints the residual MLP as Keras prints inputs → Dense → Dense → add([x, y]) → Dense', () => {
    // inputs = Input(shape=(784,)); x = Dense(64, activation='relu')(inputs); y = Dense(64, activation='relu')(x)
    // s = add([x, y]); out = Dense(10, activation='softmax')(s); Model(inputs, out).summary()
    const spec = {
      inputShape: [784],
      layers: [
        { type: 'dense', units: 64, activation: 'relu' },
        { type: 'dense', units: 64, activation: 'relu' },
        { type: 'add', inbound: ['dense_1', 'dense_2'] },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
    };
    const expected = rows(98, [
      '__________________________________________________________________________________________________',
      'Layer (type)                    Output Shape         Param #     Connected to',
      '==================================================================================================',
      'input_1 (InputLayer)            (None, 784)          0',
      '__________________________________________________________________________________________________',
      'dense_1 (Dense)                 (None, 64)           50240       input_1[0][0]',
      '__________________________________________________________________________________________________',
      'dense_2 (Dense)                 (None, 64)           4160        dense_1[0][0]',
      '__________________________________________________________________________________________________',
      'add_1 (Add)                     (None, 64)           0           dense_1[0][0]',
      '                                                                 dense_2[0][0]',
      '__________________________________________________________________________________________________',
      'dense_3 (Dense)                 (None, 10)           650         add_1[0][0]',
      '==================================================================================================',
      'Total params: 55,050',
      'Trainable params: 55,050',
      'Non-trainable params: 0',
      '__________________________________________________________________________________________________',
    ]);
    expect(formatSummary(analyzeArchitecture(spec))).toBe(expected);
    expect(expected.split('\n').every((l) => l.length === 98 || /params/.test(l))).toBe(true);
  });

  it('cuts a long name at its column as Keras does, and orders layers by depth', () => {
    const spec = {
      inputShape: [28, 28, 1],
      layers: [
        { name: 'wide', type: 'conv2d', filters: 2, kernelSize: 5, padding: 'same', inbound: ['input'] },
        { name: 'narrow', type: 'conv2d', filters: 2, kernelSize: 3, padding: 'same', inbound: ['input'] },
        { name: 'both', type: 'concatenate', inbound: ['narrow', 'wide'] },
        { type: 'globalAveragePooling2d' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
    };
    expect(formatSummary(analyzeArchitecture(spec))).toBe(
      rows(98, [
        '__________________________________________________________________________________________________',
        'Layer (type)                    Output Shape         Param #     Connected to',
        '==================================================================================================',
        'input_1 (InputLayer)            (None, 28, 28, 1)    0',
        '__________________________________________________________________________________________________',
        'narrow (Conv2D)                 (None, 28, 28, 2)    20          input_1[0][0]',
        '__________________________________________________________________________________________________',
        'wide (Conv2D)                   (None, 28, 28, 2)    52          input_1[0][0]',
        '__________________________________________________________________________________________________',
        'both (Concatenate)              (None, 28, 28, 4)    0           narrow[0][0]',
        '                                                                 wide[0][0]',
        '__________________________________________________________________________________________________',
        'global_average_pooling2d_1 (Glo (None, 4)            0           both[0][0]',
        '__________________________________________________________________________________________________',
        'dense_1 (Dense)                 (None, 10)           50          global_average_pooling2d_1[0][0]',
        '==================================================================================================',
        'Total params: 122',
        'Trainable params: 122',
        'Non-trainable params: 0',
        '__________________________________________________________________________________________________',
      ]),
    );
  });

  it('prints a functional chain as Keras does: the sequential-like table with its InputLayer row', () => {
    const spec = { inputShape: [784], layers: [{ name: 'hidden', type: 'dense', units: 512, activation: 'relu', inbound: ['input'] }, { type: 'dense', units: 10, activation: 'softmax' }] };
    expect(formatSummary(analyzeArchitecture(spec))).toBe(
      rows(65, [
        '_________________________________________________________________',
        'Layer (type)                 Output Shape              Param #',
        '=================================================================',
        'input_1 (InputLayer)         (None, 784)               0',
        '_________________________________________________________________',
        'hidden (Dense)               (None, 512)               401920',
        '_________________________________________________________________',
        'dense_1 (Dense)              (None, 10)                5130',
        '=================================================================',
        'Total params: 407,050',
        'Trainable params: 407,050',
        'Non-trainable params: 0',
        '_________________________________________________________________',
      ]),
    );
  });

  it('leaves the Sequential table of every preset without inbound as it was (no InputLayer row)', () => {
    const text = formatSummary(analyzeArchitecture(findPreset('keras-mlp')!.architecture));
    expect(text.split('\n')[3]).toBe('dense_1 (Dense)              (None, 512)               401920    ');
    expect(text).not.toContain('InputLayer');
  });
});
