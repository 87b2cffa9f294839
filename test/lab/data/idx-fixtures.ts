// Builds small IDX files for tests, and temp folders that clean up after themselves.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** An IDX file: 00 00 type ndim, big-endian dims, then data (zeros unless given). */
export function makeIdx(dims: number[], data?: ArrayLike<number>, type = 0x08): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + size);
  const view = new DataView(out.buffer);
  out[2] = type;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  if (data) out.set(Array.from(data).slice(0, size), header);
  return out;
}

/** n images of 28×28; image i is filled with the value i % 256 so tests can tell them apart. */
export function makeImages(n: number): Uint8Array {
  const data = new Uint8Array(n * 784);
  for (let i = 0; i < n; i++) data.fill(i % 256, i * 784, (i + 1) * 784);
  return makeIdx([n, 28, 28], data);
}

export function makeLabels(labels: number[]): Uint8Array {
  return makeIdx([labels.length], labels);
}

export const gzip = (bytes: Uint8Array): Uint8Array => gzipSync(bytes);

export interface TempDir {
  dir: string;
  path(...parts: string[]): string;
  write(name: string, bytes: Uint8Array): string;
  cleanup(): void;
}

export function tempDir(prefix = 'layerlab-data-'): TempDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    path: (...parts) => join(dir, ...parts),
    write(name, bytes) {
      const p = join(dir, name);
      writeFileSync(p, bytes);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Four valid IDX files (3 training, 2 test examples) in `tmp`; gzipped when asked. */
export function writeIdxSet(
  tmp: TempDir,
  options: { gzip?: boolean; prefix?: string } = {},
): { trainImages: string; trainLabels: string; testImages: string; testLabels: string } {
  const pre = options.prefix ?? 'set';
  const enc = (b: Uint8Array): Uint8Array => (options.gzip ? gzip(b) : b);
  const ext = options.gzip ? '.gz' : '';
  return {
    trainImages: tmp.write(`${pre}-train-images${ext}`, enc(makeImages(3))),
    trainLabels: tmp.write(`${pre}-train-labels${ext}`, enc(makeLabels([1, 2, 3]))),
    testImages: tmp.write(`${pre}-test-images${ext}`, enc(makeImages(2))),
    testLabels: tmp.write(`${pre}-test-labels${ext}`, enc(makeLabels([9, 0]))),
  };
}
