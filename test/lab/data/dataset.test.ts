import { describe, expect, it } from 'vitest';
import { checkLabelRange, toDatasetInfo, validateDatasetParts, type Dataset } from '../../../src-main/lab/data/dataset.ts';
import { DatasetError, parseIdx } from '../../../src-main/lab/data/idx.ts';
import { makeIdx, makeImages, makeLabels } from './idx-fixtures.ts';

const parts = (over: Partial<Record<'trainImages' | 'trainLabels' | 'testImages' | 'testLabels', Uint8Array>> = {}) => ({
  trainImages: parseIdx(over.trainImages ?? makeImages(3), 'ti'),
  trainLabels: parseIdx(over.trainLabels ?? makeLabels([0, 5, 9]), 'tl'),
  testImages: parseIdx(over.testImages ?? makeImages(2), 'si'),
  testLabels: parseIdx(over.testLabels ?? makeLabels([1, 2]), 'sl'),
});

describe('validateDatasetParts', () => {
  it('accepts a well-formed set and returns counts', () => {
    const v = validateDatasetParts(parts());
    expect(v.trainCount).toBe(3);
    expect(v.testCount).toBe(2);
    expect(v.trainImages.length).toBe(3 * 784);
    expect(Array.from(v.trainLabels)).toEqual([0, 5, 9]);
  });

  it('says which index holds which out-of-range label', () => {
    expect(() => validateDatasetParts(parts({ trainLabels: makeLabels([0, 10, 3]) }), { trainLabels: 'train.lbl' })).toThrow(
      /train\.lbl: label at index 1 is 10, but labels must be 0 to 9/,
    );
    expect(() => checkLabelRange(new Uint8Array([1, 255, 12, 4]), 'x')).toThrow(/index 1 is 255.*2 labels out of range/);
    expect(() => checkLabelRange(new Uint8Array([0, 9]), 'x')).not.toThrow();
  });

  it('rejects images that are not [n, 28, 28]', () => {
    expect(() => validateDatasetParts(parts({ trainImages: makeIdx([3, 784]) }))).toThrow(DatasetError);
    expect(() => validateDatasetParts(parts({ testImages: makeIdx([2, 28, 27]) }))).toThrow(
      /test images: expected images of shape \[count, 28, 28\], got \[2, 28, 27\]/,
    );
    expect(() => validateDatasetParts(parts({ trainImages: makeIdx([0, 28, 28]), trainLabels: makeLabels([]) }))).toThrow(/no images/);
  });

  it('rejects labels that are not 1-D or do not match the image count', () => {
    expect(() => validateDatasetParts(parts({ trainLabels: makeIdx([3, 1]) }))).toThrow(/1 dimension/);
    expect(() => validateDatasetParts(parts({ testLabels: makeLabels([1, 2, 3]) }))).toThrow(/holds 2 images but .* holds 3 labels/);
  });
});

describe('toDatasetInfo', () => {
  it('maps counts and shape', () => {
    const v = validateDatasetParts(parts());
    const d: Dataset = { name: 'x', title: 'X', hash: 'h', ...v, imageShape: [28, 28, 1], classNames: ['a', 'b'], builtIn: false };
    expect(toDatasetInfo(d)).toEqual({ name: 'x', title: 'X', hash: 'h', trainExamples: 3, testExamples: 2, imageShape: [28, 28, 1], classNames: ['a', 'b'], builtIn: false });
  });
});
