import { describe, expect, it } from 'vitest';
import {
  acceptsMnistInput,
  centerOfMass,
  inkBox,
  inkOf,
  MNIST_SIDE,
  preprocessToMnist,
  rasterizeStrokes,
  type MnistInput,
  type PixelBuffer,
  type Stroke,
} from '../../src-shared/mnist-preprocess.ts';

const PAD = 280;

/** A digit-like shape in a square [x, y, size] of the pad (coordinates 0–1). */
function zero(x: number, y: number, size: number): Stroke[] {
  const points = Array.from({ length: 41 }, (_, i) => {
    const t = (i / 40) * Math.PI * 2;
    return { x: x + size / 2 + (size / 3) * Math.sin(t), y: y + size / 2 - (size / 2) * Math.cos(t) };
  });
  return [{ points }];
}
function seven(x: number, y: number, size: number): Stroke[] {
  return [
    {
      points: [
        { x: x + size * 0.15, y },
        { x: x + size * 0.85, y },
        { x: x + size * 0.4, y: y + size },
      ],
    },
  ];
}
function one(x: number, y: number, size: number): Stroke[] {
  return [{ points: [{ x: x + size / 2, y }, { x: x + size / 2, y: y + size }] }];
}

/** Checks what every MNIST image satisfies. */
function expectMnistLike(result: MnistInput | null, where: string) {
  expect(result, where).not.toBeNull();
  const r = result!;
  expect(r.pixels).toHaveLength(784);
  for (const v of r.pixels) {
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThanOrEqual(1);
  }
  expect(Math.max(...r.pixels), where).toBe(1);
  const box = inkBox(r.pixels, MNIST_SIDE, MNIST_SIDE)!;
  expect(box.width, where).toBeLessThanOrEqual(20);
  expect(box.height, where).toBeLessThanOrEqual(20);
  // The larger side fills the 20-pixel box (give or take an anti-aliased edge).
  expect(Math.max(box.width, box.height), where).toBeGreaterThanOrEqual(19);
  const com = centerOfMass(r.pixels, MNIST_SIDE, MNIST_SIDE);
  expect(Math.abs(com.x - 14), `${where}: centre of mass x ${com.x}`).toBeLessThanOrEqual(1);
  expect(Math.abs(com.y - 14), `${where}: centre of mass y ${com.y}`).toBeLessThanOrEqual(1);
  expect(r.centerOfMass.x).toBeCloseTo(com.x, 6);
  return { box, com };
}

const draw = (strokes: Stroke[], width: number) => preprocessToMnist(rasterizeStrokes(strokes, PAD, width));

