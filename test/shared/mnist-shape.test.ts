import { describe, expect, it } from 'vitest';
import { analyzeArchitecture, FLAT_INPUT_SHAPE, IMAGE_INPUT_SHAPE, IMAGE_PIXELS, isMnistInputShape, NUM_CLASSES } from '../../src-shared/index.ts';

describe("MNIST's sizes", () => {
  it('are 28×28 = 784 pixels and 10 classes', () => {
    expect([IMAGE_PIXELS, NUM_CLASSES, FLAT_INPUT_SHAPE, IMAGE_INPUT_SHAPE]).toEqual([784, 10, [784], [28, 28, 1]]);
  });

  it.each([
    [[784], true],
    [[28, 28, 1], true],
    [[28, 28], false],
    [[785], false],
    [['784'], false],
    [[28, 28, 3], false],
  ])('%j is an MNIST input shape: %s', (shape, expected) => {
    expect(isMnistInputShape(shape)).toBe(expected);
  });

  it('keep the contract messages word for word', () => {
    const issues = analyzeArchitecture({ inputShape: [785], layers: [{ type: 'dense', units: 3, activation: 'softmax' }] }).issues.map((i) => i.message);
    expect(issues).toEqual(['inputShape must be [784] or [28, 28, 1] (MNIST images), got [785]']);
    const last = analyzeArchitecture({ inputShape: [784], layers: [{ type: 'dense', units: 3, activation: 'softmax' }] }).issues.map((i) => i.message);
    expect(last).toEqual(['the last layer must output 10 classes (None, 10), got (None, 3); end with dense units 10']);
  });
});
