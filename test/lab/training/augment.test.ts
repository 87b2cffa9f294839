import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CompileConfigSchema, findPreset, TrainConfigSchema, type RunEvent } from '../../../src-shared/index.ts';
import type { ImageShape } from '../../../src-shared/dataset-shape.ts';
import type { Tf } from '../../../src-main/lab/model/tf-types.ts';
import { Augmenter, transformImage, type ImageTransform } from '../../../src-main/lab/training/augment.ts';
import { prepareData } from '../../../src-main/lab/training/prepare-data.ts';
import { runTraining, type TrainingControl } from '../../../src-main/lab/training/run-training.ts';
import type { TrainJob } from '../../../src-main/lab/training/trainer-protocol.ts';
import { syntheticDataset } from './synthetic-dataset.ts';
import { SeededRandom } from '../../../src-main/lab/util/seeded-random.ts';

const none: ImageTransform = { dx: 0, dy: 0, angle: 0, scale: 1, flip: false };
/** A 4×4 grey image with values 1..16, row-major. */
const ramp = Float32Array.from({ length: 16 }, (_, i) => i + 1);
const apply = (src: Float32Array, shape: ImageShape, t: Partial<ImageTransform>): number[] => {
  const dst = new Float32Array(src.length);
  transformImage(src, dst, shape, { ...none, ...t });
  return Array.from(dst, (v) => Math.round(v * 1e4) / 1e4);
};

describe('transformImage', () => {
  it('leaves an image unchanged under no transform', () => {
    expect(apply(ramp, [4, 4, 1], {})).toEqual(Array.from(ramp));
  });

  it('shifts by whole pixels, filling with 0', () => {
    expect(apply(ramp, [4, 4, 1], { dx: 1 })).toEqual([0, 1, 2, 3, 0, 5, 6, 7, 0, 9, 10, 11, 0, 13, 14, 15]);
    expect(apply(ramp, [4, 4, 1], { dy: -1 })).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0, 0, 0, 0]);
  });

  it('mirrors left-right, per channel', () => {
    expect(apply(ramp, [4, 4, 1], { flip: true })).toEqual([4, 3, 2, 1, 8, 7, 6, 5, 12, 11, 10, 9, 16, 15, 14, 13]);
    const rgb = Float32Array.from([1, 2, 3, 4, 5, 6]);
    expect(apply(rgb, [1, 2, 3], { flip: true })).toEqual([4, 5, 6, 1, 2, 3]);
  });

  it('rotates a quarter turn about the centre, and zoom keeps the centre and spreads the rest', () => {
    // A quarter turn: the top row becomes the right-hand column (y down, positive angle turns clockwise on screen).
    expect(apply(ramp, [4, 4, 1], { angle: Math.PI / 2 })).toEqual([13, 9, 5, 1, 14, 10, 6, 2, 15, 11, 7, 3, 16, 12, 8, 4]);
    const dot = new Float32Array(9);
    dot[4] = 1;
    expect(apply(dot, [3, 3, 1], { scale: 2 })[4]).toBe(1);
    expect(apply(dot, [3, 3, 1], { scale: 2 })[1]).toBe(0.5);
  });
});

/** The definition, pixel by pixel: the inverse map of each output pixel, four neighbours read with bounds checks (outside: 0). */
function reference(src: Float32Array, [h, w, c]: ImageShape, t: ImageTransform): Float32Array {
  const dst = new Float32Array(src.length);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const read = (x: number, y: number, k: number) => (x >= 0 && x < w && y >= 0 && y < h ? (src[(y * w + x) * c + k] as number) : 0);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Undo the shift, then the rotation and zoom about the centre; mirror the source x when flipping.
      const u = x - cx - t.dx;
      const v = y - cy - t.dy;
      let sx = (Math.cos(t.angle) * u + Math.sin(t.angle) * v) / t.scale + cx;
      const sy = (-Math.sin(t.angle) * u + Math.cos(t.angle) * v) / t.scale + cy;
      if (t.flip) sx = w - 1 - sx;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const ax = sx - x0;
      const ay = sy - y0;
      for (let k = 0; k < c; k++) {
        dst[(y * w + x) * c + k] =
          read(x0, y0, k) * (1 - ax) * (1 - ay) + read(x0 + 1, y0, k) * ax * (1 - ay) + read(x0, y0 + 1, k) * (1 - ax) * ay + read(x0 + 1, y0 + 1, k) * ax * ay;
      }
    }
  }
  return dst;
}