describe('preprocessToMnist: synthetic strokes land like MNIST digits', () => {
  it('centres an offset digit and scales it to the 20×20 box', () => {
    const corner = draw(zero(0.05, 0.1, 0.35), 0.06);
    const middle = draw(zero(0.35, 0.4, 0.35), 0.06);
    expectMnistLike(corner, 'top-left 0');
    expectMnistLike(middle, 'centred 0');
    // Where it was drawn does not matter: the same pixels come out.
    const diff = corner!.pixels.reduce((s, v, i) => s + Math.abs(v - (middle!.pixels[i] ?? 0)), 0);
    expect(diff).toBeLessThan(1);
    expect(corner!.bbox.x).toBeLessThan(40);
  });

  it('scales tiny and huge digits to the same size', () => {
    const tiny = draw(seven(0.45, 0.45, 0.03), 0.005);
    const huge = draw(seven(0.04, 0.04, 0.92), 0.07);
    const t = expectMnistLike(tiny, 'tiny 7');
    const h = expectMnistLike(huge, 'huge 7');
    expect(tiny!.scale).toBeGreaterThan(1);
    expect(huge!.scale).toBeLessThan(0.1);
    expect(t.box.height).toBe(h.box.height);
  });

  it('keeps the aspect ratio: a 1 stays narrow', () => {
    const r = draw(one(0.4, 0.1, 0.7), 0.07);
    const { box } = expectMnistLike(r, 'one');
    expect(box.height).toBeGreaterThanOrEqual(19);
    expect(box.width).toBeLessThanOrEqual(4);
  });

  it('handles thick and thin strokes', () => {
    const thick = draw(zero(0.2, 0.2, 0.6), 0.2);
    const thin = draw(zero(0.2, 0.2, 0.6), 0.008);
    expectMnistLike(thick, 'thick 0');
    expectMnistLike(thin, 'thin 0');
    const ink = (r: MnistInput | null) => r!.pixels.reduce((a, b) => a + b, 0);
    expect(ink(thick)).toBeGreaterThan(ink(thin) * 2);
    // The thin ring still shows as a ring: the middle of the 0 is empty.
    expect(thin!.pixels[14 * 28 + 14]).toBe(0);
  });

  it('gives null for an empty canvas, a blank page and a uniform grey', () => {
    expect(preprocessToMnist(rasterizeStrokes([], PAD, 0.07))).toBeNull();
    expect(preprocessToMnist({ width: 10, height: 10, data: new Uint8Array(400).fill(255) })).toBeNull();
    expect(preprocessToMnist({ width: 10, height: 10, data: new Uint8Array(100).fill(128) })).toBeNull();
  });
});

describe('preprocessToMnist: images', () => {
  /** RGBA of a dark 7 on a light page, or light on dark. */
  function rgba(strokes: Stroke[], darkInk: boolean, alphaOnly = false): PixelBuffer {
    const grey = rasterizeStrokes(strokes, 100, 0.08);
    const data = new Uint8ClampedArray(100 * 100 * 4);
    for (let i = 0; i < 100 * 100; i++) {
      const ink = grey.data[i] ?? 0;
      const v = darkInk ? 230 - Math.round((ink / 255) * 200) : 20 + Math.round((ink / 255) * 200);
      data.set(alphaOnly ? [0, 0, 0, ink] : [v, v, v, 255], i * 4);
    }
    return { width: 100, height: 100, data };
  }

  it('reads dark ink on paper, light ink on black and transparent PNGs alike', () => {
    const strokes = seven(0.2, 0.2, 0.6);
    const paper = preprocessToMnist(rgba(strokes, true));
    const black = preprocessToMnist(rgba(strokes, false));
    const clear = preprocessToMnist(rgba(strokes, false, true));
    for (const [r, name] of [
      [paper, 'paper'],
      [black, 'black'],
      [clear, 'transparent'],
    ] as const) {
      expectMnistLike(r, name);
      const diff = r!.pixels.reduce((s, v, i) => s + Math.abs(v - (paper!.pixels[i] ?? 0)), 0);
      expect(diff, name).toBeLessThan(2);
    }
  });

  it('treats an MNIST image as already MNIST', () => {
    // A block 20 high and 10 wide, centred: comes back in the same place.
    const data = new Uint8Array(784);
    for (let y = 4; y < 24; y++) for (let x = 9; x < 19; x++) data[y * 28 + x] = 255;
    const r = preprocessToMnist({ width: 28, height: 28, data })!;
    expect(r.scale).toBe(1);
    expect(r.pixels).toEqual(Array.from(data, (v) => v / 255));
  });

  it('rejects buffers of the wrong length', () => {
    expect(() => inkOf({ width: 3, height: 3, data: new Uint8Array(10) })).toThrow(/9 grey or 36 RGBA/);
  });
});

describe('acceptsMnistInput', () => {
  it('takes 784 and 28×28×1, nothing else', () => {
    expect(acceptsMnistInput([784])).toBe(true);
    expect(acceptsMnistInput([28, 28, 1])).toBe(true);
    expect(acceptsMnistInput([32, 32, 3])).toBe(false);
    expect(acceptsMnistInput([100])).toBe(false);
  });
});
