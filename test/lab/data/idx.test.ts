import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetError, parseIdx, readIdxFile } from '../../../src-main/lab/data/idx.ts';
import { gzip, makeIdx, makeImages, tempDir, type TempDir } from './idx-fixtures.ts';

const PNG_HEADER = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

function errorOf(fn: () => unknown): DatasetError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DatasetError);
    return err as DatasetError;
  }
  throw new Error('expected a DatasetError');
}

describe('parseIdx', () => {
  it('reads a 1-D file', () => {
    const r = parseIdx(makeIdx([4], [7, 1, 0, 9]), 'labels');
    expect(r.dims).toEqual([4]);
    expect(Array.from(r.data)).toEqual([7, 1, 0, 9]);
  });

  it('reads a 3-D file with big-endian dims, row-major data', () => {
    const r = parseIdx(makeImages(3), 'images');
    expect(r.dims).toEqual([3, 28, 28]);
    expect(r.data.length).toBe(3 * 784);
    expect(r.data[784 * 2 + 5]).toBe(2);
    // Dims above 255 prove the byte order.
    expect(parseIdx(makeIdx([300]), 'x').dims).toEqual([300]);
  });

  it('rejects a file too short for a header', () => {
    expect(errorOf(() => parseIdx(new Uint8Array([0, 0]), 'tiny.idx')).message).toMatch(/tiny\.idx is too short/);
  });

  it('rejects a wrong magic number', () => {
    const bytes = makeIdx([2], [1, 2]);
    bytes[1] = 3;
    expect(errorOf(() => parseIdx(bytes, 'odd.idx')).message).toMatch(/odd\.idx is not an IDX file/);
  });

  it('rejects a foreign file such as a PNG', () => {
    const msg = errorOf(() => parseIdx(PNG_HEADER, 'picture.png')).message;
    expect(msg).toMatch(/picture\.png is not an IDX file/);
    expect(msg).toContain('89 50 4e 47');
  });

  it('names an unsupported type byte', () => {
    const msg = errorOf(() => parseIdx(makeIdx([1], [0], 0x0d), 'floats.idx')).message;
    expect(msg).toMatch(/floats\.idx/);
    expect(msg).toMatch(/0x0D/);
    expect(msg).toMatch(/32-bit float/);
    expect(errorOf(() => parseIdx(makeIdx([1], [0], 0x42), 'x')).message).toMatch(/unknown IDX data type 0x42/);
  });

  it('rejects 0 or more than 4 dimensions', () => {
    expect(errorOf(() => parseIdx(new Uint8Array([0, 0, 8, 0]), 'z')).message).toMatch(/0 dimensions/);
    expect(errorOf(() => parseIdx(makeIdx([1, 1, 1, 1, 1]), 'five')).message).toMatch(/5 dimensions/);
  });

  it('reports a truncated file with expected and actual sizes', () => {
    const full = makeImages(2);
    const msg = errorOf(() => parseIdx(full.subarray(0, 1000), 'cut.idx')).message;
    expect(msg).toMatch(/cut\.idx is truncated/);
    expect(msg).toContain(`expected ${full.length} bytes`);
    expect(msg).toContain('got 1000');
    expect(errorOf(() => parseIdx(full.subarray(0, 10), 'cut.idx')).message).toMatch(/truncated: its header needs 16 bytes, got 10/);
  });

  it('rejects trailing bytes', () => {
    const bytes = new Uint8Array([...makeIdx([2], [1, 2]), 0, 0, 0]);
    expect(errorOf(() => parseIdx(bytes, 'long.idx')).message).toMatch(/long\.idx has 3 unexpected bytes after the data/);
  });
});

describe('readIdxFile', () => {
  let tmp: TempDir;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('reads a plain file', () => {
    const r = readIdxFile(tmp.write('a.idx', makeIdx([3], [1, 2, 3])));
    expect(r.dims).toEqual([3]);
    expect(Array.from(r.data)).toEqual([1, 2, 3]);
  });

  it('gunzips transparently and returns the decompressed bytes', () => {
    const raw = makeImages(2);
    const r = readIdxFile(tmp.write('a.idx.gz', gzip(raw)));
    expect(r.dims).toEqual([2, 28, 28]);
    expect(Buffer.from(r.bytes).equals(Buffer.from(raw))).toBe(true);
  });

  it('names the file when the gzip is corrupt', () => {
    const zipped = gzip(makeImages(2));
    const broken = zipped.slice(0, 30);
    const path = tmp.write('broken.gz', broken);
    const msg = errorOf(() => readIdxFile(path)).message;
    expect(msg).toContain(path);
    expect(msg).toMatch(/gzip-compressed but is damaged/);
  });

  it('names the file when a gzip holds a foreign file', () => {
    const path = tmp.write('pic.gz', gzip(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])));
    expect(errorOf(() => readIdxFile(path, 'pic.gz')).message).toMatch(/pic\.gz is not an IDX file/);
  });

  it('says when the file does not exist', () => {
    expect(errorOf(() => readIdxFile(tmp.path('missing'), 'missing.idx')).message).toBe('missing.idx does not exist');
  });
});