describe('transformImage against its definition', () => {
  it('matches the pixel-by-pixel inverse map for grey and colour, square and not, inside, across and beyond the edges', () => {
    const shapes: ImageShape[] = [[28, 28, 1], [12, 20, 3], [5, 3, 1], [2, 2, 3], [17, 9, 2]];
    const random = new SeededRandom(11);
    const r = (scale: number) => (random.next() * 2 - 1) * scale;
    let compared = 0;
    for (const shape of shapes) {
      const [h, w, c] = shape;
      // Sparse like a digit: zeros around values in (0, 1].
      const src = Float32Array.from({ length: h * w * c }, () => (random.next() < 0.4 ? 0 : random.next()));
      for (let i = 0; i < 60; i++) {
        // Mostly the range augmentation draws, and now and then far past it (a shift off the image, a half turn, a strong zoom).
        const wild = i % 10 === 9;
        const t: ImageTransform = { dx: r(wild ? 2 * w : 0.3 * w), dy: r(wild ? 2 * h : 0.3 * h), angle: r(wild ? Math.PI : 0.8), scale: 1 + r(wild ? 0.9 : 0.5), flip: random.next() < 0.5 };
        const dst = new Float32Array(src.length).fill(NaN);
        transformImage(src, dst, shape, t);
        const want = reference(src, shape, t);
        for (let j = 0; j < dst.length; j++) expect(dst[j], `${shape.join('×')} ${JSON.stringify(t)} value ${j}`).toBeCloseTo(want[j] as number, 5);
        compared++;
      }
    }
    expect(compared).toBe(300);
  });
});

describe('Augmenter', () => {
  const shape: ImageShape = [4, 4, 1];
  const config = { shift: 0.2, rotation: 15, zoom: 0.1, horizontalFlip: true };
  const run = (seed: number): number[][] => {
    const a = new Augmenter(config, shape, seed);
    return Array.from({ length: 5 }, () => {
      const dst = new Float32Array(16);
      a.apply(ramp, dst);
      return Array.from(dst);
    });
  };

  it('is deterministic under a seed, and another seed draws otherwise', () => {
    expect(run(7)).toEqual(run(7));
    expect(run(8)).not.toEqual(run(7));
  });

  it('draws within the configured bounds', () => {
    const a = new Augmenter(config, [28, 28, 1], 3);
    for (let i = 0; i < 200; i++) {
      const t = a.next();
      expect(Math.abs(t.dx)).toBeLessThanOrEqual(0.2 * 28);
      expect(Math.abs(t.angle)).toBeLessThanOrEqual((15 * Math.PI) / 180);
      expect(Math.abs(t.scale - 1)).toBeLessThanOrEqual(0.1);
    }
    const off = new Augmenter({ shift: 0, rotation: 0, zoom: 0, horizontalFlip: false }, [28, 28, 1], 3);
    expect(JSON.stringify(off.next())).toBe(JSON.stringify(none));
  });
});

describe('augmentation in the trainer', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });
  const dataset = syntheticDataset(200, 60);
  const neverStop: TrainingControl = { stopRequested: () => false, paused: () => false, waitUntilResumed: async () => {}, takeLearningRate: () => null };

  async function losses(augmentation?: TrainJob['train']['augmentation']): Promise<number[]> {
    const train = TrainConfigSchema.parse({ epochs: 2, batchSize: 50, trainExamples: 200, testExamples: 60, seed: 11, ...(augmentation ? { augmentation } : {}) });
    const job: TrainJob = {
      runId: 1, architecture: findPreset('keras-mlp')!.architecture, compile: CompileConfigSchema.parse({ optimizer: { name: 'sgd', learningRate: 0.1 } }),
      train, dataset: 'synthetic', home: '/nonexistent', backend: 'cpu', initialWeights: null,
    };
    const events: RunEvent[] = [];
    const status = await runTraining(tf as unknown as Tf, job, prepareData(dataset, train), neverStop, { event: (e) => events.push(e), checkpoint: () => {}, evaluation: () => {} }, { backend: 'cpu' });
    expect(status).toBe('completed');
    return events.flatMap((e) => (e.type === 'epoch' ? [e.loss] : []));
  }

  it('trains identically when off or absent, deterministically when on, and differently from off', async () => {
    const absent = await losses();
    const off = await losses({ shift: 0, rotation: 0, zoom: 0, horizontalFlip: false });
    const on = await losses({ shift: 0.1, rotation: 10, zoom: 0.1, horizontalFlip: false });
    const onAgain = await losses({ shift: 0.1, rotation: 10, zoom: 0.1, horizontalFlip: false });
    expect(off).toEqual(absent);
    expect(onAgain).toEqual(on);
    expect(on).not.toEqual(absent);
  });
});
