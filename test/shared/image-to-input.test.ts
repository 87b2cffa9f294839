import { describe, expect, it } from 'vitest';
import { imageToInput } from '../../src-shared/image-to-input.ts';

describe('imageToInput', () => {
  it('keeps an image of the target size, grey, without inverting a dark background', () => {
    const data = [0, 51, 102, 0];
    expect(imageToInput({ width: 2, height: 2, data }, [2, 2, 1]).map((v) => Math.round(v * 255))).toEqual([0, 51, 102, 0]);
  });

  it('inverts grey images with a light border, as the import does', () => {
    const data = [255, 255, 255, 255, 0, 255, 255, 255, 255];
    const out = imageToInput({ width: 3, height: 3, data }, [3, 3, 1]).map((v) => Math.round(v * 255));
    expect(out).toEqual([0, 0, 0, 0, 255, 0, 0, 0, 0]);
  });

  it('shrinks by box averages and pads with the border colour, in RGB from RGBA', () => {
    // 4×2 RGBA, all red: scaled to 2×1 inside a 2×2 target, padded with red.
    const data = Array.from({ length: 8 }, () => [200, 10, 20, 255]).flat();
    const out = imageToInput({ width: 4, height: 2, data }, [2, 2, 3]).map((v) => Math.round(v * 255));
    expect(out).toEqual([200, 10, 20, 200, 10, 20, 200, 10, 20, 200, 10, 20]);
  });
});
